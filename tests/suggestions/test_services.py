"""The flow's services: every allowed step works, every forbidden one is refused
with a Chinese message and changes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from suggestions import services
from suggestions.models import Assignment
from suggestions.models import Evaluation
from suggestions.models import HandlingStep
from suggestions.models import Reply
from suggestions.models import Review
from suggestions.models import ReviewStage
from suggestions.models import Suggestion
from tests.factories.congress import SessionFactory
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.suggestions import SuggestionFactory

pytestmark = pytest.mark.django_db

S = Suggestion.Status


def _snapshot(suggestion: Suggestion) -> tuple:
    suggestion.refresh_from_db()
    return (
        suggestion.status,
        suggestion.review_stage,
        suggestion.number,
        suggestion.rehandling_rounds,
        suggestion.events.count(),
        suggestion.assignments.count(),
    )


def refused(target, match, call, **kwargs):
    """Assert ``call`` raises ``match`` and leaves the suggestion as it was."""
    before = _snapshot(target)
    with pytest.raises(ValidationError, match=match):
        call(**kwargs)
    assert _snapshot(target) == before


@pytest.fixture
def draft(deputy_a):
    return SuggestionFactory(lead_deputy=deputy_a)


# --- drafting and co-signing -------------------------------------------------


def test_submit_numbers_intersession_suggestions_per_county_and_year(
    deputy_a, deputy_a2
):
    """Intersession suggestions are numbered 1, 2 … per county and year."""
    first = SuggestionFactory(lead_deputy=deputy_a)
    second = SuggestionFactory(lead_deputy=deputy_a2)
    services.suggestion_submit(suggestion=first, actor=deputy_a.user)
    services.suggestion_submit(suggestion=second, actor=deputy_a2.user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.session is None
    assert first.number_label == "闭会期间第1号"
    assert first.status == S.REVIEWING
    assert first.review_stage == ReviewStage.DELEGATION


def test_submit_during_session_numbers_within_session(deputy_a, county_a):
    """Suggestions made during a congress session are numbered 第N号 in it."""
    session = SessionFactory(term=TermFactory(region=county_a))
    suggestion = services.suggestion_create(
        deputy=deputy_a,
        actor=deputy_a.user,
        title="关于城区停车难的建议",
        content="城区停车位严重不足,建议规划建设公共停车场。",
        session=session,
    )
    services.suggestion_submit(suggestion=suggestion, actor=deputy_a.user)
    suggestion.refresh_from_db()
    assert suggestion.number == 1
    assert suggestion.number_label == "第1号"


def test_cosigner_must_confirm_before_submit(draft, deputy_a, deputy_a2):
    """联名: the draft cannot be submitted until every co-signer confirmed."""
    services.signer_invite(suggestion=draft, actor=deputy_a.user, deputy=deputy_a2)
    refused(
        draft,
        "联名代表没有确认",
        services.suggestion_submit,
        suggestion=draft,
        actor=deputy_a.user,
    )
    services.signer_confirm(suggestion=draft, actor=deputy_a2.user)
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    assert draft.signatures.get().confirmed_at is not None


def test_only_lead_deputy_submits_or_edits(draft, deputy_a2):
    refused(
        draft,
        "只有领衔代表",
        services.suggestion_submit,
        suggestion=draft,
        actor=deputy_a2.user,
    )
    refused(
        draft,
        "只有领衔代表",
        services.suggestion_update,
        suggestion=draft,
        actor=deputy_a2.user,
        title="改",
        content="改过的内容改过的内容改过的内容",
        category="other",
    )


def test_uninvited_deputy_cannot_confirm(draft, deputy_a2):
    with pytest.raises(ValidationError, match="没有被邀请联名"):
        services.signer_confirm(suggestion=draft, actor=deputy_a2.user)


def test_submitted_suggestion_cannot_be_edited_or_resubmitted(draft, deputy_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "不能再修改",
        services.suggestion_update,
        suggestion=draft,
        actor=deputy_a.user,
        title="新标题",
        content="新的内容新的内容新的内容",
        category="other",
    )
    refused(
        draft,
        "不能提交",
        services.suggestion_submit,
        suggestion=draft,
        actor=deputy_a.user,
    )


def test_guidance_only_on_drafts_by_staff(draft, staff_a, staff_b, deputy_a):
    """选题指导: staff of the county advise on a draft before it is submitted."""
    services.suggestion_guide(suggestion=draft, actor=staff_a, note="请补充数据")
    assert draft.events.filter(kind="guidance").exists()
    refused(
        draft,
        "只有本级人大常委会工作人员",
        services.suggestion_guide,
        suggestion=draft,
        actor=staff_b,
        note="越权",
    )
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "尚未提交",
        services.suggestion_guide,
        suggestion=draft,
        actor=staff_a,
        note="晚了",
    )


def test_attachment_type_checked(draft, deputy_a):
    bad = SimpleUploadedFile("a.exe", b"MZ")
    with pytest.raises(ValidationError, match="附件只能是"):
        services.suggestion_attach(suggestion=draft, actor=deputy_a.user, file=bad)
    good = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff")
    attachment = services.suggestion_attach(
        suggestion=draft, actor=deputy_a.user, file=good
    )
    assert attachment.name == "现场照片.jpg"


# --- the three reviews ---------------------------------------------------------


def test_three_reviews_in_order_register(draft, deputy_a, staff_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    for stage in ReviewStage.values:
        draft.refresh_from_db()
        assert draft.review_stage == stage
        services.suggestion_review(
            suggestion=draft, actor=staff_a, stage=stage, decision="pass"
        )
    draft.refresh_from_db()
    assert draft.status == S.REGISTERED
    assert draft.registered_at is not None
    assert draft.reviews.count() == 3


def test_review_of_wrong_stage_refused(draft, deputy_a, staff_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "正处于“代表团审查”",
        services.suggestion_review,
        suggestion=draft,
        actor=staff_a,
        stage=ReviewStage.SECRETARIAT,
        decision="pass",
    )


def test_review_by_other_county_refused(draft, deputy_a, staff_b):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "只有本级人大常委会工作人员",
        services.suggestion_review,
        suggestion=draft,
        actor=staff_b,
        stage=ReviewStage.DELEGATION,
        decision="pass",
    )


def test_return_needs_reason_and_resubmission_resumes_stage(draft, deputy_a, staff_a):
    """Returned for revision: the deputy edits and resubmits; review resumes at the
    stage that returned it, and the number is kept."""
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    services.suggestion_review(
        suggestion=draft, actor=staff_a, stage="delegation", decision="pass"
    )
    refused(
        draft,
        "必须写明理由",
        services.suggestion_review,
        suggestion=draft,
        actor=staff_a,
        stage="secretariat",
        decision="return",
    )
    services.suggestion_review(
        suggestion=draft,
        actor=staff_a,
        stage="secretariat",
        decision="return",
        comment="请写明具体路段",
    )
    draft.refresh_from_db()
    assert draft.status == S.RETURNED
    assert draft.return_reason == "请写明具体路段"
    services.suggestion_update(
        suggestion=draft,
        actor=deputy_a.user,
        title=draft.title,
        content="建议硬化桃洪镇至六都寨镇的农村道路,全长八公里。",
        category="transport",
    )
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    draft.refresh_from_db()
    assert draft.status == S.REVIEWING
    assert draft.review_stage == "secretariat"
    assert draft.number == 1


def test_not_a_suggestion_is_final_with_reason(draft, deputy_a, staff_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    services.suggestion_review(
        suggestion=draft,
        actor=staff_a,
        stage="delegation",
        decision="not_suggestion",
        comment="属于个人诉求,已转信访部门",
    )
    draft.refresh_from_db()
    assert draft.status == S.NOT_ACCEPTED
    refused(
        draft,
        "不能提交",
        services.suggestion_submit,
        suggestion=draft,
        actor=deputy_a.user,
    )


def test_merge_into_duplicate_keeps_each_deputy_answered(
    deputy_a, deputy_a2, staff_a, advance
):
    """并案: the merged suggestion's deputy is answered with the main one's reply
    and may rate it."""
    main = SuggestionFactory(lead_deputy=deputy_a)
    duplicate = SuggestionFactory(lead_deputy=deputy_a2)
    services.suggestion_submit(suggestion=main, actor=deputy_a.user)
    services.suggestion_submit(suggestion=duplicate, actor=deputy_a2.user)
    refused(
        duplicate,
        "须选择并入的建议",
        services.suggestion_review,
        suggestion=duplicate,
        actor=staff_a,
        stage="delegation",
        decision="merge",
    )
    services.suggestion_review(
        suggestion=duplicate,
        actor=staff_a,
        stage="delegation",
        decision="merge",
        merged_into=main,
        comment="与第1号内容相同",
    )
    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED
    assert duplicate.merged_into == main
    assert deputy_a2 in services.deputies_to_answer(main)


def test_merge_into_itself_refused(draft, deputy_a, staff_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "不能并入自己",
        services.suggestion_review,
        suggestion=draft,
        actor=staff_a,
        stage="delegation",
        decision="merge",
        merged_into=draft,
    )


# --- assignment ------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_assign_sets_statutory_deadlines(draft, advance, staff_a, unit_a, unit_a2):
    """Reply due three months after assignment; a co-unit's view within one month."""
    advance(draft, "registered")
    lead, co = services.suggestion_assign(
        suggestion=draft, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
    )
    assert lead.role == Assignment.Role.LEAD
    assert lead.assigned_on == datetime.date(2026, 3, 2)
    assert lead.due_date == datetime.date(2026, 6, 2)
    assert co.co_view_due == datetime.date(2026, 4, 2)
    draft.refresh_from_db()
    assert draft.status == S.ASSIGNED


def test_assign_twice_refused(draft, advance, staff_a, unit_a):
    advance(draft, "assigned")
    refused(
        draft,
        "已经交办,不能重复交办",
        services.suggestion_assign,
        suggestion=draft,
        actor=staff_a,
        lead_unit=unit_a,
    )


def test_assign_before_registration_refused(draft, deputy_a, staff_a, unit_a):
    services.suggestion_submit(suggestion=draft, actor=deputy_a.user)
    refused(
        draft,
        "须先通过三审立案",
        services.suggestion_assign,
        suggestion=draft,
        actor=staff_a,
        lead_unit=unit_a,
    )


ASSIGN_REFUSALS = {
    "draft": "还是草稿,须提交并通过三审立案后才能交办",
    "reviewing": "还在审查中,须先通过三审立案才能交办",
    "returned": "已退回代表修改,须重新提交并通过三审立案后才能交办",
    "not_accepted": "已决定不作为建议处理,不能交办",
    "merged": "已并案,由并入的建议交办",
    "assigned": "已经交办,不能重复交办",
    "handling": "已经交办,不能重复交办",
    "replied": "已经答复,不能再交办",
    "rehandling": "正在再次办理,不能重新交办",
    "closed": "已办结,不能交办",
}


def _to_state(suggestion, state, advance, staff_a, deputy_a2):
    """Bring ``suggestion`` to ``state``, also the review outcomes ``advance``
    does not walk (returned, not accepted, merged)."""
    decisions = {
        "returned": "return",
        "not_accepted": "not_suggestion",
        "merged": "merge",
    }
    if state not in decisions:
        advance(suggestion, state)
        return
    advance(suggestion, "reviewing")
    main = None
    if state == "merged":
        main = SuggestionFactory(lead_deputy=deputy_a2)
        advance(main, "reviewing")
    services.suggestion_review(
        suggestion=suggestion,
        actor=staff_a,
        stage="delegation",
        decision=decisions[state],
        merged_into=main,
        comment="理由",
    )


@pytest.mark.parametrize("state", list(ASSIGN_REFUSALS))
def test_assign_refused_with_the_reason_of_each_state(
    state, draft, advance, staff_a, unit_a, unit_a2, deputy_a2
):
    """Assigning anything but a registered suggestion says why, state by state
    (a closed one is not told "须先通过三审立案"), and changes nothing."""
    _to_state(draft, state, advance, staff_a, deputy_a2)
    draft.refresh_from_db()
    assert draft.status == state
    before = list(Assignment.objects.filter(suggestion=draft).values())
    refused(
        draft,
        ASSIGN_REFUSALS[state],
        services.suggestion_assign,
        suggestion=draft,
        actor=staff_a,
        lead_unit=unit_a2,
    )
    assert list(Assignment.objects.filter(suggestion=draft).values()) == before
    if state not in {"reviewing"}:
        with pytest.raises(ValidationError) as refusal:
            services.suggestion_assign(
                suggestion=draft, actor=staff_a, lead_unit=unit_a2
            )
        assert "须先通过三审立案" not in str(refusal.value)


def test_assign_to_other_county_unit_refused(draft, advance, staff_a, unit_b):
    advance(draft, "registered")
    refused(
        draft,
        "不能交办给本级以外",
        services.suggestion_assign,
        suggestion=draft,
        actor=staff_a,
        lead_unit=unit_b,
    )


def test_co_units_need_a_lead(draft, advance, staff_a, unit_a2):
    advance(draft, "registered")
    refused(
        draft,
        "必须确定主办单位",
        services.suggestion_assign,
        suggestion=draft,
        actor=staff_a,
        co_units=[unit_a2],
    )


def test_separate_units_each_reply(
    draft, advance, staff_a, unit_a, unit_a2, liaison_a, liaison_a2
):
    """分办: each unit replies; the suggestion is replied once both have."""
    advance(draft, "registered")
    first, second = services.suggestion_assign(
        suggestion=draft, actor=staff_a, separate_units=[unit_a, unit_a2]
    )
    for assignment, liaison in ((first, liaison_a), (second, liaison_a2)):
        services.assignment_acknowledge(assignment=assignment, actor=liaison)
        services.handling_step_add(
            assignment=assignment,
            actor=liaison,
            kind="contact",
            date=timezone.localdate(),
            note="电话沟通",
        )
        services.reply_create(
            assignment=assignment,
            actor=liaison,
            text="已办理",
            result_class="A",
            signer="负责人",
        )
        draft.refresh_from_db()
    assert draft.status == S.REPLIED
    assert draft.replies.count() == 2


def test_extension_requires_recorded_approval(draft, advance, staff_a, leader_a):
    """Extension to six months only with a recorded approver and reason."""
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False
    ):
        assignment = advance(draft, "handling")
    refused(
        draft,
        "记录批准人",
        services.assignment_extend,
        assignment=assignment,
        actor=staff_a,
        approved_by=None,
        reason="涉及多部门",
    )
    services.assignment_extend(
        assignment=assignment, actor=staff_a, approved_by=leader_a, reason="涉及多部门"
    )
    assignment.refresh_from_db()
    assert assignment.extended
    assert assignment.due_date == datetime.date(2026, 9, 2)
    assert assignment.extension_approved_by == leader_a
    with pytest.raises(ValidationError, match="已经延期过"):
        services.assignment_extend(
            assignment=assignment, actor=staff_a, approved_by=leader_a, reason="再延"
        )


def test_reassignment_request_within_seven_working_days(
    draft, advance, staff_a, liaison_a, unit_a2
):
    """A unit may ask for reassignment within 7 working days, with a reason."""
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False
    ):
        assignment = advance(draft, "assigned")
        with pytest.raises(ValidationError, match="须说明理由"):
            services.assignment_request_reassignment(
                assignment=assignment, actor=liaison_a, reason=" "
            )
    # 2026-03-02 (Mon) + 7 working days = 2026-03-11 (Wed): the last day.
    with time_machine.travel(
        datetime.datetime(2026, 3, 12, 10, tzinfo=datetime.UTC), tick=False
    ):
        with pytest.raises(ValidationError, match="七个工作日内"):
            services.assignment_request_reassignment(
                assignment=assignment, actor=liaison_a, reason="不属于本局职责"
            )
    with time_machine.travel(
        datetime.datetime(2026, 3, 11, 10, tzinfo=datetime.UTC), tick=False
    ):
        services.assignment_request_reassignment(
            assignment=assignment, actor=liaison_a, reason="不属于本局职责"
        )
        new = services.assignment_reassign(
            assignment=assignment, actor=staff_a, unit=unit_a2
        )
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert new.unit == unit_a2
    assert new.due_date == datetime.date(2026, 6, 11)


def test_reassign_without_request_refused(draft, advance, staff_a, unit_a2):
    assignment = advance(draft, "assigned")
    with pytest.raises(ValidationError, match="提出调整申请"):
        services.assignment_reassign(assignment=assignment, actor=staff_a, unit=unit_a2)


def test_key_suggestion_needs_supervising_leader(
    draft, advance, staff_a, leader_a, committee_a
):
    advance(draft, "registered")
    refused(
        draft,
        "督办的常委会领导",
        services.suggestion_set_supervision,
        suggestion=draft,
        actor=staff_a,
        is_key=True,
    )
    services.suggestion_set_supervision(
        suggestion=draft,
        actor=staff_a,
        is_key=True,
        supervising_leader=leader_a,
        coordinating_committee=committee_a,
        fund_amount=50,
    )
    draft.refresh_from_db()
    assert draft.is_key and draft.fund_amount == 50


# --- the unit's work -------------------------------------------------------------


def test_unit_steps_need_acknowledgement_and_own_unit(
    draft, advance, liaison_a, liaison_a2
):
    assignment = advance(draft, "assigned")
    with pytest.raises(ValidationError, match="只有承办单位的联络员"):
        services.assignment_acknowledge(assignment=assignment, actor=liaison_a2)
    with pytest.raises(ValidationError, match="请先签收"):
        services.handling_step_add(
            assignment=assignment,
            actor=liaison_a,
            kind="plan",
            date=timezone.localdate(),
            note="方案",
        )
    services.assignment_acknowledge(assignment=assignment, actor=liaison_a)
    draft.refresh_from_db()
    assert draft.status == S.HANDLING
    with pytest.raises(ValidationError, match="已经签收过了"):
        services.assignment_acknowledge(assignment=assignment, actor=liaison_a)


def test_reply_requires_contact_with_deputy_first(draft, advance, liaison_a):
    """Contact with the deputy (见面沟通) is required before the reply."""
    assignment = advance(draft, "handling")
    services.handling_step_add(
        assignment=assignment,
        actor=liaison_a,
        kind=HandlingStep.Kind.PLAN,
        date=timezone.localdate(),
        note="制定方案",
    )
    refused(
        draft,
        "须先与代表见面沟通",
        services.reply_create,
        assignment=assignment,
        actor=liaison_a,
        text="答复",
        result_class="A",
        signer="张局长",
    )


def test_b_class_reply_needs_commitments(draft, advance, liaison_a):
    assignment = advance(draft, "handling")
    services.handling_step_add(
        assignment=assignment,
        actor=liaison_a,
        kind="contact",
        date=timezone.localdate(),
        note="座谈",
    )
    refused(
        draft,
        "B类答复须列出承诺事项",
        services.reply_create,
        assignment=assignment,
        actor=liaison_a,
        text="正在解决",
        result_class="B",
        signer="张局长",
    )


def test_co_unit_sends_view_and_cannot_reply(
    draft, advance, staff_a, unit_a, unit_a2, liaison_a2
):
    advance(draft, "registered")
    _lead, co = services.suggestion_assign(
        suggestion=draft, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
    )
    services.assignment_acknowledge(assignment=co, actor=liaison_a2)
    with pytest.raises(ValidationError, match="协办单位不单独答复"):
        services.reply_create(
            assignment=co, actor=liaison_a2, text="x", result_class="A", signer="x"
        )
    services.co_view_submit(assignment=co, actor=liaison_a2, text="同意主办单位方案")
    co.refresh_from_db()
    assert co.co_view_at is not None


def test_reply_on_time_flag(draft, advance, liaison_a):
    assignment = advance(draft, "replied")
    reply = Reply.objects.get(assignment=assignment)
    assert reply.on_time
    draft.refresh_from_db()
    assert draft.status == S.REPLIED


# --- evaluation and re-handling --------------------------------------------------


def test_unsatisfied_reopens_once_then_closes(draft, advance, liaison_a, deputy_a):
    """不满意 sends it back to handling once (due in a month), keeping the first
    reply; the second reply's rating closes it whatever it is."""
    assignment = advance(draft, "rehandling")
    assert draft.status == S.REHANDLING
    assert draft.rehandling_rounds == 1
    assignment.refresh_from_db()
    assert assignment.due_date > timezone.localdate()
    assert (assignment.due_date - timezone.localdate()).days <= 34
    # The second round needs its own contact first.
    with pytest.raises(ValidationError, match="须先与代表见面沟通"):
        services.reply_create(
            assignment=assignment,
            actor=liaison_a,
            text="再次答复",
            result_class="A",
            signer="张局长",
        )
    services.handling_step_add(
        assignment=assignment,
        actor=liaison_a,
        kind="contact",
        date=timezone.localdate(),
        note="再次见面",
    )
    services.reply_create(
        assignment=assignment,
        actor=liaison_a,
        text="再次答复",
        result_class="A",
        signer="张局长",
    )
    services.evaluation_record(
        suggestion=draft,
        actor=deputy_a.user,
        deputy=deputy_a,
        result="unsatisfied",
        comment="仍不满意",
    )
    draft.refresh_from_db()
    assert draft.status == S.CLOSED
    assert draft.replies.count() == 2
    assert draft.rehandling_rounds == 1


def test_unsatisfied_needs_comment(draft, advance, deputy_a):
    advance(draft, "replied")
    refused(
        draft,
        "不满意时请写明意见",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_a.user,
        deputy=deputy_a,
        result="unsatisfied",
    )


def test_evaluation_only_by_answered_deputies_and_once(
    draft, advance, deputy_a, deputy_b, staff_a
):
    advance(draft, "replied")
    refused(
        draft,
        "只能以本人身份",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_b.user,
        deputy=deputy_a,
        result="satisfied",
    )
    refused(
        draft,
        "只有领衔代表和确认联名的代表",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_b.user,
        deputy=deputy_b,
        result="satisfied",
    )
    services.evaluation_record(
        suggestion=draft,
        actor=staff_a,
        deputy=deputy_a,
        result="basically_satisfied",
        is_paper=True,
    )
    draft.refresh_from_db()
    assert draft.status == S.CLOSED
    evaluation = Evaluation.objects.get(suggestion=draft)
    assert evaluation.is_paper and evaluation.recorded_by == staff_a


def test_cosigner_rating_does_not_close(draft, deputy_a, deputy_a2, advance):
    services.signer_invite(suggestion=draft, actor=deputy_a.user, deputy=deputy_a2)
    services.signer_confirm(suggestion=draft, actor=deputy_a2.user)
    advance(draft, "replied")
    services.evaluation_record(
        suggestion=draft, actor=deputy_a2.user, deputy=deputy_a2, result="satisfied"
    )
    draft.refresh_from_db()
    assert draft.status == S.REPLIED


def test_cosigner_rates_after_the_lead_closed_it(draft, deputy_a, deputy_a2, advance):
    """The lead deputy's rating closes the suggestion; a co-signer who has not
    rated yet still rates the final reply (once), and nothing else changes."""
    services.signer_invite(suggestion=draft, actor=deputy_a.user, deputy=deputy_a2)
    services.signer_confirm(suggestion=draft, actor=deputy_a2.user)
    advance(draft, "replied")
    services.evaluation_record(
        suggestion=draft, actor=deputy_a.user, deputy=deputy_a, result="satisfied"
    )
    draft.refresh_from_db()
    assert draft.status == S.CLOSED
    refused(
        draft,
        "现在不能测评",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_a.user,
        deputy=deputy_a,
        result="satisfied",
    )
    services.evaluation_record(
        suggestion=draft,
        actor=deputy_a2.user,
        deputy=deputy_a2,
        result="unsatisfied",
        comment="村里的路还没修",
    )
    draft.refresh_from_db()
    assert draft.status == S.CLOSED and draft.rehandling_rounds == 0
    refused(
        draft,
        "本轮已经测评过了",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_a2.user,
        deputy=deputy_a2,
        result="satisfied",
    )


def test_cosigner_rates_each_reply_across_rehandling(
    draft, deputy_a, deputy_a2, advance, liaison_a
):
    services.signer_invite(suggestion=draft, actor=deputy_a.user, deputy=deputy_a2)
    services.signer_confirm(suggestion=draft, actor=deputy_a2.user)
    assignment = advance(draft, "rehandling")
    # The lead sent it back; the co-signer rates the first reply meanwhile.
    first = services.evaluation_record(
        suggestion=draft, actor=deputy_a2.user, deputy=deputy_a2, result="satisfied"
    )
    assert first.round == 1
    draft.refresh_from_db()
    assert draft.status == S.REHANDLING
    services.handling_step_add(
        assignment=assignment,
        actor=liaison_a,
        kind="contact",
        date=timezone.localdate(),
        note="再次见面",
    )
    services.reply_create(
        assignment=assignment,
        actor=liaison_a,
        text="再次答复",
        result_class="A",
        signer="张局长",
    )
    second = services.evaluation_record(
        suggestion=draft, actor=deputy_a2.user, deputy=deputy_a2, result="satisfied"
    )
    assert second.round == 2
    draft.refresh_from_db()
    assert draft.status == S.REPLIED  # only the lead deputy's rating closes it


def test_evaluation_before_reply_refused(draft, advance, deputy_a):
    advance(draft, "handling")
    refused(
        draft,
        "现在不能测评",
        services.evaluation_record,
        suggestion=draft,
        actor=deputy_a.user,
        deputy=deputy_a,
        result="satisfied",
    )


def test_commitment_followed_until_done(draft, advance, liaison_a, liaison_a2):
    assignment = advance(draft, "replied", result_class="B")
    commitment = Reply.objects.get(assignment=assignment).commitments.get()
    with pytest.raises(ValidationError, match="只有承办单位的联络员"):
        services.commitment_complete(commitment=commitment, actor=liaison_a2, note="x")
    services.commitment_complete(commitment=commitment, actor=liaison_a, note="已完工")
    commitment.refresh_from_db()
    assert commitment.done_at is not None


def test_review_decisions_list_is_complete():
    """The four decisions of the issue exist."""
    assert set(Review.Decision.values) == {"pass", "return", "not_suggestion", "merge"}


def test_other_user_cannot_draft_for_deputy(deputy_a):
    stranger = UserFactory(username="stranger")
    with pytest.raises(ValidationError, match="只能为自己起草建议"):
        services.suggestion_create(
            deputy=deputy_a,
            actor=stranger,
            title="标题",
            content="内容内容内容内容内容内容",
        )


# --- deadlines across holidays and 调休 (congress/calendar.py, 民法典 201–203) ------


@time_machine.travel(datetime.datetime(2026, 2, 2, 2, tzinfo=datetime.UTC), tick=False)
def test_reply_due_moves_past_labour_day(draft, advance, staff_a, unit_a):
    """Assigned 2026-02-02: three months end on 05-02, inside the 劳动节 holiday
    (05-01…05-05), so the reply is due on the next working day, 05-06."""
    assignment = advance(draft, "assigned")
    assert assignment.due_date == datetime.date(2026, 5, 6)


def test_co_unit_view_and_reassignment_across_national_day(
    draft, advance, staff_a, unit_a, unit_a2, liaison_a
):
    """Assigned Monday 2026-09-28: a co-unit's month ends 10-28 (a working day);
    the seven working days for a reassignment request skip 国庆 (10-01…10-07) and
    count the 调休 Saturday 10-10: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12, 10-13."""
    with time_machine.travel(
        datetime.datetime(2026, 9, 28, 2, tzinfo=datetime.UTC), tick=False
    ):
        advance(draft, "registered")
        lead, co = services.suggestion_assign(
            suggestion=draft, actor=staff_a, lead_unit=unit_a, co_units=[unit_a2]
        )
    assert co.co_view_due == datetime.date(2026, 10, 28)
    assert lead.due_date == datetime.date(2026, 12, 28)
    with time_machine.travel(
        datetime.datetime(2026, 10, 14, 2, tzinfo=datetime.UTC), tick=False
    ):
        with pytest.raises(ValidationError, match="2026-10-13"):
            services.assignment_request_reassignment(
                assignment=lead, actor=liaison_a, reason="不属于本局职责"
            )
    with time_machine.travel(
        datetime.datetime(2026, 10, 13, 2, tzinfo=datetime.UTC), tick=False
    ):
        services.assignment_request_reassignment(
            assignment=lead, actor=liaison_a, reason="不属于本局职责"
        )
