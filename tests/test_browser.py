"""Signing in on a phone: headless Chromium at 360 × 740 through the login form.

The pages must work on a 360 px wide phone without horizontal scrolling, and load
nothing from another host (county intranets have no internet).
"""

from __future__ import annotations

import datetime
import secrets
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from congress.roles import Role
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory


def _token() -> str:
    # deputies' public_token default (token_urlsafe(): 43 characters) overflows its
    # max_length of 32; pass a short one until the model is fixed.
    return secrets.token_urlsafe(16)


PASSWORD = "correct-horse-battery"  # the UserFactory password


@pytest.fixture
def deputy_user(township_a):
    """A county deputy of 隆回县 grouped into one station that meets on the 6th, 16th, 26th."""
    user = UserFactory(
        username="deputy_a",
        last_name="王",
        first_name="秀英",
        scope_region=township_a,
        roles=[Role.DEPUTY],
    )
    deputy = DeputyFactory(
        public_token=_token(), name="王秀英", region=township_a, user=user
    )
    MandateFactory(deputy=deputy)
    station = LiaisonStationFactory(
        public_token=_token(), name="桃洪镇代表联络站", region=township_a
    )
    StationAssignmentFactory(station=station, deputy=deputy)
    return user


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('home')}")
    # Not signed in: the home page sends the visitor to the login form.
    assert "/accounts/login/" in page.url, page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{reverse('home')}")


def _assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: scrollWidth {width} > 360"


def _assert_self_contained(page) -> None:
    assert page.external_requests == [], (
        f"requests to other hosts: {page.external_requests}"
    )
    assert page.console_errors == [], f"console errors: {page.console_errors}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_staff_signs_in_on_phone_and_reaches_home(
    phone_page, live_server, staff_a
):
    """Committee staff sign in on a phone and see where their work is: the admin."""
    _sign_in(phone_page, live_server, "staff_a")
    body = phone_page.locator("body").inner_text()
    assert "常委会工作" in body, body
    assert "进入管理后台" in body, body
    assert "常委会工作人员" in body, "the home page names the user's role"
    assert phone_page.get_by_role("button", name="退出").is_visible()
    _assert_fits_phone(phone_page)
    _assert_self_contained(phone_page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_deputy_signs_in_on_phone_and_sees_station_duty_days(
    phone_page, live_server, deputy_user
):
    """A deputy signing in on a phone reaches the portal home with their station
    and its next duty days (逢六进站)."""
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC), tick=True
    ):
        _sign_in(phone_page, live_server, "deputy_a")
        body = phone_page.locator("body").inner_text()
    assert "代表履职" in body, body
    assert "王秀英" in body, body
    assert "桃洪镇代表联络站" in body, body
    # The next three duty days after 10 March: 16 March, 26 March, 6 April.
    dates = phone_page.locator("#deputy-portal .duty time").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('datetime'))"
    )
    assert dates == ["2026-03-16", "2026-03-26", "2026-04-06"], dates
    assert "进入管理后台" not in body, "a deputy is not sent to the admin"
    _assert_fits_phone(phone_page)
    _assert_self_contained(phone_page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_wrong_password_stays_on_login_with_chinese_error(
    phone_page, live_server, staff_a
):
    """A wrong password keeps the visitor on the login form with a Chinese message."""
    phone_page.goto(f"{live_server.url}{reverse('login')}")
    phone_page.get_by_label("用户名").fill("staff_a")
    phone_page.get_by_label("密码").fill("wrong-password-123")
    phone_page.get_by_role("button", name="登录").click()
    phone_page.wait_for_load_state()
    assert "/accounts/login/" in phone_page.url, phone_page.url
    error = phone_page.locator(".form-errors").inner_text()
    assert "用户名" in error and "密码" in error, error
    _assert_fits_phone(phone_page)


class _ExternalReferences(HTMLParser):
    """Collect src/href/action values that point at another host."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "action", "srcset", "data"} and value:
                if value.strip().lower().startswith(("http://", "https://", "//")):
                    self.found.append(f"<{tag} {name}={value}>")


def _external_references(html: str) -> list[str]:
    parser = _ExternalReferences()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPUTY, Role.EXPERT])
def test_pages_reference_no_other_host(role, county_a, deputy_user):
    """Neither the login page nor any role's home page refers to another host."""
    login_html = Client().get(reverse("login")).content.decode()
    assert _external_references(login_html) == [], _external_references(login_html)
    if role == Role.DEPUTY:
        user = deputy_user
    else:
        user = UserFactory(scope_region=county_a, roles=[role])
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _external_references(html) == [], _external_references(html)
    assert "<script>" not in html and " style=" not in html and "<style" not in html, (
        "the CSP forbids inline scripts and styles"
    )
