"""The home page shows each role where to go; the inbox lists and marks messages."""

from __future__ import annotations

import datetime
import secrets

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.urls import reverse
from django.utils import timezone

import congress.urls
from congress.models import Notification
from congress.roles import Role
from congress.views import next_duty_dates
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory


def _token() -> str:
    # deputies' public_token default (token_urlsafe(): 43 characters) overflows its
    # max_length of 32; pass a short one until the model is fixed.
    return secrets.token_urlsafe(16)


pytestmark = pytest.mark.django_db

# 2026-03-10 09:00 in Shanghai.
MARCH_10 = datetime.datetime(2026, 3, 10, 1, 0, tzinfo=datetime.UTC)


def _notify(user, n: int, *, title: str = "提醒", read: bool = False) -> None:
    kind = "test.read" if read else "test.reminder"
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                channels=[Notification.Channel.IN_APP],
                due_date=datetime.date(2026, 3, 1) + datetime.timedelta(days=i),
                title=f"{title}{i}",
                body="请按时进站履职。",
                read_at=timezone.now() if read else None,
            )
            for i in range(n)
        ]
    )


@pytest.fixture
def deputy_user(township_a):
    user = UserFactory(
        username="deputy_a", scope_region=township_a, roles=[Role.DEPUTY]
    )
    deputy = DeputyFactory(
        public_token=_token(), name="李建国", region=township_a, user=user
    )
    MandateFactory(deputy=deputy)
    return user


def _group(deputy_user, n: int, region) -> None:
    for i in range(n):
        station = LiaisonStationFactory(
            public_token=_token(), name=f"代表联络站{i:03d}", region=region
        )
        StationAssignmentFactory(station=station, deputy=deputy_user.deputy)


# URLconfs for the reports link: with a "report-list" page and without one.
WITHOUT_REPORTS = [p for p in congress.urls.urlpatterns if str(p.pattern) != "reports/"]


class _UrlconfWithoutReports:
    urlpatterns = WITHOUT_REPORTS


urlpatterns = [
    *WITHOUT_REPORTS,
    path("reports/", lambda request: HttpResponse(), name="report-list"),
]


# --- next_duty_dates ----------------------------------------------------------


def test_next_duty_dates_on_a_duty_day_includes_today():
    """逢六进站: on the 16th the next duty days are the 16th, 26th and next 6th."""
    dates = next_duty_dates([6, 16, 26], today=datetime.date(2026, 3, 16))
    assert dates == [
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 26),
        datetime.date(2026, 4, 6),
    ]


def test_next_duty_dates_day_missing_in_month_is_skipped_not_moved():
    """A 31st duty day is skipped in months without a 31st, across the year end."""
    dates = next_duty_dates([31], today=datetime.date(2026, 11, 1), count=3)
    assert dates == [
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 31),
        datetime.date(2027, 3, 31),
    ]


def test_next_duty_dates_without_days_is_empty():
    """A station with no duty days has no next duty date (and invalid days are ignored)."""
    assert next_duty_dates([], today=datetime.date(2026, 3, 1)) == []
    assert next_duty_dates([0, 32], today=datetime.date(2026, 3, 1)) == []


# --- home ------------------------------------------------------------------------


def test_home_anonymous_is_sent_to_login(client):
    """The home page asks an anonymous visitor to sign in."""
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")), response["Location"]


def test_home_staff_sees_admin_and_notifications(client, staff_a):
    """Committee staff are sent to the admin and their messages."""
    client.force_login(staff_a)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:index") in html, "no link to the admin"
    assert reverse("notification-list") in html, "no link to the inbox"
    assert "常委会工作人员" in html, "the role is not named"
    assert 'id="deputy-portal"' not in html, "staff get no deputy portal"


def test_home_staff_sees_reports_link_when_reports_exist(client, staff_a, settings):
    """Staff and leadership get a link to the reports pages once they exist."""
    settings.ROOT_URLCONF = __name__
    client.force_login(staff_a)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("report-list")}"' in html, "no link to the reports"
    assert "报表与打印" in html


def test_home_without_reports_pages_shows_no_dead_link(client, staff_a, settings):
    """Before the reports pages exist the home page offers no link to them."""
    settings.ROOT_URLCONF = _UrlconfWithoutReports
    client.force_login(staff_a)
    html = client.get(reverse("home")).content.decode()
    assert "报表与打印" not in html, "a link to a page that does not exist"


def test_home_leadership_sees_admin_link(client, leader_a):
    """Leadership read in the admin too."""
    client.force_login(leader_a)
    html = client.get(reverse("home")).content.decode()
    assert 'id="staff-work"' in html and reverse("admin:index") in html


@time_machine.travel(MARCH_10, tick=False)
def test_home_deputy_sees_record_stations_and_next_duty_days(
    client, deputy_user, township_a
):
    """A deputy sees their record, mandate and stations with the next duty days."""
    _group(deputy_user, 1, township_a)
    client.force_login(deputy_user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李建国" in html
    assert "代表联络站000" in html
    assert "县级人大代表" in html, "the active mandate is not shown"
    for day in ("2026-03-16", "2026-03-26", "2026-04-06"):
        assert f'datetime="{day}"' in html, f"duty day {day} missing"
    assert reverse("admin:index") not in html, "a deputy is not sent to the admin"


def test_home_deputy_sees_only_active_stations(client, deputy_user, township_a):
    """A closed station is not offered as a place to go."""
    station = LiaisonStationFactory(
        public_token=_token(), name="已撤销联络站", region=township_a, is_active=False
    )
    StationAssignmentFactory(station=station, deputy=deputy_user.deputy)
    client.force_login(deputy_user)
    html = client.get(reverse("home")).content.decode()
    assert "已撤销联络站" not in html
    assert "您还没有编入联络站。" in html


def test_home_deputy_role_without_record_is_told_so(client, township_a):
    """A deputy account not yet linked to a record gets a clear notice."""
    user = UserFactory(scope_region=township_a, roles=[Role.DEPUTY])
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "您的账号还没有关联代表信息" in html


def test_home_unit_liaison_sees_their_organization(client, county_a):
    """A unit liaison sees their unit and nothing of the admin."""
    unit = OrganizationFactory(name="隆回县交通运输局", region=county_a)
    user = UserFactory(
        scope_region=county_a, organization=unit, roles=[Role.UNIT_LIAISON]
    )
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "隆回县交通运输局" in html
    assert "政府部门" in html
    assert reverse("admin:index") not in html


@time_machine.travel(MARCH_10, tick=False)
def test_home_station_manager_sees_only_their_stations(client, township_a):
    """A station manager sees the stations they manage, not another manager's."""
    manager = UserFactory(scope_region=township_a, roles=[Role.STATION_MANAGER])
    other = UserFactory(scope_region=township_a, roles=[Role.STATION_MANAGER])
    LiaisonStationFactory(
        public_token=_token(), name="桃洪镇代表之家", region=township_a, manager=manager
    )
    LiaisonStationFactory(
        public_token=_token(), name="别人的联络站", region=township_a, manager=other
    )
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert "桃洪镇代表之家" in html
    assert "别人的联络站" not in html
    assert 'datetime="2026-03-16"' in html


def test_home_expert_sees_profile_and_notifications_only(client, county_a):
    """An expert sees what exists for them (profile, messages) and nothing that pretends."""
    user = UserFactory(username="expert_a", scope_region=county_a, roles=[Role.EXPERT])
    _notify(user, 1, title="请参加执法检查")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "expert_a" in html and "隆回县" in html, "the profile is missing"
    assert "请参加执法检查0" in html, "the notification is missing"
    for absent in ('id="staff-work"', 'id="deputy-portal"', 'id="unit-portal"'):
        assert absent not in html, f"an expert should not see {absent}"


def test_home_user_without_role_is_told_to_ask(client, county_a):
    """An account without any role is told whom to ask."""
    client.force_login(UserFactory(scope_region=county_a))
    html = client.get(reverse("home")).content.decode()
    assert "您的账号尚未分配角色" in html


@time_machine.travel(MARCH_10, tick=False)
def test_home_query_count_is_the_same_at_5_and_50_rows(
    client, deputy_user, township_a, django_assert_max_num_queries
):
    """The deputy home page runs the same number of queries for 5 and for 50
    stations and notifications (no query per row)."""
    client.force_login(deputy_user)
    counts = []
    for n in (5, 50):
        Notification.objects.filter(recipient=deputy_user).delete()
        deputy_user.deputy.stations.all().delete()
        _group(deputy_user, n, township_a)
        _notify(deputy_user, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        assert f"代表联络站{n - 1:03d}" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], f"queries grow with rows: {counts}"
    # 1 session, 2 user, 3 role groups, 4 recent notifications, 5 deputy,
    # 6 active mandates (with term and regions), 7 active stations (with region),
    # 8 unread count, 9 scope region, 10-12 session save (UPDATE inside the test
    # transaction's savepoint pair); one spare for the notify selector's joins.
    with django_assert_max_num_queries(13):
        client.get(reverse("home"))


def test_home_staff_query_count_is_the_same_at_5_and_50_notifications(
    client, staff_a, django_assert_max_num_queries
):
    """Staff home: the same query count with 5 and with 50 notifications."""
    client.force_login(staff_a)
    counts = []
    for n in (5, 50):
        Notification.objects.filter(recipient=staff_a).delete()
        _notify(staff_a, n)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        counts.append(len(queries))
    assert counts[0] == counts[1], f"queries grow with rows: {counts}"
    # session, user, role groups, recent notifications, unread count, scope
    # region, session save in a savepoint pair (3); one spare for the notify selector.
    with django_assert_max_num_queries(10):
        client.get(reverse("home"))


# --- notifications ------------------------------------------------------------------


def test_notification_list_shows_only_own_with_unread_badge(client, staff_a, staff_b):
    """The inbox lists the user's messages only, with the unread count in the nav."""
    _notify(staff_a, 3, title="甲的消息")
    _notify(staff_a, 2, title="已读消息", read=True)
    _notify(staff_b, 2, title="乙的消息")
    client.force_login(staff_a)
    html = client.get(reverse("notification-list")).content.decode()
    assert "甲的消息0" in html and "已读消息0" in html
    assert "乙的消息" not in html, "another user's message leaked"
    assert '<span class="badge" title="未读消息">3</span>' in html, "badge != 3"


def test_notification_read_marks_read_and_redirects(client, staff_a):
    """Marking a message read sets its read time and returns to the inbox."""
    _notify(staff_a, 1)
    notification = Notification.objects.get(recipient=staff_a)
    client.force_login(staff_a)
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notification-list")
    notification.refresh_from_db()
    assert notification.read_at is not None, "the message is still unread"


def test_notification_read_link_goes_to_the_notification_url(client, staff_a):
    """ "查看并标记已读" marks the message read and opens its link."""
    _notify(staff_a, 1)
    notification = Notification.objects.get(recipient=staff_a)
    Notification.objects.filter(pk=notification.pk).update(url="/admin/")
    client.force_login(staff_a)
    response = client.post(
        reverse("notification-read", args=[notification.pk]), {"next": "link"}
    )
    assert response["Location"] == "/admin/"


def test_notification_read_refuses_external_redirect(client, staff_a):
    """A ``next`` to another host is ignored (no open redirect)."""
    _notify(staff_a, 1)
    notification = Notification.objects.get(recipient=staff_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("notification-read", args=[notification.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notification-list")


def test_notification_read_of_another_users_message_is_404(client, staff_a, staff_b):
    """Someone else's message looks missing and stays unread."""
    _notify(staff_b, 1)
    notification = Notification.objects.get(recipient=staff_b)
    client.force_login(staff_a)
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None, "another user's message was marked read"


def test_notification_read_refuses_get(client, staff_a):
    """Marking read changes state, so it takes POST only."""
    _notify(staff_a, 1)
    notification = Notification.objects.get(recipient=staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 405


def test_notification_list_requires_login(client):
    """The inbox asks an anonymous visitor to sign in."""
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_by_post_ends_the_session(client, staff_a):
    """The 退出 button posts to logout, which ends the session and shows the login."""
    client.force_login(staff_a)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("logout")}"' in html, "no logout form on the page"
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302, "still signed in"
