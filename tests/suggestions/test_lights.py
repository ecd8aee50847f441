"""Deadline lights of the unit portal: green, amber (within 15 days), red
(overdue), done once replied; a co-unit's light follows its view deadline."""

import datetime

import pytest
from django.urls import reverse

from suggestions import services
from suggestions.models import Assignment
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
