"""码上找代表: the public addresses, QR codes and A4 posters of stations and deputies.

A station's or a deputy's QR code points at its public page (``/s/<token>/`` or
``/d/<token>/``) under ``settings.SITE_URL``. The posters are two report kinds of the
PDF pipeline (``congress.reports``); their context builders are selectors here, and
the two ``*_poster_request`` services ask for a poster within the requester's scope.
"""

from __future__ import annotations

import calendar
import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import GeneratedReport
from congress.models import Region
from congress.models import User
from congress.reports.qr import absolute_url
from congress.reports.registry import ReportKind
from congress.reports.services import report_request
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from deputies.models import StationDuty
from deputies.reports import can_request_roster

STATION_POSTER_KIND = "deputies.station_poster"
DEPUTY_POSTER_KIND = "deputies.deputy_poster"
STATION_POSTER_TEMPLATE = "deputies/reports/station_poster.html"
DEPUTY_POSTER_TEMPLATE = "deputies/reports/deputy_poster.html"
# 逢六进站: the statutory-sounding name of the default duty days.
FENG_LIU_DAYS = [6, 16, 26]
# How many grouped deputies a station poster prints (the rest are on the page).
POSTER_DEPUTY_LIMIT = 24
LEVEL_ORDER = {level: index for index, level in enumerate(Level.values)}


# ---------------------------------------------------------------------------
# Public addresses and QR codes
# ---------------------------------------------------------------------------


def station_public_url(station: LiaisonStation) -> str:
    """The absolute address a station's QR code encodes."""
    return absolute_url(reverse("station-public", args=[station.public_token]))


def deputy_public_url(deputy: Deputy) -> str:
    """The absolute address a deputy's QR code encodes."""
    return absolute_url(reverse("deputy-public", args=[deputy.public_token]))


def qr_code(url: str) -> segno.QRCode:
    """The QR code of an absolute address (error correction M survives a worn poster)."""
    return segno.make(url, error="m")


def qr_svg_document(url: str, *, scale: int = 8) -> str:
    """A standalone SVG document of the QR code, for the ``qr.svg`` endpoints."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=scale, border=2, title=url)
    return buffer.getvalue().decode("utf-8")


def qr_svg_inline(url: str, *, scale: int = 6) -> SafeString:
    """An inline SVG QR code for a poster or page."""
    svg = qr_code(url).svg_inline(scale=scale, border=2)
    return mark_safe(svg)  # noqa: S308 — segno output, no user text in it


# ---------------------------------------------------------------------------
# Duty days
# ---------------------------------------------------------------------------


def clean_duty_days(duty_days: list[int] | None) -> list[int]:
    """The station's duty days as sorted, valid days of the month."""
    days: set[int] = set()
    for value in duty_days or []:
        try:
            day = int(value)
        except (TypeError, ValueError):
            continue
        if 1 <= day <= 31:
            days.add(day)
    return sorted(days)


def duty_days_text(duty_days: list[int] | None) -> str:
    """``逢六进站:每月6日、16日、26日`` for the default days, ``每月…`` otherwise."""
    days = clean_duty_days(duty_days)
    if not days:
        return _("未设置进站日")
    listed = "、".join(_("%(day)s日") % {"day": day} for day in days)
    text = _("每月%(days)s") % {"days": listed}
    if days == FENG_LIU_DAYS:
        return _("逢六进站:%(text)s") % {"text": text}
    return text


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date | None
    is_duty: bool = False
    is_today: bool = False
    note: str = ""


@dataclass(frozen=True)
class DutyMonth:
    """One month as a small calendar: weeks of seven days, Monday first."""

    year: int
    month: int
    weeks: list[list[CalendarDay]]
    duty_dates: list[datetime.date]

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)


def _month_window(today: datetime.date, count: int) -> list[tuple[int, int]]:
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        months.append((year, month))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def duty_window(
    today: datetime.date, *, count: int = 2
) -> tuple[datetime.date, datetime.date]:
    """First and last day of this month and the next ``count - 1`` months."""
    months = _month_window(today, count)
    last_year, last_month = months[-1]
    last_day = calendar.monthrange(last_year, last_month)[1]
    return today.replace(day=1), datetime.date(last_year, last_month, last_day)


def duty_month(
    duty_days: list[int] | None,
    *,
    year: int,
    month: int,
    today: datetime.date,
    duties: list[StationDuty] | None = None,
) -> DutyMonth:
    """The calendar of one month with the station's duty days marked.

    When the month's roster has been generated (``StationDuty`` rows planned in
    it), the roster's dates are marked — a duty day moved off a holiday shows on
    the day the deputies really come. Otherwise the station's days of the month
    are marked; a day the month does not have (31 in April) is not moved.
    """
    duties = duties or []
    planned_here = any(
        (d.planned_date.year, d.planned_date.month) == (year, month) for d in duties
    )
    notes: dict[datetime.date, str] = {
        d.date: d.note for d in duties if (d.date.year, d.date.month) == (year, month)
    }
    days = set() if planned_here else set(clean_duty_days(duty_days))
    weeks = []
    duty_dates = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for date in week:
            if date.month != month:
                row.append(CalendarDay(date=None))
                continue
            is_duty = date in notes or date.day in days
            if is_duty:
                duty_dates.append(date)
            row.append(
                CalendarDay(
                    date=date,
                    is_duty=is_duty,
                    is_today=date == today,
                    note=notes.get(date, ""),
                )
            )
        weeks.append(row)
    return DutyMonth(year=year, month=month, weeks=weeks, duty_dates=duty_dates)


def duty_months(
    duty_days: list[int] | None,
    *,
    today: datetime.date,
    count: int = 2,
    duties: list[StationDuty] | None = None,
) -> list[DutyMonth]:
    """This month and the next ``count - 1`` months as small duty calendars,
    from the generated roster where there is one (see :func:`duty_month`)."""
    return [
        duty_month(duty_days, year=year, month=month, today=today, duties=duties)
        for year, month in _month_window(today, count)
    ]


def next_station_duty(
    duties: list[StationDuty], *, today: datetime.date
) -> StationDuty | None:
    """The first generated duty on or after today (its deputies are on duty)."""
    upcoming = sorted((d for d in duties if d.date >= today), key=lambda d: d.date)
    return upcoming[0] if upcoming else None


# ---------------------------------------------------------------------------
# Selectors for the public pages and posters
# ---------------------------------------------------------------------------


def _active_mandate() -> Exists:
    return Exists(
        Mandate.objects.active().filter(deputy=OuterRef("deputy_id")).values("pk")
    )


def _public_assignments() -> QuerySet[StationAssignment]:
    """Assignments of deputies who still hold a seat, leaders first."""
    return (
        StationAssignment.objects.filter(_active_mandate())
        .select_related("deputy")
        .order_by("-is_leader", "deputy__name", "pk")
    )


def station_public_get(
    *, token: str, today: datetime.date | None = None
) -> LiaisonStation | None:
    """An active station by its public token, for its public page.

    Four queries whatever the numbers: the station (with township and county),
    its serving deputies, and — when ``today`` is given — the generated duties of
    this month and the next (``window_duties``) with the deputies on duty.
    """
    lookups: list[Prefetch] = [
        Prefetch(
            "stationassignment_set",
            queryset=_public_assignments(),
            to_attr="public_assignments",
        )
    ]
    if today is not None:
        first, last = duty_window(today)
        lookups.append(
            Prefetch(
                "duties",
                queryset=StationDuty.objects.filter(date__range=(first, last))
                .order_by("date")
                .prefetch_related(
                    Prefetch(
                        "deputies",
                        queryset=Deputy.objects.order_by("name", "pk"),
                        to_attr="on_duty",
                    )
                ),
                to_attr="window_duties",
            )
        )
    return (
        LiaisonStation.objects.filter(public_token=token, is_active=True)
        .select_related("region", "region__parent")
        .prefetch_related(*lookups)
        .first()
    )


def deputy_public_get(*, token: str) -> Deputy | None:
    """A deputy who holds an active seat, by public token, with seats and stations.

    Three queries whatever the numbers: the deputy, the active mandates (with the
    congress's region), the active stations the deputy is grouped into.
    """
    mandates = (
        Mandate.objects.active()
        .select_related("congress_region")
        .order_by("level", "pk")
    )
    stations = (
        LiaisonStation.objects.filter(is_active=True)
        .select_related("region")
        .order_by("region__code", "name", "pk")
    )
    return (
        Deputy.objects.filter(public_token=token)
        .filter(Exists(Mandate.objects.active().filter(deputy=OuterRef("pk"))))
        .select_related("region")
        .prefetch_related(
            Prefetch("mandates", queryset=mandates, to_attr="active_mandates"),
            Prefetch("stations", queryset=stations, to_attr="active_stations"),
        )
        .first()
    )


def deputy_levels_text(deputy: Deputy) -> str:
    """``隆回县人大代表、邵阳市人大代表``: the deputy's seats, national first."""
    mandates = sorted(
        getattr(deputy, "active_mandates", []),
        key=lambda m: LEVEL_ORDER.get(m.level, 99),
    )
    return "、".join(
        _("%(region)s人大代表") % {"region": m.congress_region.name} for m in mandates
    )


def file_uri_of(image) -> str:
    """The ``file://`` address of an uploaded image on disk, or "" if there is none.

    The PDF renderer reads only local files (never the network), so a poster
    prints the photo straight from MEDIA_ROOT.
    """
    if not image:
        return ""
    try:
        path = Path(image.path)
    except (NotImplementedError, ValueError):
        return ""
    return path.as_uri() if path.is_file() else ""


def _poster_stations(*, region: Region, params: dict[str, Any]) -> list[LiaisonStation]:
    """The active stations a poster report prints: one (``station_id``) or all in
    ``region``. Three queries whatever the number."""
    stations = (
        LiaisonStation.objects.in_region(region)
        .filter(is_active=True)
        .select_related("region", "region__parent")
        .prefetch_related(
            Prefetch(
                "stationassignment_set",
                queryset=_public_assignments().prefetch_related(
                    Prefetch(
                        "deputy__mandates",
                        queryset=Mandate.objects.active().select_related(
                            "congress_region"
                        ),
                        to_attr="active_mandates",
                    )
                ),
                to_attr="public_assignments",
            )
        )
        .order_by("region__code", "kind", "name", "pk")
    )
    if params.get("station_id") is not None:
        stations = stations.filter(pk=params["station_id"])
        found = list(stations)
        if not found:
            raise ValidationError(_("所选联络站不存在、已停用或不在报表区划内。"))
        return found
    return list(stations)


def _poster_deputies(*, region: Region, params: dict[str, Any]) -> list[Deputy]:
    """The serving deputies a poster report prints: one (``deputy_id``) or all in
    ``region``. Three queries whatever the number."""
    deputies = (
        Deputy.objects.in_region(region)
        .filter(Exists(Mandate.objects.active().filter(deputy=OuterRef("pk"))))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.active().select_related("congress_region"),
                to_attr="active_mandates",
            ),
            Prefetch(
                "stations",
                queryset=LiaisonStation.objects.filter(is_active=True)
                .select_related("region")
                .order_by("region__code", "name", "pk"),
                to_attr="active_stations",
            ),
        )
        .order_by("region__code", "name", "pk")
    )
    if params.get("deputy_id") is not None:
        found = list(deputies.filter(pk=params["deputy_id"]))
        if not found:
            raise ValidationError(_("所选代表不存在、已不在任或不在报表区划内。"))
        return found
    return list(deputies)


def station_poster(station: LiaisonStation) -> dict[str, Any]:
    """What one station poster prints: name, kind, address, duty days, the grouped
    deputies with their photos, the brand note and the QR code of the public page."""
    url = station_public_url(station)
    deputies = []
    for assignment in station.public_assignments[:POSTER_DEPUTY_LIMIT]:
        deputy = assignment.deputy
        deputies.append(
            {
                "name": deputy.name,
                "is_leader": assignment.is_leader,
                "levels": deputy_levels_text(deputy),
                "photo_uri": file_uri_of(deputy.photo),
            }
        )
    township = station.region
    return {
        "name": station.name,
        "kind": station.get_kind_display(),
        "township": township.name,
        "county": township.parent.name if township.parent else "",
        "address": station.address,
        "duty_days_text": duty_days_text(station.duty_days),
        "brand_note": station.brand_note,
        "deputies": deputies,
        "more_deputies": max(len(station.public_assignments) - POSTER_DEPUTY_LIMIT, 0),
        "qr_url": url,
        "qr_svg": qr_svg_inline(url),
    }


def deputy_poster(deputy: Deputy) -> dict[str, Any]:
    """What one deputy poster prints: name, photo, seats, stations with their duty
    days and the QR code of the public page. No phone number."""
    url = deputy_public_url(deputy)
    return {
        "name": deputy.name,
        "levels": deputy_levels_text(deputy),
        "photo_uri": file_uri_of(deputy.photo),
        "stations": [
            {
                "name": s.name,
                "address": s.address,
                "region": s.region.name,
                "duty_days_text": duty_days_text(s.duty_days),
            }
            for s in deputy.active_stations
        ],
        "qr_url": url,
        "qr_svg": qr_svg_inline(url),
    }


def build_station_poster_context(
    *, region: Region, params: dict[str, Any]
) -> dict[str, Any]:
    """A4 posters, one page each: of the station named by ``station_id``, or of
    every active station in ``region`` when none is named.

    Only active stations inside ``region`` (the region the request was checked
    against) are printed, so a poster never shows another county's station.
    """
    stations = _poster_stations(region=region, params=params)
    return {
        "slogan": _("扫码找代表 · 码上找代表"),
        "posters": [station_poster(s) for s in stations],
    }


def build_deputy_poster_context(
    *, region: Region, params: dict[str, Any]
) -> dict[str, Any]:
    """A4 posters, one page each: of the deputy named by ``deputy_id``, or of every
    serving deputy in ``region`` when none is named."""
    deputies = _poster_deputies(region=region, params=params)
    return {
        "slogan": _("扫码找代表 · 码上找代表"),
        "posters": [deputy_poster(d) for d in deputies],
    }


STATION_POSTER = ReportKind(
    kind=STATION_POSTER_KIND,
    title=gettext_lazy("联络站海报"),
    template_name=STATION_POSTER_TEMPLATE,
    build_context=build_station_poster_context,
    can_request=can_request_roster,
)

DEPUTY_POSTER = ReportKind(
    kind=DEPUTY_POSTER_KIND,
    title=gettext_lazy("代表海报"),
    template_name=DEPUTY_POSTER_TEMPLATE,
    build_context=build_deputy_poster_context,
    can_request=can_request_roster,
)


# ---------------------------------------------------------------------------
# Services: ask for a poster
# ---------------------------------------------------------------------------


@transaction.atomic
def station_poster_request(
    *, station: LiaisonStation, requester: User
) -> GeneratedReport:
    """Ask for the A4 poster of one station.

    The report's region is the station's own region, so ``report_request`` refuses
    a station outside the requester's scope (county-A staff cannot print county B).
    """
    if not station.is_active:
        raise ValidationError(
            _("联络站“%(name)s”已停用,不能打印海报。") % {"name": station.name}
        )
    return report_request(
        kind=STATION_POSTER_KIND,
        params={"region_id": station.region_id, "station_id": station.pk},
        requester=requester,
    )


@transaction.atomic
def deputy_poster_request(*, deputy: Deputy, requester: User) -> GeneratedReport:
    """Ask for the A4 poster of one deputy, within the requester's scope."""
    return report_request(
        kind=DEPUTY_POSTER_KIND,
        params={"region_id": deputy.region_id, "deputy_id": deputy.pk},
        requester=requester,
    )
