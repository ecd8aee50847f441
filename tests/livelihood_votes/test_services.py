"""Services of a livelihood-voting round: lifecycle, 差额, counting, run-off,
implementation, reminders and evaluation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from congress import voting
from congress.models import Notification
from congress.models import Poll
from congress.models import PollOption
from congress.roles import Role
from deputies.models import CitizenOpinion
from deputies.models import Mandate
from livelihood_votes import services
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import VotingRound
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.livelihood_votes import VotingRoundFactory
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import liaison_for
from tests.factories.livelihood_votes import published_round

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def _ballot(poll: Poll, yes_titles: list[str]) -> dict[int, str]:
    return {
        o.pk: ("yes" if o.label in yes_titles else "no") for o in poll.options.all()
    }


def _vote(round_: VotingRound, voters, yes_titles: list[str], poll=None) -> None:
    poll = poll or services.round_current_poll(round_)
    for voter in voters:
        voting.vote_cast(poll=poll, voter=voter, choices=_ballot(poll, yes_titles))


def _open_round(county_a, staff_a, *, deputies=9, candidates=4, choose=2, **kwargs):
    round_ = published_round(
        region=county_a, staff=staff_a, candidates=candidates, choose=choose, **kwargs
    )
    voters = deputies_with_users(deputies, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    return round_, voters


# --- creating and collecting ------------------------------------------------------


def test_round_create_in_a_village_is_refused(county_a, staff_a):
    """A round belongs to a county or a township congress."""
    from tests.factories.congress import RegionFactory

    village = RegionFactory(name="某村", code="430524100201", level=5, parent=None)
    with pytest.raises(ValidationError, match="只能设在县"):
        services.round_create(
            region=village,
            year=2026,
            title="村级票决",
            term=TermFactory(region=village),
            choose_count=2,
            user=staff_a,
        )


def test_round_create_with_another_regions_term_is_refused(county_a, county_b, staff_a):
    with pytest.raises(ValidationError, match="不属于本区划"):
        services.round_create(
            region=county_a,
            year=2026,
            title="票决",
            term=TermFactory(region=county_b),
            choose_count=2,
            user=staff_a,
        )


def test_proposal_submit_after_collection_is_refused(county_a, staff_a):
    """Proposals are taken only while the round is collecting."""
    round_ = VotingRoundFactory(region=county_a)
    proposal = services.proposal_submit(
        round_=round_,
        source=ProjectProposal.Source.CITIZEN,
        title="修建村组公路",
        content="某某村到镇上的路坑洼不平。",
        phone="13812345678",
    )
    assert proposal.masked_phone == "138****5678"
    assert proposal.phone_digest
    services.round_screening_start(round_=round_, user=staff_a)
    with pytest.raises(ValidationError, match="征集已经结束"):
        services.proposal_submit(
            round_=round_, source="citizen", title="再提一个", content="内容"
        )
    assert round_.proposals.count() == 1


def test_proposal_promote_from_opinion_links_it_once(county_a, township_a, staff_a):
    round_ = VotingRoundFactory(region=county_a)
    opinion = CitizenOpinion.objects.create(
        region=township_a, content="希望在镇中心建一个农贸市场。", name="王大妈"
    )
    proposal = services.proposal_promote_from_opinion(
        round_=round_, opinion=opinion, title="建设农贸市场", user=staff_a
    )
    assert proposal.source == ProjectProposal.Source.OPINION
    assert list(proposal.opinions.all()) == [opinion]
    with pytest.raises(ValidationError, match="已经转为"):
        services.proposal_promote_from_opinion(
            round_=round_, opinion=opinion, title="建设农贸市场", user=staff_a
        )


def test_candidate_create_merges_proposals(county_a, staff_a):
    round_ = VotingRoundFactory(region=county_a)
    p1 = services.proposal_submit(
        round_=round_, source="citizen", title="路灯", content="安装路灯"
    )
    p2 = services.proposal_submit(
        round_=round_,
        source="deputy",
        title="亮化",
        content="亮化工程",
        deputy=DeputyFactory(region=county_a),
    )
    services.round_screening_start(round_=round_, user=staff_a)
    candidate = services.candidate_create(
        round_=round_,
        title="城区亮化工程",
        description="安装路灯300盏",
        responsible_unit=OrganizationFactory(region=county_a),
        budget=Decimal("300"),
        target_date=datetime.date(2026, 12, 31),
        proposals=[p1, p2],
        user=staff_a,
    )
    assert set(candidate.proposals.all()) == {p1, p2}
    p1.refresh_from_db()
    assert p1.status == ProjectProposal.Status.ADOPTED


@pytest.mark.parametrize(("candidates", "allowed"), [(2, False), (3, True)])
def test_candidates_publish_requires_more_candidates_than_places(
    county_a, staff_a, candidates, allowed
):
    """差额: a list of exactly N candidates for N places is refused; N+1 is published."""
    if allowed:
        round_ = published_round(
            region=county_a, staff=staff_a, candidates=candidates, choose=2
        )
        assert round_.status == VotingRound.Status.PUBLISHED
    else:
        with pytest.raises(ValidationError, match="候选2个,应选2个"):
            published_round(
                region=county_a, staff=staff_a, candidates=candidates, choose=2
            )
        assert VotingRound.objects.get().status == VotingRound.Status.SCREENING


# --- voting -------------------------------------------------------------------------


def test_voting_open_builds_poll_from_candidates_and_term_deputies(
    county_a, county_b, staff_a
):
    """The electorate is the term's active deputies in the region with an account."""
    round_ = published_round(region=county_a, staff=staff_a)
    voters = deputies_with_users(3, region=county_a, term=round_.term)
    ended = deputies_with_users(1, region=county_a, term=round_.term, prefix="ended")
    Mandate.objects.filter(deputy__user=ended[0]).update(status="ended")
    deputies_with_users(
        2, region=county_b, term=TermFactory(region=county_b), prefix="b"
    )
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    poll = round_.poll
    assert poll.status == Poll.Status.OPEN
    assert poll.secrecy == Poll.Secrecy.SECRET
    assert poll.kind == Poll.Kind.APPROVAL
    assert poll.max_choices == 2
    assert set(poll.voters.values_list("user_id", flat=True)) == {v.pk for v in voters}
    assert [o.label for o in poll.options.order_by("order")] == [
        c.title for c in round_.candidates.order_by("order")
    ]
    assert all(c.option_id for c in round_.candidates.all())
    assert round_.status == VotingRound.Status.VOTING


def test_voting_open_with_present_deputies_only(county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a, base="voting")
    voters = deputies_with_users(5, region=county_a, term=round_.term)
    present = [v.deputy for v in voters[:3]]
    round_ = services.round_voting_open(round_=round_, user=staff_a, present=present)
    assert round_.poll.voters.count() == 3
    assert round_.poll.base == Poll.Base.VOTING


def test_decide_while_poll_open_is_refused(county_a, staff_a):
    """No partial result: the round cannot be decided before the close."""
    round_, voters = _open_round(county_a, staff_a)
    _vote(round_, voters[:5], ["候选项目1"])
    with pytest.raises(ValidationError, match="投票尚未截止"):
        services.round_decide(round_=round_, user=staff_a)


def test_decide_chooses_most_votes_among_majority_and_creates_projects(
    county_a, staff_a
):
    """9 deputies: 5 yes is more than half, 4 is not; the top two approved win."""
    round_, voters = _open_round(county_a, staff_a, deputies=9, candidates=4)
    _vote(round_, voters[:7], ["候选项目1", "候选项目2"])  # 1,2: 7 yes
    _vote(round_, voters[7:], ["候选项目3", "候选项目4"])  # 3,4: 2 yes
    services.round_voting_close(round_=round_, user=staff_a)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert [c.title for c in decision.chosen] == ["候选项目1", "候选项目2"]
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.DECIDED
    assert round_.poll.status == Poll.Status.PUBLISHED
    c1 = round_.candidates.get(title="候选项目1")
    assert (c1.yes_votes, c1.no_votes, c1.abstain_votes) == (7, 2, 0)
    assert c1.outcome == CandidateProject.Outcome.CHOSEN
    assert c1.rank in (1, 2)
    assert round_.candidates.get(title="候选项目3").outcome == "not_chosen"
    projects = LivelihoodProject.objects.filter(round=round_)
    assert sorted(p.title for p in projects) == ["候选项目1", "候选项目2"]


def test_decide_exactly_half_is_not_approved(county_a, staff_a):
    """8 deputies: 4 yes is exactly half, not more than half: not chosen."""
    round_, voters = _open_round(county_a, staff_a, deputies=8, candidates=3)
    _vote(round_, voters[:5], ["候选项目1"])  # 5 of 8
    _vote(round_, voters[5:8], ["候选项目2"])
    services.round_voting_close(round_=round_, user=staff_a)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert [c.title for c in decision.chosen] == ["候选项目1"]
    assert LivelihoodProject.objects.filter(round=round_).count() == 1


def test_decide_tie_at_cutoff_flags_runoff_then_runoff_decides(county_a, staff_a):
    """A tie for the last place is never broken silently: a run-off decides it."""
    round_, voters = _open_round(county_a, staff_a, deputies=9, candidates=4)
    _vote(round_, voters[:3], ["候选项目1", "候选项目2"])
    _vote(round_, voters[3:6], ["候选项目1", "候选项目3"])
    _vote(round_, voters[6:9], ["候选项目2", "候选项目3"])
    # 1: 6, 2: 6, 3: 6 → three tied for two places
    services.round_voting_close(round_=round_, user=staff_a)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert decision.chosen == []
    assert {c.title for c in decision.runoff} == {"候选项目1", "候选项目2", "候选项目3"}
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.VOTING
    assert round_.needs_runoff
    assert not LivelihoodProject.objects.exists()
    with pytest.raises(ValidationError, match="再次投票"):
        services.round_decide(round_=round_, user=staff_a)

    runoff = services.round_runoff_open(round_=round_, user=staff_a)
    assert runoff.max_choices == 2
    assert runoff.options.count() == 3
    round_.refresh_from_db()
    _vote(round_, voters[:6], ["候选项目1", "候选项目3"])
    _vote(round_, voters[6:], ["候选项目2", "候选项目3"])
    services.round_voting_close(round_=round_, user=staff_a)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert {c.title for c in decision.chosen} == {"候选项目1", "候选项目3"}
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.DECIDED
    assert set(round_.projects.values_list("title", flat=True)) == {
        "候选项目1",
        "候选项目3",
    }
    assert round_.candidates.get(title="候选项目2").outcome == "not_chosen"


def test_decide_refused_until_paper_counts_confirmed(county_a, staff_a):
    """Paper ballots: one clerk enters, a different one confirms; a mismatch blocks."""
    round_, voters = _open_round(county_a, staff_a, deputies=9, candidates=3)
    _vote(round_, voters[:6], ["候选项目1", "候选项目2"])
    services.round_voting_close(round_=round_, user=staff_a)
    poll = round_.poll
    options = {o.label: o.pk for o in poll.options.all()}
    counts = {
        options["候选项目1"]: {"yes": 2, "no": 1},
        options["候选项目2"]: {"yes": 1, "no": 2},
        options["候选项目3"]: {"yes": 0, "no": 3},
    }
    paper = voting.paper_count_enter(
        poll=poll, label="纸质选票", ballots=3, counts=counts, user=staff_a
    )
    clerk2 = UserFactory(username="clerk2", scope_region=county_a, roles=[Role.STAFF])
    wrong = {**counts, options["候选项目1"]: {"yes": 3, "no": 0}}
    paper = voting.paper_count_confirm(
        paper_count=paper, ballots=3, counts=wrong, user=clerk2
    )
    assert paper.status == "mismatch"
    with pytest.raises(ValidationError, match="尚未复核一致"):
        services.round_decide(round_=round_, user=staff_a)
    voting.paper_count_confirm(paper_count=paper, ballots=3, counts=counts, user=clerk2)
    services.round_decide(round_=round_, user=staff_a)
    c1 = round_.candidates.get(title="候选项目1")
    assert c1.yes_votes == 8


# --- implementation --------------------------------------------------------------------


@pytest.fixture
def implementing(county_a, staff_a):
    unit = OrganizationFactory(region=county_a, name="县交通运输局")
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, unit=unit)
    voters = deputies_with_users(3, region=county_a, term=round_.term)
    services.round_voting_open(round_=round_, user=staff_a)
    round_.refresh_from_db()
    _vote(round_, voters, ["候选项目1", "候选项目2"])
    services.round_voting_close(round_=round_, user=staff_a)
    services.round_decide(round_=round_, user=staff_a)
    services.round_implementation_start(round_=round_, user=staff_a)
    round_.refresh_from_db()
    project = round_.projects.get(title="候选项目1")
    return round_, project, unit, voters


@time_machine.travel(datetime.datetime(2026, 5, 2, 10, 0, tzinfo=SH), tick=False)
def test_progress_report_rules(implementing, county_a, staff_a):
    round_, project, unit, _voters = implementing
    liaison = liaison_for(unit)
    other = liaison_for(OrganizationFactory(region=county_a), username="other")
    kwargs = dict(project=project, funds_spent=Decimal("20"), narrative="已开工。")
    with pytest.raises(ValidationError, match="只有责任单位的联络员"):
        services.progress_report_submit(
            month=datetime.date(2026, 4, 1), percent=10, user=other, **kwargs
        )
    services.progress_report_submit(
        month=datetime.date(2026, 4, 15), percent=30, user=liaison, **kwargs
    )
    with pytest.raises(ValidationError, match="已经报送"):
        services.progress_report_submit(
            month=datetime.date(2026, 4, 1), percent=40, user=liaison, **kwargs
        )
    with pytest.raises(ValidationError, match="不能低于上次报送的30%"):
        services.progress_report_submit(
            month=datetime.date(2026, 5, 1), percent=20, user=liaison, **kwargs
        )
    with pytest.raises(ValidationError, match="尚未开始的月份"):
        services.progress_report_submit(
            month=datetime.date(2026, 6, 1), percent=50, user=liaison, **kwargs
        )
    project.refresh_from_db()
    assert (project.percent, project.status) == (30, "in_progress")
    services.progress_report_submit(
        month=datetime.date(2026, 5, 1), percent=100, user=liaison, **kwargs
    )
    project.refresh_from_db()
    assert project.status == LivelihoodProject.Status.COMPLETED


def test_milestone_and_supervision_visit(implementing, staff_a):
    round_, project, _unit, voters = implementing
    milestone = services.milestone_create(
        project=project,
        title="主体工程完工",
        due_date=datetime.date(2026, 9, 30),
        user=staff_a,
    )
    services.milestone_complete(
        milestone=milestone, done_on=datetime.date(2026, 1, 5), user=staff_a
    )
    with pytest.raises(ValidationError, match="已经完成"):
        services.milestone_complete(
            milestone=milestone, done_on=datetime.date(2026, 1, 5), user=staff_a
        )
    with pytest.raises(ValidationError, match="请选择参加督查的代表"):
        services.supervision_visit_record(
            project=project,
            date=datetime.date(2026, 1, 5),
            deputies=[],
            rating="on_track",
            findings="进展顺利",
            user=staff_a,
        )
    visit = services.supervision_visit_record(
        project=project,
        date=datetime.date(2026, 1, 5),
        deputies=[v.deputy for v in voters[:2]],
        rating="behind",
        findings="进度滞后,建议加快。",
        user=staff_a,
    )
    assert visit.deputies.count() == 2


def test_progress_reminders_are_sent_once_and_escalate(implementing, county_a, staff_a):
    """Before the due day the unit is reminded; after it the staff too; a second
    run the same day sends nothing more."""
    round_, project, unit, _voters = implementing
    liaison = liaison_for(unit)
    # The round was decided "now"; pretend it was decided in March.
    type(round_).objects.filter(pk=round_.pk).update(
        decided_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    )
    milestone = services.milestone_create(
        project=project, title="开工", due_date=datetime.date(2026, 4, 20), user=staff_a
    )
    with time_machine.travel(
        datetime.datetime(2026, 5, 3, 9, 0, tzinfo=SH), tick=False
    ):
        first = services.progress_reminders_send(today=datetime.date(2026, 5, 3))
        again = services.progress_reminders_send(today=datetime.date(2026, 5, 3))
    assert again == 0
    due = Notification.objects.filter(kind=services.PROGRESS_DUE_KIND)
    # two projects of the unit, one liaison
    assert due.count() == 2 and {n.recipient for n in due} == {liaison}
    overdue_ms = Notification.objects.filter(kind=services.MILESTONE_OVERDUE_KIND)
    assert {n.recipient for n in overdue_ms} == {liaison, staff_a}
    assert first == 2 + 2
    with time_machine.travel(
        datetime.datetime(2026, 5, 6, 9, 0, tzinfo=SH), tick=False
    ):
        services.progress_reminders_send(today=datetime.date(2026, 5, 6))
        services.progress_reminders_send(today=datetime.date(2026, 5, 6))
    overdue = Notification.objects.filter(kind=services.PROGRESS_OVERDUE_KIND)
    assert overdue.count() == 4  # 2 projects × (liaison + staff)
    assert {n.recipient for n in overdue} == {liaison, staff_a}
    services.milestone_complete(
        milestone=milestone, done_on=datetime.date(2026, 1, 1), user=staff_a
    )


# --- evaluation -------------------------------------------------------------------------


def test_evaluation_records_verdict_per_project(implementing, staff_a):
    round_, project, _unit, voters = implementing
    services.round_evaluation_open(round_=round_, user=staff_a)
    project.refresh_from_db()
    poll = project.evaluation_poll
    assert poll.kind == Poll.Kind.SATISFACTION and poll.status == Poll.Status.OPEN
    grades = {o.code: o.pk for o in poll.options.all()}
    voting.vote_cast(poll=poll, voter=voters[0], choices=[grades["satisfied"]])
    voting.vote_cast(
        poll=poll, voter=voters[1], choices=[grades["basically_satisfied"]]
    )
    voting.vote_cast(poll=poll, voter=voters[2], choices=[grades["unsatisfied"]])
    services.project_public_survey_record(
        project=project,
        satisfied=60,
        basically_satisfied=30,
        unsatisfied=10,
        user=staff_a,
    )
    services.round_close(round_=round_, user=staff_a)
    project.refresh_from_db()
    # 1 satisfied of 3 is not more than half; 1+1=2 of 3 is: 基本满意.
    assert project.verdict == PollOption.Code.BASICALLY_SATISFIED
    assert project.public_verdict == PollOption.Code.SATISFIED
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.CLOSED


@pytest.mark.parametrize(
    ("counts", "verdict"),
    [
        ((51, 0, 49), "satisfied"),
        ((50, 0, 50), "unsatisfied"),
        ((50, 1, 49), "basically_satisfied"),
        ((30, 20, 50), "unsatisfied"),
    ],
)
def test_public_verdict_at_the_boundaries(counts, verdict):
    s, b, u = counts
    assert (
        services.public_verdict(satisfied=s, basically_satisfied=b, unsatisfied=u).code
        == verdict
    )


def test_public_survey_refuses_negative_or_empty(implementing, staff_a):
    _round, project, _unit, _voters = implementing
    with pytest.raises(ValidationError, match="负数"):
        services.project_public_survey_record(
            project=project,
            satisfied=-1,
            basically_satisfied=0,
            unsatisfied=0,
            user=staff_a,
        )
    with pytest.raises(ValidationError, match="至少要有一份"):
        services.project_public_survey_record(
            project=project,
            satisfied=0,
            basically_satisfied=0,
            unsatisfied=0,
            user=staff_a,
        )


# --- scope ---------------------------------------------------------------------------------


def test_county_b_staff_sees_nothing_of_county_a(implementing, staff_a, staff_b):
    round_, project, unit, _voters = implementing
    from livelihood_votes.models import CandidateProject as C
    from livelihood_votes.models import LivelihoodProject as P
    from livelihood_votes.models import VotingRound as R

    for model in (R, C, P):
        assert model.objects.visible_to(staff_b).count() == 0
        assert model.objects.visible_to(staff_a).count() > 0
    liaison = liaison_for(unit)
    assert set(P.objects.visible_to(liaison)) == set(round_.projects.all())


def test_deputies_without_accounts_count_in_the_base_and_vote_on_paper(
    county_a, staff_a
):
    """12 deputies, 9 with accounts: 6 electronic yes is not more than half of 12;
    with 2 more yes on confirmed paper ballots it is."""
    from tests.factories.deputies import DeputyFactory
    from tests.factories.deputies import MandateFactory

    round_ = published_round(region=county_a, staff=staff_a, candidates=3, choose=1)
    voters = deputies_with_users(9, region=county_a, term=round_.term)
    for _i in range(3):
        MandateFactory(
            deputy=DeputyFactory(region=county_a),
            congress_region=county_a,
            term=round_.term,
        )
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    assert round_.entitled_count == 12
    assert round_.poll.voters.count() == 9
    assert round_.poll.quorum == 7
    _vote(round_, voters[:6], ["候选项目1"])
    _vote(round_, voters[6:], ["候选项目2"])
    services.round_voting_close(round_=round_, user=staff_a)
    options = {o.label: o.pk for o in round_.poll.options.all()}
    counts = {
        options["候选项目1"]: {"yes": 2, "no": 1},
        options["候选项目2"]: {"yes": 1, "no": 2},
        options["候选项目3"]: {"no": 3},
    }
    paper = voting.paper_count_enter(
        poll=round_.poll, label="纸质选票", ballots=3, counts=counts, user=staff_a
    )
    clerk2 = UserFactory(username="clerk2", scope_region=county_a, roles=[Role.STAFF])
    voting.paper_count_confirm(paper_count=paper, ballots=3, counts=counts, user=clerk2)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert [c.title for c in decision.chosen] == ["候选项目1"]  # 8 of 12


def test_six_of_twelve_is_not_more_than_half(county_a, staff_a):
    from tests.factories.deputies import DeputyFactory
    from tests.factories.deputies import MandateFactory

    round_ = published_round(region=county_a, staff=staff_a, candidates=3, choose=1)
    voters = deputies_with_users(9, region=county_a, term=round_.term)
    for _i in range(3):
        MandateFactory(
            deputy=DeputyFactory(region=county_a),
            congress_region=county_a,
            term=round_.term,
        )
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    _vote(round_, voters[:6], ["候选项目1"])
    _vote(round_, voters[6:], ["候选项目2"])
    services.round_voting_close(round_=round_, user=staff_a)
    decision = services.round_decide(round_=round_, user=staff_a)
    assert decision.chosen == []
    assert not LivelihoodProject.objects.exists()
