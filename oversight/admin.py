"""Admin of oversight for committee staff: scoped everywhere; every state change is
an action that calls a service (the extra field of the action bar carries the
method, the meeting or the public random number the service needs)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import PersonalDataAdminMixin
from congress.admin import ScopedAdminMixin
from congress.admin import ScopedInlineMixin
from congress.admin import regions_visible_to
from congress.admin import validate_phone
from congress.fields import mask_phone
from congress.models import Poll
from congress.models import User
from deputies.imports import read_xlsx
from oversight import services
from oversight.budget import COLUMNS as BUDGET_COLUMNS
from oversight.budget import BudgetImportRefused
from oversight.budget import budget_import
from oversight.budget import indicator_risk
from oversight.models import AppointedOfficial
from oversight.models import BudgetIndicator
from oversight.models import CaseFile
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import Expert
from oversight.models import ExpertAssignment
from oversight.models import ExpertConflict
from oversight.models import FollowUp
from oversight.models import InquiryQuestion
from oversight.models import Method
from oversight.models import Milestone
from oversight.models import OfficialReview
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import ProjectReview
from oversight.models import PublicEvaluation
from oversight.models import RandomDraw
from oversight.models import Rectification
from oversight.models import ResearchCampaign
from oversight.models import ResearchGroup
from oversight.models import TopicProposal
from oversight.reports import four_lists_request
from oversight.reports import plan_report_request
from oversight.reports import summary_report_request


class OversightActionForm(ActionForm):
    """The action bar's extra input: what the chosen action needs."""

    method = forms.ChoiceField(
        label=_("监督方式"),
        required=False,
        choices=[("", "---------"), *Method.choices],
    )
    text = forms.CharField(
        label=_("说明(会议、理由或现场随机数)"), required=False, max_length=200
    )


class EvaluationOpenForm(forms.Form):
    """Who evaluates, and how the verdict is counted (base and quorum of the poll)."""

    audience = forms.ChoiceField(
        label=_("测评人员"),
        choices=PublicEvaluation.Audience.choices,
        initial=PublicEvaluation.Audience.DEPUTIES,
    )
    voters = forms.ModelMultipleChoiceField(
        label=_("应投票人"),
        queryset=User.objects.none(),
        required=False,
        widget=FilteredSelectMultiple(_("应投票人"), is_stacked=False),
        help_text=_(
            "常委会组成人员或群众代表测评时选择他们的账号;"
            "人大代表测评时留空,由参加本事项的代表测评。"
        ),
    )
    base = forms.ChoiceField(
        label=_("过半数的基数"), choices=Poll.Base.choices, initial=Poll.Base.ENTITLED
    )
    quorum = forms.IntegerField(
        label=_("法定人数"),
        min_value=1,
        required=False,
        help_text=_("至少多少人投票结果才有效;留空为应投票人数的过半数。"),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voters"].queryset = User.objects.filter(
            is_active=True, scope_region__in=regions
        ).order_by("last_name", "first_name", "username")

    def clean(self):
        data = super().clean()
        deputies = data.get("audience") == PublicEvaluation.Audience.DEPUTIES
        if not deputies and not data.get("voters"):
            self.add_error("voters", gettext("请选择参加测评的人员。"))
        return data

    def poll_settings(self, item) -> dict:
        """The service's keyword arguments for ``item`` (deputies taking part by
        default)."""
        data = self.cleaned_data
        voters = list(data["voters"]) or services.item_deputy_users(item)
        if not voters:
            raise ValidationError(gettext("该事项没有可以在网上测评的参加代表。"))
        return {
            "audience": data["audience"],
            "voters": voters,
            "base": data["base"],
            "quorum": data["quorum"],
        }


def _evaluation_page(modeladmin, request, queryset, *, items, title, call, done):
    """The page between choosing the action and opening the polls: the audience,
    voters, base and quorum; on submit ``call(obj, form)`` runs for each object."""
    regions = {item.region_id for item in items}
    applying = "apply" in request.POST
    form = EvaluationOpenForm(request.POST if applying else None, regions=regions)
    if applying and form.is_valid():
        _run(modeladmin, request, queryset, lambda obj: call(obj, form), done)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "oversight/admin/evaluation_open.html", context)


def _run(modeladmin, request, queryset, call, done_message):
    """Call ``call(obj)`` for each selected object; report successes and refusals."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except (ValidationError, PermissionDenied) as exc:
            text = "".join(getattr(exc, "messages", None) or [str(exc)])
            modeladmin.message_user(request, f"{obj}:{text}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, done_message % {"count": done}, messages.SUCCESS
        )


def _report_redirect(modeladmin, request, queryset, service, key):
    reports = []
    for obj in queryset[:20]:
        try:
            reports.append(service(**{key: obj, "requester": request.user}))
        except (ValidationError, PermissionDenied) as exc:
            text = "".join(getattr(exc, "messages", None) or [str(exc)])
            modeladmin.message_user(request, f"{obj}:{text}", messages.ERROR)
    if len(reports) == 1:
        return redirect("report-detail", pk=reports[0].pk)
    if reports:
        return redirect("report-list")
    return None


# --- topic collection --------------------------------------------------------------


class ResearchGroupInline(ScopedInlineMixin, admin.StackedInline):
    model = ResearchGroup
    extra = 0


@admin.register(ResearchCampaign)
class ResearchCampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "region", "year", "start_date", "end_date")
    list_filter = ("year",)
    search_fields = ("title",)
    list_select_related = ("region",)
    inlines = [ResearchGroupInline]


@admin.register(ResearchGroup)
class ResearchGroupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "campaign", "leader", "meetings_held")
    list_select_related = ("campaign",)
    search_fields = ("name", "campaign__title")


class TopicProposalForm(forms.ModelForm):
    class Meta:
        model = TopicProposal
        fields = (
            "region",
            "year",
            "title",
            "description",
            "category",
            "source",
            "campaign",
            "research_group",
            "deputy",
            "citizen_opinion",
            "unit",
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            try:
                services.topic_source_check(
                    source=data.get("source", ""),
                    deputy=data.get("deputy"),
                    citizen_opinion=data.get("citizen_opinion"),
                    unit=data.get("unit"),
                    research_group=data.get("research_group"),
                    campaign=data.get("campaign"),
                    region=data.get("region"),
                    year=data.get("year"),
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


@admin.register(TopicProposal)
class TopicProposalAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "region",
        "year",
        "category",
        "source",
        "support",
        "status",
    )
    list_filter = ("year", "status", "category", "source")
    search_fields = ("title",)
    list_select_related = ("region",)
    readonly_fields = ("status", "support", "proposed_by", "decision_note")
    raw_id_fields = ("deputy", "citizen_opinion", "unit")
    form = TopicProposalForm
    action_form = OversightActionForm
    actions = ["shortlist", "decline", "adopt"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new topic (from a research group, a citizen opinion, a unit or a
        # member) goes through the service, which checks its source.
        self.check_in_scope(request, obj)
        created = services.topic_propose(
            region=obj.region,
            year=obj.year,
            title=obj.title,
            category=obj.category,
            source=obj.source,
            user=request.user,
            description=obj.description,
            deputy=obj.deputy,
            citizen_opinion=obj.citizen_opinion,
            unit=obj.unit,
            campaign=obj.campaign,
            research_group=obj.research_group,
        )
        obj.pk = created.pk
        return None

    @admin.action(description=_("列入入围名单"), permissions=["change"])
    def shortlist(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda t: services.topic_shortlist(topic=t, user=request.user),
            gettext("%(count)s个议题已入围。"),
        )

    @admin.action(description=_("不予采纳(在“说明”中填写理由)"), permissions=["change"])
    def decline(self, request, queryset):
        note = request.POST.get("text", "")
        _run(
            self,
            request,
            queryset,
            lambda t: services.topic_decline(topic=t, user=request.user, note=note),
            gettext("%(count)s个议题未予采纳。"),
        )

    @admin.action(
        description=_("列入年度监督计划(选择监督方式)"), permissions=["change"]
    )
    def adopt(self, request, queryset):
        method = request.POST.get("method", "")
        if method not in Method.values:
            self.message_user(request, gettext("请先选择监督方式。"), messages.ERROR)
            return

        def adopt_one(topic):
            plan = OversightPlan.objects.filter(
                region=topic.region, year=topic.year
            ).first()
            if plan is None:
                raise ValidationError(
                    gettext("请先建立%(year)s年度监督工作计划。") % {"year": topic.year}
                )
            services.topic_adopt(
                topic=topic,
                plan=plan,
                user=request.user,
                method=method,
                law_name=request.POST.get("text", ""),
            )

        _run(
            self,
            request,
            queryset,
            adopt_one,
            gettext("%(count)s个议题已列入计划。"),
        )


# --- plan and items --------------------------------------------------------------


@admin.register(OversightPlan)
class OversightPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "region", "year", "status", "published_at")
    list_filter = ("year", "status")
    search_fields = ("title",)
    list_select_related = ("region",)
    readonly_fields = (
        "status",
        "reported_at",
        "approved_at",
        "approved_by_session",
        "published_at",
    )
    action_form = OversightActionForm
    actions = ["report", "approve", "publish", "print_plan", "print_summary"]

    @admin.action(description=_("报送县委"), permissions=["change"])
    def report(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: services.plan_report(plan=p, user=request.user),
            gettext("%(count)s份计划已报送。"),
        )

    @admin.action(
        description=_("常委会通过(在“说明”中填写会议)"), permissions=["change"]
    )
    def approve(self, request, queryset):
        label = request.POST.get("text", "")
        _run(
            self,
            request,
            queryset,
            lambda p: services.plan_approve(
                plan=p, user=request.user, session_label=label
            ),
            gettext("%(count)s份计划已通过。"),
        )

    @admin.action(description=_("公布计划"), permissions=["change"])
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: services.plan_publish(plan=p, user=request.user),
            gettext("%(count)s份计划已公布。"),
        )

    @admin.action(description=_("打印年度监督工作总结"), permissions=["view"])
    def print_summary(self, request, queryset):
        return _report_redirect(self, request, queryset, summary_report_request, "plan")

    @admin.action(description=_("打印年度监督工作计划"), permissions=["view"])
    def print_plan(self, request, queryset):
        return _report_redirect(self, request, queryset, plan_report_request, "plan")


class MilestoneInline(ScopedInlineMixin, admin.TabularInline):
    model = Milestone
    extra = 0


class PreloadedLabelsMixin:
    """An autocomplete widget that labels the chosen values with objects the change
    view has already loaded (``select_related`` and ``prefetch_related`` of the
    item) instead of one query per widget. A value it was not given (a form shown
    again with the posted values) is looked up as Django does."""

    preloaded: dict = {}  # str(pk) → object; assigned per form, never mutated

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        chosen = list(dict.fromkeys(str(v) for v in value if str(v) not in empty))
        if any(pk not in self.preloaded for pk in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance
        for pk in chosen:
            options.append(
                self.create_option(
                    name, pk, label(self.preloaded[pk]), True, len(options)
                )
            )
        return [(None, options, 0)]


class PreloadedAutocompleteSelect(PreloadedLabelsMixin, AutocompleteSelect):
    pass


class PreloadedAutocompleteSelectMultiple(
    PreloadedLabelsMixin, AutocompleteSelectMultiple
):
    pass


class OversightItemForm(forms.ModelForm):
    """Gives the autocomplete widgets the item's related objects, so that the
    change page labels them without a query of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        if item.pk is None:
            return
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # admin wrapper
            if not isinstance(widget, PreloadedLabelsMixin):
                continue
            model_field = item._meta.get_field(name)
            if model_field.many_to_many:
                objects = list(getattr(item, name).all())
            elif getattr(item, model_field.attname) is not None:
                objects = [getattr(item, name)]
            else:
                objects = []
            widget.preloaded = {str(obj.pk): obj for obj in objects}


@admin.register(OversightItem)
class OversightItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "region",
        "method",
        "category",
        "planned_month",
        "status",
        "published_at",
    )
    list_filter = ("method", "category", "status")
    search_fields = ("title",)
    list_select_related = ("region",)
    # Autocomplete renders only the chosen values, labelled from what get_object
    # loads: the change page makes the same few queries whatever the county holds.
    form = OversightItemForm
    autocomplete_fields = (
        "region",
        "plan",
        "topic",
        "parent",
        "lead_committee",
        "responsible_units",
        "deputies",
    )
    readonly_fields = ("status", "published_at", "expert_list", "sub_item_list")
    inlines = [MilestoneInline]
    action_form = OversightActionForm
    actions = [
        "print_four_lists",
        "publish_results",
        "link_township",
        "draw_experts",
        "draw_cases",
        "open_unit_evaluation",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                PreloadedAutocompleteSelect(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                PreloadedAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        request.oversight_item_form = True  # get_queryset loads what the form shows
        try:
            return super().get_object(request, object_id, from_field)
        finally:
            del request.oversight_item_form

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not getattr(request, "oversight_item_form", False):
            return queryset
        sub_items = (
            OversightItem.objects.visible_to(request.user)
            .filter(parent=OuterRef("pk"))
            .order_by("region__code", "pk")
            .values(
                row=JSONObject(
                    id="pk", title="title", region="region__name", status="status"
                )
            )
        )
        experts = (
            ExpertAssignment.objects.visible_to(request.user)
            .filter(item=OuterRef("pk"))
            .order_by("pk")
            .values(row=JSONObject(name="expert__name", role="role"))
        )
        return (
            queryset.select_related(
                "region", "plan", "topic", "parent", "lead_committee"
            )
            .prefetch_related("responsible_units", "deputies")
            .annotate(
                sub_item_rows=ArraySubquery(sub_items),
                expert_rows=ArraySubquery(experts),
            )
        )

    @admin.display(description=_("参加的专家"))
    def expert_list(self, obj):
        """The experts assigned (by hand or by draw), read in get_object's query."""
        rows = getattr(obj, "expert_rows", None)
        if not rows:
            return None
        return "、".join(f"{row['name']}({row['role']})" for row in rows)

    @admin.display(description=_("联动的乡镇检查"))
    def sub_item_list(self, obj):
        """The township inspections linked to this one (read in get_object's query)."""
        rows = getattr(obj, "sub_item_rows", None)
        if not rows:
            return None
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>({},{})',
            (
                (
                    reverse("admin:oversight_oversightitem_change", args=[row["id"]]),
                    row["title"],
                    row["region"],
                    OversightItem.Status(row["status"]).label,
                )
                for row in rows
            ),
        )

    @admin.action(
        description=_("对被监督单位进行民主测评(案件评查、两官评议)"),
        permissions=["change"],
    )
    def open_unit_evaluation(self, request, queryset):
        """One poll per responsible unit of each selected case review."""

        @transaction.atomic
        def open_for_units(item, form):
            poll_settings = form.poll_settings(item)
            units = list(item.responsible_units.order_by("pk"))
            if not units:
                raise ValidationError(gettext("请先填写被监督单位。"))
            for unit in units:
                services.unit_evaluation_open(
                    item=item, unit=unit, user=request.user, **poll_settings
                )

        return _evaluation_page(
            self,
            request,
            queryset,
            items=list(queryset),
            title=gettext("对被监督单位进行民主测评"),
            call=open_for_units,
            done=gettext("%(count)s个事项的民主测评已开始。"),
        )

    def _draw_count(self, request) -> int:
        text = request.POST.get("text", "").strip()
        if not text.isdigit():
            raise ValidationError(gettext("请在“说明”中填写抽取人数(数量)。"))
        return int(text)

    @admin.action(
        description=_("公布评查专家抽签候选名单(在“说明”中填写抽取人数)"),
        permissions=["change"],
    )
    def draw_experts(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda i: services.draw_prepare_experts(
                item=i, count=self._draw_count(request), user=request.user
            ),
            gettext("已公布%(count)s份候选名单和种子承诺值,请到“公开抽签”现场抽签。"),
        )

    @admin.action(
        description=_("公布评查案卷抽签候选名单(在“说明”中填写抽取数量)"),
        permissions=["change"],
    )
    def draw_cases(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda i: services.draw_prepare_cases(
                item=i, count=self._draw_count(request), user=request.user
            ),
            gettext("已公布%(count)s份候选名单和种子承诺值,请到“公开抽签”现场抽签。"),
        )

    @admin.action(
        description=_("联动乡镇检查(在“说明”中填写乡镇名称)"), permissions=["change"]
    )
    def link_township(self, request, queryset):
        name = request.POST.get("text", "").strip()

        def link(item):
            township = (
                regions_visible_to(request.user)
                .filter(parent=item.region, name=name)
                .first()
            )
            if township is None:
                raise ValidationError(
                    gettext("本县没有名为“%(name)s”的乡镇。") % {"name": name}
                )
            services.inspection_link_township(
                parent=item, township=township, user=request.user
            )

        _run(self, request, queryset, link, gettext("%(count)s个联动检查已建立。"))

    @admin.action(description=_("打印四张清单"), permissions=["view"])
    def print_four_lists(self, request, queryset):
        return _report_redirect(self, request, queryset, four_lists_request, "item")

    @admin.action(
        description=_("公开结果(在“说明”中填写公开的结果)"), permissions=["change"]
    )
    def publish_results(self, request, queryset):
        summary = request.POST.get("text", "")
        _run(
            self,
            request,
            queryset,
            lambda i: services.item_publish(item=i, user=request.user, summary=summary),
            gettext("%(count)s个事项的结果已公开。"),
        )


# --- experts and draws ---------------------------------------------------------------


class ExpertConflictInline(ScopedInlineMixin, admin.TabularInline):
    model = ExpertConflict
    extra = 0


@admin.register(Expert)
class ExpertAdmin(PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "field",
        "affiliation",
        "title",
        "phone_masked",
        "is_active",
    )
    list_filter = ("field", "is_active")
    search_fields = ("name", "affiliation")
    list_select_related = ("region",)
    raw_id_fields = ("user",)
    inlines = [ExpertConflictInline]
    personal_data_fields = {"phone": mask_phone}
    action_form = OversightActionForm
    actions = ["assign"]

    @admin.action(
        description=_("指派参加监督事项(在“说明”中填写事项编号)"),
        permissions=["change"],
    )
    def assign(self, request, queryset):
        text = request.POST.get("text", "").strip()
        item = (
            OversightItem.objects.visible_to(request.user).filter(pk=int(text)).first()
            if text.isdigit()
            else None
        )
        if item is None:
            self.message_user(
                request, gettext("没有找到该监督事项,请填写事项编号。"), messages.ERROR
            )
            return
        _run(
            self,
            request,
            queryset,
            lambda e: services.expert_assign(item=item, expert=e, user=request.user),
            gettext("已指派%(count)s名专家。"),
        )

    personal_data_validators = {"phone": validate_phone}

    @admin.display(description=_("手机号码"))
    def phone_masked(self, obj):
        return obj.masked_phone


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("item", "expert", "role", "draw", "assigned_at")
    list_select_related = ("item", "expert", "draw")
    readonly_fields = ("item", "expert", "draw")

    def has_add_permission(self, request):
        # Assignments are made by a draw or by expert_assign (conflict check).
        return False


@admin.register(RandomDraw)
class RandomDrawAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "region", "kind", "count", "status", "public_page")
    list_filter = ("status", "kind")
    list_select_related = ("region",)
    readonly_fields = (
        "region",
        "item",
        "title",
        "kind",
        "candidates",
        "count",
        "seed_hash",
        "public_entropy",
        "result",
        "status",
        "drawn_at",
        "drawn_by",
        "public_page",
    )
    action_form = OversightActionForm
    actions = ["perform"]

    def has_add_permission(self, request):
        # A draw is published from its item (services.draw_prepare_*).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("公开验证页"))
    def public_page(self, obj):
        url = reverse("oversight-draw", args=[obj.public_token])
        return format_html('<a href="{}">{}</a>', url, gettext("打开"))

    @admin.action(
        description=_("现场抽签(在“说明”中填写现场公开的随机数)"),
        permissions=["change"],
    )
    def perform(self, request, queryset):
        entropy = request.POST.get("text", "")
        _run(
            self,
            request,
            queryset,
            lambda d: services.draw_perform(
                draw=d, public_entropy=entropy, user=request.user
            ),
            gettext("%(count)s次抽签已完成。"),
        )


class CaseFileForm(forms.ModelForm):
    class Meta:
        model = CaseFile
        fields = ("item", "number", "title", "unit", "party_visit")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("item") is not None:
            try:
                services.case_add_check(item=data["item"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


@admin.register(CaseFile)
class CaseFileAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """New cases go through the service (none after the draw); once the cases are
    drawn only the visit to the parties (回访当事人) can be recorded."""

    list_display = ("number", "title", "item", "unit", "selected")
    list_filter = ("selected",)
    search_fields = ("number", "title")
    list_select_related = ("item", "unit")
    raw_id_fields = ("item", "unit")
    readonly_fields = ("selected",)
    form = CaseFileForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        if services.case_cases_drawn(obj.item):
            return ("item", "number", "title", "unit", *self.readonly_fields)
        return ("item", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        self.check_in_scope(request, obj.item)
        created = services.case_add(
            item=obj.item,
            number=obj.number,
            title=obj.title,
            unit=obj.unit,
            user=request.user,
        )
        if obj.party_visit.strip():
            services.case_visit_record(
                case=created, text=obj.party_visit, user=request.user
            )
        obj.pk = created.pk
        return None


@admin.register(InquiryQuestion)
class InquiryQuestionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("question", "item", "source", "respondent", "answered_at")
    list_filter = ("source", "follow_up_done")
    list_select_related = ("item", "respondent")
    raw_id_fields = ("item", "respondent")


@admin.register(AppointedOfficial)
class AppointedOfficialAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "position", "organization", "region", "is_active")
    search_fields = ("name", "position")
    list_select_related = ("organization", "region")
    raw_id_fields = ("organization",)


class OfficialReviewForm(EvaluationOpenForm, forms.ModelForm):
    """评+述 in one step: the official's report and, as for every oversight
    evaluation, who evaluates it, the base and the quorum (EvaluationOpenForm).
    The service's checks run here, so a refusal shows on the form and nothing is
    created."""

    class Meta:
        model = OfficialReview
        fields = ("official", "item", "year", "report")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        item = data.get("item")
        if not data.get("voters") and item is None:
            self.add_error(
                "item", gettext("人大代表测评时请选择监督事项:由参加该事项的代表测评。")
            )
            return data
        try:
            self.evaluation = self.poll_settings(item)
            services.official_review_check(
                official=data["official"],
                year=data["year"],
                report=data.get("report", ""),
                **self.evaluation,
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return data


@admin.register(OfficialReview)
class OfficialReviewAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """评+述: the official's report is entered here with the evaluation's settings
    (who evaluates, base, quorum); saving opens the evaluation, whose voters vote
    in the portal."""

    list_display = ("official", "year", "item", "verdict")
    list_select_related = ("official__organization", "item")
    raw_id_fields = ("official", "item")
    actions = ["conclude"]

    def get_fields(self, request, obj=None):
        if obj:
            return ("official", "item", "year", "report", "poll", "verdict")
        return (
            "official",
            "item",
            "year",
            "report",
            "audience",
            "voters",
            "base",
            "quorum",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # a review, once opened, is only read
            return super().get_form(request, obj, change, **kwargs)
        user = request.user
        regions = (
            [user.scope_region_id]
            if user.scope_region_id
            else regions_visible_to(user).values("pk")
        )

        class Form(OfficialReviewForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, regions=regions, **form_kwargs)

        kwargs["form"] = Form
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        self.check_in_scope(request, obj.official)
        created = services.official_review_open(
            official=obj.official,
            year=obj.year,
            report=obj.report,
            item=obj.item,
            user=request.user,
            **form.evaluation,
        )
        obj.pk = created.pk
        return None

    @admin.action(description=_("截止并确定测评结果"), permissions=["change"])
    def conclude(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: services.official_review_conclude(review=r, user=request.user),
            gettext("%(count)s次述职评议已确定结果。"),
        )


@admin.register(ProjectReview)
class ProjectReviewAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("project_name", "unit", "region", "recommendation", "flags")
    list_filter = ("recommendation",)
    list_select_related = ("unit", "region")
    raw_id_fields = ("item", "unit")
    readonly_fields = ("recommendation", "reason")
    action_form = OversightActionForm
    actions = ["adjust", "halt", "keep"]

    @admin.display(description=_("问题标记"))
    def flags(self, obj):
        return "、".join(obj.flags_raised)

    def _decide(self, request, queryset, recommendation):
        reason = request.POST.get("text", "")
        _run(
            self,
            request,
            queryset,
            lambda r: services.project_review_decide(
                review=r,
                recommendation=recommendation,
                reason=reason,
                user=request.user,
            ),
            gettext("%(count)s个项目已作出审议建议。"),
        )

    @admin.action(description=_("建议继续实施"), permissions=["change"])
    def keep(self, request, queryset):
        self._decide(request, queryset, ProjectReview.Recommendation.CONTINUE)

    @admin.action(description=_("建议调整后实施"), permissions=["change"])
    def adjust(self, request, queryset):
        self._decide(request, queryset, ProjectReview.Recommendation.ADJUST)

    @admin.action(description=_("建议停止实施"), permissions=["change"])
    def halt(self, request, queryset):
        self._decide(request, queryset, ProjectReview.Recommendation.HALT)


# --- deliberation opinions and the four lists -------------------------------------------


class ProblemInline(ScopedInlineMixin, admin.TabularInline):
    model = Problem
    fields = ("number", "description", "status", "follow_up")
    readonly_fields = ("number", "description", "status", "follow_up")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeliberationOpinion)
class DeliberationOpinionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("item", "issued_on", "report_due", "status")
    list_filter = ("status",)
    list_select_related = ("item",)
    raw_id_fields = ("item",)
    readonly_fields = ("status",)
    inlines = [ProblemInline]
    actions = ["open_evaluation"]

    @admin.action(
        description=_("开始满意度测评(选择测评人员、基数和法定人数)"),
        permissions=["change"],
    )
    def open_evaluation(self, request, queryset):
        opinions = list(queryset.select_related("item"))
        return _evaluation_page(
            self,
            request,
            queryset,
            items=[o.item for o in opinions],
            title=gettext("开始满意度测评"),
            call=lambda o, form: services.evaluation_open(
                opinion=o, user=request.user, **form.poll_settings(o.item)
            ),
            done=gettext("%(count)s次测评已开始。"),
        )


@admin.register(Problem)
class ProblemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "opinion", "status")
    list_filter = ("status",)
    list_select_related = ("opinion__item",)
    raw_id_fields = ("opinion",)
    fields = ("opinion", "description", "number", "follow_up", "status")
    readonly_fields = ("number", "follow_up", "status")

    def get_readonly_fields(self, request, obj=None):
        return ("opinion", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        self.check_in_scope(request, obj.opinion)
        created = services.problem_add(
            opinion=obj.opinion, description=obj.description, user=request.user
        )
        obj.pk, obj.number = created.pk, created.number
        return None


@admin.register(Countermeasure)
class CountermeasureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "unit", "deadline", "status")
    list_filter = ("status",)
    list_select_related = ("unit",)
    raw_id_fields = ("problem", "unit")
    readonly_fields = ("status",)

    def get_readonly_fields(self, request, obj=None):
        return ("problem", "status") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        self.check_in_scope(request, obj.problem)
        created = services.countermeasure_add(
            problem=obj.problem,
            unit=obj.unit,
            measure=obj.measure,
            deadline=obj.deadline,
            user=request.user,
        )
        obj.pk = created.pk
        return None


@admin.register(Rectification)
class RectificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "countermeasure", "status", "reported_at")
    list_filter = ("status",)
    list_select_related = ("countermeasure",)
    readonly_fields = ("countermeasure", "status", "reported_by")

    def has_add_permission(self, request):
        return False


@admin.register(PublicEvaluation)
class PublicEvaluationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("poll", "opinion", "unit", "audience", "verdict", "concluded_at")
    list_select_related = ("poll", "opinion__item", "unit")
    readonly_fields = (
        "item",
        "opinion",
        "unit",
        "audience",
        "poll",
        "verdict",
        "verdict_reason",
        "concluded_at",
    )
    actions = ["conclude"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("截止并确定测评结果"), permissions=["change"])
    def conclude(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda e: services.evaluation_conclude(evaluation=e, user=request.user),
            gettext("%(count)s次测评已确定结果。"),
        )


class FollowUpForm(forms.ModelForm):
    new_problems = forms.CharField(
        label=_("新发现的问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个,列入问题清单。"),
    )

    class Meta:
        model = FollowUp
        fields = ("opinion", "visited_on", "findings")


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "opinion", "visited_on", "by")
    list_select_related = ("opinion__item", "by")
    raw_id_fields = ("opinion",)
    form = FollowUpForm

    def get_readonly_fields(self, request, obj=None):
        return ("opinion", "visited_on", "findings", "by") if obj else ()

    def get_fields(self, request, obj=None):
        if obj:
            return ("opinion", "visited_on", "findings", "by")
        return ("opinion", "visited_on", "findings", "new_problems")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        self.check_in_scope(request, obj.opinion)
        created = services.follow_up_record(
            opinion=obj.opinion,
            visited_on=obj.visited_on,
            findings=obj.findings,
            new_problems=form.cleaned_data["new_problems"].splitlines(),
            user=request.user,
        )
        obj.pk = created.pk
        return None


# --- budget and debt watch -------------------------------------------------------------


class BudgetImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx 文件"))
    commit = forms.BooleanField(
        label=_("检查无误后正式导入(不勾选则只检查)"), required=False
    )


@admin.register(BudgetIndicator)
class BudgetIndicatorAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "unit",
        "year",
        "month",
        "budget",
        "executed",
        "execution_rate",
        "debt_ratio",
        "risk",
    )
    list_filter = ("year", "month")
    search_fields = ("unit__name",)
    list_select_related = ("unit",)
    readonly_fields = ("imported_by",)
    change_list_template = "oversight/admin/budget_changelist.html"

    def has_add_permission(self, request):
        # Figures come in through the checked, all-or-nothing import.
        return False

    @admin.display(description=_("执行率"))
    def execution_rate(self, obj):
        risk = indicator_risk(obj)
        return "—" if risk.execution_rate is None else f"{risk.execution_rate}%"

    @admin.display(description=_("债务率"))
    def debt_ratio(self, obj):
        risk = indicator_risk(obj)
        return "—" if risk.debt_ratio is None else f"{risk.debt_ratio}%"

    @admin.display(description=_("风险等级"))
    def risk(self, obj):
        return indicator_risk(obj).label

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="oversight_budgetindicator_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload an xlsx: check it (dry run) or import it, all rows or none."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "oversight.change_budgetindicator"
        ):
            raise PermissionDenied
        form = BudgetImportForm(request.POST or None, request.FILES or None)
        outcome = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_xlsx(upload)
            except Exception:  # openpyxl raises many kinds on a non-xlsx file
                form.add_error(
                    "file", gettext("无法读取该文件,请上传 xlsx 格式的表格。")
                )
            else:
                try:
                    outcome = budget_import(
                        user=request.user,
                        rows=rows,
                        dry_run=not form.cleaned_data["commit"],
                        file_name=upload.name,
                    )
                except BudgetImportRefused as refused:
                    outcome = refused.outcome
                    self.message_user(request, str(refused), messages.ERROR)
                else:
                    if form.cleaned_data["commit"]:
                        self.message_user(
                            request,
                            gettext("已导入%(n)s行,发出预警%(alerts)s条。")
                            % {"n": outcome.written, "alerts": outcome.alerts},
                            messages.SUCCESS,
                        )
                        return redirect("admin:oversight_budgetindicator_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("导入预算执行和债务指标"),
            "form": form,
            "outcome": outcome,
            "columns": list(BUDGET_COLUMNS.values()),
        }
        return TemplateResponse(request, "oversight/admin/budget_import.html", context)
