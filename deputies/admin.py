"""Admin of deputies, their mandates, delegations, constituencies and stations.

Every admin here is scoped (``congress.admin.ScopedAdminMixin``); deputies' phones
and ID numbers are masked (``PersonalDataAdminMixin``); exports are scoped, masked
and audited (``ScopedExportMixin``).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from congress.admin import PersonalDataAdminMixin
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
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from deputies.resources import DeputyResource
from deputies.resources import LiaisonStationResource


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
        ("region", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name",)
    list_select_related = ("region",)
    autocomplete_fields = ("region", "user")
    inlines = [MandateInline]

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


@admin.register(LiaisonStation)
class LiaisonStationAdmin(ScopedExportMixin, ScopedAdminMixin, admin.ModelAdmin):
    resource_classes = [LiaisonStationResource]
    list_display = ("name", "kind", "region", "manager", "is_active")
    list_filter = ("kind", "is_active", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "address")
    list_select_related = ("region", "manager")
    autocomplete_fields = ("region", "manager")
    inlines = [StationAssignmentInline]
