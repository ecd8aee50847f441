"""The visit changelist's action checkboxes in headless Chromium: Django's actions.js
(select all, the counter, shift-click ranges) works on the checkboxes that
``ScopedAdminMixin.action_checkbox`` formats without a template."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from deputies.models import StationVisit
from tests.deputies.visit_helpers import deputy_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_user  # noqa: F401
from tests.deputies.visit_helpers import station_a  # noqa: F401
from tests.deputies.visit_helpers import visits_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(browser, live_server, staff_a):
    client = Client()
    client.force_login(staff_a)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.failed = []
    page.on(
        "response",
        lambda r: page.failed.append(r.url) if r.status >= 400 else None,
    )
    yield page
    context.close()


def test_browser_visit_changelist_select_all_counter_and_shift_click(
    staff_page,
    live_server,
    deputy_a,  # noqa: F811
    station_a,  # noqa: F811
):
    visits_make(station=station_a, deputies=[deputy_a], count=4)
    page = staff_page
    page.goto(live_server.url + reverse("admin:deputies_stationvisit_changelist"))
    boxes = page.locator("input.action-select")
    assert boxes.count() == 4
    counter = page.locator(".action-counter")
    before = counter.inner_text()

    page.locator("#action-toggle").check()
    assert all(boxes.nth(i).is_checked() for i in range(4))
    assert page.locator("#result_list tbody tr.selected").count() == 4
    assert counter.inner_text() != before and "4" in counter.inner_text()

    page.locator("#action-toggle").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(4))

    # Shift-click selects the rows between the last box clicked and this one.
    boxes.nth(0).click()
    boxes.nth(2).click(modifiers=["Shift"])
    assert [boxes.nth(i).is_checked() for i in range(4)] == [True, True, True, False]
    assert page.locator("#result_list tbody tr.selected").count() == 3

    # The selection goes through the action: the confirmation lists three visits.
    page.locator('select[name="action"]').select_option("delete_selected")
    page.locator('button[name="index"]').click()
    page.wait_for_load_state()
    page.locator('input[type="submit"]').first.click()
    page.wait_for_load_state()
    assert StationVisit.objects.count() == 1
    assert not page.failed, page.failed
