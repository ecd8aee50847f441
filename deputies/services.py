"""Services of the deputies app: station duty rosters (进站排班) and the 九有 checklist.

Every service is keyword-only and atomic. Rosters are generated month by month
and idempotently: a duty day already generated is kept as it is (an edited list
of deputies survives a second run), and only the missing days are added.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime
from dataclasses import dataclass
from dataclasses import field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from congress import audit
from congress.calendar import next_working_day
from congress.models import User
from congress.notify import notification_schedule
from deputies.models import ChecklistItem
from deputies.models import HolidayRule
from deputies.models import LiaisonStation
from deputies.models import StationAssignment
from deputies.models import StationChecklistEntry
from deputies.models import StationDuty

DUTY_EVE_KIND = "station_duty_eve"


# ---------------------------------------------------------------------------
# Duty rosters.
# ---------------------------------------------------------------------------


@dataclass
class RosterResult:
    """What one run of ``duty_roster_generate`` did, with Chinese notes for the user."""

    station: LiaisonStation
    year: int
    month: int
    created: list[StationDuty] = field(default_factory=list)
    kept: list[datetime.date] = field(default_factory=list)
    skipped_days: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def duty_dates_for_month(
    *, duty_days: list[int], holiday_rule: str, year: int, month: int
) -> tuple[list[tuple[datetime.date, datetime.date]], list[int]]:
    """The (planned, actual) dates of a month's duty days, and the days it lacks.

    A duty day beyond the month's length (the 31st in a 30-day month) is skipped and
    returned in the second list. With ``HolidayRule.NEXT_WORKING_DAY`` a planned day
    that is not a working day (statutory holiday or weekend rest day, counting 调休)
    moves to the next working day; with ``HolidayRule.STAY`` it stays.
    """
    last = std_calendar.monthrange(year, month)[1]
    pairs: list[tuple[datetime.date, datetime.date]] = []
    skipped: list[int] = []
    for day in sorted({int(d) for d in duty_days}):
        if day < 1 or day > last:
            skipped.append(day)
            continue
        planned = datetime.date(year, month, day)
        actual = planned
        if holiday_rule == HolidayRule.NEXT_WORKING_DAY:
            actual = next_working_day(planned)  # the day itself when working
        pairs.append((planned, actual))
    return pairs, skipped


@transaction.atomic
def duty_roster_generate(
    *, station: LiaisonStation, year: int, month: int, actor: User | None
) -> RosterResult:
    """Generate a station's duty days for one month and schedule its grouped deputies.

    Idempotent: a planned day already generated (or whose date is already taken)
    is kept unchanged, so running twice changes nothing; the station row is locked
    so two runs at once do not collide. Two planned days that move
    to the same working day become one duty. The number of queries does not grow
    with the number of deputies or days.
    """
    if not 1 <= month <= 12:
        raise ValidationError(_("月份应为1至12。"))
    result = RosterResult(station=station, year=year, month=month)
    pairs, result.skipped_days = duty_dates_for_month(
        duty_days=station.duty_days or [],
        holiday_rule=station.holiday_rule,
        year=year,
        month=month,
    )
    for day in result.skipped_days:
        result.notes.append(
            _("%(year)s年%(month)s月没有%(day)s日,该进站日已跳过。")
            % {"year": year, "month": month, "day": day}
        )
    if not pairs:
        return result

    # One generator per station at a time: the beat job and an admin action that
    # race would otherwise both insert the same day.
    list(LiaisonStation.objects.select_for_update().filter(pk=station.pk).values("pk"))
    month_start = datetime.date(year, month, 1)
    month_end = datetime.date(year, month, std_calendar.monthrange(year, month)[1])
    last_actual = max(actual for _planned, actual in pairs)
    existing = list(
        StationDuty.objects.filter(station=station)
        .filter(
            Q(planned_date__range=(month_start, month_end))
            | Q(date__range=(month_start, last_actual))
        )
        .order_by()
        .values_list("planned_date", "date")
    )
    taken_planned = {planned for planned, _date in existing}
    taken_dates = {date for _planned, date in existing}

    new: list[StationDuty] = []
    for planned, actual in pairs:
        if planned in taken_planned or actual in taken_dates:
            result.kept.append(actual)
            continue
        note = ""
        if actual != planned:
            note = _("原定%(planned)s遇节假日或休息日,顺延至%(actual)s。") % {
                "planned": f"{planned:%Y-%m-%d}",
                "actual": f"{actual:%Y-%m-%d}",
            }
            result.notes.append(note)
        taken_dates.add(actual)
        taken_planned.add(planned)
        new.append(
            StationDuty(station=station, date=actual, planned_date=planned, note=note)
        )
    if not new:
        return result

    StationDuty.objects.bulk_create(new)
    if any(duty.pk is None for duty in new):
        # Backends that return no ids from bulk_create (none we deploy on).
        by_date = dict(
            StationDuty.objects.filter(
                station=station, date__in=[d.date for d in new]
            ).values_list("date", "pk")
        )
        for duty in new:
            duty.pk = by_date[duty.date]
    deputy_ids = list(
        StationAssignment.objects.filter(station=station)
        .order_by("deputy_id")
        .values_list("deputy_id", flat=True)
    )
    Through = StationDuty.deputies.through
    Through.objects.bulk_create(
        [
            Through(stationduty_id=duty.pk, deputy_id=deputy_id)
            for duty in new
            for deputy_id in deputy_ids
        ]
    )
    result.created = new
    audit.state_change_event(
        user=actor,
        obj=station,
        transition="duty_roster_generate",
        detail={
            "year": year,
            "month": month,
            "dates": [f"{d.date:%Y-%m-%d}" for d in new],
            "deputies": len(deputy_ids),
        },
    )
    return result


def next_month(today: datetime.date) -> tuple[int, int]:
    """(year, month) of the month after ``today``."""
    if today.month == 12:
        return today.year + 1, 1
    return today.year, today.month + 1


def duty_roster_generate_all(
    *, year: int, month: int, actor: User | None = None
) -> list[RosterResult]:
    """Generate one month's roster for every active station (one transaction each)."""
    stations = LiaisonStation.objects.filter(is_active=True).order_by("pk")
    return [
        duty_roster_generate(station=station, year=year, month=month, actor=actor)
        for station in stations.iterator(chunk_size=200)
    ]


# ---------------------------------------------------------------------------
# Duty-eve reminders.
# ---------------------------------------------------------------------------


def duty_list_on(*, day: datetime.date):
    """Selector: the duties of active stations on ``day``, deputies and users loaded."""
    return (
        StationDuty.objects.filter(date=day, station__is_active=True)
        .select_related("station")
        .prefetch_related("deputies__user")
        .order_by("station_id")
    )


@transaction.atomic
def duty_remind_eve(*, today: datetime.date) -> int:
    """Remind every scheduled deputy with an active account, the day before a duty.

    One notification per (duty, deputy user) through ``notification_schedule``:
    a second run the same day creates and sends nothing. Returns how many were new.
    """
    tomorrow = today + datetime.timedelta(days=1)
    created = 0
    for duty in duty_list_on(day=tomorrow):
        station = duty.station
        for deputy in duty.deputies.all():
            user = deputy.user
            if user is None or not user.is_active:
                continue
            title = _("明天(%(date)s)是您在%(station)s的进站日") % {
                "date": f"{duty.date:%m月%d日}",
                "station": station.name,
            }
            body = _("进站地点:%(address)s。请按时进站接待选民。") % {
                "address": station.address or station.name
            }
            _notification, was_created = notification_schedule(
                recipient=user,
                kind=DUTY_EVE_KIND,
                obj=duty,
                due_date=today,
                title=title,
                body=body,
            )
            created += int(was_created)
    return created


# ---------------------------------------------------------------------------
# The 九有 checklist.
# ---------------------------------------------------------------------------


@transaction.atomic
def checklist_entry_record(
    *,
    station: LiaisonStation,
    item: ChecklistItem,
    met: bool,
    evidence: str = "",
    checked_on: datetime.date,
    actor: User | None,
    evidence_file: UploadedFile | None = None,
) -> StationChecklistEntry:
    """Record (or update) a station's standing on one 九有 item.

    A met item needs evidence (a description or a file); the check date may not be
    in the future; a disabled item takes no new entries. One entry per station and
    item: recording again updates it (the history keeps the earlier versions).
    """
    evidence = (evidence or "").strip()
    entry = (
        StationChecklistEntry.objects.select_for_update()
        .filter(station=station, item=item)
        .first()
    )
    if entry is None and not item.is_active:
        raise ValidationError(_("“%(item)s”已停用,不能再登记。") % {"item": item.name})
    if entry is None:
        entry = StationChecklistEntry(station=station, item=item)
    entry.met = met
    entry.evidence = evidence
    entry.checked_on = checked_on
    entry.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    if evidence_file:
        entry.evidence_file = evidence_file
    # The model's clean(): a met item needs evidence; no check date in the future.
    entry.full_clean(validate_unique=False)
    entry.save()
    return entry


def checklist_for_station(
    *, station: LiaisonStation
) -> list[tuple[ChecklistItem, StationChecklistEntry | None]]:
    """Selector: every active item in order with the station's entry (or None)."""
    entries = {
        e.item_id: e for e in StationChecklistEntry.objects.filter(station=station)
    }
    return [
        (item, entries.get(item.pk))
        for item in ChecklistItem.objects.filter(is_active=True).order_by("order", "pk")
    ]
