"""A deputy logs a station visit with a photo on a 360 px phone, headless Chromium."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from congress.roles import Role
from deputies.models import StationVisit
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationAssignmentFactory

PASSWORD = "correct-horse-battery"


def _phone_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_deputy_logs_visit_with_photo_and_sees_it(
    phone_page, live_server, township_a, county_a, settings, tmp_path
):
    """A deputy signs in on a phone, opens 登记进站履职 (station, date and their own
    name already filled in), writes a summary, attaches a camera photo and submits;
    the visit shows with its photo, and it is in 我的进站记录. Nothing scrolls
    sideways, nothing loads from another host, the CSP reports nothing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(
        username="deputy_phone", scope_region=county_a, roles=[Role.DEPUTY]
    )
    station = LiaisonStationFactory(name="桃洪镇人大代表联络站", region=township_a)
    deputy = DeputyFactory(
        name="李建国", region=township_a, user=user, phone="13812345678"
    )
    colleague = DeputyFactory(name="王秀英", region=township_a)
    StationAssignmentFactory(station=station, deputy=deputy, is_leader=True)
    StationAssignmentFactory(station=station, deputy=colleague)

    page = phone_page
    page.goto(live_server.url + reverse("login") + "?next=" + reverse("portal-home"))
    page.fill("input[name=username]", "deputy_phone")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**" + reverse("portal-home"))
    assert page.get_by_role("heading", name="我的履职").is_visible()

    page.locator(".portal-cta a").click()
    page.wait_for_url("**" + reverse("portal-visit-log"))
    assert page.locator("select[name=station]").input_value() == str(station.pk)
    assert page.locator("input[name=date]").input_value() != ""
    own = page.locator(f"input[name=deputies][value='{deputy.pk}']")
    assert own.is_checked()
    page.locator(f"input[name=deputies][value='{colleague.pk}']").check()
    page.fill("textarea[name=summary]", "接待选民五人,反映村道破损。")
    page.fill("input[name=voters_received]", "5")
    page.set_input_files(
        "input[name=photos]",
        files=[
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _phone_photo()}
        ],
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the form scrolls sideways: scrollWidth {width} > 360"
    page.locator("form.visit-form button[type=submit]").click()

    page.wait_for_url("**/portal/visits/*/")
    assert "进站履职已登记" in page.locator(".messages").inner_text()
    assert "接待选民五人,反映村道破损。" in page.locator(".visit-summary").inner_text()
    photo = page.locator(".photo-grid img").first
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.photo-grid img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert photo.evaluate("img => img.naturalWidth") == 1600
    visit = StationVisit.objects.get()
    assert set(visit.deputies.values_list("name", flat=True)) == {"李建国", "王秀英"}

    page.goto(live_server.url + reverse("portal-visit-list"))
    entry = page.locator(".visit-item").first
    assert "桃洪镇人大代表联络站" in entry.inner_text()
    assert "1张照片" in entry.inner_text()
    assert "13812345678" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the list scrolls sideways: scrollWidth {width} > 360"
    assert page.external_requests == [], page.external_requests
    assert page.console_errors == [], page.console_errors
