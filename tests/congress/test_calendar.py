"""The working-day calendar and the statutory deadlines (民法典 201–203)."""

import datetime

import pytest

from congress import calendar
from congress.calendar import Period
from congress.calendar import add_months
from congress.calendar import add_working_days
from congress.calendar import calendar_seed
from congress.calendar import co_unit_view_due
from congress.calendar import intersession_assignment_due
from congress.calendar import is_working_day
from congress.calendar import period_end
from congress.calendar import rehandling_due
from congress.calendar import reply_due
from congress.models import WorkCalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def seeded():
    """The 2025–2026 calendar as the data migration leaves it."""
    calendar_seed(years=(2025, 2026))


def test_calendar_seed_holidays_and_swapped_days_present():
    """国庆 2026 is seeded as named holidays and 2026-10-10 as a 调休 working day."""
    national_day = WorkCalendarDay.objects.get(date=D(2026, 10, 1))
    assert national_day.kind == WorkCalendarDay.Kind.HOLIDAY
    assert national_day.name == "国庆节"
    swapped = WorkCalendarDay.objects.get(date=D(2026, 10, 10))
    assert swapped.kind == WorkCalendarDay.Kind.WORKDAY, "2026-10-10 is a 调休 Saturday"


def test_calendar_seed_run_twice_creates_nothing_more():
    """Seeding again adds no row and keeps an administrator's edit."""
    day = WorkCalendarDay.objects.get(date=D(2026, 10, 10))
    day.name = "管理员修改"
    day.save()
    count = WorkCalendarDay.objects.count()
    assert calendar_seed(years=(2025, 2026)) == 0
    assert WorkCalendarDay.objects.count() == count
    day.refresh_from_db()
    assert day.name == "管理员修改", "the seed must not overwrite an edit"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 10, 1), False),  # 国庆节, a Thursday
        (D(2026, 10, 8), True),  # the Thursday after
        (D(2026, 10, 10), True),  # 调休 Saturday
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 9, 29), True),  # an ordinary Tuesday
    ],
)
def test_is_working_day_follows_holidays_and_swaps(day, expected):
    """Weekends rest unless swapped; holidays rest; other weekdays work."""
    assert is_working_day(day) is expected, day


def test_add_months_month_without_corresponding_day_ends_on_last_day():
    """31 January + 1 month is the last day of February (2026 is no leap year)."""
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 15), 3) == D(2026, 6, 15)


def test_reply_due_assigned_jan_31_is_april_30():
    """Assigned 2026-01-31: reply due 2026-04-30 (April has no 31st; a Thursday)."""
    assert reply_due(assigned_on=D(2026, 1, 31)) == D(2026, 4, 30)


def test_reply_due_extended_is_six_months():
    """With recorded approval the reply is due six months after assignment."""
    assert reply_due(assigned_on=D(2026, 1, 31), extended=True) == D(2026, 7, 31)


def test_reply_due_landing_on_holiday_moves_to_next_working_day():
    """Assigned 2026-07-01: three months end on 国庆 2026-10-01 → due 2026-10-08."""
    assert reply_due(assigned_on=D(2026, 7, 1)) == D(2026, 10, 8)


def test_reply_due_landing_on_sunday_moves_to_monday():
    """2026-03-11 + 3 months is Thursday 2026-06-11 and stays; 2026-01-11 + 3
    months is Saturday 2026-04-11 → due Monday 2026-04-13."""
    assert reply_due(assigned_on=D(2026, 3, 11)) == D(2026, 6, 11)
    assert reply_due(assigned_on=D(2026, 1, 11)) == D(2026, 4, 13)


def test_intersession_assignment_crosses_national_day_and_swapped_saturday():
    """From 2026-09-30, five working days skip 10-01..07 and count Saturday 10-10:
    10-08, 10-09, 10-10, 10-12, 10-13."""
    assert intersession_assignment_due(received_on=D(2026, 9, 30)) == D(2026, 10, 13)
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_add_working_days_start_day_not_counted():
    """The start day itself never counts, even when it is a working day."""
    assert add_working_days(D(2026, 9, 29), 1) == D(2026, 9, 30)
    assert add_working_days(D(2026, 9, 29), 0) == D(2026, 9, 29)


def test_co_unit_view_and_rehandling_due_one_month():
    """Co-unit views and re-handling: one month, moved past a rest day."""
    assert co_unit_view_due(assigned_on=D(2026, 5, 20)) == D(2026, 6, 22)
    assert rehandling_due(reopened_on=D(2026, 4, 15)) == D(2026, 5, 15)


def test_edited_calendar_day_changes_the_result():
    """Declaring 2026-04-30 a holiday moves the 01-31 reply to the next working day,
    and deleting the row restores it."""
    assert reply_due(assigned_on=D(2026, 1, 31)) == D(2026, 4, 30)
    day = WorkCalendarDay.objects.create(
        date=D(2026, 4, 30), kind=WorkCalendarDay.Kind.HOLIDAY, name="地方假日"
    )
    # 05-01..05 is 劳动节, 05-09 a 调休 Saturday: the next working day is 05-06.
    assert reply_due(assigned_on=D(2026, 1, 31)) == D(2026, 5, 6)
    day.delete()
    assert reply_due(assigned_on=D(2026, 1, 31)) == D(2026, 4, 30)


def test_legal_periods_setting_overrides_national_default(settings):
    """A province that gives two months for re-handling sets it in LEGAL_PERIODS."""
    settings.LEGAL_PERIODS = {"rehandling": (2, "months"), "co_unit_view": (15, "days")}
    assert rehandling_due(reopened_on=D(2026, 4, 15)) == D(2026, 6, 15)
    # 2026-05-20 + 15 days = 2026-06-04, a Thursday.
    assert co_unit_view_due(assigned_on=D(2026, 5, 20)) == D(2026, 6, 4)


def test_legal_periods_invalid_unit_rejected(settings):
    """A misspelt unit fails loudly instead of computing a wrong date."""
    settings.LEGAL_PERIODS = {"reply": (3, "month")}
    with pytest.raises(ValueError, match="reply"):
        reply_due(assigned_on=D(2026, 1, 31))


def test_calendar_reads_one_query_per_year(django_assert_max_num_queries):
    """A span within one year costs at most one query (cache generation aside)."""
    calendar.calendar_invalidate()
    reply_due(assigned_on=D(2026, 1, 31))
    with django_assert_max_num_queries(1):
        assert period_end(D(2026, 2, 1), Period(60, "working_days")) > D(2026, 4, 1)
