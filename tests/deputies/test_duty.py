"""Station duty rosters (进站排班) across holidays, and the duty-eve reminder."""

from __future__ import annotations

import datetime
import secrets
from zoneinfo import ZoneInfo

import factory
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import Notification
from congress.roles import Role
from deputies.models import HolidayRule
from deputies.models import StationDuty
from deputies.services import DUTY_EVE_KIND
from deputies.services import duty_remind_eve
from deputies.services import duty_roster_generate
from deputies.tasks import duty_remind
from deputies.tasks import duty_roster_generate_next_month
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationAssignmentFactory
from tests.factories.deputies import StationDutyFactory

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "congress.backends.UserBackend"
TOKEN = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def station_with_deputies(region, n=3, **kwargs):
    station = LiaisonStationFactory(region=region, public_token=TOKEN, **kwargs)
    deputies = [DeputyFactory(region=region, public_token=TOKEN) for _ in range(n)]
    for deputy in deputies:
        StationAssignmentFactory(station=station, deputy=deputy)
    return station, deputies


def roster(station) -> list[tuple[datetime.date, datetime.date]]:
    return list(
        StationDuty.objects.filter(station=station)
        .order_by("date")
        .values_list("planned_date", "date")
    )


# --- holidays, both station choices -----------------------------------------------


def test_roster_national_day_next_working_day_moves_to_october_8(township_a):
    """2026-10-06 is inside 国庆 (10-01..07): "next working day" moves it to 10-08."""
    station, _ = station_with_deputies(
        township_a, holiday_rule=HolidayRule.NEXT_WORKING_DAY
    )
    result = duty_roster_generate(station=station, year=2026, month=10, actor=None)

    assert roster(station) == [
        (D(2026, 10, 6), D(2026, 10, 8)),
        (D(2026, 10, 16), D(2026, 10, 16)),
        (D(2026, 10, 26), D(2026, 10, 26)),
    ], "the 6th must move past 国庆 to Thursday 10-08; 16 and 26 are working days"
    assert any("顺延至2026-10-08" in note for note in result.notes), result.notes
    moved = StationDuty.objects.get(station=station, planned_date=D(2026, 10, 6))
    assert moved.is_moved and "顺延" in moved.note


def test_roster_national_day_stay_keeps_october_6(township_a):
    """With "stay" the station receives voters on 10-06 although it is 国庆."""
    station, _ = station_with_deputies(township_a, holiday_rule=HolidayRule.STAY)
    result = duty_roster_generate(station=station, year=2026, month=10, actor=None)

    assert [date for _planned, date in roster(station)] == [
        D(2026, 10, 6),
        D(2026, 10, 16),
        D(2026, 10, 26),
    ], "a station that stays keeps its duty day on the holiday"
    assert result.notes == [], "nothing moved or skipped, nothing to report"


def test_roster_spring_festival_next_working_day_moves_to_february_24(township_a):
    """2026-02-16 is 春节 (02-15..23): it moves to Tuesday 02-24; 6 and 26 stay."""
    station, _ = station_with_deputies(township_a)
    duty_roster_generate(station=station, year=2026, month=2, actor=None)

    assert [date for _planned, date in roster(station)] == [
        D(2026, 2, 6),
        D(2026, 2, 24),
        D(2026, 2, 26),
    ]


def test_roster_spring_festival_stay_keeps_february_16(township_a):
    """With "stay" the 春节 duty day is kept on 02-16."""
    station, _ = station_with_deputies(township_a, holiday_rule=HolidayRule.STAY)
    duty_roster_generate(station=station, year=2026, month=2, actor=None)

    assert D(2026, 2, 16) in [date for _planned, date in roster(station)]


def test_roster_weekend_moves_to_swapped_working_sunday(township_a):
    """Saturday 2026-09-19 moves to Sunday 09-20, a 调休 working day; Saturday 09-26
    (中秋) moves to Monday 09-28."""
    station, _ = station_with_deputies(township_a, duty_days=[19, 26])
    duty_roster_generate(station=station, year=2026, month=9, actor=None)

    assert roster(station) == [
        (D(2026, 9, 19), D(2026, 9, 20)),
        (D(2026, 9, 26), D(2026, 9, 28)),
    ], "the next working day after Saturday 09-19 is the 调休 Sunday 09-20"


def test_roster_weekend_stay_keeps_saturday(township_a):
    """With "stay" Saturday duty days stay on Saturday."""
    station, _ = station_with_deputies(
        township_a, duty_days=[19, 26], holiday_rule=HolidayRule.STAY
    )
    duty_roster_generate(station=station, year=2026, month=9, actor=None)

    assert [date for _planned, date in roster(station)] == [
        D(2026, 9, 19),
        D(2026, 9, 26),
    ]


def test_roster_two_days_moving_to_same_working_day_make_one_duty(township_a):
    """10-03 and 10-04 both move to 10-08: one duty that day, not a constraint error."""
    station, _ = station_with_deputies(township_a, duty_days=[3, 4])
    result = duty_roster_generate(station=station, year=2026, month=10, actor=None)

    assert [date for _planned, date in roster(station)] == [D(2026, 10, 8)]
    assert result.kept == [D(2026, 10, 8)], "the second planned day is merged"


def test_roster_day_31_in_30_day_month_is_skipped_and_said(township_a):
    """September has no 31st: that duty day is skipped with a note; 26 in February
    is an ordinary day."""
    station, _ = station_with_deputies(
        township_a, duty_days=[6, 31], holiday_rule=HolidayRule.STAY
    )
    result = duty_roster_generate(station=station, year=2026, month=9, actor=None)

    assert [date for _planned, date in roster(station)] == [D(2026, 9, 6)]
    assert result.skipped_days == [31]
    assert result.notes == ["2026年9月没有31日,该进站日已跳过。"], result.notes


def test_roster_day_moved_into_next_month_is_not_duplicated(township_a):
    """Saturday 2026-01-31 moves to Monday 02-02; generating February with a duty day
    on the 2nd keeps that one duty."""
    station, _ = station_with_deputies(township_a, duty_days=[2, 31])
    duty_roster_generate(station=station, year=2026, month=1, actor=None)
    result = duty_roster_generate(station=station, year=2026, month=2, actor=None)

    assert StationDuty.objects.filter(station=station, date=D(2026, 2, 2)).count() == 1
    assert D(2026, 2, 2) in result.kept


# --- idempotency, deputies, queries ------------------------------------------------


def test_roster_generate_twice_changes_nothing(township_a):
    """The second run creates nothing and keeps every row and its deputies."""
    station, deputies = station_with_deputies(township_a)
    first = duty_roster_generate(station=station, year=2026, month=10, actor=None)
    before = {
        duty.pk: (duty.date, sorted(d.pk for d in duty.deputies.all()))
        for duty in StationDuty.objects.filter(station=station)
    }
    second = duty_roster_generate(station=station, year=2026, month=10, actor=None)
    after = {
        duty.pk: (duty.date, sorted(d.pk for d in duty.deputies.all()))
        for duty in StationDuty.objects.filter(station=station)
    }

    assert len(first.created) == 3
    assert second.created == [], "a second run must add nothing"
    assert before == after, "a second run must not change the rows or deputies"


def test_roster_generate_again_keeps_edited_day(township_a):
    """A day already generated and edited by staff survives the next run."""
    station, deputies = station_with_deputies(township_a)
    duty_roster_generate(station=station, year=2026, month=10, actor=None)
    duty = StationDuty.objects.get(station=station, date=D(2026, 10, 16))
    duty.deputies.set(deputies[:1])

    duty_roster_generate(station=station, year=2026, month=10, actor=None)

    assert list(duty.deputies.all()) == deputies[:1], "the staff edit was undone"


def test_roster_schedules_the_station_grouped_deputies_only(township_a):
    """Only the deputies grouped into the station (编组) are scheduled."""
    station, grouped = station_with_deputies(township_a, n=3)
    other_station, others = station_with_deputies(township_a, n=2)
    DeputyFactory(region=township_a, public_token=TOKEN)  # grouped nowhere

    duty_roster_generate(station=station, year=2026, month=10, actor=None)

    for duty in StationDuty.objects.filter(station=station):
        assert set(duty.deputies.all()) == set(grouped), duty
    assert not StationDuty.objects.filter(station=other_station).exists()


def test_roster_generate_query_count_does_not_grow_with_deputies(township_a):
    """Generating for 5 or for 50 deputies costs the same number of queries."""
    warm, _ = station_with_deputies(township_a, n=1)
    duty_roster_generate(station=warm, year=2026, month=10, actor=None)  # calendar
    small, _ = station_with_deputies(township_a, n=5)
    large, _ = station_with_deputies(township_a, n=50)

    with CaptureQueriesContext(connection) as with_5:
        duty_roster_generate(station=small, year=2026, month=10, actor=None)
    with CaptureQueriesContext(connection) as with_50:
        duty_roster_generate(station=large, year=2026, month=10, actor=None)

    assert len(with_5) == len(with_50), "the generator does a query per deputy"
    # Savepoint, station lock, existing days, duties, assignments, deputies, audit,
    # release; plus at most one calendar lookup per duty day (after a calendar edit).
    assert len(with_50) <= 11, [q["sql"][:80] for q in with_50.captured_queries]
    assert (
        StationDuty.deputies.through.objects.filter(stationduty__station=large).count()
        == 150
    )


def test_roster_generation_is_audited(township_a, staff_a):
    """Generating a roster is a state change in the audit log, with the actor."""
    from congress.models import AuditEvent

    station, _ = station_with_deputies(township_a)
    duty_roster_generate(station=station, year=2026, month=10, actor=staff_a)

    event = AuditEvent.objects.get(detail__transition="duty_roster_generate")
    assert event.user == staff_a
    assert event.object_id == str(station.pk)
    assert event.detail["dates"] == ["2026-10-08", "2026-10-16", "2026-10-26"]


def test_generate_next_month_task_covers_active_stations_only(township_a):
    """The monthly job generates next month for active stations; twice is once."""
    active, _ = station_with_deputies(township_a)
    inactive, _ = station_with_deputies(township_a, is_active=False)

    with time_machine.travel(shanghai(2026, 9, 20, 10, 0), tick=False):
        first = duty_roster_generate_next_month.delay().get()
        second = duty_roster_generate_next_month()

    assert first == 3, "October's three duty days of the active station"
    assert second == 0, "the second run created duties again"

    assert [date for _planned, date in roster(active)] == [
        D(2026, 10, 8),
        D(2026, 10, 16),
        D(2026, 10, 26),
    ]
    assert not StationDuty.objects.filter(station=inactive).exists()


# --- the duty-eve reminder ---------------------------------------------------------


@pytest.fixture
def duty_tomorrow(township_a, county_a):
    """A duty on 2026-10-16 with two deputies who have accounts and one who has not."""
    station = LiaisonStationFactory(
        name="桃洪镇代表联络站", region=township_a, public_token=TOKEN
    )
    with_accounts = []
    for i in range(2):
        user = UserFactory(
            username=f"deputy_{i}",
            email=f"deputy{i}@example.cn",
            scope_region=county_a,
            roles=[Role.DEPUTY],
        )
        with_accounts.append(
            DeputyFactory(region=township_a, user=user, public_token=TOKEN)
        )
    without = DeputyFactory(region=township_a, public_token=TOKEN)
    duty = StationDutyFactory(
        station=station, date=D(2026, 10, 16), deputies=[*with_accounts, without]
    )
    return duty, with_accounts


def test_duty_remind_run_twice_sends_once(
    duty_tomorrow, django_capture_on_commit_callbacks
):
    """The eve-of-duty job run twice: one notification and one e-mail per deputy."""
    duty, deputies = duty_tomorrow
    with time_machine.travel(shanghai(2026, 10, 15, 9, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = duty_remind()
        with django_capture_on_commit_callbacks(execute=True):
            second = duty_remind()

    assert (first, second) == (2, 0), "the second run must create nothing"
    notifications = Notification.objects.filter(kind=DUTY_EVE_KIND)
    assert notifications.count() == 2
    assert {n.recipient_id for n in notifications} == {d.user_id for d in deputies}
    duty_type = ContentType.objects.get_for_model(StationDuty)
    for notification in notifications:
        assert notification.content_type == duty_type
        assert notification.object_id == duty.pk
        assert notification.due_date == D(2026, 10, 15)
        assert notification.sent_at is not None, "the delivery did not run"
        assert "10月16日" in notification.title and "桃洪镇代表联络站" in (
            notification.title
        )
    assert len(mail.outbox) == 2, [m.to for m in mail.outbox]


def test_duty_remind_only_the_day_before(duty_tomorrow):
    """Two days before, and on the day itself, nobody is reminded."""
    assert duty_remind_eve(today=D(2026, 10, 14)) == 0
    assert duty_remind_eve(today=D(2026, 10, 16)) == 0
    assert not Notification.objects.filter(kind=DUTY_EVE_KIND).exists()


def test_duty_remind_skips_inactive_accounts_and_stations(duty_tomorrow):
    """An inactive account gets nothing; an inactive station reminds nobody."""
    duty, deputies = duty_tomorrow
    deputies[0].user.is_active = False
    deputies[0].user.save()

    assert duty_remind_eve(today=D(2026, 10, 15)) == 1

    duty.station.is_active = False
    duty.station.save()
    Notification.objects.all().delete()
    assert duty_remind_eve(today=D(2026, 10, 15)) == 0


# --- the admin: scope and the action -------------------------------------------------


@pytest.fixture
def duties_a_and_b(township_a, township_b):
    duty_a = StationDutyFactory(
        station=LiaisonStationFactory(
            name="隆回甲站", region=township_a, public_token=TOKEN
        ),
        date=D(2026, 10, 16),
    )
    duty_b = StationDutyFactory(
        station=LiaisonStationFactory(
            name="洞口乙站", region=township_b, public_token=TOKEN
        ),
        date=D(2026, 10, 16),
    )
    return duty_a, duty_b


def test_admin_duty_changelist_shows_only_own_county(client, staff_a, duties_a_and_b):
    """County A staff see county A's duties and nothing of county B."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:deputies_stationduty_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "隆回甲站" in content
    assert "洞口乙站" not in content, "county B's duty leaked into county A's list"


def test_admin_duty_of_other_county_is_404(client, staff_a, duties_a_and_b):
    """The change form of another county's duty answers 404, not 403."""
    _duty_a, duty_b = duties_a_and_b
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.get(
        reverse("admin:deputies_stationduty_change", args=[duty_b.pk])
    )
    assert response.status_code == 404


def test_admin_duty_change_form_in_scope_opens(client, staff_a, duties_a_and_b):
    """A duty of one's own county opens, with the deputies autocomplete."""
    duty_a, _duty_b = duties_a_and_b
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.get(
        reverse("admin:deputies_stationduty_change", args=[duty_a.pk])
    )
    assert response.status_code == 200
    assert "admin-autocomplete" in response.content.decode()


def test_duty_rules_follow_scope(staff_a, staff_b, leader_a, duties_a_and_b):
    """Object permissions on duties follow the station's county."""
    duty_a, duty_b = duties_a_and_b
    assert staff_a.has_perm("deputies.change_stationduty", duty_a)
    assert not staff_a.has_perm("deputies.view_stationduty", duty_b), "scope leak"
    assert staff_b.has_perm("deputies.view_stationduty", duty_b)
    assert leader_a.has_perm("deputies.view_stationduty", duty_a)
    assert not leader_a.has_perm("deputies.change_stationduty", duty_a)


def test_admin_station_action_generates_next_month(client, staff_a, township_a):
    """ "生成下月排班" on the station list generates next month's duties."""
    station, _ = station_with_deputies(township_a)
    client.force_login(staff_a, backend=MODEL_BACKEND)
    with time_machine.travel(shanghai(2026, 9, 21, 10, 0), tick=False):
        response = client.post(
            reverse("admin:deputies_liaisonstation_changelist"),
            {
                "action": "generate_next_month_roster",
                "_selected_action": [station.pk],
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "已生成2026年10月排班:新增3个进站日" in response.content.decode()
    assert [date for _planned, date in roster(station)] == [
        D(2026, 10, 8),
        D(2026, 10, 16),
        D(2026, 10, 26),
    ]


def test_admin_duty_action_generates_for_stations_of_selected(
    client, staff_a, duties_a_and_b
):
    """The same action on the duty list generates for the selected duties' stations."""
    duty_a, _duty_b = duties_a_and_b
    client.force_login(staff_a, backend=MODEL_BACKEND)
    with time_machine.travel(shanghai(2026, 9, 21, 10, 0), tick=False):
        client.post(
            reverse("admin:deputies_stationduty_changelist"),
            {"action": "generate_next_month_roster", "_selected_action": [duty_a.pk]},
        )
    assert StationDuty.objects.filter(station=duty_a.station).count() == 3, (
        "10-16 existed already; 10-08 and 10-26 were to be added"
    )


def test_admin_duty_action_hidden_from_leadership(client, leader_a, duties_a_and_b):
    """Leadership reads rosters but may not generate them."""
    client.force_login(leader_a, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:deputies_stationduty_changelist"))
    assert response.status_code == 200
    assert "generate_next_month_roster" not in response.content.decode()


def test_admin_duty_changelist_queries_do_not_grow_with_rows(
    client, staff_a, township_a
):
    """The duty changelist makes as many queries for 50 rows as for 5 (no N+1)."""
    station, _ = station_with_deputies(township_a, n=3)
    client.force_login(staff_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_stationduty_changelist")

    def queries_for(rows: int) -> int:
        StationDuty.objects.all().delete()
        for i in range(rows):
            StationDutyFactory(
                station=station, date=D(2026, 1, 1) + datetime.timedelta(days=i)
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(50)
