"""Reads of the suggestions work shared by the portals, the admin, reports and tasks.

Who sees a suggestion (``suggestion_visible_to``):
- committee staff and leadership: every suggestion in their scope region;
- a deputy: the ones they lead or were invited to co-sign, and those merged into
  one of theirs;
- a unit liaison: the ones assigned to their unit (the unit portal lists only
  the unit's own assignments);
- a supervisor (五办): the key suggestions they supervise, lead, follow or
  coordinate.
Nothing else; a user of another county sees none of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import Organization
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from suggestions.models import Assignment
from suggestions.models import Evaluation
from suggestions.models import HandlingStep
from suggestions.models import Reply
from suggestions.models import Suggestion
from suggestions.models import SuggestionSigner

# Deadline lights of the unit portal: red when overdue, amber within this many days.
AMBER_DAYS = 15


def deputy_for_user(user: User) -> Deputy | None:
    if user is None or not user.is_authenticated:
        return None
    return Deputy.objects.filter(user=user).first()


def _deputy_condition(deputy: Deputy) -> Q:
    """Led by the deputy, co-signed by them, or the one theirs was merged into (并案).

    The co-signed and merged ids are read first (one indexed query) so the
    condition is an OR of two index lookups, not an EXISTS over every row.
    """
    extra = (
        SuggestionSigner.objects.filter(deputy=deputy)
        .values_list("suggestion_id", flat=True)
        .union(
            Suggestion.objects.filter(
                lead_deputy=deputy, merged_into__isnull=False
            ).values_list("merged_into_id", flat=True)
        )
    )
    return Q(lead_deputy=deputy) | Q(pk__in=list(extra))


def _supervisor_condition(user: User) -> Q:
    condition = Q(supervising_leader=user) | Q(government_leader=user)
    if user.organization_id:
        condition |= Q(following_committee_id=user.organization_id) | Q(
            coordinating_committee_id=user.organization_id
        )
    return condition


def suggestion_visible_to(user: User) -> QuerySet[Suggestion]:
    """Every suggestion the user may open (see the module docstring)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Suggestion.objects.none()
    if user.works_in_admin:
        return Suggestion.objects.visible_to(user)
    condition = _supervisor_condition(user)
    deputy = deputy_for_user(user)
    if deputy is not None:
        condition |= _deputy_condition(deputy)
    if user.organization_id and user.has_role(Role.UNIT_LIAISON):
        assigned = Assignment.objects.filter(
            suggestion=OuterRef("pk"), unit_id=user.organization_id
        )
        condition |= Q(Exists(assigned))
    return Suggestion.objects.filter(condition)


def suggestion_get_for_user(*, user: User, pk: int) -> Suggestion:
    """The suggestion if the user may see it; the same 404 for missing and forbidden."""
    suggestion = (
        suggestion_visible_to(user)
        .select_related("lead_deputy__user", "region", "session__term__region")
        .filter(pk=pk)
        .first()
    )
    if suggestion is None:
        raise Http404(_("没有找到这件建议。"))
    return suggestion


def suggestion_list_for_deputy(*, deputy: Deputy) -> QuerySet[Suggestion]:
    """The deputy's own and co-signed suggestions, newest first."""
    return (
        Suggestion.objects.filter(_deputy_condition(deputy))
        .select_related("lead_deputy")
        .order_by("-created_at", "-pk")
    )


def signature_list_pending(*, deputy: Deputy) -> QuerySet[SuggestionSigner]:
    """Invitations to co-sign that the deputy has not confirmed yet."""
    return (
        SuggestionSigner.objects.filter(
            deputy=deputy,
            confirmed_at__isnull=True,
            suggestion__status__in=[
                Suggestion.Status.DRAFT,
                Suggestion.Status.RETURNED,
            ],
        )
        .select_related("suggestion__lead_deputy")
        .order_by("-invited_at")
    )


def suggestion_list_for_supervisor(*, user: User) -> QuerySet[Suggestion]:
    """What a supervisor (五办) follows: the suggestions naming them or their body."""
    return (
        Suggestion.objects.filter(_supervisor_condition(user))
        .select_related("lead_deputy", "region")
        .order_by("-year", "-number", "-pk")
    )


def _replied_this_round() -> Exists:
    """Whether the assignment has its own reply in the suggestion's current round."""
    return Exists(
        Reply.objects.filter(
            assignment=OuterRef("pk"),
            round=OuterRef("suggestion__rehandling_rounds") + 1,
        )
    )


def assignment_list_for_unit(
    *, unit: Organization, active: bool = True
) -> QuerySet[Assignment]:
    """The unit's assignments, nearest deadline first, with the suggestion loaded."""
    return (
        Assignment.objects.filter(unit=unit, is_active=active)
        .select_related("suggestion__lead_deputy")
        .annotate(replied_this_round=_replied_this_round())
        .order_by("due_date", "pk")
    )


def assignment_get_for_unit(*, user: User, pk: int) -> Assignment:
    """One of the liaison's unit's assignments; 404 for anything else."""
    if not (
        user.is_authenticated
        and user.organization_id
        and user.has_role(Role.UNIT_LIAISON)
    ):
        raise Http404(_("没有找到这件交办。"))
    assignment = (
        Assignment.objects.select_related(
            "suggestion__lead_deputy__user",
            "suggestion__region",
            "unit__region",
        )
        .annotate(replied_this_round=_replied_this_round())
        .filter(pk=pk, unit_id=user.organization_id)
        .first()
    )
    if assignment is None:
        raise Http404(_("没有找到这件交办。"))
    return assignment


@dataclass(frozen=True)
class Light:
    colour: str  # green, amber, red, done
    label: str


def deadline_light(
    assignment: Assignment, *, today: datetime.date | None = None
) -> Light:
    """Green, amber (within 15 days) or red (overdue); done once replied.

    The light follows the unit's own assignment: a lead or separate unit is done
    once it has replied in the current round (分办: even while another unit has
    not), a co-unit once it has sent its view; every unit is done once the
    suggestion is replied or closed. ``replied_this_round`` is annotated by the
    unit selectors; without it one query reads it.
    """
    today = today or timezone.localdate()
    status = assignment.suggestion.status
    replied = status in {
        Suggestion.Status.REPLIED,
        Suggestion.Status.CLOSED,
    }
    if assignment.role == Assignment.Role.CO:
        replied = replied or assignment.co_view_at is not None
    elif not replied:
        own = getattr(assignment, "replied_this_round", None)
        if own is None:
            own = assignment.replies.filter(
                round=assignment.suggestion.rehandling_rounds + 1
            ).exists()
        replied = own
    if replied:
        return Light("done", str(_("已办复")))
    due = assignment.due_date
    if assignment.role == Assignment.Role.CO and assignment.co_view_due:
        due = assignment.co_view_due
    days = (due - today).days
    if days < 0:
        return Light("red", str(_("已超期%(days)s天") % {"days": -days}))
    if days <= AMBER_DAYS:
        return Light("amber", str(_("剩%(days)s天") % {"days": days}))
    return Light("green", str(_("剩%(days)s天") % {"days": days}))


def suggestion_chain(*, suggestion: Suggestion) -> Suggestion:
    """The suggestion with everything the whole-chain page shows, in fixed queries."""
    return (
        Suggestion.objects.filter(pk=suggestion.pk)
        .select_related(
            "lead_deputy",
            "region",
            "session__term__region",
            "merged_into",
            "supervising_leader",
            "government_leader",
            "following_committee",
            "coordinating_committee",
        )
        .prefetch_related(
            "citizen_opinions",
            Prefetch(
                "signatures",
                queryset=SuggestionSigner.objects.select_related("deputy"),
            ),
            "attachments",
            "reviews__reviewer",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "unit", "assigned_by", "acknowledged_by", "extension_approved_by"
                ).prefetch_related(
                    Prefetch(
                        "steps",
                        queryset=HandlingStep.objects.select_related("actor"),
                    )
                ),
            ),
            Prefetch(
                "replies",
                queryset=Reply.objects.select_related(
                    "assignment__unit", "replied_by"
                ).prefetch_related("commitments", "attachments"),
            ),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("deputy", "recorded_by"),
            ),
            "events__actor",
            "merged_suggestions__lead_deputy",
        )
        .get()
    )


# ---------------------------------------------------------------------------
# Statistics.
# ---------------------------------------------------------------------------


def suggestions_for_statistics(*, region, year: int) -> QuerySet[Suggestion]:
    """The registered suggestions of a region and year (not drafts or rejected)."""
    return Suggestion.objects.in_region(region).filter(
        year=year,
        status__in=[
            Suggestion.Status.REGISTERED,
            Suggestion.Status.ASSIGNED,
            Suggestion.Status.HANDLING,
            Suggestion.Status.REPLIED,
            Suggestion.Status.REHANDLING,
            Suggestion.Status.CLOSED,
        ],
    )


@dataclass
class UnitRow:
    unit: str
    assigned: int
    acknowledged: int
    replied: int
    on_time: int
    a: int
    b: int
    c: int
    d: int
    evaluated: int
    satisfied: int
    rehandled: int

    @property
    def on_time_rate(self) -> str:
        return _percent(self.on_time, self.assigned)

    @property
    def satisfaction_rate(self) -> str:
        return _percent(self.satisfied, self.evaluated)


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{100 * part / whole:.1f}%"


def statistics_by_unit(*, region, year: int) -> list[UnitRow]:
    """Per lead or separate unit: assigned, acknowledged, replied on time, A/B/C/D,
    satisfaction (满意 + 基本满意 of the lead deputy's final rating), re-handled.

    Three grouped queries, whatever the number of suggestions.
    """
    base = Assignment.objects.filter(
        is_active=True,
        role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        suggestion__in=suggestions_for_statistics(region=region, year=year),
    )
    rows: dict[int, dict] = {}
    for row in base.values("unit_id", "unit__name").annotate(
        assigned=Count("pk"),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        rehandled=Count("pk", filter=Q(suggestion__rehandling_rounds__gt=0)),
    ):
        rows[row["unit_id"]] = {
            "unit": row["unit__name"],
            "assigned": row["assigned"],
            "acknowledged": row["acknowledged"],
            "rehandled": row["rehandled"],
            "replied": 0,
            "on_time": 0,
            "a": 0,
            "b": 0,
            "c": 0,
            "d": 0,
            "evaluated": 0,
            "satisfied": 0,
        }
    first_replies = Reply.objects.filter(round=1, assignment__in=base)
    for row in first_replies.values("assignment__unit_id").annotate(
        replied=Count("pk"),
        on_time=Count("pk", filter=Q(on_time=True)),
    ):
        rows[row["assignment__unit_id"]].update(
            replied=row["replied"], on_time=row["on_time"]
        )
    # The class of the latest reply counts (a re-handled suggestion's second one).
    latest = Reply.objects.filter(
        assignment__in=base, round=F("suggestion__rehandling_rounds") + 1
    )
    for row in latest.values("assignment__unit_id", "result_class").annotate(
        n=Count("pk")
    ):
        rows[row["assignment__unit_id"]][row["result_class"].lower()] = row["n"]
    final = Evaluation.objects.filter(
        suggestion__assignments__in=base,
        deputy_id=F("suggestion__lead_deputy_id"),
        round=F("suggestion__rehandling_rounds") + 1,
    )
    for row in final.values("suggestion__assignments__unit_id").annotate(
        evaluated=Count("pk"),
        satisfied=Count(
            "pk",
            filter=Q(
                result__in=[
                    Evaluation.Result.SATISFIED,
                    Evaluation.Result.BASICALLY_SATISFIED,
                ]
            ),
        ),
    ):
        unit_id = row["suggestion__assignments__unit_id"]
        if unit_id in rows:
            rows[unit_id].update(evaluated=row["evaluated"], satisfied=row["satisfied"])
    return sorted(
        (UnitRow(**values) for values in rows.values()),
        key=lambda r: (-r.assigned, r.unit),
    )


def statistics_by_category(*, region, year: int) -> list[tuple[str, int]]:
    """(category label, count), largest first."""
    from suggestions.models import Category

    labels = dict(Category.choices)
    rows = (
        suggestions_for_statistics(region=region, year=year)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
    )
    return [(str(labels.get(r["category"], r["category"])), r["n"]) for r in rows]


def statistics_by_township(*, region, year: int) -> list[tuple[str, int]]:
    """(township of the lead deputy, count), largest first."""
    rows = (
        suggestions_for_statistics(region=region, year=year)
        .values("lead_deputy__region__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_deputy__region__name")
    )
    return [(r["lead_deputy__region__name"], r["n"]) for r in rows]


def statistics_summary(*, region, year: int) -> dict[str, int]:
    qs = suggestions_for_statistics(region=region, year=year)
    return qs.aggregate(
        total=Count("pk"),
        key=Count("pk", filter=Q(is_key=True)),
        closed=Count("pk", filter=Q(status=Suggestion.Status.CLOSED)),
        rehandled=Count("pk", filter=Q(rehandling_rounds__gt=0)),
        session=Count("pk", filter=Q(session__isnull=False)),
    )
