"""On a 360 px phone: a deputy votes and checks the receipt code; a citizen opens a
project's public progress page and sees its milestones."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from congress import voting
from congress.roles import Role
from livelihood_votes import services
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import MandateFactory
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import published_round

PASSWORD = "correct-horse-battery"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_deputy_votes_on_phone_and_checks_receipt(
    phone_page, live_server, county_a, staff_a
):
    """Sign in, open 票决, approve two candidates, submit, read the receipt code,
    check it: the ballot is counted. No sideways scroll, nothing from another host,
    no CSP error."""
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, choose=2)
    user = UserFactory(
        username="deputy_phone", scope_region=county_a, roles=[Role.DEPUTY]
    )
    MandateFactory(
        deputy=DeputyFactory(name="李建国", region=county_a, user=user),
        congress_region=county_a,
        term=round_.term,
    )
    services.round_voting_open(round_=round_, user=staff_a)

    page = phone_page
    page.goto(live_server.url + reverse("login") + "?next=" + reverse("portal-votes"))
    page.fill("input[name=username]", "deputy_phone")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**" + reverse("portal-votes"))
    page.get_by_role("link", name="去投票").click()
    page.wait_for_selector("#ballot")
    fieldsets = page.locator("#ballot fieldset")
    assert fieldsets.count() == 3
    fieldsets.nth(0).get_by_label("赞成").check()
    fieldsets.nth(1).get_by_label("赞成").check()
    fieldsets.nth(2).get_by_label("反对").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the ballot scrolls sideways: {width}"
    page.get_by_role("button", name="提交选票").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code) == 19, code

    page.get_by_role("link", name="核对回执码").click()
    page.fill("input[name=code]", code.replace("-", "").lower())
    page.get_by_role("button", name="核对").click()
    result = page.locator("#check-result").inner_text()
    assert "您的选票已计入" in result
    assert "候选项目1:赞成" in result and "候选项目3:反对" in result
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.external_requests == [], page.external_requests
    assert page.console_errors == [], page.console_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_public_progress_page_shows_milestones(
    phone_page, live_server, county_a, staff_a
):
    unit = OrganizationFactory(region=county_a, name="县住建局")
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, unit=unit)
    voters = deputies_with_users(3, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    for voter in voters:
        voting.vote_cast(
            poll=round_.poll,
            voter=voter,
            choices={o.pk: "yes" for o in round_.poll.options.order_by("order")[:2]},
        )
    services.round_voting_close(round_=round_, user=staff_a)
    services.round_decide(round_=round_, user=staff_a)
    services.round_implementation_start(round_=round_, user=staff_a)
    project = round_.projects.order_by("pk").first()
    done = services.milestone_create(
        project=project,
        title="完成立项和设计",
        due_date=datetime.date(2026, 3, 31),
        user=staff_a,
    )
    services.milestone_complete(
        milestone=done, done_on=datetime.date(2026, 3, 20), user=staff_a
    )
    services.milestone_create(
        project=project,
        title="主体完工",
        due_date=datetime.date(2026, 11, 30),
        user=staff_a,
    )

    page = phone_page
    response = page.goto(
        live_server.url + reverse("livelihood-project", args=[project.pk])
    )
    assert response.status == 200
    assert page.get_by_role("heading", name=project.title).is_visible()
    items = page.locator(".milestone")
    assert items.count() == 2
    assert "完成立项和设计" in items.nth(0).inner_text()
    assert "2026-03-20 完成" in items.nth(0).inner_text()
    assert "主体完工" in items.nth(1).inner_text()
    assert "县住建局" in page.locator("body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.external_requests == [], page.external_requests

    # The county's page with every project's progress fits the phone too (the
    # table scrolls inside its box) and links to the project.
    response = page.goto(
        live_server.url + reverse("livelihood-progress", args=[county_a.code[:6]])
    )
    assert response.status == 200
    row = page.locator(".progress-table tbody tr", has_text=project.title)
    assert "县住建局" in row.inner_text()
    assert row.get_by_role("link", name=project.title).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.external_requests == [], page.external_requests
