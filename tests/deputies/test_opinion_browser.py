"""码上找代表 on a 360 px phone: a citizen leaves an opinion, gets a code, and later
reads the reply and rates it (headless Chromium)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from congress.roles import Role
from deputies import opinions
from deputies.models import CitizenOpinion
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_citizen_leaves_opinion_gets_code_then_rates_the_reply(
    phone_page, live_server, township_a
):
    """At 360 × 740: station page → 给代表留言 → submit → the code is shown; after
    the deputy's reply (server side) the tracking page shows it and takes a rating.
    No page scrolls sideways, loads from another host, or shows a full phone."""
    cache.clear()
    station = LiaisonStationFactory(name="桃洪镇人大代表联络站", region=township_a)
    user = UserFactory(
        username="deputy_li", scope_region=township_a, roles=[Role.DEPUTY]
    )
    deputy = DeputyFactory(name="李建国", region=township_a, user=user)
    MandateFactory(deputy=deputy)
    StationAssignmentFactory(station=station, deputy=deputy, is_leader=True)
    page = phone_page

    page.goto(live_server.url + reverse("station-public", args=[station.public_token]))
    page.get_by_role("link", name="给代表留言").click()
    page.get_by_label("您反映的问题或建议").fill(
        "村口道路坑洼严重,雨天积水,希望尽快修缮。"
    )
    page.get_by_label("联系电话(可不填)").fill("13907391234")
    page.get_by_label("同意代表通过此号码联系我").check()
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_selector("#tracking-code")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{12}", code), code
    assert "提交成功" in page.locator("body").inner_text()
    assert "13907391234" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width}"

    opinion = CitizenOpinion.objects.get(tracking_code=code)
    opinions.opinion_reply(
        opinion=opinion, actor=user, reply="已联系镇政府,本月内完成修缮。"
    )

    page.goto(live_server.url + reverse("opinion-track-lookup"))
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#opinion-reply")
    assert "已联系镇政府" in page.locator("#opinion-reply").inner_text()
    assert "已答复" in page.locator(".opinion-status").inner_text()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_selector("#opinion-rating")
    assert "感谢您的评价" in page.locator("#opinion-rating").inner_text()
    opinion.refresh_from_db()
    assert opinion.satisfaction == "satisfied"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width}"
    assert not re.search(r"1[3-9]\d{9}", page.content())
    assert page.external_requests == [], page.external_requests
    assert page.console_errors == [], page.console_errors
