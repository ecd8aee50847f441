"""Admin of deputies, their mandates, delegations, constituencies and stations.

Every admin here is scoped (``congress.admin.ScopedAdminMixin``); deputies' phones
and ID numbers are masked (``PersonalDataAdminMixin``); exports are scoped, masked
and audited (``ScopedExportMixin``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib import messages
from django.db.models import Count
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import PersonalDataAdminMixin
from congress.admin import RegionListFilter
from congress.admin import ScopedAdminMixin
from congress.admin import ScopedExportMixin
from congress.admin import ScopedInlineMixin
from congress.admin import validate_id_number
from congress.admin import validate_phone
from congress.fields import mask_id_number
from congress.fields import mask_phone
from congress.models import Region
from congress.models import Term
from congress.scope import user_sees_everything
from deputies.forms import DeputyImportAdminMixin
from deputies.models import ChecklistItem
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from deputies.models import StationChecklistEntry
from deputies.models import StationDuty
from deputies.poster_actions import print_deputy_poster
from deputies.poster_actions import print_station_poster
from deputies.resources import DeputyResource
from deputies.resources import LiaisonStationResource
from deputies.services import duty_roster_generate
from deputies.services import next_month


def _congress_regions_for(user):
    """Congresses a deputy in the user's scope may sit in: the user's region, the
    regions below it, and the congresses above it (五级代表: a county deputy may
    also be a city or provincial deputy)."""
    if user_sees_everything(user):
        return Q()
    scope = user.scope_region
    if scope is None:
        return Q(pk__in=[])
    prefix = scope.prefix
    ancestors = [Region.full_code(prefix[:n]) for n in (2, 4, 6, 9) if n < len(prefix)]
    return Q(code__startswith=prefix) | Q(code__in=ancestors)


class MandateChoicesMixin:
    """A mandate's congress and term may be above the user's scope region."""

    def get_field_queryset(self, db, db_field, request):
        if db_field.name == "congress_region":
            return Region.objects.using(db).filter(_congress_regions_for(request.user))
        if db_field.name == "term":
            regions = Region.objects.filter(_congress_regions_for(request.user))
            return (
                Term.objects.using(db)
                .filter(region__in=regions)
                .select_related("region")
            )
        return super().get_field_queryset(db, db_field, request)


class MandateInline(MandateChoicesMixin, ScopedInlineMixin, admin.TabularInline):
    model = Mandate
    extra = 0
    fields = (
        "level",
        "congress_region",
        "term",
        "delegation",
        "constituency",
        "status",
        "start_date",
        "end_date",
        "end_reason",
    )
    autocomplete_fields = ("delegation", "constituency")


@admin.register(Deputy)
class DeputyAdmin(
    PersonalDataAdminMixin,
    DeputyImportAdminMixin,
    ScopedExportMixin,
    ScopedAdminMixin,
    admin.ModelAdmin,
):
    personal_data_fields = {"phone": mask_phone, "id_number": mask_id_number}
    personal_data_validators = {
        "phone": validate_phone,
        "id_number": validate_id_number,
    }
    export_personal_data = True
    resource_classes = [DeputyResource]

    list_display = (
        "name",
        "gender",
        "political_status",
        "occupation_category",
        "region",
        "phone_masked",
        "workplace",
    )
    list_filter = (
        "gender",
        "political_status",
        "occupation_category",
        RegionListFilter,
    )
    search_fields = ("name",)
    list_select_related = ("region",)
    autocomplete_fields = ("region", "user")
    inlines = [MandateInline]
    actions = [print_deputy_poster]

    @admin.display(description=Deputy._meta.get_field("phone").verbose_name)
    def phone_masked(self, obj: Deputy) -> str:
        return obj.masked_phone


@admin.register(Mandate)
class MandateAdmin(MandateChoicesMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("deputy", "level", "congress_region", "term", "status")
    list_filter = ("level", "status")
    search_fields = ("deputy__name",)
    list_select_related = ("deputy", "congress_region", "term__region")
    autocomplete_fields = ("deputy", "delegation", "constituency")


@admin.register(Delegation)
class DelegationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "term", "region")
    search_fields = ("name",)
    list_select_related = ("term__region", "region")
    autocomplete_fields = ("region",)


@admin.register(Constituency)
class ConstituencyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "term", "region")
    search_fields = ("name",)
    list_select_related = ("term__region", "region")
    autocomplete_fields = ("region",)


class StationAssignmentInline(ScopedInlineMixin, admin.TabularInline):
    model = StationAssignment
    extra = 0
    autocomplete_fields = ("deputy",)


class StationChecklistEntryInline(ScopedInlineMixin, admin.TabularInline):
    """The station's 九有 checklist: per item, met or not, the evidence and the date."""

    model = StationChecklistEntry
    extra = 0
    fields = ("item", "met", "evidence", "evidence_file", "checked_on", "checked_by")
    readonly_fields = ("checked_by",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        user = request.user

        class CheckedByFormSet(formset):
            """Records who checked an entry that was added or changed."""

            def save_new(self, form, commit=True):
                form.instance.checked_by = user
                return super().save_new(form, commit)

            def save_existing(self, form, obj, commit=True):
                if form.has_changed():
                    form.instance.checked_by = user
                return super().save_existing(form, obj, commit)

        return CheckedByFormSet


def _generate_next_month(modeladmin, request, stations) -> None:
    """Generate next month's roster for ``stations`` and tell the user what happened."""
    year, month = next_month(timezone.localdate())
    created = 0
    for station in stations:
        result = duty_roster_generate(
            station=station, year=year, month=month, actor=request.user
        )
        created += len(result.created)
        for note in result.notes:
            modeladmin.message_user(request, f"{station.name}:{note}", messages.WARNING)
    modeladmin.message_user(
        request,
        gettext(
            "已生成%(year)s年%(month)s月排班:新增%(count)s个进站日,已有的保持不变。"
        )
        % {"year": year, "month": month, "count": created},
        messages.SUCCESS,
    )


class RosterActionMixin:
    def has_generate_roster_permission(self, request) -> bool:
        return request.user.has_perm("deputies.add_stationduty")


@admin.register(LiaisonStation)
class LiaisonStationAdmin(
    RosterActionMixin, ScopedExportMixin, ScopedAdminMixin, admin.ModelAdmin
):
    resource_classes = [LiaisonStationResource]
    list_display = ("name", "kind", "region", "manager", "is_active")
    list_filter = ("kind", "is_active", RegionListFilter)
    search_fields = ("name", "address")
    list_select_related = ("region", "manager")
    autocomplete_fields = ("region", "manager")
    inlines = [StationAssignmentInline, StationChecklistEntryInline]
    actions = ["generate_next_month_roster", print_station_poster]

    @admin.action(description=_("生成下月排班"), permissions=["generate_roster"])
    def generate_next_month_roster(self, request, queryset):
        _generate_next_month(self, request, queryset.order_by("pk"))


@admin.register(StationDuty)
class StationDutyAdmin(RosterActionMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("station", "date", "planned_date", "deputy_count", "note")
    list_filter = (("station", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("station__name",)
    date_hierarchy = "date"
    ordering = ("-date", "station")
    list_select_related = ("station",)
    autocomplete_fields = ("station", "deputies")
    actions = ["generate_next_month_roster"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(deputy_total=Count("deputies"))

    @admin.display(description=_("进站代表数"), ordering="deputy_total")
    def deputy_count(self, obj: StationDuty) -> int:
        return obj.deputy_total

    @admin.action(description=_("生成下月排班"), permissions=["generate_roster"])
    def generate_next_month_roster(self, request, queryset):
        station_ids = queryset.values("station_id")
        stations = LiaisonStation.objects.visible_to(request.user).filter(
            pk__in=station_ids
        )
        _generate_next_month(self, request, stations.order_by("pk"))


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """The 九有 items are the same for every station: reference data, not scoped."""

    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(StationChecklistEntry)
class StationChecklistEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("station", "item", "met", "checked_on", "checked_by")
    list_filter = ("item", "met")
    search_fields = ("station__name",)
    list_select_related = ("station", "item", "checked_by")
    autocomplete_fields = ("station",)
    readonly_fields = ("checked_by",)

    def save_model(self, request, obj, form, change):
        obj.checked_by = request.user
        super().save_model(request, obj, form, change)
