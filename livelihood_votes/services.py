"""Services of livelihood_votes: every write and state change of a round and its projects.

The lifecycle of a ``VotingRound`` (DESIGN.md):

    征集 collecting → 初审 screening → 候选项目公布 published → 票决 voting
    → 已确定 decided → 实施 implementing → 测评 evaluating → 结束 closed

Each transition locks the round (``SELECT … FOR UPDATE``) before checking its status
and refuses a forbidden one with a Chinese message. The vote itself runs on the
congress ``Poll`` engine (``congress/voting.py``): a secret APPROVAL poll with one
option per candidate; the counting rule (more than half, then most votes, a tie at
the cut-off goes to a run-off) is ``congress.voting.approval_rank``, applied here,
not re-implemented.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import audit
from congress import voting
from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.models import User
from congress.notify import notification_schedule
from congress.roles import Role
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import Mandate
from deputies.visits import MAX_PHOTOS
from deputies.visits import photo_prepare
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import Milestone
from livelihood_votes.models import ProgressPhoto
from livelihood_votes.models import ProgressReport
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import SupervisionVisit
from livelihood_votes.models import VotingRound

Status = VotingRound.Status

PROGRESS_DUE_KIND = "livelihood_progress_due"
PROGRESS_OVERDUE_KIND = "livelihood_progress_overdue"
MILESTONE_OVERDUE_KIND = "livelihood_milestone_overdue"
# A reminder this many days before a monthly report is due.
PROGRESS_REMIND_DAYS_BEFORE = 3


def _lock(round_: VotingRound) -> VotingRound:
    return VotingRound.objects.select_for_update().get(pk=round_.pk)


def _refuse_unless(round_: VotingRound, *statuses: str) -> None:
    if round_.status not in statuses:
        raise ValidationError(
            _("票决批次“%(round)s”当前状态为“%(status)s”,不能进行此操作。")
            % {"round": round_.title, "status": round_.get_status_display()},
            code="status",
        )


def _transition(round_: VotingRound, status: str, user: User | None) -> None:
    old = round_.status
    round_.status = status
    round_.save(update_fields=["status"])
    audit.state_change_event(
        user=user,
        obj=round_,
        transition=f"round_{status}",
        detail={"from": old, "to": status},
    )


# --- rounds ----------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    region: Region,
    year: int,
    title: str,
    term: Term,
    choose_count: int,
    user: User | None,
    batch: int = 1,
    session: Session | None = None,
    base: str = Poll.Base.ENTITLED,
    report_due_day: int = 5,
) -> VotingRound:
    """Open a new round for proposals (征集) in a county or a township."""
    if region.level not in (Region.Level.COUNTY, Region.Level.TOWNSHIP):
        raise ValidationError(
            _("票决批次只能设在县(市、区)或乡镇(街道)。"), code="region"
        )
    if term.region_id != region.pk:
        raise ValidationError(_("所选的届不属于本区划的人大。"), code="term")
    if session is not None and session.term_id != term.pk:
        raise ValidationError(_("票决会议不属于所选的届。"), code="session")
    round_ = VotingRound(
        region=region,
        year=year,
        batch=batch,
        title=title,
        term=term,
        session=session,
        choose_count=choose_count,
        base=base,
        report_due_day=report_due_day,
    )
    round_.full_clean()
    round_.save()
    audit.state_change_event(user=user, obj=round_, transition="round_create")
    return round_


@transaction.atomic
def round_screening_start(*, round_: VotingRound, user: User | None) -> VotingRound:
    """Close the collection of proposals and start screening them (初审)."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.COLLECTING)
    _transition(round_, Status.SCREENING, user)
    return round_


# --- proposals (群众提) ----------------------------------------------------------------


def proposal_source_check(
    *,
    round_: VotingRound,
    source: str,
    deputy: Deputy | None = None,
    organization: Organization | None = None,
) -> None:
    """A deputy's proposal names the deputy and a unit's names the unit; proposals
    are taken only while the round is collecting, and a deputy or a unit proposes
    only to a round of their region (the county round of their county, the
    township batch of their township)."""
    if round_.status != Status.COLLECTING:
        raise ValidationError(
            _("本批次民生实事项目征集已经结束,不能再提交建议。"), code="closed"
        )
    if source == ProjectProposal.Source.DEPUTY and deputy is None:
        raise ValidationError(_("代表提出的项目建议请选择提议代表。"), code="deputy")
    if source == ProjectProposal.Source.UNIT and organization is None:
        raise ValidationError(_("单位提出的项目建议请选择提议单位。"), code="unit")
    if deputy is not None and not round_.region.contains(deputy.region):
        raise ValidationError(
            _("“%(round)s”不是代表所在区划的票决批次,不能提出项目建议。")
            % {"round": round_.title},
            code="out_of_scope",
        )
    if organization is not None and not round_.region.contains(organization.region):
        raise ValidationError(
            _("“%(round)s”不是本单位所在区划的票决批次,不能提出项目建议。")
            % {"round": round_.title},
            code="out_of_scope",
        )


@transaction.atomic
def proposal_submit(
    *,
    round_: VotingRound,
    source: str,
    title: str,
    content: str,
    place: str = "",
    estimated_cost: Decimal | None = None,
    proposer_name: str = "",
    phone: str = "",
    deputy: Deputy | None = None,
    organization: Organization | None = None,
) -> ProjectProposal:
    """Record a project proposal while the round is collecting (群众提): from a
    citizen, a deputy or a unit (staff enter the last two in the admin)."""
    round_ = VotingRound.objects.select_for_update().get(pk=round_.pk)
    proposal_source_check(
        round_=round_, source=source, deputy=deputy, organization=organization
    )
    proposal = ProjectProposal(
        round=round_,
        source=source,
        title=title.strip(),
        content=content.strip(),
        place=place.strip(),
        estimated_cost=estimated_cost,
        proposer_name=proposer_name.strip(),
        phone=phone.strip(),
        deputy=deputy,
        organization=organization,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_promote_from_opinion(
    *, round_: VotingRound, opinion: CitizenOpinion, title: str, user: User
) -> ProjectProposal:
    """Turn a citizen opinion (民情民意) into a project proposal of the round."""
    if not round_.region.contains(opinion.region):
        raise ValidationError(
            _("该群众意见不在本批次的区划范围内。"), code="out_of_scope"
        )
    if opinion.livelihood_proposals.filter(round=round_).exists():
        raise ValidationError(
            _("该群众意见已经转为本批次的项目建议。"), code="duplicate"
        )
    proposal = proposal_submit(
        round_=round_,
        source=ProjectProposal.Source.OPINION,
        title=title,
        content=opinion.content,
        proposer_name=opinion.name,
    )
    proposal.opinions.add(opinion)
    audit.state_change_event(
        user=user,
        obj=proposal,
        transition="proposal_from_opinion",
        detail={"opinion": opinion.tracking_code},
    )
    return proposal


@transaction.atomic
def proposal_decline(
    *, proposal: ProjectProposal, note: str, user: User
) -> ProjectProposal:
    """Decline a proposal at screening, with the reason shown to the proposer."""
    round_ = _lock(proposal.round)
    _refuse_unless(round_, Status.COLLECTING, Status.SCREENING)
    if not note.strip():
        raise ValidationError(_("请填写未采纳的理由。"), code="note")
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.status = ProjectProposal.Status.DECLINED
    proposal.screening_note = note.strip()
    proposal.save(update_fields=["status", "screening_note"])
    audit.state_change_event(user=user, obj=proposal, transition="proposal_decline")
    return proposal


# --- screening into candidates (初审) ---------------------------------------------------


@transaction.atomic
def candidate_create(
    *,
    round_: VotingRound,
    title: str,
    description: str,
    responsible_unit: Organization,
    budget: Decimal,
    target_date: datetime.date,
    user: User,
    proposals: Sequence[ProjectProposal] = (),
) -> CandidateProject:
    """Add a candidate project at screening, merging the given proposals into it."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.SCREENING)
    if not round_.region.contains(responsible_unit.region) and not (
        responsible_unit.region.contains(round_.region)
    ):
        raise ValidationError(
            _("责任单位不在本批次的区划范围内。"), code="responsible_unit"
        )
    foreign = [p for p in proposals if p.round_id != round_.pk]
    if foreign:
        raise ValidationError(_("只能合并本批次的项目建议。"), code="proposals")
    candidate = CandidateProject(
        round=round_,
        order=round_.candidates.count() + 1,
        title=title.strip(),
        description=description.strip(),
        responsible_unit=responsible_unit,
        budget=budget,
        target_date=target_date,
    )
    candidate.full_clean()
    candidate.save()
    if proposals:
        candidate.proposals.set(proposals)
        ProjectProposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
            status=ProjectProposal.Status.ADOPTED
        )
    audit.state_change_event(user=user, obj=candidate, transition="candidate_create")
    return candidate


@transaction.atomic
def round_candidates_publish(*, round_: VotingRound, user: User) -> VotingRound:
    """Publish the candidate list; refused unless it is longer than the number to
    choose (差额票决: more candidates than projects chosen)."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.SCREENING)
    count = round_.candidates.count()
    if count <= round_.choose_count:
        raise ValidationError(
            _("差额票决要求候选项目数多于应选项目数:候选%(count)s个,应选%(choose)s个。")
            % {"count": count, "choose": round_.choose_count},
            code="not_competitive",
        )
    _transition(round_, Status.PUBLISHED, user)
    return round_


# --- voting (代表决) ---------------------------------------------------------------------


def round_electorate(*, round_: VotingRound) -> list[User]:
    """The deputies of the round's term with an active seat in its congress who
    have an account (the others vote on paper)."""
    return list(
        User.objects.filter(
            is_active=True,
            deputy__mandates__term=round_.term,
            deputy__mandates__congress_region=round_.region,
            deputy__mandates__status=Mandate.Status.ACTIVE,
        )
        .distinct()
        .order_by("pk")
    )


def round_deputies(*, round_: VotingRound) -> QuerySet[Deputy]:
    """Every deputy with an active seat of the round's term in its congress."""
    return Deputy.objects.filter(
        mandates__term=round_.term,
        mandates__congress_region=round_.region,
        mandates__status=Mandate.Status.ACTIVE,
    ).distinct()


def _entitled(
    round_: VotingRound, present: Iterable[Deputy] | None
) -> tuple[list[User], int]:
    """The electorate's accounts (electronic ballots) and the number of deputies
    entitled to vote, accounts or not (the others vote on paper)."""
    electorate = round_electorate(round_=round_)
    if present is None:
        return electorate, round_deputies(round_=round_).count()
    present = list(present)
    seated = set(
        round_deputies(round_=round_)
        .filter(pk__in=[d.pk for d in present])
        .values_list("pk", flat=True)
    )
    if len(seated) != len({d.pk for d in present}):
        raise ValidationError(_("出席代表中有人不是本届在任代表。"), code="not_deputy")
    present_users = {d.user_id for d in present if d.user_id}
    return [u for u in electorate if u.pk in present_users], len(seated)


@transaction.atomic
def round_voting_open(
    *,
    round_: VotingRound,
    user: User,
    present: Iterable[Deputy] | None = None,
) -> VotingRound:
    """Create the round's secret ballot from its candidates and open it.

    The electorate is every deputy of the term in the region, or only those
    ``present`` at the session. A deputy may vote 赞成 for at most the number of
    projects to choose (差额: the ballot cannot approve them all).
    """
    round_ = _lock(round_)
    _refuse_unless(round_, Status.PUBLISHED)
    candidates = list(round_.candidates.order_by("order", "pk"))
    if len(candidates) <= round_.choose_count:
        raise ValidationError(
            _("候选项目数必须多于应选项目数。"), code="not_competitive"
        )
    voters, entitled = _entitled(round_, present)
    if entitled == 0:
        raise ValidationError(_("本届没有在任代表,不能开始投票。"), code="electorate")
    if not voters:
        raise ValidationError(
            _("没有代表开通登录账号,无法开始网上投票;请先为代表开通账号。"),
            code="electorate",
        )
    label = _("出席会议的代表") if present is not None else _("本届全体在任代表")
    poll = voting.poll_create(
        title=round_.title,
        region=round_.region,
        kind=Poll.Kind.APPROVAL,
        user=user,
        options=[c.title for c in candidates],
        voters=voters,
        electorate_label=label,
        base=round_.base,
        max_choices=round_.choose_count,
        # Quorum over every entitled deputy, electronic or paper: more than half.
        quorum=entitled // 2 + 1,
    )
    options = {o.label: o for o in poll.options.all()}
    for candidate in candidates:
        candidate.option = options[candidate.title]
        candidate.save(update_fields=["option"])
    round_.poll = voting.poll_open(poll=poll, user=user)
    round_.entitled_count = entitled
    round_.save(update_fields=["poll", "entitled_count"])
    _transition(round_, Status.VOTING, user)
    return round_


def round_current_poll(round_: VotingRound) -> Poll | None:
    """The poll being decided: the run-off if there is one, else the main ballot."""
    return round_.runoff_poll or round_.poll


@transaction.atomic
def round_voting_close(*, round_: VotingRound, user: User) -> VotingRound:
    """Close the current ballot: no vote is accepted after this."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.VOTING)
    voting.poll_close(poll=round_current_poll(round_), user=user)
    return round_


@dataclass(frozen=True)
class RoundDecision:
    chosen: list[CandidateProject]
    runoff: list[CandidateProject]
    reason: str


def _record_counts(poll: Poll, tally: voting.PollTally) -> dict[int, CandidateProject]:
    by_option = {
        c.option_id: c
        for c in CandidateProject.objects.filter(option__poll=poll).select_for_update()
    }
    for count in tally.options:
        candidate = by_option[count.option_id]
        candidate.yes_votes = count.yes
        candidate.no_votes = count.no
        candidate.abstain_votes = count.abstain
    return by_option


@transaction.atomic
def round_decide(*, round_: VotingRound, user: User) -> RoundDecision:
    """Count the closed ballot by the rule and record the outcome per candidate.

    Approved = yes votes from more than half of the base; the most-voted approved
    candidates are chosen (``congress.voting.approval_rank``). A tie at the
    cut-off is flagged for a run-off (``round_runoff_open``), never broken here.
    When every place is filled the result is published, the round is decided and
    a ``LivelihoodProject`` is created for each chosen candidate.
    """
    round_ = _lock(round_)
    _refuse_unless(round_, Status.VOTING)
    if round_.needs_runoff and round_.runoff_poll is None:
        raise ValidationError(
            _("第一轮票决结果已经确定,请对票数相同的候选项目组织再次投票。"),
            code="runoff_pending",
        )
    poll = round_current_poll(round_)
    is_runoff = round_.runoff_poll is not None
    already_chosen = (
        round_.candidates.filter(outcome=CandidateProject.Outcome.CHOSEN).count()
        if is_runoff
        else 0
    )
    choose = round_.choose_count - already_chosen
    result = voting.approval_result(poll=poll, choose=choose)
    if not result.tally.quorum_met:
        raise ValidationError(result.reason, code="quorum")
    by_option = _record_counts(poll, result.tally)
    ranking = result.ranking
    if round_.base == Poll.Base.ENTITLED and round_.entitled_count:
        # "More than half of all deputies" counts those voting on paper too,
        # not only the accounts on the poll's electorate.
        ranking = voting.approval_rank(
            yes_counts={o.option_id: o.yes for o in result.tally.options},
            base=round_.entitled_count,
            choose=choose,
        )
    if not is_runoff:
        for candidate in by_option.values():
            candidate.outcome = CandidateProject.Outcome.NOT_CHOSEN
    for option_id in ranking.chosen:
        by_option[option_id].outcome = CandidateProject.Outcome.CHOSEN
    reason = result.reason
    if ranking.runoff:
        reason = _("第%(n)s位票数相同,需对并列的候选项再次投票。") % {
            "n": len(ranking.chosen) + 1
        }
    for option_id in ranking.runoff:
        by_option[option_id].outcome = CandidateProject.Outcome.RUNOFF
    if is_runoff:
        for option_id, candidate in by_option.items():
            if option_id not in ranking.chosen and option_id not in ranking.runoff:
                candidate.outcome = CandidateProject.Outcome.NOT_CHOSEN
    for candidate in by_option.values():
        candidate.save(
            update_fields=["yes_votes", "no_votes", "abstain_votes", "outcome"]
        )
    voting.poll_publish(poll=poll, user=user)
    round_.result_note = "\n".join(
        part for part in (round_.result_note, reason) if part
    )
    if ranking.runoff:
        round_.needs_runoff = True
        round_.runoff_poll = None
        round_.save(update_fields=["needs_runoff", "runoff_poll", "result_note"])
        audit.state_change_event(
            user=user,
            obj=round_,
            transition="round_runoff_needed",
            detail={"tied": len(ranking.runoff), "seats": ranking.seats_left},
        )
    else:
        _round_finalize(round_, user)
    return RoundDecision(
        chosen=[by_option[k] for k in ranking.chosen],
        runoff=[by_option[k] for k in ranking.runoff],
        reason=reason,
    )


def _round_finalize(round_: VotingRound, user: User) -> None:
    chosen = list(
        round_.candidates.filter(outcome=CandidateProject.Outcome.CHOSEN)
        .select_related("responsible_unit")
        .order_by("-yes_votes", "order")
    )
    for rank, candidate in enumerate(chosen, 1):
        candidate.rank = rank
        candidate.save(update_fields=["rank"])
        LivelihoodProject.objects.create(
            round=round_,
            candidate=candidate,
            region=round_.region,
            title=candidate.title,
            description=candidate.description,
            responsible_unit=candidate.responsible_unit,
            budget=candidate.budget,
            target_date=candidate.target_date,
        )
    round_.needs_runoff = False
    round_.decided_at = timezone.now()
    round_.save(update_fields=["needs_runoff", "decided_at", "result_note"])
    _transition(round_, Status.DECIDED, user)


@transaction.atomic
def round_runoff_open(*, round_: VotingRound, user: User) -> Poll:
    """Open a run-off among the candidates tied at the cut-off, for the places left."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.VOTING)
    if not round_.needs_runoff or round_.runoff_poll is not None:
        raise ValidationError(_("本批次不需要再次投票。"), code="no_runoff")
    tied = list(
        round_.candidates.filter(outcome=CandidateProject.Outcome.RUNOFF).order_by(
            "order"
        )
    )
    seats = (
        round_.choose_count
        - round_.candidates.filter(outcome=CandidateProject.Outcome.CHOSEN).count()
    )
    first = round_.poll
    poll = voting.poll_create(
        title=_("%(title)s(再次投票)") % {"title": round_.title},
        region=round_.region,
        kind=Poll.Kind.APPROVAL,
        user=user,
        options=[c.title for c in tied],
        voters=User.objects.filter(pk__in=first.voters.values("user_id")),
        electorate_label=first.electorate_label,
        base=round_.base,
        max_choices=seats,
        quorum=first.quorum,
    )
    options = {o.label: o for o in poll.options.all()}
    for candidate in tied:
        candidate.option = options[candidate.title]
        candidate.save(update_fields=["option"])
    poll = voting.poll_open(poll=poll, user=user)
    round_.runoff_poll = poll
    round_.save(update_fields=["runoff_poll"])
    audit.state_change_event(user=user, obj=round_, transition="round_runoff_open")
    return poll


# --- implementation (政府办, 人大督) ------------------------------------------------------


@transaction.atomic
def round_implementation_start(*, round_: VotingRound, user: User) -> VotingRound:
    """Hand the decided projects to their units (交办): the round is implementing."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.DECIDED)
    _transition(round_, Status.IMPLEMENTING, user)
    return round_


def _project_for_update(project: LivelihoodProject) -> LivelihoodProject:
    return (
        LivelihoodProject.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=project.pk)
    )


@transaction.atomic
def project_update(
    *,
    project: LivelihoodProject,
    user: User,
    leading_official: str | None = None,
    target_date: datetime.date | None = None,
) -> LivelihoodProject:
    """Set the leading official (领办领导) or the target date of a project."""
    project = _project_for_update(project)
    if project.round.status == Status.CLOSED:
        raise ValidationError(_("本批次已经结束,项目不能再修改。"), code="closed")
    if leading_official is not None:
        project.leading_official = leading_official.strip()
    if target_date is not None:
        project.target_date = target_date
    project.full_clean()
    project.save(update_fields=["leading_official", "target_date"])
    audit.state_change_event(user=user, obj=project, transition="project_update")
    return project


@transaction.atomic
def milestone_create(
    *,
    project: LivelihoodProject,
    title: str,
    due_date: datetime.date,
    user: User,
    note: str = "",
) -> Milestone:
    """Add a milestone to a decided project."""
    project = _project_for_update(project)
    if project.round.status not in (Status.DECIDED, Status.IMPLEMENTING):
        raise ValidationError(
            _("只能在项目确定后、测评前安排项目节点。"), code="status"
        )
    milestone = Milestone(
        project=project, title=title.strip(), due_date=due_date, note=note
    )
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_complete(
    *, milestone: Milestone, done_on: datetime.date, user: User
) -> Milestone:
    """Record that a milestone was reached."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError(_("该节点已经完成。"), code="done")
    if done_on > timezone.localdate():
        raise ValidationError(_("完成日期不能晚于今天。"), code="future")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit.state_change_event(user=user, obj=milestone, transition="milestone_done")
    return milestone


def user_may_report_for(*, user: User, project: LivelihoodProject) -> bool:
    """A unit liaison of the responsible unit, or staff over the project's region."""
    if user.is_superuser:
        return True
    if user.has_role(Role.UNIT_LIAISON) and user.organization_id == (
        project.responsible_unit_id
    ):
        return True
    return user.has_role(Role.STAFF) and (
        user.scope_region is not None and user.scope_region.contains(project.region)
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def progress_report_submit(
    *,
    project: LivelihoodProject,
    month: datetime.date,
    percent: int,
    funds_spent: Decimal,
    narrative: str,
    user: User,
    problems: str = "",
    photos: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """File the unit's monthly progress report (月报) with its photos.

    Refused for someone who is not the unit's liaison (or staff), for a month
    already reported or not yet begun, and for a percent lower than last month's.
    Reporting 100 % completes the project.
    """
    project = _project_for_update(project)
    if not user_may_report_for(user=user, project=project):
        raise ValidationError(
            _("只有责任单位的联络员可以报送该项目的进展。"), code="forbidden"
        )
    if project.round.status != Status.IMPLEMENTING:
        raise ValidationError(_("项目不在实施阶段,不能报送进展。"), code="status")
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError(_("不能报送尚未开始的月份。"), code="future")
    if not 0 <= percent <= 100:
        raise ValidationError(_("完成进度应在0到100之间。"), code="percent")
    if funds_spent < 0:
        raise ValidationError(_("完成投资不能为负数。"), code="funds")
    if not narrative.strip():
        raise ValidationError(_("请填写进展情况。"), code="narrative")
    if ProgressReport.objects.filter(project=project, month=month).exists():
        raise ValidationError(
            _("%(month)s的进展已经报送。") % {"month": f"{month:%Y年%m月}"},
            code="duplicate",
        )
    previous = (
        ProgressReport.objects.filter(project=project, month__lt=month)
        .order_by("-month")
        .first()
    )
    if previous is not None and percent < previous.percent:
        raise ValidationError(
            _("完成进度不能低于上次报送的%(percent)s%%。")
            % {"percent": previous.percent},
            code="percent_down",
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("每次最多上传%(n)s张照片。") % {"n": MAX_PHOTOS}, code="photos"
        )
    # Checked, shrunk and stripped of EXIF (GPS, camera) like the visits' photos.
    prepared = [photo_prepare(p, position=i) for i, p in enumerate(photos, 1)]
    report = ProgressReport.objects.create(
        project=project,
        month=month,
        percent=percent,
        funds_spent=funds_spent,
        narrative=narrative.strip(),
        problems=problems.strip(),
        submitted_by=user,
    )
    for photo in prepared:
        ProgressPhoto.objects.create(
            report=report,
            image=ContentFile(photo.content, name=f"{secrets.token_urlsafe(12)}.jpg"),
        )
    latest = ProgressReport.objects.filter(project=project).order_by("-month").first()
    if latest.pk == report.pk:
        project.percent = percent
        project.funds_spent = funds_spent
        if percent >= 100:
            project.status = LivelihoodProject.Status.COMPLETED
            project.completed_on = timezone.localdate()
        elif percent > 0:
            project.status = LivelihoodProject.Status.IN_PROGRESS
        project.save(update_fields=["percent", "funds_spent", "status", "completed_on"])
    audit.state_change_event(user=user, obj=report, transition="progress_report")
    return report


@transaction.atomic
def supervision_visit_record(
    *,
    project: LivelihoodProject,
    date: datetime.date,
    deputies: Sequence[Deputy],
    rating: str,
    findings: str,
    user: User,
) -> SupervisionVisit:
    """Record a supervision group's visit to a project (人大督) and its findings."""
    project = _project_for_update(project)
    if project.round.status not in (Status.IMPLEMENTING, Status.EVALUATING):
        raise ValidationError(_("项目不在实施阶段,不能记录督查。"), code="status")
    if not deputies:
        raise ValidationError(_("请选择参加督查的代表。"), code="deputies")
    if date > timezone.localdate():
        raise ValidationError(_("督查日期不能晚于今天。"), code="future")
    visit = SupervisionVisit(
        project=project,
        date=date,
        rating=rating,
        findings=findings.strip(),
        recorded_by=user,
    )
    visit.full_clean()
    visit.save()
    visit.deputies.set(deputies)
    audit.state_change_event(user=user, obj=visit, transition="supervision_visit")
    return visit


# --- reminders and escalation ------------------------------------------------------------


def progress_due_date(*, round_: VotingRound, month: datetime.date) -> datetime.date:
    """The day a month's report is due: the round's due day of the following month."""
    year, mon = (
        (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    )
    return datetime.date(year, mon, round_.report_due_day)


def _unit_liaisons(unit_id: int) -> list[User]:
    return list(
        User.objects.filter(
            organization_id=unit_id,
            is_active=True,
            groups__name=Role.UNIT_LIAISON.value,
        )
    )


def _staff_over(region: Region) -> list[User]:
    return list(
        User.objects.filter(
            scope_region=region, is_active=True, groups__name=Role.STAFF.value
        )
    )


@transaction.atomic
def progress_reminders_send(*, today: datetime.date) -> int:
    """Remind units of monthly reports due soon; escalate overdue reports and
    milestones to the committee staff of the round's region.

    Idempotent: each reminder is a ``Notification`` keyed by (kind, project,
    recipient, due date), so a second run the same day (or a retried job) sends
    nothing more. Returns the number of new notifications.
    """
    sent = 0
    projects = list(
        LivelihoodProject.objects.filter(
            round__status=Status.IMPLEMENTING,
        )
        .exclude(status=LivelihoodProject.Status.COMPLETED)
        .select_related("round", "region")
    )
    reported = set(
        ProgressReport.objects.filter(project__in=projects).values_list(
            "project_id", "month"
        )
    )
    liaisons: dict[int, list[User]] = {}
    staff: dict[int, list[User]] = {}
    previous_month = month_start(month_start(today) - datetime.timedelta(days=1))
    for project in projects:
        due = progress_due_date(round_=project.round, month=previous_month)
        if (project.pk, previous_month) in reported:
            continue
        # The round started after that month: nothing was due for it.
        if project.round.decided_at and (
            timezone.localdate(project.round.decided_at) > due
        ):
            continue
        units = liaisons.setdefault(
            project.responsible_unit_id, _unit_liaisons(project.responsible_unit_id)
        )
        url = f"/portal/livelihood/projects/{project.pk}/report/"
        if today <= due and (due - today).days <= PROGRESS_REMIND_DAYS_BEFORE:
            for user in units:
                _n, created = notification_schedule(
                    recipient=user,
                    kind=PROGRESS_DUE_KIND,
                    obj=project,
                    due_date=due,
                    title=_("请于%(date)s前报送“%(project)s”%(month)s的进展")
                    % {
                        "date": f"{due:%m月%d日}",
                        "project": project.title,
                        "month": f"{previous_month:%Y年%m月}",
                    },
                    url=url,
                )
                sent += created
        elif today > due:
            for user in units + staff.setdefault(
                project.region_id, _staff_over(project.region)
            ):
                _n, created = notification_schedule(
                    recipient=user,
                    kind=PROGRESS_OVERDUE_KIND,
                    obj=project,
                    due_date=due,
                    title=_("“%(project)s”%(month)s的进展逾期未报")
                    % {
                        "project": project.title,
                        "month": f"{previous_month:%Y年%m月}",
                    },
                    url=url,
                )
                sent += created
    overdue = Milestone.objects.filter(
        project__in=projects, done_on__isnull=True, due_date__lt=today
    ).select_related("project")
    for milestone in overdue:
        project = milestone.project
        recipients = liaisons.setdefault(
            project.responsible_unit_id, _unit_liaisons(project.responsible_unit_id)
        ) + staff.setdefault(project.region_id, _staff_over(project.region))
        for user in recipients:
            _n, created = notification_schedule(
                recipient=user,
                kind=MILESTONE_OVERDUE_KIND,
                obj=milestone,
                due_date=milestone.due_date,
                title=_("“%(project)s”的节点“%(milestone)s”已逾期")
                % {"project": project.title, "milestone": milestone.title},
                url=f"/livelihood/projects/{project.pk}/",
            )
            sent += created
    return sent


# --- evaluation (人民评) ----------------------------------------------------------------------


@transaction.atomic
def round_evaluation_open(*, round_: VotingRound, user: User) -> VotingRound:
    """Open the year-end satisfaction poll of every project (deputies, secret)."""
    round_ = _lock(round_)
    _refuse_unless(round_, Status.IMPLEMENTING)
    voters = round_electorate(round_=round_)
    for project in round_.projects.select_for_update().order_by("pk"):
        poll = voting.poll_create(
            title=_("“%(project)s”满意度测评") % {"project": project.title},
            region=round_.region,
            kind=Poll.Kind.SATISFACTION,
            user=user,
            voters=voters,
            electorate_label=_("本届全体在任代表"),
            base=round_.base,
            quorum=(round_.entitled_count or len(voters)) // 2 + 1,
        )
        voting.poll_open(poll=poll, user=user)
        project.evaluation_poll = poll
        project.save(update_fields=["evaluation_poll"])
    _transition(round_, Status.EVALUATING, user)
    return round_


def public_verdict(
    *, satisfied: int, basically_satisfied: int, unsatisfied: int
) -> voting.SatisfactionVerdict:
    """The public survey's verdict: the same rule, over those who answered."""
    return voting.satisfaction_verdict(
        satisfied=satisfied,
        basically_satisfied=basically_satisfied,
        base=satisfied + basically_satisfied + unsatisfied,
        quorum_met=satisfied + basically_satisfied + unsatisfied > 0,
    )


@transaction.atomic
def project_public_survey_record(
    *,
    project: LivelihoodProject,
    satisfied: int,
    basically_satisfied: int,
    unsatisfied: int,
    user: User,
) -> LivelihoodProject:
    """Enter the counts of the public satisfaction survey (群众测评) of a project."""
    project = _project_for_update(project)
    if project.round.status not in (Status.IMPLEMENTING, Status.EVALUATING):
        raise ValidationError(
            _("只能在实施或测评阶段录入群众测评结果。"), code="status"
        )
    counts = (satisfied, basically_satisfied, unsatisfied)
    if any(n < 0 for n in counts):
        raise ValidationError(_("票数不能为负数。"), code="counts")
    if sum(counts) == 0:
        raise ValidationError(_("群众测评至少要有一份有效问卷。"), code="counts")
    verdict = public_verdict(
        satisfied=satisfied,
        basically_satisfied=basically_satisfied,
        unsatisfied=unsatisfied,
    )
    project.public_satisfied = satisfied
    project.public_basically_satisfied = basically_satisfied
    project.public_unsatisfied = unsatisfied
    project.public_verdict = verdict.code
    project.save(
        update_fields=[
            "public_satisfied",
            "public_basically_satisfied",
            "public_unsatisfied",
            "public_verdict",
        ]
    )
    audit.state_change_event(user=user, obj=project, transition="public_survey")
    return project


@transaction.atomic
def round_close(*, round_: VotingRound, user: User) -> VotingRound:
    """Close the evaluation polls, record each project's verdict and end the round.

    Refused while a paper count is unconfirmed (the engine refuses the tally).
    """
    round_ = _lock(round_)
    _refuse_unless(round_, Status.EVALUATING)
    for project in (
        round_.projects.select_for_update(of=("self",))
        .order_by("pk")
        .select_related("evaluation_poll")
    ):
        poll = project.evaluation_poll
        if poll.status == Poll.Status.OPEN:
            voting.poll_close(poll=poll, user=user)
        tally = voting.poll_tally(poll=poll)
        if poll.status == Poll.Status.CLOSED:
            voting.poll_publish(poll=poll, user=user)
        verdict = tally.verdict
        if round_.base == Poll.Base.ENTITLED and round_.entitled_count:
            by_code = {o.code: o.yes for o in tally.options}
            verdict = voting.satisfaction_verdict(
                satisfied=by_code.get(PollOption.Code.SATISFIED, 0),
                basically_satisfied=by_code.get(PollOption.Code.BASICALLY_SATISFIED, 0),
                base=round_.entitled_count,
                quorum_met=tally.quorum_met,
            )
        project.verdict = verdict.code if verdict else ""
        project.save(update_fields=["verdict"])
    _transition(round_, Status.CLOSED, user)
    return round_
