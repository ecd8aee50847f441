"""The working-day calendar and the statutory deadlines of the suggestions work.

Counting follows 《中华人民共和国民法典》第二百零一条至第二百零三条:

- the day a period starts (the assignment, the reply) is not counted;
- a period in months ends on the corresponding day of the last month, or on that
  month's last day when it has no such day (2026-01-31 + 3 months → 2026-04-30);
- when the last day is a statutory holiday or a rest day, the period ends on the
  next working day.

A day is a working day when it is Monday–Friday and not a ``WorkCalendarDay``
holiday, or when ``WorkCalendarDay`` marks it a swapped working day (调休上班日).
The periods themselves are settings (``LEGAL_PERIODS``, see ``legal_periods``)
because provinces differ.

``WorkCalendarDay`` is read one year at a time and kept in the process; saving or
deleting a row bumps a generation number in the Django cache, so every process
that shares the cache reloads on its next lookup.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.dispatch import receiver

from congress.models import WorkCalendarDay

# ---------------------------------------------------------------------------
# The statutory periods — the ONE place they live.
#
# National rule (the defaults):
# - 《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》(as amended), the
#   article on deputies' suggestions, criticisms and opinions: the bodies that
#   handle them must study them and reply; the handling rules below set the time.
# - 《全国人民代表大会代表建议、批评和意见处理办法》(as amended): a reply within three
#   months of assignment, at most six months for matters that need longer and are
#   approved; a co-handling unit sends its view to the lead unit within one month;
#   a suggestion the deputy is not satisfied with is handled again and answered
#   within one month. Local congresses adopt these figures in their own rules.
# - Assignment during the intersession within five working days of receipt is a
#   common local rule, not a national figure; it is the default because the seed's
#   counties use it.
# - A unit that thinks a suggestion is not its business states its reason and asks
#   for reassignment within seven working days of the assignment. This is a local
#   rule (the county and city 代表建议办理办法 of the seed's region), not a national
#   figure; deployments whose rule differs set LEGAL_PERIODS["reassignment_request"].
# Provinces that differ (some give two months for re-handling, fifteen days for a
# co-unit's view) set LEGAL_PERIODS in the deployment's settings; each entry is
# (count, unit) with unit "months", "days" (calendar days) or "working_days".
# ---------------------------------------------------------------------------
DEFAULT_LEGAL_PERIODS: dict[str, tuple[int, str]] = {
    "reply": (3, "months"),
    "reply_extended": (6, "months"),
    "co_unit_view": (1, "months"),
    "rehandling": (1, "months"),
    "intersession_assignment": (5, "working_days"),
    "reassignment_request": (7, "working_days"),
}
PERIOD_UNITS = frozenset({"months", "days", "working_days"})

# The years the data migration and seed_demo load from ``chinese-calendar``.
DEFAULT_SEED_YEARS = (2025, 2026)

_GENERATION_KEY = "congress:work-calendar:generation"
_local = threading.local()  # .dirty: this thread changed the calendar
_lock = threading.Lock()
_years: dict[int, tuple[int, dict[datetime.date, str]]] = {}


@dataclass(frozen=True)
class Period:
    count: int
    unit: str


def legal_periods() -> dict[str, Period]:
    """The deployment's periods: ``settings.LEGAL_PERIODS`` over the national defaults."""
    merged = {**DEFAULT_LEGAL_PERIODS, **getattr(settings, "LEGAL_PERIODS", {})}
    periods = {}
    for name, (count, unit) in merged.items():
        if unit not in PERIOD_UNITS or int(count) < 0:
            raise ValueError(f"LEGAL_PERIODS[{name!r}] = {(count, unit)!r} is invalid")
        periods[name] = Period(int(count), unit)
    return periods


# ---------------------------------------------------------------------------
# The calendar itself.
# ---------------------------------------------------------------------------


def _generation() -> int:
    return cache.get(_GENERATION_KEY, 0)


def calendar_invalidate() -> None:
    """Forget the loaded years here and, through the shared cache, everywhere."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)
    with _lock:
        _years.clear()


def _year(year: int) -> dict[datetime.date, str]:
    """The exceptions of one year ({date: kind}), one query per year and generation.

    Inside a transaction that has changed the calendar nothing is cached: the
    change may still be rolled back. Once that transaction is over, the first
    lookup forgets what this thread loaded before.
    """
    query = WorkCalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    if getattr(_local, "dirty", False):
        if transaction.get_connection().in_atomic_block:
            return dict(query)
        _local.dirty = False
        with _lock:
            _years.clear()
    generation = _generation()
    cached = _years.get(year)
    if cached is not None and cached[0] == generation:
        return cached[1]
    days = dict(query)
    with _lock:
        _years[year] = (generation, days)
    return days


class _Days:
    """The calendar as one computation sees it: each year looked up once."""

    def __init__(self) -> None:
        self._loaded: dict[int, dict[datetime.date, str]] = {}

    def is_working(self, day: datetime.date) -> bool:
        year = self._loaded.get(day.year)
        if year is None:
            year = self._loaded[day.year] = _year(day.year)
        kind = year.get(day)
        if kind == WorkCalendarDay.Kind.WORKDAY:
            return True
        if kind == WorkCalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    """True on a working day: Monday–Friday unless a holiday, or a 调休 working day."""
    return _Days().is_working(day)


def next_working_day(
    day: datetime.date, *, _days: _Days | None = None
) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    days = _days or _Days()
    while not days.is_working(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    days = _Days()
    day = start
    while n:
        day += datetime.timedelta(days=1)
        if days.is_working(day):
            n -= 1
    return day


def add_months(start: datetime.date, n: int) -> datetime.date:
    """The corresponding day ``n`` months later, or that month's last day."""
    months = start.year * 12 + start.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    last = std_calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(start.day, last))


def period_end(start: datetime.date, period: Period) -> datetime.date:
    """The last day of ``period`` counted from ``start`` under 民法典 201–203."""
    if period.unit == "working_days":
        return add_working_days(start, period.count)
    if period.unit == "months":
        end = add_months(start, period.count)
    else:
        end = start + datetime.timedelta(days=period.count)
    return next_working_day(end)


def deadline(name: str, start: datetime.date) -> datetime.date:
    """The deadline of the named statutory period (a key of ``legal_periods()``)."""
    periods = legal_periods()
    if name not in periods:
        raise KeyError(f"unknown legal period {name!r}; known: {sorted(periods)}")
    return period_end(start, periods[name])


def reply_due(*, assigned_on: datetime.date, extended: bool = False) -> datetime.date:
    """Reply due date: three months from assignment, six with recorded approval."""
    return deadline("reply_extended" if extended else "reply", assigned_on)


def co_unit_view_due(*, assigned_on: datetime.date) -> datetime.date:
    """When a co-handling unit's view must reach the lead unit."""
    return deadline("co_unit_view", assigned_on)


def rehandling_due(*, reopened_on: datetime.date) -> datetime.date:
    """When a suggestion handled again after an unsatisfied deputy must be answered."""
    return deadline("rehandling", reopened_on)


def intersession_assignment_due(*, received_on: datetime.date) -> datetime.date:
    """When a suggestion received during the intersession must be assigned."""
    return deadline("intersession_assignment", received_on)


def reassignment_request_due(*, assigned_on: datetime.date) -> datetime.date:
    """The last day a unit may ask for a suggestion to be reassigned."""
    return deadline("reassignment_request", assigned_on)


# ---------------------------------------------------------------------------
# Seeding from chinese-calendar.
# ---------------------------------------------------------------------------

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def calendar_source_days(
    *, years: Iterable[int]
) -> list[tuple[datetime.date, str, str]]:
    """(date, kind, Chinese name) from ``chinese-calendar`` for the given years.

    Holidays that fall on a weekend are kept too: they are rest days either way,
    and a name on them shows why in the admin.
    """
    import chinese_calendar

    wanted = set(years)
    rows = []
    for source, kind in (
        (chinese_calendar.holidays, WorkCalendarDay.Kind.HOLIDAY),
        (chinese_calendar.workdays, WorkCalendarDay.Kind.WORKDAY),
    ):
        for day, english in source.items():
            if day.year not in wanted:
                continue
            if kind == WorkCalendarDay.Kind.WORKDAY and day.weekday() < 5:
                continue  # an ordinary working day: nothing to record
            rows.append((day, str(kind), HOLIDAY_NAMES.get(english, english)))
    return sorted(rows)


def calendar_seed_into(model, *, years: Iterable[int]) -> int:
    """Create the missing days of ``years`` in ``model``; return how many were created.

    Days already present are left as they are: an administrator's edit wins over
    the package. Used by the data migration (with the historical model) and by
    ``calendar_seed``.
    """
    rows = calendar_source_days(years=years)
    present = set(
        model.objects.filter(date__in=[d for d, _k, _n in rows]).values_list(
            "date", flat=True
        )
    )
    new = [
        model(date=d, kind=kind, name=name)
        for d, kind, name in rows
        if d not in present
    ]
    model.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def calendar_seed(*, years: Iterable[int] = DEFAULT_SEED_YEARS) -> int:
    """Seed ``WorkCalendarDay`` for ``years`` from ``chinese-calendar``; idempotent."""
    created = calendar_seed_into(WorkCalendarDay, years=years)
    if created:
        _work_calendar_changed(WorkCalendarDay)  # bulk_create sends no signals
    return created


@receiver(post_save, sender=WorkCalendarDay, dispatch_uid="work_calendar_saved")
@receiver(post_delete, sender=WorkCalendarDay, dispatch_uid="work_calendar_deleted")
def _work_calendar_changed(sender, **kwargs) -> None:
    """An edit in the admin: this thread stops caching until its transaction ends,
    and every process reloads once it is committed."""
    _local.dirty = True
    with _lock:
        _years.clear()
    transaction.on_commit(_committed)


def _committed() -> None:
    _local.dirty = False
    calendar_invalidate()
