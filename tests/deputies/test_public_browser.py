"""A citizen scans a station's code on a 360 px phone (码上找代表), headless Chromium."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_citizen_opens_station_page_on_phone_and_sees_duty_days(
    phone_page, live_server, township_a
):
    """An anonymous citizen opens a station's public page at 360 × 740: the station's
    name, its duty days in the calendar and its deputy (phone masked) are there, the
    page does not scroll sideways and loads nothing from another host."""
    station = LiaisonStationFactory(
        name="桃洪镇人大代表联络站", region=township_a, address="桃洪镇人民路18号"
    )
    deputy = DeputyFactory(name="李建国", region=township_a, phone="13812345678")
    MandateFactory(deputy=deputy)
    StationAssignmentFactory(station=station, deputy=deputy, is_leader=True)

    url = live_server.url + reverse("station-public", args=[station.public_token])
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC), tick=True
    ):
        response = phone_page.goto(url)
    assert response.status == 200, response.status
    page = phone_page
    assert page.get_by_role("heading", name="桃洪镇人大代表联络站").is_visible()
    assert "逢六进站:每月6日、16日、26日" in page.locator(".duty-days").inner_text()
    marked = page.locator(".duty-calendar td.is-duty time").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('datetime'))"
    )
    assert marked == [
        "2026-03-06",
        "2026-03-16",
        "2026-03-26",
        "2026-04-06",
        "2026-04-16",
        "2026-04-26",
    ], marked
    assert page.locator(".duty-calendar td.is-duty").first.is_visible()
    body = page.locator("body").inner_text()
    assert "李建国" in body and "138****5678" in body, body
    assert "13812345678" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: scrollWidth {width} > 360"
    qr_loaded = page.locator(".public-qr img").evaluate("img => img.naturalWidth")
    assert qr_loaded > 0, "the QR image did not load"
    assert page.external_requests == [], page.external_requests
    assert page.console_errors == [], page.console_errors
