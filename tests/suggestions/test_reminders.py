"""Reminders: 30/15/7 days before, overdue escalation, missing ratings,
commitments — and a job run twice sends each once."""

import datetime

import pytest
import time_machine

from congress.models import Notification
from suggestions import services
from suggestions.models import Suggestion
from suggestions.reminders import suggestion_reminders_send
from suggestions.tasks import suggestion_reminders_send_task
from tests.factories.congress import UserFactory
from tests.factories.suggestions import SuggestionFactory
from tests.suggestions.conftest import deputy_with_user

pytestmark = pytest.mark.django_db

ASSIGNED_AT = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)  # due 2026-06-02


@pytest.fixture
def handling(deputy_a, advance, staff_a, leader_a, committee_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        assignment = advance(suggestion, "handling")
        services.suggestion_set_supervision(
            suggestion=suggestion,
            actor=staff_a,
            is_key=True,
            supervising_leader=leader_a,
            coordinating_committee=committee_a,
        )
    return assignment


def _kinds(user):
    return sorted(
        Notification.objects.filter(recipient=user, kind__startswith="suggestion_")
        .exclude(kind__in=["suggestion_assigned", "suggestion_replied"])
        .values_list("kind", flat=True)
    )


def test_deadline_reminders_at_thresholds_sent_once(handling, liaison_a):
    for day, expected in [
        (datetime.date(2026, 4, 1), []),  # 62 days left
        (datetime.date(2026, 5, 3), ["suggestion_due_30"]),
        (datetime.date(2026, 5, 18), ["suggestion_due_15", "suggestion_due_30"]),
        (
            datetime.date(2026, 5, 26),
            ["suggestion_due_15", "suggestion_due_30", "suggestion_due_7"],
        ),
    ]:
        suggestion_reminders_send(today=day)
        suggestion_reminders_send(today=day)  # run twice: sent once
        assert _kinds(liaison_a) == expected, day


def test_overdue_escalates_to_supervisors_once(
    handling, liaison_a, leader_a, committee_a
):
    member = UserFactory(username="gongwei_member", organization=committee_a)
    with time_machine.travel(
        datetime.datetime(2026, 6, 5, 1, tzinfo=datetime.UTC), tick=False
    ):
        first = suggestion_reminders_send_task.apply().get()
        second = suggestion_reminders_send_task.apply().get()
    assert first > 0 and second == 0
    for user in (liaison_a, leader_a, member):
        assert (
            Notification.objects.filter(
                recipient=user, kind="suggestion_overdue"
            ).count()
            == 1
        )


def test_missing_rating_reminded_after_15_days(deputy_a, advance):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "replied")
    suggestion_reminders_send(today=datetime.date(2026, 3, 10))
    assert not Notification.objects.filter(kind="suggestion_rating_missing").exists()
    suggestion_reminders_send(today=datetime.date(2026, 3, 17))
    suggestion_reminders_send(today=datetime.date(2026, 3, 18))
    assert (
        Notification.objects.filter(
            kind="suggestion_rating_missing", recipient=deputy_a.user
        ).count()
        == 1
    )


def test_commitment_due_reminded_once(deputy_a, advance, liaison_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = advance(suggestion, "replied", result_class="B")
    commitment = assignment.replies.get().commitments.get()
    soon = commitment.due_date - datetime.timedelta(days=3)
    suggestion_reminders_send(today=soon)
    suggestion_reminders_send(today=soon)
    assert (
        Notification.objects.filter(
            kind="suggestion_commitment_due", recipient=liaison_a
        ).count()
        == 1
    )


def test_replied_assignment_gets_no_deadline_reminder(deputy_a, advance, liaison_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "replied")
    suggestion_reminders_send(today=datetime.date(2026, 6, 10))
    assert not Notification.objects.filter(kind="suggestion_overdue").exists()


def test_intersession_assignment_reminder_to_staff_once(deputy_a, advance, staff_a):
    """Registered intersession suggestions are due for assignment five working days
    after receipt (congress.calendar); the county's staff hear the day before."""
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC), tick=False
    ):
        advance(suggestion, "registered")
    # 2026-03-02 (Mon) + 5 working days = 2026-03-09 (Mon).
    suggestion_reminders_send(today=datetime.date(2026, 3, 6))
    assert not Notification.objects.filter(kind="suggestion_assignment_due").exists()
    suggestion_reminders_send(today=datetime.date(2026, 3, 8))
    suggestion_reminders_send(today=datetime.date(2026, 3, 10))
    reminder = Notification.objects.get(
        kind="suggestion_assignment_due", recipient=staff_a
    )
    assert reminder.due_date == datetime.date(2026, 3, 9)


def test_co_unit_reminded_of_its_view_deadline_until_it_sends_it(
    deputy_a, advance, staff_a, unit_a, unit_a2, liaison_a2
):
    """A co-unit's one-month view deadline has its own reminders (7 days before,
    then overdue), each once; none after the view is sent."""
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "registered")
        _lead, co = services.suggestion_assign(
            suggestion=suggestion, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
        )
    week_before = co.co_view_due - datetime.timedelta(days=6)
    suggestion_reminders_send(today=week_before)
    suggestion_reminders_send(today=week_before)
    due_7 = Notification.objects.get(kind="suggestion_due_7", recipient=liaison_a2)
    assert due_7.due_date == co.co_view_due
    overdue = co.co_view_due + datetime.timedelta(days=1)
    suggestion_reminders_send(today=overdue)
    suggestion_reminders_send(today=overdue)
    assert (
        Notification.objects.filter(
            kind="suggestion_overdue", recipient=liaison_a2
        ).count()
        == 1
    )
    with time_machine.travel(
        datetime.datetime.combine(overdue, datetime.time(2), datetime.UTC), tick=False
    ):
        services.assignment_acknowledge(assignment=co, actor=liaison_a2)
        services.co_view_submit(assignment=co, actor=liaison_a2, text="同意主办方案")
    before = Notification.objects.filter(recipient=liaison_a2).count()
    suggestion_reminders_send(today=co.co_view_due + datetime.timedelta(days=20))
    assert Notification.objects.filter(recipient=liaison_a2).count() == before


def _cosign(suggestion, lead, *deputies):
    for deputy in deputies:
        services.signer_invite(suggestion=suggestion, actor=lead.user, deputy=deputy)
        services.signer_confirm(suggestion=suggestion, actor=deputy.user)


def _reminded(deputy) -> int:
    return Notification.objects.filter(
        kind="suggestion_rating_missing", recipient=deputy.user
    ).count()


def test_cosigner_reminded_once_after_the_lead_closed_it(
    deputy_a, deputy_a2, township_a, advance
):
    """The lead deputy's rating closed the suggestion; the co-signers may still
    rate the reply, so the one who has not rated 15 days after it is reminded
    once, the one who rated and the lead are not."""
    deputy_a3 = deputy_with_user(township_a, "deputy_a3", "刘桂芳")
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    _cosign(suggestion, deputy_a, deputy_a2, deputy_a3)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "replied")
        for deputy in (deputy_a, deputy_a2):
            services.evaluation_record(
                suggestion=suggestion,
                actor=deputy.user,
                deputy=deputy,
                result="satisfied",
            )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED
    suggestion_reminders_send(today=datetime.date(2026, 3, 10))
    assert _reminded(deputy_a3) == 0
    for day in (datetime.date(2026, 3, 17), datetime.date(2026, 3, 18)):
        suggestion_reminders_send(today=day)
    assert (_reminded(deputy_a), _reminded(deputy_a2), _reminded(deputy_a3)) == (
        0,
        0,
        1,
    )


def test_cosigner_reminded_of_the_first_reply_during_rehandling(
    deputy_a, deputy_a2, advance
):
    """The lead sent the suggestion back (不满意); the co-signer who has not
    rated the first reply is reminded of it once, and not after rating it."""
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    _cosign(suggestion, deputy_a, deputy_a2)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "rehandling")
    suggestion_reminders_send(today=datetime.date(2026, 3, 17))
    suggestion_reminders_send(today=datetime.date(2026, 3, 18))
    assert (_reminded(deputy_a), _reminded(deputy_a2)) == (0, 1)
    reminder = Notification.objects.get(
        kind="suggestion_rating_missing", recipient=deputy_a2.user
    )
    assert reminder.object_id == suggestion.replies.get(round=1).pk


def test_cosigner_who_rated_after_closing_gets_no_reminder(
    deputy_a, deputy_a2, advance
):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    _cosign(suggestion, deputy_a, deputy_a2)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        advance(suggestion, "replied")
        services.evaluation_record(
            suggestion=suggestion,
            actor=deputy_a.user,
            deputy=deputy_a,
            result="satisfied",
        )
    with time_machine.travel(ASSIGNED_AT + datetime.timedelta(days=10), tick=False):
        services.evaluation_record(
            suggestion=suggestion,
            actor=deputy_a2.user,
            deputy=deputy_a2,
            result="basically_satisfied",
        )
    suggestion_reminders_send(today=datetime.date(2026, 3, 20))
    assert not Notification.objects.filter(kind="suggestion_rating_missing").exists()
