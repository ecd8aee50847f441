"""The whole flow in headless Chromium on a 360 px phone: a deputy drafts and
submits; staff review and assign; the unit replies; the deputy rates 不满意; the
re-handling reply arrives; the deputy rates 满意."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congress.services import roles_sync
from suggestions.models import Suggestion


def _login(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _unit_replies(page, live_server, assignment_pk: int, text: str) -> None:
    page.goto(
        live_server.url + reverse("suggestions:unit-detail", args=[assignment_pk])
    )
    form = page.locator("#step-form")
    form.locator("select[name=kind]").select_option("contact")
    form.locator("textarea[name=note]").fill("到代表所在村座谈,当面听取意见")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    reply = page.locator("#reply-form")
    reply.locator("input[name=result_class][value=A]").check()
    reply.locator("textarea[name=text]").fill(text)
    reply.locator("input[name=signer]").fill("张局长")
    page.locator("#submit-reply").click()
    page.wait_for_load_state()
    assert "答复已提交" in page.locator("body").inner_text()


def _deputy_rates(page, live_server, suggestion_pk: int, result: str, comment: str):
    page.goto(
        live_server.url + reverse("suggestions:portal-detail", args=[suggestion_pk])
    )
    form = page.locator("#evaluate")
    form.locator(f"input[name=result][value={result}]").check()
    form.locator("textarea[name=comment]").fill(comment)
    page.locator("#submit-evaluation").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_whole_flow_on_phone(
    phone_page, live_server, deputy_a, staff_a, unit_a, liaison_a
):
    roles_sync()  # a transactional test may run after a flush of the role groups
    page = phone_page
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    # 1. The deputy drafts and submits.
    _login(page, live_server, deputy_a.user)
    page.goto(live_server.url + reverse("suggestions:portal-list"))
    page.locator("#new-suggestion").click()
    form = page.locator("#suggestion-form")
    form.locator("input[name=title]").fill("关于加快农村道路硬化的建议")
    form.locator("textarea[name=content]").fill(
        "桃洪镇多个村组道路尚未硬化,雨天泥泞,建议列入明年计划。"
    )
    form.locator("select[name=category]").select_option("transport")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#submit-suggestion").click()
    page.wait_for_load_state()
    assert "审查中" in page.locator("#status").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the portal scrolls sideways: {width}"
    suggestion = Suggestion.objects.get()

    # 2. Staff pass the three reviews and assign to the lead unit.
    _login(page, live_server, staff_a)
    review = live_server.url + reverse(
        "admin:suggestions_suggestion_review", args=[suggestion.pk]
    )
    for _stage in range(3):
        page.goto(review)
        page.locator("select[name=decision]").select_option("pass")
        page.locator("#step-form input[type=submit]").click()
        page.wait_for_load_state()
    page.goto(
        live_server.url
        + reverse("admin:suggestions_suggestion_assign", args=[suggestion.pk])
    )
    page.locator("select[name=lead_unit]").select_option(str(unit_a.pk))
    page.locator("#step-form input[type=submit]").click()
    page.wait_for_load_state()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ASSIGNED
    assignment = suggestion.assignments.get()

    # 3. The unit acknowledges, contacts the deputy and replies.
    _login(page, live_server, liaison_a)
    page.goto(live_server.url + reverse("suggestions:unit-list"))
    assert page.locator("#assignments .light-green").is_visible()
    page.get_by_role("link", name="关于加快农村道路硬化的建议").click()
    page.locator("#acknowledge").click()
    page.wait_for_load_state()
    _unit_replies(page, live_server, assignment.pk, "已将该路段列入明年计划。")

    # 4. The deputy is not satisfied: the suggestion goes back to the unit.
    _login(page, live_server, deputy_a.user)
    _deputy_rates(page, live_server, suggestion.pk, "unsatisfied", "希望今年就动工")
    assert "再次办理" in page.locator("#status").inner_text()

    # 5. The re-handling reply arrives, and 6. the deputy is satisfied.
    _login(page, live_server, liaison_a)
    _unit_replies(page, live_server, assignment.pk, "已追加资金,本月开工。")
    _login(page, live_server, deputy_a.user)
    _deputy_rates(page, live_server, suggestion.pk, "satisfied", "")
    assert "已办结" in page.locator("#status").inner_text()
    chain = page.locator("#chain").inner_text()
    assert "已追加资金,本月开工。" in chain and "已将该路段列入明年计划。" in chain
    assert page.external_requests == [], page.external_requests
    assert failed == [], failed
    # (Chromium asks for /favicon.ico on admin pages, which declare no icon.)
    csp = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp == [], csp
