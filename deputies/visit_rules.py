"""Object rules of 进站履职 and 履职活动 (loaded by ``deputies/rules.py``).

Staff and leadership reach visits and activities through their scope region, and
only as users of the admin (``works_in_admin``): a station manager also holds the
model permission to log visits, but sees only their own stations' visits. A deputy
sees the visits they were present at and the activities they were invited to.
"""

from __future__ import annotations

import rules

from congress.rules import scoped_rule
from deputies.models import ActivityParticipant
from deputies.models import LiaisonStation
from deputies.models import StationVisitDeputy


def _signed_in(user) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_active
    )


@rules.predicate
def works_in_admin(user) -> bool:
    """The user works in the admin (staff, leadership, system admin)."""
    return _signed_in(user) and bool(user.works_in_admin)


@rules.predicate
def was_present_at_visit(user, visit) -> bool:
    """The user's deputy record is among the deputies present at the visit."""
    if visit is None or not _signed_in(user):
        return False
    return StationVisitDeputy.objects.filter(visit=visit, deputy__user=user).exists()


@rules.predicate
def manages_visit_station(user, visit) -> bool:
    """The user manages the station the visit was at."""
    if visit is None or not _signed_in(user):
        return False
    return LiaisonStation.objects.filter(pk=visit.station_id, manager=user).exists()


@rules.predicate
def logged_visit(user, visit) -> bool:
    """The user logged the visit."""
    return visit is not None and _signed_in(user) and visit.logged_by_id == user.pk


@rules.predicate
def was_invited_to_activity(user, activity) -> bool:
    """The user's deputy record is a participant of the activity."""
    if activity is None or not _signed_in(user):
        return False
    return ActivityParticipant.objects.filter(
        activity=activity, deputy__user=user
    ).exists()


@rules.predicate
def is_own_attendance(user, participant) -> bool:
    """The attendance row is the user's own."""
    if participant is None or not _signed_in(user):
        return False
    return participant.deputy.user_id == user.pk


def staff_rule(action: str) -> rules.Predicate:
    """Model permission and scope, for users of the admin only."""
    return works_in_admin & scoped_rule(action)


rules.add_perm(
    "deputies.view_stationvisit",
    staff_rule("view") | was_present_at_visit | manages_visit_station | logged_visit,
)
rules.add_perm("deputies.change_stationvisit", staff_rule("change"))
rules.add_perm("deputies.delete_stationvisit", staff_rule("delete"))
for _action in ("view", "change", "delete"):
    rules.add_perm(f"deputies.{_action}_visitphoto", staff_rule(_action))

rules.add_perm("deputies.view_activity", staff_rule("view") | was_invited_to_activity)
rules.add_perm("deputies.change_activity", staff_rule("change"))
rules.add_perm("deputies.delete_activity", staff_rule("delete"))

rules.add_perm(
    "deputies.view_activityparticipant", staff_rule("view") | is_own_attendance
)
rules.add_perm("deputies.change_activityparticipant", staff_rule("change"))
rules.add_perm("deputies.delete_activityparticipant", staff_rule("delete"))
