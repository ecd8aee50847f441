"""Reminders of the suggestions work, run daily by Celery beat.

- 30, 15 and 7 days before a reply deadline (and a co-unit's view deadline):
  the unit's liaisons, once per threshold and deadline;
- overdue: the unit's liaisons and the supervisors (五办) of the suggestion,
  once per deadline (escalation);
- ratings not given 15 days after a reply: the deputies who have not rated,
  also co-signers and merged deputies after the lead's rating closed the
  suggestion or sent it back (they may still rate that reply);
- commitments due within 7 days or overdue: the unit's liaisons, once each;
- intersession suggestions registered but not assigned by the day before their
  five-working-day assignment deadline: the county's committee staff, once.

Each reminder is a ``Notification`` with a unique (kind, object, recipient, due
date), so running a job twice sends each reminder once.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists
from django.db.models import Max
from django.db.models import OuterRef
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.calendar import intersession_assignment_due
from congress.models import User
from congress.notify import notification_schedule
from congress.roles import Role
from suggestions.models import Assignment
from suggestions.models import Commitment
from suggestions.models import Evaluation
from suggestions.models import Reply
from suggestions.models import Suggestion
from suggestions.services import deputies_to_answer
from suggestions.services import unit_liaisons

THRESHOLDS = (7, 15, 30)  # days before a deadline, smallest first
RATING_GRACE_DAYS = 15
# Closed or re-handled suggestions: how long after the 15 days a missing
# co-signer's rating is still reminded (covers days the job did not run).
LATE_RATING_WINDOW_DAYS = 30
COMMITMENT_NOTICE_DAYS = 7
OPEN = [
    Suggestion.Status.ASSIGNED,
    Suggestion.Status.HANDLING,
    Suggestion.Status.REHANDLING,
]


def _threshold(days_left: int) -> int | None:
    """The smallest threshold the deadline is within (a missed day still reminds)."""
    for threshold in THRESHOLDS:
        if days_left <= threshold:
            return threshold
    return None


def supervisors_of(suggestion: Suggestion) -> list[User]:
    """The 五办 people: supervising leader, government leader, and the users of
    the following special committee and the coordinating 代表工委."""
    users = [
        u for u in (suggestion.supervising_leader, suggestion.government_leader) if u
    ]
    committees = [
        pk
        for pk in (
            suggestion.following_committee_id,
            suggestion.coordinating_committee_id,
        )
        if pk
    ]
    if committees:
        users += list(
            User.objects.filter(organization_id__in=committees, is_active=True)
        )
    return users


def _schedule(users, *, kind, obj, due_date, title, url) -> int:
    sent = 0
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        _n, created = notification_schedule(
            recipient=user, kind=kind, obj=obj, due_date=due_date, title=title, url=url
        )
        sent += created
    return sent


def deadline_reminders_send(*, today: datetime.date) -> int:
    """Remind units of coming deadlines and escalate overdue ones; return how many new."""
    created = 0
    horizon = today + datetime.timedelta(days=max(THRESHOLDS))
    assignments = (
        Assignment.objects.filter(is_active=True, suggestion__status__in=OPEN)
        .filter(Q(due_date__lte=horizon) | Q(co_view_due__lte=horizon))
        .select_related(
            "suggestion__supervising_leader", "suggestion__government_leader", "unit"
        )
    )
    liaisons: dict[int, list[User]] = {}
    for assignment in assignments.iterator(chunk_size=500):
        suggestion = assignment.suggestion
        round_ = suggestion.rehandling_rounds + 1
        if assignment.role == Assignment.Role.CO:
            if assignment.co_view_at is not None or assignment.co_view_due is None:
                continue
            due = assignment.co_view_due
        else:
            if assignment.replies.filter(round=round_).exists():
                continue
            due = assignment.due_date
        if assignment.unit_id not in liaisons:
            liaisons[assignment.unit_id] = unit_liaisons([assignment.unit_id])
        url = reverse("suggestions:unit-detail", args=[assignment.pk])
        days_left = (due - today).days
        if days_left < 0:
            created += _schedule(
                liaisons[assignment.unit_id] + supervisors_of(suggestion),
                kind="suggestion_overdue",
                obj=assignment,
                due_date=due,
                title=_("建议“%(title)s”已超过答复期限(%(due)s),%(unit)s尚未办复")
                % {"title": suggestion.title, "due": due, "unit": assignment.unit.name},
                url=url,
            )
            continue
        threshold = _threshold(days_left)
        if threshold is None:
            continue
        created += _schedule(
            liaisons[assignment.unit_id],
            kind=f"suggestion_due_{threshold}",
            obj=assignment,
            due_date=due,
            title=_("建议“%(title)s”距答复期限(%(due)s)不足%(days)s天")
            % {"title": suggestion.title, "due": due, "days": threshold},
            url=url,
        )
    return created


def rating_reminders_send(*, today: datetime.date) -> int:
    """Remind deputies who have not rated a reply 15 days after it.

    While the suggestion waits for ratings (已答复) every answered deputy who has
    not rated the current round's reply is reminded. Once the lead deputy's
    rating has closed it or sent it back, the co-signers and merged deputies may
    still rate the latest reply (``services.rating_round``): those who have not
    are reminded too, with the same notification key, so each deputy hears once
    per reply. Closed or re-handled suggestions are looked at while their latest
    reply is at most ``LATE_RATING_WINDOW_DAYS`` past the 15 days, so the daily
    job does not read every closed suggestion of past years.
    """
    created = 0
    cutoff = today - datetime.timedelta(days=RATING_GRACE_DAYS)
    window_start = cutoff - datetime.timedelta(days=LATE_RATING_WINDOW_DAYS)
    recent_reply = Reply.objects.filter(
        suggestion=OuterRef("pk"),
        replied_at__date__gt=window_start,
        replied_at__date__lte=cutoff,
    )
    suggestions = Suggestion.objects.filter(
        Q(status=Suggestion.Status.REPLIED)
        | Q(
            Exists(recent_reply),
            status__in=[Suggestion.Status.REHANDLING, Suggestion.Status.CLOSED],
        )
    ).select_related("lead_deputy__user")
    for suggestion in suggestions.iterator(chunk_size=500):
        waiting = suggestion.status == Suggestion.Status.REPLIED
        if waiting:
            round_ = suggestion.rehandling_rounds + 1
        else:
            round_ = suggestion.replies.aggregate(latest=Max("round"))["latest"]
        last = (
            Reply.objects.filter(suggestion=suggestion, round=round_)
            .order_by("-replied_at")
            .first()
        )
        if last is None or last.replied_at.date() > cutoff:
            continue
        rated = set(
            Evaluation.objects.filter(suggestion=suggestion, round=round_).values_list(
                "deputy_id", flat=True
            )
        )
        users = [
            d.user
            for d in deputies_to_answer(suggestion)
            if d.pk not in rated and (waiting or d.pk != suggestion.lead_deputy_id)
        ]
        created += _schedule(
            users,
            kind="suggestion_rating_missing",
            obj=last,
            due_date=last.replied_at.date()
            + datetime.timedelta(days=RATING_GRACE_DAYS),
            title=_("请对建议“%(title)s”的答复进行满意度测评")
            % {"title": suggestion.title},
            url=reverse("suggestions:portal-detail", args=[suggestion.pk]),
        )
    return created


def commitment_reminders_send(*, today: datetime.date) -> int:
    """Remind units of promised items due within 7 days or overdue."""
    created = 0
    horizon = today + datetime.timedelta(days=COMMITMENT_NOTICE_DAYS)
    commitments = Commitment.objects.filter(
        done_at__isnull=True, due_date__lte=horizon
    ).select_related("reply__assignment", "reply__suggestion")
    for commitment in commitments.iterator(chunk_size=500):
        assignment = commitment.reply.assignment
        created += _schedule(
            unit_liaisons([assignment.unit_id]),
            kind="suggestion_commitment_due",
            obj=commitment,
            due_date=commitment.due_date,
            title=_("承诺事项“%(item)s”应于%(due)s完成")
            % {"item": commitment.content, "due": commitment.due_date},
            url=reverse("suggestions:unit-detail", args=[assignment.pk]),
        )
    return created


def assignment_reminders_send(*, today: datetime.date) -> int:
    """Remind the county's staff of intersession suggestions still to be assigned."""
    created = 0
    waiting = Suggestion.objects.filter(
        status=Suggestion.Status.REGISTERED,
        session__isnull=True,
        submitted_at__isnull=False,
    ).select_related("region")
    staff_by_region: dict[int, list[User]] = {}
    for suggestion in waiting.iterator(chunk_size=500):
        received = timezone.localtime(suggestion.submitted_at).date()
        due = intersession_assignment_due(received_on=received)
        if today < due - datetime.timedelta(days=1):
            continue
        if suggestion.region_id not in staff_by_region:
            staff_by_region[suggestion.region_id] = list(
                User.objects.filter(
                    scope_region_id=suggestion.region_id,
                    groups__name=Role.STAFF.value,
                    is_active=True,
                )
            )
        created += _schedule(
            staff_by_region[suggestion.region_id],
            kind="suggestion_assignment_due",
            obj=suggestion,
            due_date=due,
            title=_("闭会期间建议“%(title)s”应于%(due)s前交办")
            % {"title": suggestion.title, "due": due},
            url=reverse("admin:suggestions_suggestion_change", args=[suggestion.pk]),
        )
    return created


def suggestion_reminders_send(*, today: datetime.date) -> int:
    """All the suggestion reminders of one day; return how many were new."""
    return (
        deadline_reminders_send(today=today)
        + rating_reminders_send(today=today)
        + commitment_reminders_send(today=today)
        + assignment_reminders_send(today=today)
    )
