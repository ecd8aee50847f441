"""Public pages reached by QR codes (码上找代表): anonymous, masked, cheap, cacheable."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
import segno
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress.roles import Role
from deputies import posters
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationDuty
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory

pytestmark = pytest.mark.django_db

FULL_PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def station(township_a):
    """桃洪镇's station with two serving deputies (one leader) and one whose seat ended."""
    station = LiaisonStationFactory(
        name="桃洪镇人大代表联络站",
        region=township_a,
        address="桃洪镇人民路18号",
        contact_phone="13907391234",
        brand_note="群众身边的“连心桥”",
    )
    leader = DeputyFactory(name="李建国", region=township_a, phone="13812345678")
    MandateFactory(deputy=leader)
    member = DeputyFactory(name="张秀兰", region=township_a, phone="15973905566")
    MandateFactory(deputy=member)
    former = DeputyFactory(name="赵已卸", region=township_a, phone="18673900001")
    MandateFactory(deputy=former, status=Mandate.Status.ENDED)
    StationAssignmentFactory(station=station, deputy=leader, is_leader=True)
    StationAssignmentFactory(station=station, deputy=member)
    StationAssignmentFactory(station=station, deputy=former)
    return station


@pytest.fixture
def deputy(station):
    return station.deputies.get(name="李建国")


def _station_url(station) -> str:
    return reverse("station-public", args=[station.public_token])


def _deputy_url(deputy) -> str:
    return reverse("deputy-public", args=[deputy.public_token])


def test_station_public_page_anonymous_shows_station_duty_days_and_deputies(
    client, station
):
    """A citizen without an account sees the station, its duty days and its deputies."""
    response = client.get(_station_url(station))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    for text in (
        "桃洪镇人大代表联络站",
        "代表联络站",
        "桃洪镇人民路18号",
        "隆回县 · 桃洪镇",
        "逢六进站:每月6日、16日、26日",
        "李建国",
        "张秀兰",
        "组长",
        "群众身边的“连心桥”",
    ):
        assert text in html, f"{text!r} missing from the station page"
    assert "138****5678" in html, "the deputy's phone is shown masked"
    assert "139****1234" in html, "the station's mobile number is shown masked"


def test_station_public_page_omits_deputies_whose_seat_ended(client, station):
    """A deputy whose mandate ended is no longer listed to citizens."""
    html = client.get(_station_url(station)).content.decode()
    assert "赵已卸" not in html, "a former deputy is still listed"


def test_station_public_unknown_token_is_404(client, station):
    """A token nobody holds is a 404."""
    response = client.get(reverse("station-public", args=["no-such-token"]))
    assert response.status_code == 404, response.status_code


def test_station_public_inactive_station_is_404(client, station):
    """A station that was switched off is a 404, its QR code too."""
    LiaisonStation.objects.filter(pk=station.pk).update(is_active=False)
    assert client.get(_station_url(station)).status_code == 404
    qr = reverse("station-qr", args=[station.public_token])
    assert client.get(qr).status_code == 404


def test_deputy_public_page_anonymous_shows_name_levels_and_stations_without_phone(
    client, deputy, station, city
):
    """A deputy's page names their seats and stations and shows no phone at all."""
    MandateFactory(
        deputy=deputy,
        level=Level.CITY,
        congress_region=city,
        term=TermFactory(region=city, number=16),
    )
    response = client.get(_deputy_url(deputy))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "李建国" in html
    assert "邵阳市人大代表、隆回县人大代表" in html, "seats, higher level first"
    assert "桃洪镇人大代表联络站" in html
    assert "逢六进站" in html
    assert "5678" not in html and "****" not in html, "no phone, not even masked"
    assert reverse("station-public", args=[station.public_token]) in html, (
        "the deputy's page links to the station's page"
    )


def test_deputy_public_without_active_mandate_is_404(client, station):
    """A former deputy's code leads nowhere."""
    former = station.deputies.get(name="赵已卸")
    assert client.get(_deputy_url(former)).status_code == 404
    assert client.get(reverse("deputy-public", args=["nobody"])).status_code == 404


def test_public_pages_never_show_a_full_phone_number(client, station, township_a):
    """No public page, QR image or deputy page contains 1[3-9]\\d{9}, although every
    deputy and the station have real-looking mobile numbers."""
    user = UserFactory(
        username="deputy_phone", scope_region=township_a, roles=[Role.DEPUTY]
    )
    deputy = station.deputies.get(name="张秀兰")
    deputy.user = user
    deputy.save()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    duty = StationDuty.objects.create(
        station=station, date=tomorrow, planned_date=tomorrow
    )
    duty.deputies.set(station.deputies.all())
    anonymous_pages = [_station_url(station)] + [
        _deputy_url(d) for d in station.deputies.filter(mandates__status="active")
    ]
    anonymous_pages += [
        reverse("station-qr", args=[station.public_token]),
        reverse("deputy-qr", args=[deputy.public_token]),
    ]
    scanned = 0
    for url in anonymous_pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found = FULL_PHONE.findall(response.content.decode())
        assert not found, f"{url} shows full phone numbers {found}"
        scanned += 1
    deputy_client = Client()
    deputy_client.force_login(user)
    for url in [reverse("home"), *anonymous_pages[:2]]:
        response = deputy_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found = FULL_PHONE.findall(response.content.decode())
        assert not found, f"{url} (signed in as a deputy) shows {found}"
        scanned += 1
    assert scanned == len(anonymous_pages) + 3


@time_machine.travel(datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC))
def test_station_public_calendar_marks_duty_days_this_month_and_next(client, station):
    """The small calendar covers this month and the next with the duty days marked."""
    html = client.get(_station_url(station)).content.decode()
    marked = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})" title="进站日">', html)
    assert marked == [
        "2026-04-06",
        "2026-04-16",
        "2026-04-26",
        "2026-05-06",
        "2026-05-16",
        "2026-05-26",
    ], marked
    assert "2026年4月" in html and "2026年5月" in html
    assert 'class=" is-today"' in html, "today is outlined"


@time_machine.travel(datetime.datetime(2026, 9, 20, 9, 0, tzinfo=datetime.UTC))
def test_station_public_calendar_follows_the_generated_roster_and_names_who_is_on_duty(
    client, station
):
    """Once next month's roster exists, its dates are marked (6 October moved past
    国庆 to the 9th), and the deputies of the next duty are listed, phones masked.
    September, without a roster, still shows the station's days."""
    leader = station.deputies.get(name="李建国")
    member = station.deputies.get(name="张秀兰")
    moved = StationDuty.objects.create(
        station=station,
        date=datetime.date(2026, 10, 9),
        planned_date=datetime.date(2026, 10, 6),
        note="遇国庆假期顺延",
    )
    moved.deputies.set([leader])
    next_duty = StationDuty.objects.create(
        station=station,
        date=datetime.date(2026, 10, 16),
        planned_date=datetime.date(2026, 10, 16),
    )
    next_duty.deputies.set([member])
    html = client.get(_station_url(station)).content.decode()
    marked = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})"', html)
    assert marked == [
        "2026-09-06",
        "2026-09-16",
        "2026-09-26",
        "2026-10-09",
        "2026-10-16",
    ], marked
    assert 'title="遇国庆假期顺延"' in html
    on_duty = html[html.index('id="on-duty"') :]
    assert "10月9日进站代表" in on_duty and "李建国" in on_duty
    assert "138****5678" in on_duty
    assert not FULL_PHONE.search(html)


def test_duty_months_skip_a_day_the_month_lacks_and_cross_the_year():
    """Day 30 has no February date; December's next month is January of next year."""
    months = posters.duty_months([30], today=datetime.date(2026, 1, 15))
    assert [m.duty_dates for m in months] == [[datetime.date(2026, 1, 30)], []]
    december = posters.duty_months([6], today=datetime.date(2026, 12, 20))
    assert [(m.year, m.month) for m in december] == [(2026, 12), (2027, 1)]
    assert all(len(week) == 7 for m in december for week in m.weeks)


def test_duty_days_text_names_feng_liu_and_custom_days():
    """6/16/26 is 逢六进站; other days are listed; none is said plainly."""
    assert posters.duty_days_text([26, 6, 16]) == "逢六进站:每月6日、16日、26日"
    assert posters.duty_days_text([1, 15, "x", 40]) == "每月1日、15日"
    assert posters.duty_days_text([]) == "未设置进站日"


def _station_with(township, n: int) -> LiaisonStation:
    """A station with ``n`` deputies, all on duty on the next generated duty day."""
    station = LiaisonStationFactory(region=township)
    deputies = []
    for i in range(n):
        deputy = DeputyFactory(region=township)
        MandateFactory(deputy=deputy)
        StationAssignmentFactory(station=station, deputy=deputy, is_leader=i == 0)
        deputies.append(deputy)
    day = timezone.localdate() + datetime.timedelta(days=1)
    duty = StationDuty.objects.create(station=station, date=day, planned_date=day)
    duty.deputies.set(deputies)
    return station


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_station_public_query_count_is_the_same_for_5_and_50_deputies(
    client, township_a, django_assert_max_num_queries
):
    """The station page reads the station, its deputies, the month's duties and who
    is on duty in four queries, however many deputies there are."""
    small = _station_with(township_a, 5)
    large = _station_with(township_a, 50)
    with django_assert_max_num_queries(4):
        client.get(_station_url(small))
    with django_assert_max_num_queries(4):
        response = client.get(_station_url(large))
    html = response.content.decode()
    assert html.count("/d/") == 50, "every deputy is linked"
    assert html.count("****") == 100, "each deputy listed and on duty, masked"
    assert _query_count(client, _station_url(small)) == _query_count(
        client, _station_url(large)
    )


def test_deputy_public_query_count_is_the_same_for_5_and_50_stations(
    client, township_a, django_assert_max_num_queries
):
    """The deputy page costs three queries whether the deputy is in 5 or 50 stations."""
    counts = []
    for n in (5, 50):
        deputy = DeputyFactory(region=township_a)
        MandateFactory(deputy=deputy)
        for _i in range(n):
            StationAssignmentFactory(
                station=LiaisonStationFactory(region=township_a), deputy=deputy
            )
        with django_assert_max_num_queries(3):
            response = client.get(_deputy_url(deputy))
        assert response.content.decode().count("/s/") == n
        counts.append(_query_count(client, _deputy_url(deputy)))
    assert counts[0] == counts[1], counts


def test_public_pages_are_cacheable_and_self_contained(client, station, deputy):
    """The pages may be cached publicly, refer to no other host and need no inline
    script or style (the CSP forbids them)."""
    for url in (_station_url(station), _deputy_url(deputy)):
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control, (
            cache_control
        )
        html = response.content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), "another host"
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert "csrfmiddlewaretoken" not in html, "nothing per visitor on a cached page"


def test_public_pages_refuse_post(client, station):
    """The pages are read-only: a POST is 405."""
    assert client.post(_station_url(station)).status_code == 405


def test_station_qr_svg_encodes_the_public_address_under_site_url(
    client, settings, station
):
    """The QR image of a station encodes SITE_URL + /s/<token>/ and nothing else."""
    settings.SITE_URL = "https://rd.longhui.gov.cn"
    expected = f"https://rd.longhui.gov.cn/s/{station.public_token}/"
    with mock.patch("deputies.posters.segno.make", wraps=segno.make) as make:
        response = client.get(reverse("station-qr", args=[station.public_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.lstrip().startswith(b"<?xml"), "a standalone SVG file"
    make.assert_called_once_with(expected, error="m")


def test_deputy_qr_svg_encodes_the_public_address_under_site_url(
    client, settings, deputy
):
    """The QR image of a deputy encodes SITE_URL + /d/<token>/."""
    settings.SITE_URL = "https://rd.longhui.gov.cn"
    expected = f"https://rd.longhui.gov.cn/d/{deputy.public_token}/"
    with mock.patch("deputies.posters.segno.make", wraps=segno.make) as make:
        response = client.get(reverse("deputy-qr", args=[deputy.public_token]))
    assert response.status_code == 200
    make.assert_called_once_with(expected, error="m")


def test_station_in_another_county_is_public_too(client, township_b):
    """Public pages are not scoped: any citizen may scan any county's station."""
    other = LiaisonStationFactory(name="文昌街道代表之家", region=township_b)
    response = client.get(_station_url(other))
    assert (
        response.status_code == 200 and "文昌街道代表之家" in response.content.decode()
    )
