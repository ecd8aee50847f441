"""The Django admin of the core app, and the mixins every app's admin uses.

``ScopedAdminMixin`` is the admin half of the scope rule: the changelist, the change
form, foreign-key choices, autocomplete and exports all go through
``Model.objects.visible_to(request.user)``, and an object outside the user's scope
answers 404 (not 403) so that its existence does not leak.

``PersonalDataAdminMixin`` shows phone and ID numbers masked; a user with
``congress.view_personal_data`` reveals them through an explicit, audited action.

``ScopedExportMixin`` (django-import-export) exports the scoped queryset, masks
personal data unless the user may see it and asked for it, and audits every export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import EmptyResultSet
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db import models
from django.db.models import Count
from django.db.models import OuterRef
from django.db.models import QuerySet
from django.db.models import Subquery
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import BINARY_FORMATS
from import_export.forms import SelectableFieldsExportForm

from congress import audit
from congress import voting
from congress.fields import LANDLINE_RE
from congress.fields import PHONE_RE
from congress.fields import id_number_is_valid
from congress.fields import mask_phone
from congress.models import AuditEvent
from congress.models import BallotChoice
from congress.models import BallotReceipt
from congress.models import GeneratedReport
from congress.models import Notification
from congress.models import Organization
from congress.models import PaperCount
from congress.models import Poll
from congress.models import PollOption
from congress.models import PollVoter
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.models import User
from congress.models import WorkCalendarDay
from congress.roles import ADMIN_ROLES
from congress.roles import Role
from congress.rules import is_in_scope
from congress.scope import in_subtree
from congress.scope import user_sees_everything

admin.site.site_header = _("人大监督工作平台")
admin.site.site_title = _("人大监督工作平台")
admin.site.index_title = _("人大监督工作平台")

VIEW_PERSONAL_DATA = "congress.view_personal_data"
EXPORT_DATA = "congress.export_data"

# Below this many rows an exact COUNT(*) is cheap and an estimate is not worth it.
ESTIMATE_COUNT_ABOVE = 10_000


# --- scope helpers ---------------------------------------------------------------


def regions_visible_to(user) -> QuerySet[Region]:
    """The regions a user may see and choose: their scope region and below."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    if user_sees_everything(user):
        return Region.objects.all()
    if user.scope_region_id is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=user.scope_region.prefix)


def users_visible_to(user) -> QuerySet[User]:
    """The users a user may see: those whose scope region is within theirs."""
    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user_sees_everything(user):
        return User.objects.all()
    if user.scope_region_id is None:
        return User.objects.none()
    return User.objects.filter(scope_region__code__startswith=user.scope_region.prefix)


def scoped_queryset(model: type[models.Model], user) -> QuerySet | None:
    """The rows of ``model`` the user may see, or None if the model is not scoped."""
    if model is Region:
        return regions_visible_to(user)
    if model is User:
        return users_visible_to(user)
    queryset = model._default_manager.all()
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    return None


class EstimatedCountPaginator(Paginator):
    """Count a large changelist from PostgreSQL's estimates, not COUNT(*).

    An exact COUNT(*) over millions of rows (five million station visits) takes
    seconds, and a county user's scope is a filter, so every changelist would pay
    it. Unfiltered, the table's ``pg_class.reltuples`` (kept by ANALYZE and
    autovacuum) gives the count; filtered, the planner's row estimate for the
    query (``EXPLAIN``) does. Only when the estimate is small — below
    ``ESTIMATE_COUNT_ABOVE``, where an exact count is cheap — is the count exact,
    so "第 1/600 页" on a big list is approximate and a short list is always right.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet):
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                estimate = self._estimate(queryset, connection)
                if estimate is not None and estimate > ESTIMATE_COUNT_ABOVE:
                    return estimate
        return super().count

    @staticmethod
    def _estimate(queryset: QuerySet, connection) -> int | None:
        with connection.cursor() as cursor:
            if not queryset.query.where:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
                return int(row[0]) if row else None
            try:
                sql, params = queryset.query.sql_with_params()
            except EmptyResultSet:
                return 0
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])


class RegionListFilter(admin.SimpleListFilter):
    """区划 filter by code prefix: the regions one level below the user's scope,
    and below the chosen one. It reads a few rows of Region, never a DISTINCT
    over the listed table (which, for five million visits, would take seconds).
    Use it as ``list_filter = (RegionListFilter, …)`` on any scoped model."""

    title = _("区划")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        user = request.user
        scope = user.scope_region if not user_sees_everything(user) else None
        chosen = self._chosen()
        parents = [r for r in (scope, chosen) if r is not None]
        if not parents:
            roots = list(
                Region.objects.filter(level=Region.Level.CITY).order_by("code")
            )
            if len(roots) != 1:
                return [(r.code, r.name) for r in roots]
            parents = roots
        parent_ids = {r.pk for r in parents}
        children = Region.objects.filter(
            parent_id__in=parent_ids, level__lte=Region.Level.TOWNSHIP
        ).order_by("code")
        items = [(r.code, r.name) for r in parents if r != scope]
        return items + [(r.code, r.name) for r in children]

    def _chosen(self) -> Region | None:
        if not hasattr(self, "_chosen_region"):
            value = self.value()
            self._chosen_region = (
                Region.objects.filter(code=Region.full_code(value)).first()
                if value and value.isdigit()
                else None
            )
        return self._chosen_region

    def queryset(self, request, queryset):
        chosen = self._chosen()
        if chosen is None:
            return queryset
        field = getattr(queryset, "region_field", "region")
        return in_subtree(queryset, field, chosen.prefix)


# --- the scope mixin -------------------------------------------------------------


class ScopeFieldsMixin:
    """Foreign-key and many-to-many choices limited to what the user may see."""

    def get_field_queryset(self, db, db_field, request):
        queryset = scoped_queryset(db_field.remote_field.model, request.user)
        if queryset is None:
            return super().get_field_queryset(db, db_field, request)
        related_admin = self.admin_site.get_model_admin(db_field.remote_field.model)
        ordering = related_admin.get_ordering(request) if related_admin else ()
        queryset = queryset.using(db)
        return queryset.order_by(*ordering) if ordering else queryset


class ScopedChangeList(ChangeList):
    """Django's changelist, with each row's change link built cheaply.

    Django reverses the change URL once per row and link column (100 reverse()
    calls on a 50-row page with two link columns). The URL differs between rows
    only in the primary key, so it is reversed once with a marker and the quoted
    key put in its place; a key that reverse() would percent-encode, or a URL in
    which the marker is not found once, falls back to Django's reverse().

    When the list is filtered, searched, sorted or paged, Django's
    ``add_preserved_filters`` then resolve()s every link to see whether it points
    at the changelist itself (about 0.2 ms each: 20 ms a page). A change link never
    does, so the preserved filters (``?_changelist_filters=…``) are put into the
    link here, as that function would, and ``preserved_filters`` (read only by
    ``items_for_result``) is left empty for it: the links are the same.
    """

    PK_MARKER = "__pk__"
    PLAIN_PK_RE = re.compile(r"[A-Za-z0-9_-]+")

    @cached_property
    def _change_url_parts(self) -> tuple[str, str] | None:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self.PK_MARKER,),
            current_app=self.model_admin.admin_site.name,
        )
        if url.count(self.PK_MARKER) != 1:
            return None
        before, _marker, after = url.partition(self.PK_MARKER)
        return before, after

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_filters = self.preserved_filters
        self.preserved_filters = ""

    def url_for_result(self, result) -> str:
        quoted = str(quote(getattr(result, self.pk_attname)))
        parts = self._change_url_parts
        if parts is None or not self.PLAIN_PK_RE.fullmatch(quoted):
            url = super().url_for_result(result)
        else:
            url = f"{parts[0]}{quoted}{parts[1]}"
        if self.link_filters:
            url = f"{url}?{self.link_filters}"
        return url


# Django's own msgid (django/contrib/admin/options.py), translated by Django's
# catalogue. Kept in a constant so that makemessages does not copy it into ours,
# where bin/update-messages would "translate" it to itself (English) for zh_Hans.
ACTION_CHECKBOX_LABEL = "Select this object for an action - {}"


class ScopedAdminMixin(ScopeFieldsMixin):
    """Use on every ModelAdmin of a scoped model (see the module docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

    def action_checkbox(self, obj):
        """Django's row checkbox, the same markup without a template per row.

        Django renders a ``forms.CheckboxInput`` through the form renderer for every
        row (a third of a 50-row changelist's rendering); this formats the identical
        ``<input>`` directly. The column header (``#action-toggle``) comes from
        Django's ``result_headers``, which recognises the column by this name.
        """
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select"'
            ' aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext(ACTION_CHECKBOX_LABEL), str(obj)),
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scoped = scoped_queryset(self.model, request.user)
        if scoped is None:
            return queryset
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset.filter(pk__in=scoped.values("pk"))

    def get_object(self, request, object_id, from_field=None):
        """Out of scope and nonexistent look the same: 404."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("没有找到该记录,或您无权查看。"))
        return obj

    def _object_perm(self, request, action: str, obj) -> bool:
        opts = self.opts
        return request.user.has_perm(
            f"{opts.app_label}.{action}_{opts.model_name}", obj
        )

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return self._object_perm(request, "view", obj) or self._object_perm(
            request, "change", obj
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return self._object_perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return self._object_perm(request, "delete", obj)

    def check_in_scope(self, request, obj) -> None:
        """Refuse to save a record into a region outside the user's scope."""
        if not is_in_scope(request.user, obj):
            raise PermissionDenied(gettext("不能把记录保存到您管辖范围以外的区划。"))

    def save_model(self, request, obj, form, change):
        self.check_in_scope(request, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if (
                inline_form.has_changed()
                and scoped_queryset(type(instance), request.user) is not None
            ):
                self.check_in_scope(request, instance)
        super().save_formset(request, form, formset, change)


class ScopedInlineMixin(ScopeFieldsMixin):
    """Inlines: scoped rows and scoped choices."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset


# --- personal data ---------------------------------------------------------------


def validate_phone(value: str) -> None:
    if value and not (PHONE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _("请输入11位手机号码或带区号的固定电话,例如13812341234或0739-1234567。")
        )


def validate_id_number(value: str) -> None:
    if value and not id_number_is_valid(value):
        raise ValidationError(_("身份证号码格式或校验位不正确。"))


class MaskedInput(forms.TextInput):
    """A text input that never sends the stored value to the browser."""

    def format_value(self, value):
        return None


class PersonalDataAdminMixin:
    """Personal-data fields shown masked, typed anew, revealed by an audited action.

    ``personal_data_fields`` maps a model field to its mask function. The form
    shows an empty input with the masked value as placeholder: typing a value
    replaces it, leaving it empty keeps the stored one.
    """

    personal_data_fields: dict[str, Callable[[str], str]] = {}
    personal_data_validators: dict[str, Callable[[str], None]] = {}
    personal_data_template = "admin/personal_data.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.personal_data_fields:
            validators = []
            if db_field.name in self.personal_data_validators:
                validators.append(self.personal_data_validators[db_field.name])
            return forms.CharField(
                label=db_field.verbose_name,
                required=False,
                strip=True,
                widget=MaskedInput(attrs={"autocomplete": "off"}),
                validators=validators,
                help_text=_(
                    "出于保护个人信息,这里不显示已保存的号码。输入新号码即替换,留空则保持不变。"
                ),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name, mask in self.personal_data_fields.items():
            if name in form.base_fields and obj is not None:
                form.base_fields[name].widget.attrs["placeholder"] = mask(
                    getattr(obj, name)
                )
        return form

    def get_fieldsets(self, request, obj=None):
        """Readers who may not change the record do not get the raw fields at all:
        Django would render them read-only with the stored, unmasked value."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        hidden = set(self.personal_data_fields)
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in hidden],
                },
            )
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        # An empty input keeps the stored value (the browser never saw it).
        for name in self.personal_data_fields:
            if name in form.cleaned_data and not form.cleaned_data[name]:
                setattr(obj, name, form.initial.get(name, "") or "")
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.personal_data_fields:
            if request.user.has_perm(VIEW_PERSONAL_DATA):
                fields.append("personal_data_revealable")
            else:
                fields.append("personal_data_masked")
        return fields

    def _masked_text(self, obj) -> str:
        return ";".join(
            f"{obj._meta.get_field(name).verbose_name}:{mask(getattr(obj, name)) or '—'}"
            for name, mask in self.personal_data_fields.items()
        )

    @admin.display(description=_("个人信息(已脱敏)"))
    def personal_data_masked(self, obj) -> str:
        return self._masked_text(obj)

    @admin.display(description=_("个人信息(已脱敏)"))
    def personal_data_revealable(self, obj) -> str:
        url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_personal_data",
            args=[obj.pk],
        )
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            self._masked_text(obj),
            url,
            gettext("查看完整信息"),
        )

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name=f"{opts.app_label}_{opts.model_name}_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request, object_id):
        """Confirm, then show the unmasked values and write an audit row."""
        obj = self.get_object(request, object_id)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if not request.user.has_perm(VIEW_PERSONAL_DATA):
            raise PermissionDenied(gettext("您没有查看完整个人信息的权限。"))
        revealed = None
        if request.method == "POST":
            names = list(self.personal_data_fields)
            audit.personal_data_viewed_event(
                user=request.user, obj=obj, fields=names, request=request
            )
            revealed = [
                (obj._meta.get_field(name).verbose_name, getattr(obj, name) or "—")
                for name in names
            ]
            messages.info(request, gettext("本次查看已记入审计日志。"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": gettext("查看完整个人信息"),
            "revealed": revealed,
            "change_url": reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
                args=[obj.pk],
            ),
        }
        return TemplateResponse(request, self.personal_data_template, context)


# --- exports ---------------------------------------------------------------------


class PersonalDataExportForm(SelectableFieldsExportForm):
    unmasked = forms.BooleanField(
        label=_("导出完整个人信息(手机号码、身份证号不脱敏,记入审计日志)"),
        required=False,
    )


class ScopedExportMixin(ExportMixin):
    """Export the scoped changelist; mask unless allowed and asked; audit it all."""

    #: Whether the resources take an ``unmasked`` argument (they hold personal data).
    export_personal_data = False

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_DATA) and self.has_view_permission(request)

    def get_export_form_class(self):
        if self.export_personal_data:
            return PersonalDataExportForm
        return super().get_export_form_class()

    def export_unmasked(self, request, export_form) -> bool:
        return bool(
            self.export_personal_data
            and export_form is not None
            and getattr(export_form, "cleaned_data", {}).get("unmasked")
            and request.user.has_perm(VIEW_PERSONAL_DATA)
        )

    def get_export_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_export_resource_kwargs(request, **kwargs)
        if self.export_personal_data:
            resource_kwargs["unmasked"] = self.export_unmasked(
                request, kwargs.get("export_form")
            )
        return resource_kwargs

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=type(file_format) in BINARY_FORMATS,
            **kwargs,
        )
        audit.export_event(
            user=request.user,
            model_label=self.model._meta.label_lower,
            rows=len(data),
            unmasked=self.export_unmasked(request, kwargs.get("export_form")),
            request=request,
            fmt=file_format.get_title(),
        )
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data


# --- the core app's admins -------------------------------------------------------


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    def _is_system_admin(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_system_admin)

    def has_add_permission(self, request):
        return self._is_system_admin(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._is_system_admin(request) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self._is_system_admin(request) and super().has_delete_permission(
            request, obj
        )


@admin.register(Organization)
class OrganizationAdmin(ScopedExportMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active", RegionListFilter)
    search_fields = ("name", "short_name", "code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


@admin.register(Term)
class TermAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "region", "number", "start_date", "end_date")
    list_filter = (RegionListFilter,)
    search_fields = ("region__name",)
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


@admin.register(Session)
class SessionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "number", "start_date", "end_date")
    list_filter = ("kind",)
    search_fields = ("term__region__name",)
    list_select_related = ("term__region",)
    autocomplete_fields = ("term",)
    date_hierarchy = "start_date"


@admin.register(User)
class UserAdmin(PersonalDataAdminMixin, ScopedAdminMixin, DjangoUserAdmin):
    """Users, their roles (groups) and their scope.

    Staff see and create users only within their scope region and may give only
    the non-admin roles; admin roles are granted by system admins.
    """

    personal_data_fields = {"phone": mask_phone}
    personal_data_validators = {"phone": validate_phone}
    list_display = (
        "username",
        "full_name",
        "scope_region",
        "organization",
        "roles",
        "is_active",
    )
    list_filter = ("is_active", "groups")
    search_fields = ("username", "last_name", "first_name", "email")
    list_select_related = ("scope_region", "organization")
    autocomplete_fields = ("scope_region", "organization")
    filter_horizontal = ("groups",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("管辖与角色"), {"fields": ("scope_region", "organization", "groups")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("管辖与角色"),
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "scope_region",
                    "organization",
                    "groups",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("姓名"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        labels = dict(Role.choices)
        return "、".join(str(labels.get(g.name, g.name)) for g in obj.groups.all())

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        fields += ["last_login", "date_joined"]
        if not request.user.is_superuser:
            fields.append("is_superuser")
        if not request.user.is_system_admin:
            fields += ["is_staff", "user_permissions"]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_system_admin and "scope_region" in form.base_fields:
            form.base_fields["scope_region"].required = True
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_system_admin:
            from django.contrib.auth.models import Group

            kwargs["queryset"] = Group.objects.exclude(
                name__in=[str(r) for r in ADMIN_ROLES]
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        # Only system admins touch the accounts of those who work in the admin.
        if allowed and obj is not None and not request.user.is_system_admin:
            return not (obj.is_superuser or obj.works_in_admin)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and not request.user.is_system_admin:
            return not (obj.is_superuser or obj.works_in_admin)
        return allowed

    def check_in_scope(self, request, obj) -> None:
        if user_sees_everything(request.user):
            return
        super().check_in_scope(request, obj)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Holidays and swapped working days; next year's are typed in when announced."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)


class ReadOnlyAdminMixin:
    """No add, change or delete for anyone: a record of what happened."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "due_date", "sent_at", "read_at")
    list_filter = ("kind", "due_date")
    search_fields = ("title",)
    list_select_related = ("recipient",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(recipient__in=users_visible_to(request.user))
        )


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "region",
        "requester",
        "status",
        "progress",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("title",)
    list_select_related = ("region", "requester")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read by system admins, changed by no one."""

    list_display = (
        "time",
        "username",
        "kind",
        "object_type",
        "object_repr",
        "success",
        "ip_address",
    )
    list_filter = (
        "kind",
        "success",
        ("time", admin.DateFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("username", "object_repr", "object_id")
    date_hierarchy = "time"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 100

    def get_actions(self, request):
        return {}


# --- the voting engine (congress/voting.py) ------------------------------------------
# Every state change and every paper count goes through a service; the admin forms
# only collect input. Ballots and receipts have no admin: nobody browses ballots.


class PollOptionInline(ScopedInlineMixin, admin.TabularInline):
    model = PollOption
    fields = ("order", "label", "code")
    readonly_fields = ("code",)
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Poll.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class PollVoterInline(PollOptionInline):
    model = PollVoter
    fields = ("user",)
    readonly_fields = ()
    autocomplete_fields = ("user",)
    verbose_name_plural = _("应投票人(可在草稿阶段调整)")


def _count_of(model: type[models.Model]):
    return Subquery(
        model.objects.filter(poll=OuterRef("pk"))
        .order_by()
        .values("poll")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=models.IntegerField(),
    )


@admin.register(Poll)
class PollAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Polls: options and electorate while a draft; open, close and publish by action."""

    list_display = (
        "title",
        "region",
        "kind",
        "secrecy",
        "status",
        "turnout",
        "opened_at",
        "closed_at",
        "paper_count_link",
    )
    list_filter = ("status", "kind", "secrecy")
    search_fields = ("title",)
    list_select_related = ("region",)
    readonly_fields = ("status", "opened_at", "closed_at", "published_at", "turnout")
    fields = (
        "title",
        "region",
        "kind",
        "secrecy",
        "max_choices",
        "base",
        "quorum",
        "electorate_label",
        "status",
        "turnout",
        "opened_at",
        "closed_at",
        "published_at",
    )
    inlines = (PollOptionInline, PollVoterInline)
    actions = ("open_polls", "close_polls", "publish_polls")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                entitled_count=_count_of(PollVoter),
                voted_count=_count_of(BallotReceipt),
            )
        )

    def has_change_permission(self, request, obj=None):
        """Once open, a poll's settings, options and electorate are fixed."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == Poll.Status.DRAFT)

    @admin.display(description=_("投票率"))
    def turnout(self, obj: Poll) -> str:
        entitled = getattr(obj, "entitled_count", None)
        voted = getattr(obj, "voted_count", None)
        if entitled is None or voted is None:
            t = voting.poll_turnout(poll=obj)
            entitled, voted = t.entitled, t.electronic
        entitled, voted = entitled or 0, voted or 0
        percent = round(100 * voted / entitled, 1) if entitled else 0
        return gettext("%(voted)s/%(entitled)s(%(percent)s%%)") % {
            "voted": voted,
            "entitled": entitled,
            "percent": percent,
        }

    @admin.display(description=_("纸质选票"))
    def paper_count_link(self, obj: Poll) -> str:
        if obj.status not in (Poll.Status.OPEN, Poll.Status.CLOSED):
            return "—"
        url = reverse("admin:congress_papercount_add") + f"?poll={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("录入计票"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.kind == Poll.Kind.SATISFACTION and obj.status == Poll.Status.DRAFT:
            voting.poll_options_prepare(poll=obj)

    def _run(self, request, queryset, service, done: str) -> None:
        for poll in queryset:
            try:
                service(poll=poll, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, done % {"poll": poll.title}, messages.SUCCESS
                )

    @admin.action(description=_("开始投票"), permissions=["change_status"])
    def open_polls(self, request, queryset):
        self._run(
            request, queryset, voting.poll_open, gettext("“%(poll)s”已开始投票。")
        )

    @admin.action(description=_("截止投票"), permissions=["change_status"])
    def close_polls(self, request, queryset):
        self._run(
            request, queryset, voting.poll_close, gettext("“%(poll)s”已截止投票。")
        )

    @admin.action(description=_("公布结果"), permissions=["change_status"])
    def publish_polls(self, request, queryset):
        self._run(
            request, queryset, voting.poll_publish, gettext("“%(poll)s”的结果已公布。")
        )

    def has_change_status_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class PaperCountForm(forms.ModelForm):
    """One clerk's entry, or a second clerk's independent confirmation, of the
    per-option counts of a batch of paper ballots."""

    class Meta:
        model = PaperCount
        fields = ("poll", "label", "ballots")

    def __init__(
        self, *args, poll: Poll | None = None, confirming=False, clerk=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.clerk = clerk
        self.confirming = confirming
        if confirming:
            for name in ("poll", "label"):
                self.fields.pop(name, None)
            self.fields["ballots"].label = _("有效纸质选票数(复核)")
            self.initial.pop("ballots", None)
        if poll is None:
            return
        answers = (
            voting.ANSWERS
            if poll.kind == Poll.Kind.APPROVAL
            else (BallotChoice.Answer.YES.value,)
        )
        for option in poll.options.all():
            for answer in answers:
                label = option.label
                if len(answers) > 1:
                    label = f"{option.label} {BallotChoice.Answer(answer).label}"
                self.fields[f"option_{option.pk}_{answer}"] = forms.IntegerField(
                    label=label, min_value=0, initial=0
                )

    def clean(self):
        cleaned = super().clean()
        if self.poll is None:
            raise ValidationError(
                gettext("请从票决列表中的“录入计票”链接进入,以便列出该票决的选项。")
            )
        if self.confirming and self.instance.entered_by_id == getattr(
            self.clerk, "pk", None
        ):
            raise ValidationError(
                gettext("复核须由另一名工作人员独立录入,录入人不能复核自己的计票。")
            )
        if cleaned.get("ballots") is not None and not self.errors:
            voting.paper_counts_check(
                poll=self.poll, ballots=cleaned["ballots"], counts=self.counts()
            )
        return cleaned

    def validate_unique(self):
        """A label is entered again after a mismatch: the service decides."""

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("option_"):
                _prefix, pk, answer = name.split("_", 2)
                result.setdefault(pk, {})[answer] = value or 0
        return result


@admin.register(PaperCount)
class PaperCountAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Paper counts: entered by one clerk, confirmed by another (change form)."""

    form = PaperCountForm
    list_display = (
        "poll",
        "label",
        "status",
        "entered_by",
        "entered_at",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = ("status",)
    search_fields = ("poll__title", "label")
    list_select_related = ("poll", "entered_by", "confirmed_by")

    def _poll_for(self, request, obj) -> Poll | None:
        if obj is not None:
            return obj.poll
        poll_id = request.POST.get("poll") or request.GET.get("poll")
        if not poll_id or not str(poll_id).isdigit():
            return None
        return Poll.objects.visible_to(request.user).filter(pk=poll_id).first()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The first clerk's counts are not shown to the confirming clerk.
        fields = ["poll", "label", "status", "entered_by", "entered_at", "mismatch"]
        if obj.status == PaperCount.Status.CONFIRMED:
            fields += ["ballots", "counts", "confirmed_by", "confirmed_at"]
        return fields

    @staticmethod
    def _model_fields(obj) -> list[str]:
        if obj is None:
            return ["poll", "label", "ballots"]
        return [] if obj.status == PaperCount.Status.CONFIRMED else ["ballots"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = self._model_fields(obj)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        poll = self._poll_for(request, obj)
        confirming = obj is not None and obj.status != PaperCount.Status.CONFIRMED

        class BoundPaperCountForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(
                    *args, poll=poll, confirming=confirming, clerk=request.user, **inner
                )

        return BoundPaperCountForm

    def get_fieldsets(self, request, obj=None):
        form = self.get_form(request, obj)()
        counts = [n for n in form.fields if n not in form.base_fields]
        readonly = list(self.get_readonly_fields(request, obj))
        return [(None, {"fields": readonly + self._model_fields(obj) + counts})]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status != PaperCount.Status.CONFIRMED)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Enter or confirm through the services (never a plain save)."""
        try:
            if change:
                paper = voting.paper_count_confirm(
                    paper_count=obj,
                    ballots=form.cleaned_data["ballots"],
                    counts=form.counts(),
                    user=request.user,
                )
            else:
                paper = voting.paper_count_enter(
                    poll=form.cleaned_data["poll"],
                    label=form.cleaned_data["label"],
                    ballots=form.cleaned_data["ballots"],
                    counts=form.counts(),
                    user=request.user,
                )
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = paper.pk
        obj._state.adding = False
        if paper.status == PaperCount.Status.MISMATCH:
            self.message_user(
                request,
                gettext("复核录入与原录入不一致,请重新清点后再录入。"),
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        """Nothing related to save: the service wrote everything."""
