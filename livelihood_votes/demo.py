"""Demo and scale data of livelihood_votes (registered in ``apps.py``).

Demo (``seed_demo``): 隆回县's county round of the year, decided on the ballot
(30 deputies online, the rest on paper counted by two clerks) and being carried
out with milestones, monthly reports and supervision visits; and two township
batches in 桃洪镇 (大祥's 多批次、小快灵): the first decided and under way, the
second with its candidates published, for the presiding staff to open the vote.

Scale (``generate_scale_data``, builder "livelihood_votes"): a decided round with
20 candidates in every county, each with 500 electronic ballots, and its projects.

Everything goes through the services, so the data obeys the same rules as the
application. Both builders are idempotent: a round that exists is left alone.
``generate_scale_data --reset`` removes the rounds, their projects and their polls
first (``livelihood_scale_reset``), before the core reset removes the users, terms
and regions they point to.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from congress import voting
from congress.extensions import scale_polls_delete
from congress.models import Organization
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.models import User
from congress.roles import Role
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import Mandate
from livelihood_votes import services
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import Milestone
from livelihood_votes.models import ProgressPhoto
from livelihood_votes.models import ProgressReport
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import SupervisionVisit
from livelihood_votes.models import VotingRound

LONGHUI = "430524"
TAOHONG = "430524100"

COUNTY_CANDIDATES = (
    ("城区老旧小区改造", "改造城区12个老旧小区的供排水、道路和照明。", "420"),
    ("农村饮水安全巩固提升工程", "新建和改造集中供水工程8处,惠及3.2万人。", "680"),
    ("城乡学校食堂提质改造", "改造中小学食堂15所,配齐冷链和留样设备。", "350"),
    ("县人民医院急诊能力提升", "扩建急诊区并配备胸痛、卒中中心设备。", "900"),
    ("乡镇敬老院适老化改造", "为10所敬老院加装扶手、呼叫系统和无障碍通道。", "260"),
    ("农村公路安全生命防护工程", "在临水临崖路段新建护栏60公里。", "540"),
    ("城区停车难治理", "新建公共停车位1200个,建设智慧停车系统。", "480"),
    ("农贸市场标准化改造", "改造县城和集镇农贸市场6个。", "300"),
)
TOWNSHIP_BATCHES = (
    (
        (
            ("集镇路灯安装", "在集镇主干道安装太阳能路灯120盏。", "36"),
            ("村级文化广场建设", "新建3个村的文化广场。", "45"),
            ("小型农田水利修缮", "修缮山塘5口、渠道3公里。", "50"),
            ("集镇公厕改造", "改造集镇公厕4座。", "24"),
            ("学校周边交通安全设施", "增设减速带和警示标志。", "12"),
        ),
        3,
    ),
    (
        (
            ("村组道路硬化", "硬化村组道路4.5公里。", "90"),
            ("垃圾分类收集点建设", "建设垃圾分类收集点30个。", "18"),
            ("卫生院远程诊疗室", "建设远程诊疗室1间。", "20"),
            ("河道清淤", "清淤河道2.5公里。", "40"),
        ),
        2,
    ),
)
PROPOSALS = (
    ("希望改造我们小区的下水道", "小区下水道一下雨就堵,希望纳入老旧小区改造。"),
    ("村里自来水经常停", "夏天用水高峰经常停水,希望提升供水能力。"),
    ("学校食堂太小", "孩子们要分三批吃饭,希望扩建食堂。"),
    ("县城停车太难", "医院和学校周边停车难,希望建公共停车场。"),
    ("山路没有护栏", "某某村到镇上的山路临崖路段没有护栏,很危险。"),
    ("敬老院冬天太冷", "希望给敬老院装暖气和呼叫器。"),
)
MILESTONES = ("完成立项和设计", "开工建设", "主体完工", "竣工验收")


def _region(code: str) -> Region | None:
    return Region.objects.filter(code=Region.full_code(code)).first()


def _current_term(region: Region) -> Term | None:
    return Term.objects.filter(region=region).order_by("-number").first()


def _clerks(region: Region) -> tuple[User, User]:
    """Two committee clerks (no password: they exist to sign the paper count)."""
    group = Group.objects.get_or_create(name=Role.STAFF.value)[0]
    clerks = []
    for n, name in ((1, "计票员甲"), (2, "计票员乙")):
        user = User.objects.filter(username=f"{region.code[:6]}_clerk{n}").first()
        if user is None:
            user = User(
                username=f"{region.code[:6]}_clerk{n}",
                last_name=name[:3],
                first_name=name[3:],
                scope_region=region,
                is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
        clerks.append(user)
    return clerks[0], clerks[1]


def _demo_deputy_pk() -> int | None:
    """The deputy the demo "deputy" account links to later (congress.demo.accounts):
    left without an account here so that link still works."""
    deputy = (
        Deputy.objects.filter(region__code__startswith=LONGHUI)
        .filter(mandates__level="township")
        .filter(mandates__level="county")
        .order_by("phone_digest")
        .first()
    )
    return deputy.pk if deputy else None


def _deputy_accounts(*, region: Region, term: Term, count: int) -> None:
    """Give ``count`` deputies of the term portal accounts (no password yet)."""
    have = User.objects.filter(
        deputy__mandates__term=term, deputy__mandates__congress_region=region
    ).count()
    if have >= count:
        return
    deputies = list(
        Deputy.objects.filter(
            mandates__term=term,
            mandates__congress_region=region,
            mandates__status=Mandate.Status.ACTIVE,
            user__isnull=True,
        )
        .exclude(pk=_demo_deputy_pk())
        .distinct()
        .order_by("pk")[: count - have]
    )
    group = Group.objects.get_or_create(name=Role.DEPUTY.value)[0]
    for deputy in deputies:
        user = User(
            username=f"deputy{deputy.pk}",
            last_name=deputy.name[:1],
            first_name=deputy.name[1:],
            scope_region=deputy.region,
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        Deputy.objects.filter(pk=deputy.pk).update(user=user)


def _units(region: Region) -> list[Organization]:
    units = list(
        Organization.objects.filter(region=region, is_active=True)
        .filter(
            Q(kind=Organization.Kind.GOVERNMENT_DEPARTMENT)
            | Q(kind=Organization.Kind.TOWNSHIP_GOVERNMENT)
        )
        .order_by("code")
    )
    return units


def _round_create(
    *, region: Region, year: int, batch: int, title: str, choose: int, clerk: User
) -> VotingRound | None:
    term = _current_term(region)
    if term is None:
        return None
    session = (
        Session.objects.filter(term=term, kind=Session.Kind.CONGRESS)
        .order_by("-start_date")
        .first()
    )
    return services.round_create(
        region=region,
        year=year,
        batch=batch,
        title=title,
        term=term,
        session=session,
        choose_count=choose,
        user=clerk,
    )


def _candidates(round_, rows, units, clerk, proposals=()) -> None:
    services.round_screening_start(round_=round_, user=clerk)
    year = round_.year
    for i, (title, description, budget) in enumerate(rows):
        services.candidate_create(
            round_=round_,
            title=title,
            description=description,
            responsible_unit=units[i % len(units)],
            budget=Decimal(budget),
            target_date=datetime.date(year, 12, 31),
            proposals=[p for p in proposals if p.title[:2] in title][:2],
            user=clerk,
        )
    services.round_candidates_publish(round_=round_, user=clerk)


def _vote_and_decide(round_: VotingRound, clerks, rng: random.Random) -> None:
    """Electronic ballots from the deputies with accounts, paper for the rest."""
    clerk, clerk2 = clerks
    round_ = services.round_voting_open(round_=round_, user=clerk)
    poll = round_.poll
    options = list(poll.options.order_by("order"))
    # A stable preference: earlier candidates are liked more.
    weights = [0.9 - 0.08 * i for i in range(len(options))]
    choose = round_.choose_count
    voters = User.objects.filter(pk__in=poll.voters.values("user_id")).order_by("pk")
    for voter in voters:
        liked = sorted(
            options,
            key=lambda o: -(weights[options.index(o)] + rng.random() * 0.3),
        )[:choose]
        voting.vote_cast(
            poll=poll,
            voter=voter,
            choices={o.pk: ("yes" if o in liked else "no") for o in options},
        )
    services.round_voting_close(round_=round_, user=clerk)
    paper = max(round_.entitled_count - voters.count() - 2, 0)  # two absent
    if paper:
        counts = {}
        for i, option in enumerate(options):
            share = max(weights[i], 0.0)  # the last candidates are liked by nobody
            yes = min(paper, int(paper * share * choose / len(options) * 1.6))
            no = paper - yes
            counts[str(option.pk)] = {"yes": yes, "no": no, "abstain": 0}
        entry = voting.paper_count_enter(
            poll=poll, label="纸质选票", ballots=paper, counts=counts, user=clerk
        )
        voting.paper_count_confirm(
            paper_count=entry, ballots=paper, counts=counts, user=clerk2
        )
    services.round_decide(round_=round_, user=clerk)


def _implement(round_: VotingRound, clerk: User, rng: random.Random) -> None:
    round_.refresh_from_db()
    if round_.status != VotingRound.Status.DECIDED:
        return
    services.round_implementation_start(round_=round_, user=clerk)
    today = timezone.localdate()
    deputies = list(services.round_deputies(round_=round_).order_by("pk")[:6])
    for project in round_.projects.order_by("pk"):
        services.project_update(
            project=project,
            user=clerk,
            leading_official="副县长 " + "王李张刘陈"[project.pk % 5] + "某",
        )
        for k, title in enumerate(MILESTONES):
            due = today + datetime.timedelta(days=60 * k - 50)
            milestone = services.milestone_create(
                project=project, title=title, due_date=due, user=clerk
            )
            if due < today and rng.random() < 0.8:
                services.milestone_complete(
                    milestone=milestone, done_on=due, user=clerk
                )
        percent = 0
        month = (today.replace(day=1) - datetime.timedelta(days=60)).replace(day=1)
        for _step in range(2):
            percent = min(95, percent + rng.randint(10, 35))
            services.progress_report_submit(
                project=project,
                month=month,
                percent=percent,
                funds_spent=(project.budget * percent / 100).quantize(Decimal("0.01")),
                narrative=f"按计划推进,完成工程量的{percent}%。",
                user=clerk,
            )
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        if deputies:
            services.supervision_visit_record(
                project=project,
                date=today - datetime.timedelta(days=rng.randint(1, 20)),
                deputies=deputies[:3],
                rating=rng.choice(["on_track", "on_track", "behind"]),
                findings="现场查看施工进度,建议加快进度并注意施工安全。",
                user=clerk,
            )


def livelihood_demo_build(*, log) -> None:
    """隆回县's county round and two 桃洪镇 township batches (idempotent)."""
    county = _region(LONGHUI)
    township = _region(TAOHONG)
    if county is None:
        log("livelihood_votes: 隆回县 missing, skipped")
        return
    year = timezone.localdate().year
    rng = random.Random(f"livelihood-{year}")
    clerks = _clerks(county)
    if not VotingRound.objects.filter(region=county, year=year, batch=1).exists():
        term = _current_term(county)
        round_ = _round_create(
            region=county,
            year=year,
            batch=1,
            title=f"隆回县{year}年民生实事项目票决",
            choose=5,
            clerk=clerks[0],
        )
        if round_ is not None and term is not None:
            proposals = []
            for title, content in PROPOSALS:
                proposals.append(
                    services.proposal_submit(
                        round_=round_,
                        source=ProjectProposal.Source.CITIZEN,
                        title=title,
                        content=content,
                        proposer_name="群众",
                    )
                )
            opinion = CitizenOpinion.objects.filter(
                region__code__startswith=LONGHUI
            ).first()
            if opinion is not None:
                services.proposal_promote_from_opinion(
                    round_=round_, opinion=opinion, title="群众反映事项", user=clerks[0]
                )
            _candidates(round_, COUNTY_CANDIDATES, _units(county), clerks[0], proposals)
            _deputy_accounts(region=county, term=term, count=30)
            _vote_and_decide(round_, clerks, rng)
            _implement(round_, clerks[0], rng)
            log(f"livelihood_votes: {round_.title}")
    if township is None:
        return
    term = _current_term(township)
    if term is None:
        log("livelihood_votes: 桃洪镇 has no term, township batches skipped")
        return
    units = _units(township) or _units(county)
    for batch, (rows, choose) in enumerate(TOWNSHIP_BATCHES, 1):
        if VotingRound.objects.filter(region=township, year=year, batch=batch).exists():
            continue
        round_ = _round_create(
            region=township,
            year=year,
            batch=batch,
            title=f"桃洪镇{year}年第{batch}批民生实事项目票决",
            choose=choose,
            clerk=clerks[0],
        )
        _candidates(round_, rows, units, clerks[0])
        if batch == 1:
            _deputy_accounts(region=township, term=term, count=12)
            _vote_and_decide(round_, clerks, rng)
            _implement(round_, clerks[0], rng)
        log(f"livelihood_votes: {round_.title}")


# --- scale -------------------------------------------------------------------------


def livelihood_scale_build(*, options, log) -> None:
    """A decided round of 20 candidates in every county, 500 electronic ballots each.

    Deputies' accounts for the ballots are created here when the county has too
    few (``scale-dep-…``, no password). Idempotent per county and year.
    """
    year = timezone.localdate().year
    rng = random.Random("livelihood-scale")
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    for county in counties:
        if VotingRound.objects.filter(region=county, year=year, batch=1).exists():
            continue
        term = _current_term(county)
        units = _units(county)
        if term is None or not units:
            continue
        clerks = _clerks(county)
        round_ = _round_create(
            region=county,
            year=year,
            batch=1,
            title=f"{county.name}{year}年民生实事项目票决",
            choose=10,
            clerk=clerks[0],
        )
        rows = [
            (f"民生实事候选项目{i + 1:02d}", "改善群众生产生活条件。", str(100 + i))
            for i in range(20)
        ]
        _candidates(round_, rows, units, clerks[0])
        _scale_voters(county=county, term=term, count=500)
        _vote_and_decide(round_, clerks, rng)
        log(f"livelihood_votes: {round_.title}")


def _scale_voters(*, county: Region, term: Term, count: int) -> None:
    """Make sure ``count`` deputies of the county's term have accounts."""
    _deputy_accounts(region=county, term=term, count=count)


def _raw_delete(queryset) -> None:
    # A wipe of generated rows: no per-row signals or history, children first.
    queryset._raw_delete(queryset.db)


def livelihood_scale_reset(*, prefix: str) -> None:
    """Delete the rounds in ``prefix`` with everything hanging from them, including
    the polls they own (ballot, run-off, evaluations): those polls' voters and
    receipts point at the users the core reset removes next."""
    rounds = VotingRound.objects.filter(region__code__startswith=prefix)
    projects = LivelihoodProject.objects.filter(round__in=rounds)
    poll_ids = {
        pk
        for pair in rounds.values_list("poll_id", "runoff_poll_id")
        for pk in pair
        if pk
    } | {pk for pk in projects.values_list("evaluation_poll_id", flat=True) if pk}
    reports = ProgressReport.objects.filter(project__in=projects)
    visits = SupervisionVisit.objects.filter(project__in=projects)
    candidates = CandidateProject.objects.filter(round__in=rounds)
    proposals = ProjectProposal.objects.filter(round__in=rounds)
    for queryset in (
        ProgressPhoto.objects.filter(report__in=reports),
        reports,
        Milestone.objects.filter(project__in=projects),
        SupervisionVisit.deputies.through.objects.filter(supervisionvisit__in=visits),
        visits,
        projects,
        CandidateProject.proposals.through.objects.filter(
            candidateproject__in=candidates
        ),
        candidates,
        ProjectProposal.opinions.through.objects.filter(projectproposal__in=proposals),
        proposals,
        rounds,
    ):
        _raw_delete(queryset)
    scale_polls_delete(poll_ids)
