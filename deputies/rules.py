"""Object rules of the deputies app.

Staff and leadership reach deputies and stations through their scope region
(``congress.rules.scoped_rule``); a deputy also sees their own record, and a station
manager the stations they manage and the deputies grouped into them.
"""

from __future__ import annotations

import rules

from congress.rules import has_model_perm
from congress.rules import scoped_rule
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment


@rules.predicate
def is_own_deputy_record(user, obj) -> bool:
    """The record is the user's own: their Deputy, or one of their mandates."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(obj, Deputy):
        return obj.user_id == user.pk
    if isinstance(obj, Mandate):
        return obj.deputy.user_id == user.pk
    return False


@rules.predicate
def manages_station_of(user, obj) -> bool:
    """The user manages the station, or a station the deputy is grouped into."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(obj, LiaisonStation):
        return obj.manager_id == user.pk
    if isinstance(obj, StationAssignment):
        return obj.station.manager_id == user.pk
    if isinstance(obj, Deputy):
        return obj.stations.filter(manager=user).exists()
    if isinstance(obj, Mandate):
        return obj.deputy.stations.filter(manager=user).exists()
    return False


rules.add_perm(
    "deputies.view_deputy",
    scoped_rule("view") | is_own_deputy_record | manages_station_of,
)
rules.add_perm("deputies.change_deputy", scoped_rule("change"))
rules.add_perm("deputies.delete_deputy", scoped_rule("delete"))

rules.add_perm(
    "deputies.view_mandate",
    scoped_rule("view") | is_own_deputy_record | manages_station_of,
)
rules.add_perm("deputies.change_mandate", scoped_rule("change"))
rules.add_perm("deputies.delete_mandate", scoped_rule("delete"))

rules.add_perm("deputies.view_liaisonstation", scoped_rule("view") | manages_station_of)
rules.add_perm(
    "deputies.change_liaisonstation", scoped_rule("change") | manages_station_of
)
rules.add_perm("deputies.delete_liaisonstation", scoped_rule("delete"))

rules.add_perm(
    "deputies.view_stationassignment", scoped_rule("view") | manages_station_of
)
rules.add_perm(
    "deputies.change_stationassignment", scoped_rule("change") | manages_station_of
)
rules.add_perm("deputies.delete_stationassignment", scoped_rule("delete"))

for _model in ("delegation", "constituency"):
    for _action in ("view", "change", "delete"):
        rules.add_perm(f"deputies.{_action}_{_model}", scoped_rule(_action))


# Station duty rosters and 九有 checklist entries: reached through the station.
@rules.predicate
def manages_station_of_record(user, obj) -> bool:
    """The user manages the station the duty or checklist entry belongs to."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    station = getattr(obj, "station", None)
    return station is not None and station.manager_id == user.pk


for _model in ("stationduty", "stationchecklistentry"):
    rules.add_perm(
        f"deputies.view_{_model}", scoped_rule("view") | manages_station_of_record
    )
    rules.add_perm(f"deputies.change_{_model}", scoped_rule("change"))
    rules.add_perm(f"deputies.delete_{_model}", scoped_rule("delete"))


# 民情民意: staff over the region, and the deputy or station the opinion is
# addressed to (never while it waits in review). Sensitive words: staff over the
# word's region; a word without a region is read by all staff and changed only by
# those who see everything. Rules live in deputies/opinions.py with the services.
@rules.predicate
def is_addressed_opinion(user, obj) -> bool:
    """The opinion is addressed to the user (deputy, station deputy or manager)."""
    from deputies.opinions import opinion_is_addressed_to

    return obj is not None and opinion_is_addressed_to(user, obj)


@rules.predicate
def is_global_sensitive_word(user, obj) -> bool:
    """The sensitive word applies everywhere (no region)."""
    return obj is not None and getattr(obj, "region_id", 0) is None


@rules.predicate
def works_in_admin(user) -> bool:
    """Committee staff, leadership or system admin (not a station manager, whose
    model permission on opinions reaches only their stations)."""
    return bool(getattr(user, "works_in_admin", False))


rules.add_perm(
    "deputies.view_citizenopinion",
    (works_in_admin & scoped_rule("view")) | is_addressed_opinion,
)
rules.add_perm(
    "deputies.change_citizenopinion",
    (works_in_admin & scoped_rule("change")) | is_addressed_opinion,
)
rules.add_perm("deputies.delete_citizenopinion", works_in_admin & scoped_rule("delete"))
rules.add_perm(
    "deputies.view_sensitiveword",
    scoped_rule("view") | (has_model_perm("view") & is_global_sensitive_word),
)
rules.add_perm("deputies.change_sensitiveword", scoped_rule("change"))
rules.add_perm("deputies.delete_sensitiveword", scoped_rule("delete"))


# 进站履职 and 履职活动 keep their rules in their own module.
from deputies import visit_rules  # noqa: E402,F401
