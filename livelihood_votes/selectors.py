"""Reads of livelihood_votes shared by the portal, the public pages, reports and tasks."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.db.models import Exists
from django.db.models import Max
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from congress import db
from congress.models import BallotReceipt
from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import PollVoter
from congress.models import Region
from congress.models import User
from deputies.models import CitizenOpinion
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import Milestone
from livelihood_votes.models import ProgressReport
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import SupervisionVisit
from livelihood_votes.models import VotingRound

PUBLIC_STATUSES = [
    s for s in VotingRound.Status.values if s not in (VotingRound.Status.SCREENING,)
]


def round_list_public() -> QuerySet[VotingRound]:
    """Rounds a citizen may see: collecting ones (to propose) and every round whose
    candidates are published."""
    return (
        VotingRound.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("region")
        .annotate(candidate_count=Count("candidates", distinct=True))
        .order_by("-year", "region__code", "-batch")
    )


def round_get_public(*, pk: int) -> VotingRound:
    """A public round with its candidates and projects (404 if not public)."""
    round_ = (
        VotingRound.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("region", "poll", "session")
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=CandidateProject.objects.select_related(
                    "responsible_unit"
                ).order_by("order", "pk"),
            ),
            Prefetch(
                "projects",
                queryset=LivelihoodProject.objects.select_related(
                    "responsible_unit", "candidate"
                ).order_by("candidate__rank", "pk"),
            ),
        )
        .first()
    )
    if round_ is None:
        raise Http404(_("票决批次不存在或尚未公布。"))
    return round_


def results_are_public(round_: VotingRound) -> bool:
    """Counts are shown only once the ballot is published (never a partial result)."""
    poll = round_.poll
    return poll is not None and poll.status == Poll.Status.PUBLISHED


def project_get_public(*, pk: int) -> LivelihoodProject:
    """A decided project with milestones, reports, visits (for the public page)."""
    project = (
        LivelihoodProject.objects.filter(pk=pk)
        .exclude(round__status__in=[VotingRound.Status.SCREENING])
        .select_related("round__region", "responsible_unit", "candidate")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date")),
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.order_by("-month").prefetch_related(
                    "photos"
                ),
            ),
            Prefetch(
                "visits",
                queryset=SupervisionVisit.objects.order_by("-date").prefetch_related(
                    "deputies"
                ),
            ),
        )
        .first()
    )
    if project is None:
        raise Http404(_("项目不存在。"))
    return project


def proposal_get_by_code(*, code: str) -> ProjectProposal | None:
    return (
        ProjectProposal.objects.filter(tracking_code=code.strip().upper())
        .select_related("round")
        .first()
    )


@dataclass(frozen=True)
class PortalPoll:
    poll: Poll
    title: str
    voted: bool


def _livelihood_poll_filter() -> Q:
    # The same condition is written in SQL in ``_ballot_poll_sql``: change both.
    return (
        Q(livelihood_round__isnull=False)
        | Q(livelihood_runoff_round__isnull=False)
        | Q(livelihood_project__isnull=False)
    )


def poll_list_for_voter(*, user: User) -> list[PortalPoll]:
    """The livelihood polls (票决, 再次投票, 测评) the user may vote in, open first."""
    polls = (
        Poll.objects.filter(voters__user=user)
        .filter(_livelihood_poll_filter())
        .exclude(status=Poll.Status.DRAFT)
        .annotate(
            voted=Exists(BallotReceipt.objects.filter(poll=OuterRef("pk"), voter=user))
        )
        .order_by("-opened_at", "-pk")
    )
    result = [PortalPoll(poll=p, title=p.title, voted=p.voted) for p in polls]
    result.sort(key=lambda p: p.poll.status != Poll.Status.OPEN)
    return result


def poll_get_for_voter(*, user: User, pk: int) -> Poll:
    """A livelihood poll the user is entitled to (the same 404 otherwise)."""
    poll = (
        Poll.objects.filter(pk=pk, voters__user=user)
        .filter(_livelihood_poll_filter())
        .first()
    )
    if poll is None:
        raise Http404(_("票决不存在。"))
    return poll


def ballot_get_for_voter(*, user: User, pk: int) -> Poll:
    """A livelihood poll the user is entitled to, with ``option_ids`` (its
    options' ids in ballot order). The same 404 as ``poll_get_for_voter``
    otherwise.

    Every ballot POST runs this, so it is one cheap query: the checks of
    ``poll_get_for_voter`` in plain SQL (``congress.db``: the ORM's joins for
    ``_livelihood_poll_filter`` took 1.5 ms of Python per ballot to build). The
    ids are all a submitted ballot needs; the options with their candidates
    (``ballot_options``) only a ballot to show does.
    """
    postgres = connection.vendor == "postgresql"
    row = db.fetch_one(_ballot_poll_sql(option_ids=postgres), [pk, user.pk])
    if row is None:
        raise Http404(_("票决不存在。"))
    poll = db.instance(Poll, row)
    if postgres:
        poll.option_ids = row[db.width(Poll)]
    else:  # SQLite (the demo): no arrays
        poll.option_ids = list(
            PollOption.objects.filter(poll_id=poll.pk)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
    return poll


def ballot_options(*, poll: Poll) -> list[tuple]:
    """The ballot's lines: [(option, candidate project or None)], in ballot order."""
    options = list(
        PollOption.objects.filter(poll_id=poll.pk)
        .select_related("candidate")
        .order_by("order", "pk")
    )
    for option in options:
        option.poll = poll
    return [(o, getattr(o, "candidate", None)) for o in options]


@functools.cache
def _ballot_poll_sql(*, option_ids: bool) -> str:
    """The poll ``pk`` when the user is one of its voters and it belongs to a round,
    a run-off or a project's evaluation (``_livelihood_poll_filter`` in SQL);
    with ``option_ids`` (PostgreSQL), its option ids in the order of
    ``ballot_options``."""
    voters = PollVoter._meta.db_table
    rounds = VotingRound._meta.db_table
    projects = LivelihoodProject._meta.db_table
    options = PollOption._meta.db_table
    ids = (
        f", ARRAY(SELECT o.id FROM {options} o WHERE o.poll_id = p.id"
        ' ORDER BY o."order", o.id) AS option_ids'
        if option_ids
        else ""
    )
    return (
        f"SELECT {db.columns(Poll, 'p')}{ids} FROM {Poll._meta.db_table} p"
        " WHERE p.id = %s"
        f" AND EXISTS (SELECT 1 FROM {voters} v WHERE v.poll_id = p.id AND v.user_id = %s)"
        f" AND (EXISTS (SELECT 1 FROM {rounds} r"
        " WHERE r.poll_id = p.id OR r.runoff_poll_id = p.id)"
        f" OR EXISTS (SELECT 1 FROM {projects} l WHERE l.evaluation_poll_id = p.id))"
    )


def round_get_for_user(*, user: User, pk: int) -> VotingRound:
    """A round within the user's scope (the same 404 for missing and forbidden)."""
    round_ = (
        VotingRound.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("region", "poll", "runoff_poll", "term", "session")
        .first()
    )
    if round_ is None:
        raise Http404(_("票决批次不存在。"))
    return round_


def round_candidates(*, round_: VotingRound) -> QuerySet[CandidateProject]:
    return round_.candidates.select_related("responsible_unit").order_by("order", "pk")


def project_list_for_user(*, user: User) -> QuerySet[LivelihoodProject]:
    """Projects the user may see or report on, newest round first."""
    return (
        LivelihoodProject.objects.visible_to(user)
        .select_related("round", "responsible_unit")
        .order_by("-round__year", "round_id", "pk")
    )


def project_get_for_user(*, user: User, pk: int) -> LivelihoodProject:
    project = project_list_for_user(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("项目不存在。"))
    return project


def project_list_for_deputy(*, user: User) -> QuerySet[LivelihoodProject]:
    """Projects of rounds whose congress the deputy sits in (人大督: they supervise)."""
    deputy = getattr(user, "deputy", None)
    if deputy is None:
        return LivelihoodProject.objects.none()
    seats = deputy.mandates.filter(status="active").values_list(
        "term_id", "congress_region_id"
    )
    condition = Q(pk__in=[])
    for term_id, region_id in seats:
        condition |= Q(round__term_id=term_id, round__region_id=region_id)
    return (
        LivelihoodProject.objects.filter(condition)
        .filter(
            round__status__in=[
                VotingRound.Status.IMPLEMENTING,
                VotingRound.Status.EVALUATING,
            ]
        )
        .select_related("round", "responsible_unit")
        .order_by("-round__year", "pk")
    )


def units_for_round(*, round_: VotingRound) -> QuerySet[Organization]:
    """Units that may carry out the round's projects: in its region or above it."""
    region = round_.region
    codes = [region.code]
    if region.parent_id:
        codes.append(region.parent.code)
    return (
        Organization.objects.filter(is_active=True)
        .filter(Q(region__code__startswith=region.prefix) | Q(region__code__in=codes))
        .order_by("region__code", "name")
    )


def opinion_get_for_user(*, user: User, code: str) -> CitizenOpinion:
    """A citizen opinion in the user's scope by its tracking code (404 otherwise)."""
    opinion = (
        CitizenOpinion.objects.visible_to(user)
        .filter(tracking_code=code.strip().upper())
        .select_related("region")
        .first()
    )
    if opinion is None:
        raise Http404(_("没有找到该群众意见。"))
    return opinion


# --- 群众提 in the portals: deputies and units propose ---------------------------------


def rounds_collecting_for_region(*, region: Region | None) -> list[VotingRound]:
    """Collecting rounds a deputy or a unit of ``region`` may propose to: the county
    round of its county and the township batch of its township (a round's region
    contains theirs)."""
    if region is None:
        return []
    return [
        round_
        for round_ in VotingRound.objects.filter(
            status=VotingRound.Status.COLLECTING,
            region__code__in=[
                Region.full_code(region.code[:length]) for length in (6, 9)
            ],
        )
        .select_related("region")
        .order_by("region__code", "-year", "-batch")
        if round_.region.contains(region)
    ]


def proposal_list_for_proposer(
    *, deputy=None, organization: Organization | None = None
) -> QuerySet[ProjectProposal]:
    """A deputy's or a unit's own proposals with their round and status."""
    if deputy is not None:
        condition = Q(source=ProjectProposal.Source.DEPUTY, deputy=deputy)
    elif organization is not None:
        condition = Q(source=ProjectProposal.Source.UNIT, organization=organization)
    else:
        return ProjectProposal.objects.none()
    return (
        ProjectProposal.objects.filter(condition)
        .select_related("round")
        .prefetch_related("candidates")
        .order_by("-created_at", "-pk")
    )


# --- the public progress of every project of a county ------------------------------------

PROGRESS_PAGE_SIZE = 20


def county_get_public(*, code: str) -> Region:
    """A county by its code (the first 6 digits count), 404 otherwise."""
    if not code.isdigit() or len(code) < 6:
        raise Http404(_("区划不存在。"))
    county = Region.objects.filter(
        code=Region.full_code(code[:6]), level=Region.Level.COUNTY
    ).first()
    if county is None:
        raise Http404(_("区划不存在。"))
    return county


def project_progress_public(
    *, county: Region, year: int | None = None
) -> QuerySet[LivelihoodProject]:
    """Every decided project of the county and its townships' batches, across
    rounds and years, with the date of its last progress report (no personal data)."""
    projects = (
        LivelihoodProject.objects.filter(round__region__code__startswith=county.prefix)
        .exclude(round__status=VotingRound.Status.SCREENING)
        .select_related("round__region", "responsible_unit")
        .annotate(last_report_at=Max("reports__submitted_at"))
        .only(
            "title",
            "status",
            "percent",
            "round__title",
            "round__year",
            "round__region__name",
            "responsible_unit__name",
        )
        .order_by("-round__year", "round__region__code", "-round__batch", "pk")
    )
    if year is not None:
        projects = projects.filter(round__year=year)
    return projects


def project_progress_years(*, county: Region) -> list[int]:
    return list(
        VotingRound.objects.filter(
            region__code__startswith=county.prefix, projects__isnull=False
        )
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
