"""Deadline lights of the unit portal: green, amber (within 15 days), red
(overdue), done once replied; a co-unit's light follows its view deadline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from suggestions import services
from suggestions.models import Assignment
from suggestions.models import Suggestion
from suggestions.selectors import deadline_light
from tests.factories.suggestions import SuggestionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_lead_light_turns_amber_then_red_then_done(deputy_a, advance):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = advance(suggestion, "handling")
    due = assignment.due_date
    assert deadline_light(assignment, today=due - 16 * DAY).colour == "green"
    amber = deadline_light(assignment, today=due - 15 * DAY)
    assert (amber.colour, amber.label) == ("amber", "剩15天")
    assert deadline_light(assignment, today=due).colour == "amber"
    red = deadline_light(assignment, today=due + 3 * DAY)
    assert (red.colour, red.label) == ("red", "已超期3天")


def test_replied_assignment_shows_done(deputy_a, advance):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = Assignment.objects.get(pk=advance(suggestion, "replied").pk)
    light = deadline_light(assignment, today=assignment.due_date + 10 * DAY)
    assert light.colour == "done"


def test_co_unit_light_follows_view_deadline_until_view_sent(
    deputy_a, advance, staff_a, unit_a, unit_a2, liaison_a2
):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    advance(suggestion, "registered")
    lead, co = services.suggestion_assign(
        suggestion=suggestion, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
    )
    # A day after the co-unit's one-month view deadline: red for the co-unit,
    # while the lead unit's three months are still green.
    today = co.co_view_due + DAY
    assert deadline_light(co, today=today).colour == "red"
    assert deadline_light(lead, today=today).colour == "green"
    services.assignment_acknowledge(assignment=co, actor=liaison_a2)
    services.co_view_submit(assignment=co, actor=liaison_a2, text="同意主办单位方案")
    co.refresh_from_db()
    assert deadline_light(co, today=today).colour == "done"


def test_unit_list_shows_the_light(client, deputy_a, advance, liaison_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    advance(suggestion, "handling")
    client.force_login(liaison_a)
    html = client.get(reverse("suggestions:unit-list")).content.decode()
    assert "light-green" in html


def test_separate_unit_that_replied_shows_done_while_the_other_counts_down(
    client, deputy_a, advance, staff_a, unit_a, unit_a2, liaison_a, liaison_a2
):
    """分办: each unit's light follows its own assignment, not the suggestion's
    status; a unit that has replied is done while another is still overdue."""
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    advance(suggestion, "registered")
    first, second = services.suggestion_assign(
        suggestion=suggestion, actor=staff_a, separate_units=[unit_a, unit_a2]
    )
    services.assignment_acknowledge(assignment=first, actor=liaison_a)
    services.handling_step_add(
        assignment=first,
        actor=liaison_a,
        kind="contact",
        date=timezone.localdate(),
        note="电话沟通",
    )
    services.reply_create(
        assignment=first,
        actor=liaison_a,
        text="已办理",
        result_class="A",
        signer="张局长",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.suggestion.status == Suggestion.Status.HANDLING
    overdue = first.due_date + 3 * DAY
    assert deadline_light(first, today=overdue).colour == "done"
    assert deadline_light(second, today=overdue).colour == "red"
    # The unit portal shows the same: done for the unit that replied.
    client.force_login(liaison_a)
    html = client.get(reverse("suggestions:unit-list")).content.decode()
    assert "light-done" in html and "light-green" not in html
    detail = client.get(reverse("suggestions:unit-detail", args=[first.pk]))
    assert 'class="light light-done"' in detail.content.decode()
    client.force_login(liaison_a2)
    html = client.get(reverse("suggestions:unit-list")).content.decode()
    assert "light-green" in html and "light-done" not in html
