"""Topic → plan → item, and the four lists with 回头看 (services, real database)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError

from congress import voting
from congress.models import Notification
from congress.models import Poll
from congress.models import PollOption
from congress.roles import Role
from oversight import services
from oversight.models import Category
from oversight.models import DeliberationOpinion
from oversight.models import Method
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import ProjectReview
from oversight.models import ResearchCampaign
from oversight.models import TopicProposal
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.oversight import OversightItemFactory
from tests.factories.oversight import TopicProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a(county_a):
    return OrganizationFactory(name="隆回县生态环境分局", region=county_a)


@pytest.fixture
def liaison_a(county_a, unit_a):
    return UserFactory(
        username="liaison_a",
        scope_region=county_a,
        organization=unit_a,
        roles=[Role.UNIT_LIAISON],
    )


def test_topic_from_deputy_to_published_plan(county_a, township_a, staff_a):
    """A deputy's topic is supported, shortlisted, adopted; the plan is reported,
    approved and published in that order only."""
    user = UserFactory(username="dep", scope_region=township_a, roles=[Role.DEPUTY])
    deputy = DeputyFactory(region=township_a, user=user)
    topic = services.topic_propose_by_deputy(
        deputy=deputy,
        user=user,
        year=2027,
        title="城区污水管网建设",
        category=Category.ECOLOGY,
        description="雨污混流",
    )
    assert topic.region == county_a and topic.source == TopicProposal.Source.DEPUTY
    services.topic_support(topic=topic, user=staff_a)
    with pytest.raises(ValidationError, match="已经附议"):
        services.topic_support(topic=topic, user=staff_a)
    plan = services.plan_create(region=county_a, year=2027, user=staff_a)
    with pytest.raises(ValidationError, match="入围"):
        services.topic_adopt(
            topic=topic,
            plan=plan,
            user=staff_a,
            method=Method.INSPECTION,
            law_name="水污染防治法",
        )
    with pytest.raises(ValidationError, match="还没有监督事项"):
        services.plan_report(plan=plan, user=staff_a)
    services.topic_shortlist(topic=topic, user=staff_a)
    item = services.topic_adopt(
        topic=topic,
        plan=plan,
        user=staff_a,
        method=Method.INSPECTION,
        law_name="水污染防治法",
        planned_month=6,
    )
    topic.refresh_from_db()
    assert topic.status == TopicProposal.Status.ADOPTED and topic.support == 1
    assert item.plan == plan and item.topic == topic
    with pytest.raises(ValidationError, match="草案"):
        services.plan_publish(plan=plan, user=staff_a)
    services.plan_report(plan=plan, user=staff_a)
    services.plan_approve(plan=plan, user=staff_a, session_label="第三十次常委会会议")
    plan = services.plan_publish(plan=plan, user=staff_a)
    assert plan.status == OversightPlan.Status.PUBLISHED
    with pytest.raises(ValidationError, match="已公布"):
        services.item_create(
            region=county_a,
            title="x",
            category=Category.LAW,
            method=Method.SURVEY,
            user=staff_a,
            plan=plan,
        )


def test_someone_else_cannot_propose_as_a_deputy(township_a, staff_a):
    deputy = DeputyFactory(region=township_a)
    with pytest.raises(PermissionDenied):
        services.topic_propose_by_deputy(
            deputy=deputy,
            user=staff_a,
            year=2027,
            title="t",
            category=Category.LAW,
            description="",
        )


def test_inspection_links_a_township_sub_inspection(
    county_a, township_a, township_b, staff_a
):
    parent = services.item_create(
        region=county_a,
        title="水污染防治法执法检查",
        category=Category.ECOLOGY,
        method=Method.INSPECTION,
        law_name="水污染防治法",
        user=staff_a,
    )
    sub = services.inspection_link_township(
        parent=parent, township=township_a, user=staff_a
    )
    assert sub.parent == parent and sub.region == township_a
    assert "桃洪镇" in sub.title and sub.law_name == "水污染防治法"
    with pytest.raises(ValidationError, match="已经存在"):
        services.inspection_link_township(
            parent=parent, township=township_a, user=staff_a
        )
    with pytest.raises(ValidationError, match="本县范围"):
        services.inspection_link_township(
            parent=parent, township=township_b, user=staff_a
        )


def _opinion_with_problem(item, unit, staff, deadline=datetime.date(2027, 4, 30)):
    opinion = services.opinion_issue(
        item=item,
        text="加快管网建设",
        issued_on=datetime.date(2027, 3, 1),
        report_due=datetime.date(2027, 5, 1),
        user=staff,
    )
    problem = services.problem_add(opinion=opinion, description="管网老化", user=staff)
    measure = services.countermeasure_add(
        problem=problem,
        unit=unit,
        measure="改造管网10公里",
        deadline=deadline,
        user=staff,
    )
    return opinion, problem, measure


def test_four_lists_loop_with_evaluation_and_follow_up(
    county_a, unit_a, liaison_a, staff_a
):
    """Problem → countermeasure → rectification → evaluation (poll engine verdict)
    → 回头看 raises a new problem and reopens the closed opinion."""
    item = OversightItemFactory(region=county_a)
    opinion, problem, measure = _opinion_with_problem(item, unit_a, staff_a)
    with pytest.raises(ValidationError, match="没有整改完成"):
        services.evaluation_open(
            opinion=opinion, audience="members", voters=[staff_a], user=staff_a
        )
    other = UserFactory(
        username="other_liaison",
        roles=[Role.UNIT_LIAISON],
        organization=OrganizationFactory(region=county_a),
    )
    with pytest.raises(PermissionDenied):
        services.rectification_report(
            countermeasure=measure, done="x", user=other, completed=True
        )
    services.rectification_report(
        countermeasure=measure, done="已改造6公里", user=liaison_a, completed=False
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN
    services.rectification_report(
        countermeasure=measure,
        done="已改造10公里",
        evidence="验收报告",
        user=liaison_a,
        completed=True,
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.RECTIFIED

    members = [UserFactory(username=f"member{i}") for i in range(5)]
    evaluation = services.evaluation_open(
        opinion=opinion, audience="members", voters=members, user=staff_a
    )
    codes = {o.code: o.pk for o in evaluation.poll.options.all()}
    for voter, code in zip(
        members,
        ["satisfied", "satisfied", "basically_satisfied", "unsatisfied"],
        strict=False,
    ):
        voting.vote_cast(poll=evaluation.poll, voter=voter, choices=[codes[code]])
    evaluation = services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    # 2 满意 of 5 entitled is not more than half; 2+1 = 3 of 5 is: 基本满意.
    assert evaluation.verdict == PollOption.Code.BASICALLY_SATISFIED
    opinion.refresh_from_db()
    assert opinion.status == DeliberationOpinion.Status.CLOSED
    evaluation.poll.refresh_from_db()
    assert evaluation.poll.status == Poll.Status.PUBLISHED

    follow_up = services.follow_up_record(
        opinion=opinion,
        visited_on=datetime.date(2027, 10, 8),
        findings="新建管网雨季溢流",
        user=staff_a,
        new_problems=["雨季溢流"],
    )
    opinion.refresh_from_db()
    assert opinion.status == DeliberationOpinion.Status.ISSUED
    new = Problem.objects.get(follow_up=follow_up)
    assert new.number == 2 and new.status == Problem.Status.OPEN


def _evaluate(staff, opinion, votes, entitled, *, base, quorum=None):
    voters = [UserFactory() for _ in range(entitled)]
    evaluation = services.evaluation_open(
        opinion=opinion,
        audience="deputies",
        voters=voters,
        user=staff,
        base=base,
        quorum=quorum,
    )
    codes = {o.code: o.pk for o in evaluation.poll.options.all()}
    for voter, code in zip(voters, votes, strict=False):
        voting.vote_cast(poll=evaluation.poll, voter=voter, choices=[codes[code]])
    return services.evaluation_conclude(evaluation=evaluation, user=staff)


S, B, U = "satisfied", "basically_satisfied", "unsatisfied"


@pytest.mark.parametrize(
    ("votes", "entitled", "base", "quorum", "verdict", "closed"),
    [
        # Exactly half 满意 (2 of 4) is not more than half: 基本满意 with 2+1.
        ([S, S, B, U], 4, Poll.Base.ENTITLED, None, B, True),
        # One more than half (3 of 4): 满意.
        ([S, S, S, U], 4, Poll.Base.ENTITLED, None, S, True),
        # Exactly half of 满意+基本满意 (1+1 of 4): 不满意, sent back.
        ([S, B, U, U], 4, Poll.Base.ENTITLED, None, U, False),
        # Base = those voting: 2 of 3 voting is more than half: 满意 …
        ([S, S, U], 5, Poll.Base.VOTING, None, S, True),
        # … but of all 5 entitled it is not: 不满意.
        ([S, S, U], 5, Poll.Base.ENTITLED, None, U, False),
        # Below the quorum (3 voted, 4 required): no verdict, sent back.
        ([S, S, S], 5, Poll.Base.VOTING, 4, "", False),
        # Quorum exactly met: verdict counts.
        ([S, S, S, U], 5, Poll.Base.VOTING, 4, S, True),
    ],
)
def test_evaluation_verdict_at_the_boundaries(
    county_a,
    unit_a,
    liaison_a,
    staff_a,
    votes,
    entitled,
    base,
    quorum,
    verdict,
    closed,
):
    """The verdict is voting.satisfaction_verdict's (not re-encoded here)."""
    item = OversightItemFactory(region=county_a)
    opinion, _problem, measure = _opinion_with_problem(item, unit_a, staff_a)
    services.rectification_report(
        countermeasure=measure, done="完成", user=liaison_a, completed=True
    )
    evaluation = _evaluate(staff_a, opinion, votes, entitled, base=base, quorum=quorum)
    assert evaluation.verdict == verdict
    opinion.refresh_from_db()
    assert (opinion.status == DeliberationOpinion.Status.CLOSED) is closed


def test_countermeasure_reminders_run_twice_send_once(
    county_a, unit_a, liaison_a, staff_a, django_capture_on_commit_callbacks
):
    """Due soon → the unit once; overdue → the unit once; five working days late →
    the county staff once. Running the job again sends nothing more."""
    item = OversightItemFactory(region=county_a)
    _o, _p, measure = _opinion_with_problem(
        item, unit_a, staff_a, deadline=datetime.date(2027, 4, 30)
    )
    UserFactory(username="staff_b_x", roles=[Role.STAFF])  # no scope: not told
    assert services.countermeasure_remind(today=datetime.date(2027, 4, 26)) == 1
    assert services.countermeasure_remind(today=datetime.date(2027, 4, 26)) == 0
    assert services.countermeasure_remind(today=datetime.date(2027, 4, 28)) == 0
    assert services.countermeasure_remind(today=datetime.date(2027, 5, 1)) == 1
    assert services.countermeasure_remind(today=datetime.date(2027, 5, 2)) == 0
    # 2027-04-30 + 5 working days (劳动节 1–5 May are holidays if seeded; weekdays
    # otherwise): escalate on or after that day, once.
    late = datetime.date(2027, 5, 20)
    assert services.countermeasure_remind(today=late) == 1
    assert services.countermeasure_remind(today=late) == 0
    kinds = sorted(
        Notification.objects.filter(object_id=measure.pk).values_list(
            "kind", "recipient__username"
        )
    )
    assert kinds == [
        ("oversight.countermeasure_due", "liaison_a"),
        ("oversight.countermeasure_escalated", "staff_a"),
        ("oversight.countermeasure_overdue", "liaison_a"),
    ]


def test_done_countermeasure_is_not_reminded(county_a, unit_a, liaison_a, staff_a):
    item = OversightItemFactory(region=county_a)
    _o, _p, measure = _opinion_with_problem(item, unit_a, staff_a)
    services.rectification_report(
        countermeasure=measure, done="完成", user=liaison_a, completed=True
    )
    assert services.countermeasure_remind(today=datetime.date(2027, 5, 20)) == 0


def test_project_with_a_flag_cannot_continue(county_a, unit_a, staff_a):
    review = ProjectReview.objects.create(
        region=county_a, project_name="某景观大道", unit=unit_a, ecological_harm=True
    )
    with pytest.raises(ValidationError, match="破坏生态"):
        services.project_review_decide(
            review=review, recommendation="continue", reason="x", user=staff_a
        )
    with pytest.raises(ValidationError, match="请先作出审议建议"):
        services.project_review_outcome(review=review, outcome="停止实施", user=staff_a)
    review = services.project_review_decide(
        review=review, recommendation="halt", reason="占用基本农田", user=staff_a
    )
    assert review.recommendation == ProjectReview.Recommendation.HALT
    services.project_review_outcome(
        review=review, outcome="县政府决定停止实施,节约资金8000万元。", user=staff_a
    )
    review.refresh_from_db()
    assert review.outcome == "县政府决定停止实施,节约资金8000万元。"


def test_inquiry_question_answered_and_followed(county_a, unit_a, staff_a):
    item = OversightItemFactory(region=county_a, method=Method.INQUIRY)
    q = services.question_add(
        item=item, source="deputy", question="何时完成改造?", user=staff_a
    )
    with pytest.raises(ValidationError, match="应询单位"):
        services.question_answer(question=q, answer="年底", user=staff_a)
    q.respondent = unit_a
    q.save()
    q = services.question_answer(
        question=q, answer="年底", follow_up_task="年底前报告", user=staff_a
    )
    q = services.question_follow_up_done(question=q, user=staff_a)
    assert q.follow_up_done


def test_topic_factory_scope(county_a, county_b, staff_a):
    """County-A staff see none of county B's topics."""
    TopicProposalFactory(region=county_a)
    TopicProposalFactory(region=county_b)
    assert set(
        TopicProposal.objects.visible_to(staff_a).values_list("region", flat=True)
    ) == {county_a.pk}


def test_members_paper_evaluation_counts_only_once_a_second_clerk_confirms(
    county_a, unit_a, liaison_a, staff_a
):
    """Members evaluate on paper: one clerk enters the counts, another confirms them;
    until then the verdict cannot be concluded, and the paper ballots count in it."""
    staff_a2 = UserFactory(
        username="staff_a2", scope_region=county_a, roles=[Role.STAFF]
    )
    item = OversightItemFactory(region=county_a)
    opinion, _problem, measure = _opinion_with_problem(item, unit_a, staff_a)
    services.rectification_report(
        countermeasure=measure, done="完成", user=liaison_a, completed=True
    )
    members = [UserFactory(username=f"paper_member{i}") for i in range(7)]
    evaluation = services.evaluation_open(
        opinion=opinion, audience="members", voters=members, user=staff_a
    )
    poll = evaluation.poll
    codes = {o.code: o.pk for o in poll.options.all()}
    for voter in members[:2]:  # two members vote online
        voting.vote_cast(poll=poll, voter=voter, choices=[codes[S]])
    paper = {codes[S]: 2, codes[B]: 2, codes[U]: 1}  # five on paper
    entered = voting.paper_count_enter(
        poll=poll, label="会场纸质票", ballots=5, counts=paper, user=staff_a
    )
    with pytest.raises(ValidationError, match="录入人不能复核"):
        voting.paper_count_confirm(
            paper_count=entered, ballots=5, counts=paper, user=staff_a
        )
    with pytest.raises(ValidationError, match="尚未复核一致"):
        services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    evaluation.refresh_from_db()
    opinion.refresh_from_db()
    poll.refresh_from_db()
    assert evaluation.concluded_at is None and evaluation.verdict == ""
    assert opinion.status == DeliberationOpinion.Status.EVALUATING
    assert poll.status == Poll.Status.OPEN  # the refused conclusion left it open
    voting.paper_count_confirm(
        paper_count=entered, ballots=5, counts=paper, user=staff_a2
    )
    evaluation = services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    # 2 online + 2 paper = 4 满意 of 7 entitled: more than half. Online alone (2
    # of 7) would have missed the quorum of 4 and had no verdict.
    assert evaluation.verdict == PollOption.Code.SATISFIED
    tally = voting.poll_tally(poll=poll)
    assert (tally.turnout.electronic, tally.turnout.paper) == (2, 5)
    assert tally.quorum_required == 4 and tally.quorum_met
    opinion.refresh_from_db()
    assert opinion.status == DeliberationOpinion.Status.CLOSED


def test_research_group_topics_belong_to_their_campaigns_county_and_year(
    county_a, county_b, staff_a
):
    """The October survey's groups propose topics for the campaign's plan year and
    county only; the group records its members, places and meetings."""
    campaign = ResearchCampaign.objects.create(
        region=county_a,
        year=2027,
        title="2027年度监督议题调研",
        start_date=datetime.date(2026, 10, 8),
        end_date=datetime.date(2026, 10, 31),
    )
    group = campaign.groups.create(
        name="第一调研组",
        leader="副主任",
        members="组成人员、代表",
        places_visited="桃洪镇\n六都寨镇\n\n县水利局",
        meetings_held=4,
        met_with="乡镇干部、群众代表",
    )
    assert group.places_count == 3
    with pytest.raises(ValidationError, match="须注明调研组"):
        services.topic_propose(
            region=county_a,
            year=2027,
            title="农村饮水",
            category=Category.LIVELIHOOD,
            source=TopicProposal.Source.RESEARCH_GROUP,
            user=staff_a,
        )
    for region, year in ((county_a, 2026), (county_b, 2027)):
        with pytest.raises(ValidationError, match="与所属的议题调研一致"):
            services.topic_propose(
                region=region,
                year=year,
                title="农村饮水",
                category=Category.LIVELIHOOD,
                source=TopicProposal.Source.RESEARCH_GROUP,
                user=staff_a,
                research_group=group,
            )
    assert not TopicProposal.objects.exists()
    topic = services.topic_propose(
        region=county_a,
        year=2027,
        title="农村饮水",
        category=Category.LIVELIHOOD,
        source=TopicProposal.Source.RESEARCH_GROUP,
        user=staff_a,
        research_group=group,
    )
    assert topic.campaign == campaign and topic.research_group == group


def test_work_report_recorded_with_schedule_steps_until_published(county_a, staff_a):
    """专项工作报告 and the department's year: the report and the members'
    deliberation start the item; schedule steps are marked done; once its results
    are published the item takes no more changes."""
    item = OversightItemFactory(region=county_a, method=Method.WORK_REPORT)
    step = item.milestones.create(
        title="年初听取工作计划", due_date=datetime.date(2027, 2, 20)
    )
    item = services.item_record(
        item=item, user=staff_a, report=" 县水利局工作报告 ", deliberation="审议认为"
    )
    assert item.status == item.Status.IN_PROGRESS
    assert (item.report, item.deliberation) == ("县水利局工作报告", "审议认为")
    services.milestone_done(
        milestone=step, user=staff_a, done_on=datetime.date(2027, 2, 21), note="已听取"
    )
    step.refresh_from_db()
    assert step.done_on == datetime.date(2027, 2, 21) and step.note == "已听取"
    services.item_publish(item=item, user=staff_a, summary="报告经审议,提出意见3条")
    with pytest.raises(ValidationError, match="已经完成"):
        services.item_record(item=item, user=staff_a, findings="补记")
    item.refresh_from_db()
    assert item.findings == "" and item.status == item.Status.COMPLETED
