"""Admin of livelihood_votes: scoped lists and records; the lifecycle runs on the
presiding page (``/livelihood/staff/rounds/<id>/``), whose steps are services.

Vote counts, outcomes and statuses are read-only here: only the services write them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from congress.admin import RegionListFilter
from congress.admin import ScopedAdminMixin
from congress.admin import ScopedInlineMixin
from livelihood_votes import services
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import Milestone
from livelihood_votes.models import ProgressReport
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import SupervisionVisit
from livelihood_votes.models import VotingRound

RESULT_FIELDS = ("option", "yes_votes", "no_votes", "abstain_votes", "rank", "outcome")


class CandidateInline(ScopedInlineMixin, admin.StackedInline):
    model = CandidateProject
    extra = 0
    fields = (
        "order",
        "title",
        "description",
        "responsible_unit",
        "budget",
        "target_date",
        "proposals",
        *RESULT_FIELDS,
    )
    readonly_fields = RESULT_FIELDS
    autocomplete_fields = ("responsible_unit",)
    filter_horizontal = ("proposals",)

    def has_add_permission(self, request, obj=None):
        """Candidates are added during screening only (差额 is checked at publication)."""
        return (
            obj is not None
            and obj.status == VotingRound.Status.SCREENING
            and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return (
            obj is None or obj.status == VotingRound.Status.SCREENING
        ) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(VotingRound)
class VotingRoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "region",
        "year",
        "batch",
        "choose_count",
        "status",
        "presiding_link",
    )
    list_filter = ("status", "year", RegionListFilter)
    search_fields = ("title",)
    list_select_related = ("region",)
    autocomplete_fields = ("region", "term", "session")
    readonly_fields = (
        "status",
        "poll",
        "runoff_poll",
        "needs_runoff",
        "result_note",
        "decided_at",
    )
    inlines = [CandidateInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in (
            VotingRound.Status.COLLECTING,
            VotingRound.Status.SCREENING,
        ):
            fields += ["region", "term", "session", "choose_count", "base", "year"]
        return fields

    @admin.display(description=_("主持票决"))
    def presiding_link(self, obj: VotingRound) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("livelihood-staff-round", args=[obj.pk]),
            _("打开"),
        )


class ProjectProposalForm(forms.ModelForm):
    class Meta:
        model = ProjectProposal
        fields = (
            "round",
            "source",
            "title",
            "content",
            "place",
            "estimated_cost",
            "proposer_name",
            "deputy",
            "organization",
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("round"):
            try:
                services.proposal_source_check(
                    round_=data["round"],
                    source=data.get("source", ""),
                    deputy=data.get("deputy"),
                    organization=data.get("organization"),
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


@admin.register(ProjectProposal)
class ProjectProposalAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "round", "source", "status", "created_at")
    list_filter = ("status", "source")
    search_fields = ("title", "content", "tracking_code")
    list_select_related = ("round",)
    # Screening decisions go through the presiding page (services), not here.
    readonly_fields = (
        "tracking_code",
        "status",
        "screening_note",
        "masked_phone",
        "opinions",
        "created_at",
    )
    exclude = ("phone",)
    autocomplete_fields = ("round", "deputy", "organization")
    form = ProjectProposalForm

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A deputy's or a unit's proposal entered by staff goes through the
        # service, which takes it only while the round is collecting.
        self.check_in_scope(request, obj)
        created = services.proposal_submit(
            round_=obj.round,
            source=obj.source,
            title=obj.title,
            content=obj.content,
            place=obj.place,
            estimated_cost=obj.estimated_cost,
            proposer_name=obj.proposer_name,
            deputy=obj.deputy,
            organization=obj.organization,
        )
        obj.pk = created.pk
        return None

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: ProjectProposal) -> str:
        return obj.masked_phone


@admin.register(CandidateProject)
class CandidateProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "round",
        "responsible_unit",
        "budget",
        "yes_votes",
        "rank",
        "outcome",
    )
    list_filter = ("outcome",)
    search_fields = ("title",)
    list_select_related = ("round", "responsible_unit")
    readonly_fields = RESULT_FIELDS
    autocomplete_fields = ("round", "responsible_unit")
    filter_horizontal = ("proposals",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.round.status != VotingRound.Status.SCREENING:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class MilestoneInline(ScopedInlineMixin, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("title", "due_date", "done_on", "note")


@admin.register(LivelihoodProject)
class LivelihoodProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "round",
        "responsible_unit",
        "percent",
        "status",
        "verdict",
        "public_verdict",
    )
    list_filter = ("status", "verdict", RegionListFilter)
    search_fields = ("title",)
    list_select_related = ("round", "responsible_unit")
    readonly_fields = (
        "round",
        "candidate",
        "region",
        "status",
        "percent",
        "funds_spent",
        "completed_on",
        "evaluation_poll",
        "verdict",
        "public_satisfied",
        "public_basically_satisfied",
        "public_unsatisfied",
        "public_verdict",
    )
    autocomplete_fields = ("responsible_unit",)
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        """Projects come only from a decided round."""
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("project", "month", "percent", "funds_spent", "submitted_by")
    list_select_related = ("project", "submitted_by")
    date_hierarchy = "month"
    readonly_fields = (
        "project",
        "month",
        "percent",
        "funds_spent",
        "narrative",
        "problems",
        "submitted_by",
        "submitted_at",
    )

    def has_add_permission(self, request):
        """Units report through the portal (the service checks the month and percent)."""
        return False


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("project", "date", "rating", "recorded_by")
    list_filter = ("rating",)
    list_select_related = ("project", "recorded_by")
    readonly_fields = ("recorded_by", "created_at")
    autocomplete_fields = ("project", "deputies")
    search_fields = ("project__title",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
