"""Forbidden steps at later states of the flow: each is refused with its Chinese
message and changes nothing (the suggestion, its assignments, replies, steps,
ratings, commitments and history stay as they were)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from suggestions import services
from suggestions.models import Assignment
from suggestions.models import Commitment
from suggestions.models import Suggestion
from tests.factories.suggestions import SuggestionFactory

pytestmark = pytest.mark.django_db


def _snapshot(suggestion: Suggestion) -> tuple:
    suggestion.refresh_from_db()
    assignments = tuple(
        Assignment.objects.filter(suggestion=suggestion)
        .order_by("pk")
        .values_list(
            "is_active",
            "due_date",
            "extended",
            "acknowledged_at",
            "co_view_at",
            "reassignment_requested_at",
        )
    )
    return (
        suggestion.status,
        suggestion.review_stage,
        suggestion.rehandling_rounds,
        suggestion.is_key,
        suggestion.events.count(),
        suggestion.replies.count(),
        suggestion.evaluations.count(),
        Commitment.objects.filter(
            reply__suggestion=suggestion, done_at__isnull=False
        ).count(),
        sum(a.steps.count() for a in suggestion.assignments.all()),
        assignments,
    )


def _refused(target, match, call, **kwargs):
    before = _snapshot(target)
    with pytest.raises(ValidationError, match=match):
        call(**kwargs)
    assert _snapshot(target) == before


@pytest.fixture
def suggestion(deputy_a):
    return SuggestionFactory(lead_deputy=deputy_a)


def test_closed_suggestion_refuses_every_further_step(
    suggestion, advance, deputy_a, staff_a, liaison_a, leader_a
):
    assignment = advance(suggestion, "closed")
    today = timezone.localdate()
    _refused(
        suggestion,
        "不能提交",
        services.suggestion_submit,
        suggestion=suggestion,
        actor=deputy_a.user,
    )
    _refused(
        suggestion,
        "不在审查中",
        services.suggestion_review,
        suggestion=suggestion,
        actor=staff_a,
        stage="delegation",
        decision="pass",
    )
    _refused(
        suggestion,
        "已办结,不能交办",
        services.suggestion_assign,
        suggestion=suggestion,
        actor=staff_a,
        lead_unit=assignment.unit,
    )
    _refused(
        suggestion,
        "不能记录办理过程",
        services.handling_step_add,
        assignment=assignment,
        actor=liaison_a,
        kind="progress",
        date=today,
        note="继续推进",
    )
    _refused(
        suggestion,
        "不能答复",
        services.reply_create,
        assignment=assignment,
        actor=liaison_a,
        text="再答复",
        result_class="A",
        signer="张局长",
    )
    _refused(
        suggestion,
        "已经答复的交办不能再延期",
        services.assignment_extend,
        assignment=assignment,
        actor=staff_a,
        approved_by=leader_a,
        reason="涉及多部门",
    )
    _refused(
        suggestion,
        "现在不能测评",
        services.evaluation_record,
        suggestion=suggestion,
        actor=deputy_a.user,
        deputy=deputy_a,
        result="satisfied",
    )


def test_replied_round_cannot_be_answered_twice_nor_stepped_in_the_future(
    suggestion, advance, liaison_a
):
    assignment = advance(suggestion, "replied", result_class="B")
    _refused(
        suggestion,
        "不能答复",
        services.reply_create,
        assignment=assignment,
        actor=liaison_a,
        text="第二份答复",
        result_class="A",
        signer="张局长",
    )
    _refused(
        suggestion,
        "不能晚于今天",
        services.handling_step_add,
        assignment=assignment,
        actor=liaison_a,
        kind="progress",
        date=timezone.localdate() + datetime.timedelta(days=1),
        note="明天的进展",
    )
    commitment = assignment.replies.get().commitments.get()
    services.commitment_complete(commitment=commitment, actor=liaison_a, note="完工")
    _refused(
        suggestion,
        "已经标记完成",
        services.commitment_complete,
        commitment=commitment,
        actor=liaison_a,
        note="再次完工",
    )


def test_co_unit_view_once_and_only_by_co_units(
    suggestion, advance, staff_a, unit_a, unit_a2, liaison_a, liaison_a2
):
    advance(suggestion, "registered")
    lead, co = services.suggestion_assign(
        suggestion=suggestion, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
    )
    services.assignment_acknowledge(assignment=lead, actor=liaison_a)
    _refused(
        suggestion,
        "只有协办单位需要提交协办意见",
        services.co_view_submit,
        assignment=lead,
        actor=liaison_a,
        text="主办单位的意见",
    )
    _refused(
        suggestion,
        "请先签收",
        services.co_view_submit,
        assignment=co,
        actor=liaison_a2,
        text="同意",
    )
    services.assignment_acknowledge(assignment=co, actor=liaison_a2)
    services.co_view_submit(assignment=co, actor=liaison_a2, text="同意主办方案")
    _refused(
        suggestion,
        "协办意见已经提交过了",
        services.co_view_submit,
        assignment=co,
        actor=liaison_a2,
        text="再补充",
    )


def test_reassignment_asked_once_and_withdrawn_assignment_is_dead(
    suggestion, advance, staff_a, unit_a2, liaison_a
):
    assignment = advance(suggestion, "assigned")
    services.assignment_request_reassignment(
        assignment=assignment, actor=liaison_a, reason="不属于本局职责"
    )
    _refused(
        suggestion,
        "已经提出过调整申请",
        services.assignment_request_reassignment,
        assignment=assignment,
        actor=liaison_a,
        reason="再次申请",
    )
    services.assignment_reassign(assignment=assignment, actor=staff_a, unit=unit_a2)
    _refused(
        suggestion,
        "已撤回",
        services.assignment_acknowledge,
        assignment=assignment,
        actor=liaison_a,
    )
