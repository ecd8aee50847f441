"""The deputies app's PDF reports: the roster of deputies and stations (代表和联络站名册)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Region
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.registry import ReportKind
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import Level
from deputies.selectors import deputy_list_for_roster
from deputies.selectors import station_list_for_roster

ROSTER_KIND = "deputies.roster"
ROSTER_TEMPLATE = "deputies/reports/roster.html"
LEVEL_ORDER = {level: index for index, level in enumerate(Level.values)}


@dataclass
class RosterRow:
    name: str
    gender: str
    levels: str
    delegation: str
    workplace: str
    phone: str


@dataclass
class RosterGroup:
    name: str
    rows: list[RosterRow] = field(default_factory=list)


def _township_of(deputy: Deputy) -> Region | None:
    region = deputy.region
    if region.level == Region.Level.TOWNSHIP:
        return region
    if region.level == Region.Level.VILLAGE:
        return region.parent
    return None


def _row(deputy: Deputy) -> RosterRow:
    mandates = sorted(deputy.active, key=lambda m: LEVEL_ORDER.get(m.level, 99))
    delegation = next((m.delegation.name for m in mandates if m.delegation), "")
    workplace = " ".join(part for part in (deputy.workplace, deputy.title) if part)
    return RosterRow(
        name=deputy.name,
        gender=deputy.get_gender_display(),
        levels="、".join(str(m.get_level_display()) for m in mandates),
        delegation=delegation,
        workplace=workplace,
        phone=deputy.masked_phone,
    )


def build_roster_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """Read everything the roster prints: deputies by township, stations, a chart.

    A fixed number of queries (see the selectors) whatever the county's size.
    """
    county_group = _("县(市、区)直")
    groups: dict[str, RosterGroup] = {}
    order: dict[str, str] = {}
    deputy_count = 0
    for deputy in deputy_list_for_roster(region=region):
        township = _township_of(deputy)
        name = township.name if township else county_group
        order.setdefault(name, township.code if township else "")
        groups.setdefault(name, RosterGroup(name=name)).rows.append(_row(deputy))
        deputy_count += 1
    deputy_groups = sorted(groups.values(), key=lambda g: order[g.name])

    stations = []
    for station in station_list_for_roster(region=region):
        stations.append(
            {
                "name": station.name,
                "kind": station.get_kind_display(),
                "region": station.region.name,
                "address": station.address,
                "duty_days": "、".join(
                    _("%(day)s日") % {"day": day} for day in station.duty_days or []
                ),
                "deputies": [
                    {"name": a.deputy.name, "is_leader": a.is_leader}
                    for a in station.assignments
                ],
            }
        )

    chart = bar_chart_svg(
        [(group.name, len(group.rows)) for group in deputy_groups],
        title=_("各乡镇(街道)代表人数"),
    )
    live_path = reverse("admin:deputies_deputy_changelist")
    return {
        "region": region,
        "cover_org": _("%(region)s人大常委会") % {"region": region.name},
        "cover_subtitle": _("代表 %(deputies)s 名 · 联络站(点) %(stations)s 个")
        % {"deputies": deputy_count, "stations": len(stations)},
        "generated_at": timezone.localtime(),
        "deputy_groups": deputy_groups,
        "deputy_count": deputy_count,
        "stations": stations,
        "chart_svg": chart,
        "qr_svg": qr_svg(live_path),
    }


def can_request_roster(user) -> bool:
    """Committee staff, leadership and system admins may print the roster."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.STAFF)
            or user.has_role(Role.LEADERSHIP)
            or user.has_role(Role.SYSTEM_ADMIN)
        )
    )


ROSTER = ReportKind(
    kind=ROSTER_KIND,
    title=gettext_lazy("代表和联络站名册"),
    template_name=ROSTER_TEMPLATE,
    build_context=build_roster_context,
    can_request=can_request_roster,
)
