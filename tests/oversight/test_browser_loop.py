"""The whole oversight loop through the browser (Playwright, headless Chromium):
a deputy proposes a topic on the phone; staff adopt it into the plan as an
inspection, link a township sub-inspection, issue an opinion with a problem and a
countermeasure; the unit reports the rectification; the deputy evaluates; staff
conclude the evaluation and a 回头看 raises a new problem."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congress.roles import Role
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import OversightItem
from oversight.models import Problem
from oversight.models import PublicEvaluation
from oversight.models import TopicProposal
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_for(browser, live_server, user, *, phone=False):
    """A browser page signed in as ``user`` (session cookie from the test client)."""
    client = Client()
    client.force_login(user)
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
    if phone:
        options |= {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
    context = browser.new_context(**options)
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
    return context.new_page()


def _action(page, url, pk, action, *, text="", method=""):
    """Run an admin changelist action on one row."""
    page.goto(url)
    page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    page.locator('select[name="action"]').select_option(action)
    if method:
        page.locator('select[name="method"]').select_option(method)
    if text:
        page.locator('input[name="text"]').fill(text)
    page.locator('button[name="index"]').click()
    page.wait_for_load_state()
    errors = page.locator(".messagelist .error").all_inner_texts()
    assert not errors, errors


def _add(page, url, fields: dict[str, str], selects: dict[str, str] | None = None):
    page.goto(url)
    for name, value in (selects or {}).items():
        page.locator(f"#id_{name}").select_option(label=value)
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator('input[name="_save"]').click()
    page.wait_for_load_state()
    assert not page.locator(".errornote").count(), page.locator("#content").inner_text()


def test_browser_whole_oversight_loop(
    browser, live_server, county_a, township_a, staff_a
):
    township_a.name = "桃洪镇"
    deputy_user = UserFactory(
        username="dep_b", scope_region=township_a, roles=[Role.DEPUTY]
    )
    DeputyFactory(region=township_a, user=deputy_user, name="刘代表")
    unit = OrganizationFactory(name="隆回县生态环境分局", region=county_a)
    liaison = UserFactory(
        username="liaison_b",
        scope_region=county_a,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )
    year = timezone.localdate().year + 1
    admin = f"{live_server.url}/admin/oversight"

    # 1. The deputy proposes a topic on the phone.
    phone = _page_for(browser, live_server, deputy_user, phone=True)
    phone.goto(f"{live_server.url}{reverse('portal-topics')}")
    phone.locator("#id_title").fill("集镇污水处理设施运行")
    phone.locator("#id_category").select_option("ecology")
    phone.locator("#id_description").fill("部分乡镇污水处理厂不正常运行")
    phone.get_by_role("button", name="提交议题").click()
    phone.wait_for_load_state()
    assert "议题已提交" in phone.locator("body").inner_text()
    topic = TopicProposal.objects.get(title="集镇污水处理设施运行")

    # 2. Staff create the plan, shortlist and adopt the topic as an inspection.
    staff = _page_for(browser, live_server, staff_a)
    _add(
        staff,
        f"{admin}/oversightplan/add/",
        {"year": str(year), "title": f"隆回县{year}年度监督工作计划"},
        selects={"region": "隆回县"},
    )
    topics = f"{admin}/topicproposal/"
    _action(staff, topics, topic.pk, "shortlist")
    _action(staff, topics, topic.pk, "adopt", method="inspection", text="水污染防治法")
    item = OversightItem.objects.get(topic=topic)
    assert item.method == "inspection" and item.law_name == "水污染防治法"

    # 3. A township sub-inspection linked to it.
    _action(staff, f"{admin}/oversightitem/", item.pk, "link_township", text="桃洪镇")
    assert item.sub_items.get().region == township_a

    # 4. The opinion, a problem and a countermeasure.
    _add(
        staff,
        f"{admin}/deliberationopinion/add/",
        {
            "item": str(item.pk),
            "text": "加快污水处理设施提质改造",
            "issued_on": "2027-03-01",
            "report_due": "2027-05-01",
        },
    )
    opinion = DeliberationOpinion.objects.get(item=item)
    _add(
        staff,
        f"{admin}/problem/add/",
        {"opinion": str(opinion.pk), "description": "进水浓度偏低"},
    )
    problem = Problem.objects.get(opinion=opinion)
    _add(
        staff,
        f"{admin}/countermeasure/add/",
        {
            "problem": str(problem.pk),
            "unit": str(unit.pk),
            "measure": "完善配套管网",
            "deadline": "2027-06-30",
        },
    )
    measure = Countermeasure.objects.get(problem=problem)

    # 5. The unit reports the rectification in its portal.
    unit_page = _page_for(browser, live_server, liaison)
    unit_page.goto(f"{live_server.url}{reverse('portal-oversight')}")
    card = unit_page.locator("#unit-countermeasures")
    card.locator("textarea[name=done]").fill("新建配套管网18公里")
    card.locator("input[name=completed]").check()
    card.get_by_role("button", name="报告整改情况").click()
    unit_page.wait_for_load_state()
    measure.refresh_from_db()
    assert measure.status == Countermeasure.Status.DONE

    # 6. Staff open the evaluation; the deputy votes on the phone; staff conclude.
    _action(staff, f"{admin}/deliberationopinion/", opinion.pk, "open_evaluation")
    # The settings page: the item's deputies evaluate, counted on all entitled.
    staff.locator("#id_audience").select_option("deputies")
    staff.locator("#id_base").select_option("entitled")
    staff.get_by_role("button", name="开始测评").click()
    staff.wait_for_load_state()
    assert not staff.locator(".messagelist .error").all_inner_texts()
    phone.goto(f"{live_server.url}{reverse('portal-evaluations')}")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="投票").click()
    phone.wait_for_load_state()
    assert "回执码" in phone.locator("body").inner_text()
    evaluation = PublicEvaluation.objects.get(opinion=opinion)
    _action(staff, f"{admin}/publicevaluation/", evaluation.pk, "conclude")
    evaluation.refresh_from_db()
    opinion.refresh_from_db()
    assert evaluation.verdict == "satisfied"
    assert opinion.status == DeliberationOpinion.Status.CLOSED

    # 7. 回头看 raises a new problem and reopens the opinion.
    _add(
        staff,
        f"{admin}/followup/add/",
        {
            "opinion": str(opinion.pk),
            "visited_on": datetime.date(2027, 10, 8).isoformat(),
            "findings": "雨季管网溢流",
            "new_problems": "雨季管网溢流",
        },
    )
    opinion.refresh_from_db()
    assert opinion.status == DeliberationOpinion.Status.ISSUED
    new = Problem.objects.get(opinion=opinion, follow_up__isnull=False)
    assert new.number == 2 and new.description == "雨季管网溢流"
