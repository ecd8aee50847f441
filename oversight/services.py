"""Every write of the oversight app.

Services take the objects a view or admin has already loaded through
``visible_to(user)``; each runs in one transaction, locks the row whose state it
checks, refuses a forbidden change with a Chinese ``ValidationError``, and records
the change in the audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models import Max
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import audit
from congress import voting
from congress.calendar import add_working_days
from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import Region
from congress.models import User
from congress.notify import notification_schedule
from congress.roles import Role
from congress.rules import is_in_scope
from oversight import draws
from oversight.models import AppointedOfficial
from oversight.models import CaseFile
from oversight.models import CaseScore
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import Expert
from oversight.models import ExpertAssignment
from oversight.models import ExpertConflict
from oversight.models import FollowUp
from oversight.models import InquiryQuestion
from oversight.models import Method
from oversight.models import Milestone
from oversight.models import OfficialReview
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import ProjectReview
from oversight.models import PublicEvaluation
from oversight.models import RandomDraw
from oversight.models import Rectification
from oversight.models import TopicProposal
from oversight.models import TopicSupport

# Reminders of countermeasures (对策清单): seven days before the deadline the unit is
# reminded; the day after it the unit is told it is overdue; five working days
# after the deadline the committee staff of the item's county are told (督办).
# These are the platform's working rules, not statutory periods.
REMIND_DAYS_BEFORE = 7
ESCALATE_AFTER_WORKING_DAYS = 5


def _refuse(message: str, code: str = "invalid") -> None:
    raise ValidationError(message, code=code)


def _county_of(region: Region) -> Region:
    return region.county or region


# --- topic collection ----------------------------------------------------------------


def topic_source_check(
    *,
    source: str,
    deputy=None,
    citizen_opinion=None,
    unit=None,
    research_group=None,
    campaign=None,
    region: Region | None = None,
    year: int | None = None,
) -> None:
    """Refuse a topic whose source is not named, or whose research campaign (or
    group) is another county's or another year's (forms call it in ``clean``)."""
    sources = TopicProposal.Source
    if research_group is not None:
        campaign = research_group.campaign
    if campaign is not None and (
        (region is not None and campaign.region_id != region.pk)
        or (year is not None and campaign.year != year)
    ):
        _refuse(_("议题的区划和年度应与所属的议题调研一致。"), "campaign")
    if source == sources.DEPUTY and deputy is None:
        _refuse(_("代表提出的议题须注明提出代表。"), "source")
    if source == sources.CITIZEN_OPINION and citizen_opinion is None:
        _refuse(_("来自群众意见的议题须注明来源意见。"), "source")
    if source == sources.UNIT and unit is None:
        _refuse(_("单位提出的议题须注明提出单位。"), "source")
    if source == sources.RESEARCH_GROUP and research_group is None:
        _refuse(_("调研组提出的议题须注明调研组。"), "source")


@transaction.atomic
def topic_propose(
    *,
    region: Region,
    year: int,
    title: str,
    category: str,
    source: str,
    user: User | None,
    description: str = "",
    deputy=None,
    citizen_opinion=None,
    unit: Organization | None = None,
    campaign=None,
    research_group=None,
) -> TopicProposal:
    """Record a proposed oversight topic for ``year``'s plan."""
    topic_source_check(
        source=source,
        deputy=deputy,
        citizen_opinion=citizen_opinion,
        unit=unit,
        research_group=research_group,
        campaign=campaign,
        region=region,
        year=year,
    )
    if research_group is not None:
        campaign = research_group.campaign
    topic = TopicProposal(
        region=region,
        year=year,
        title=title.strip(),
        description=description.strip(),
        category=category,
        source=source,
        deputy=deputy,
        citizen_opinion=citizen_opinion,
        unit=unit,
        campaign=campaign,
        research_group=research_group,
        proposed_by=user,
    )
    topic.full_clean()
    topic.save()
    audit.state_change_event(user=user, obj=topic, transition="topic_propose")
    return topic


def topic_propose_by_deputy(
    *, deputy, user: User, year: int, title: str, category: str, description: str
) -> TopicProposal:
    """A deputy proposes a topic in the portal, for their county's plan."""
    if deputy is None or deputy.user_id != user.pk:
        raise PermissionDenied(_("只有代表本人可以提出议题。"))
    return topic_propose(
        region=_county_of(deputy.region),
        year=year,
        title=title,
        category=category,
        source=TopicProposal.Source.DEPUTY,
        user=user,
        description=description,
        deputy=deputy,
    )


def topic_promote_opinion(
    *, opinion, user: User, year: int, title: str, category: str
) -> TopicProposal:
    """Staff promote a citizen opinion to a proposed topic."""
    if not is_in_scope(user, opinion):
        raise PermissionDenied(_("该群众意见不在您的管辖范围内。"))
    return topic_propose(
        region=_county_of(opinion.region),
        year=year,
        title=title,
        category=category,
        source=TopicProposal.Source.CITIZEN_OPINION,
        user=user,
        description=opinion.content,
        citizen_opinion=opinion,
    )


def _lock_topic(topic: TopicProposal) -> TopicProposal:
    return TopicProposal.objects.select_for_update().get(pk=topic.pk)


@transaction.atomic
def topic_support(*, topic: TopicProposal, user: User) -> TopicProposal:
    """Support (附议) a topic still open for selection; once per person."""
    topic = _lock_topic(topic)
    if topic.status not in (
        TopicProposal.Status.PROPOSED,
        TopicProposal.Status.SHORTLISTED,
    ):
        _refuse(_("该议题已经处理完毕,不能再附议。"), "status")
    if TopicSupport.objects.filter(topic=topic, user=user).exists():
        _refuse(_("您已经附议过该议题。"), "already_supported")
    TopicSupport.objects.create(topic=topic, user=user)
    TopicProposal.objects.filter(pk=topic.pk).update(support=F("support") + 1)
    topic.refresh_from_db(fields=["support"])
    return topic


@transaction.atomic
def topic_shortlist(*, topic: TopicProposal, user: User) -> TopicProposal:
    """Put a proposed topic on the shortlist."""
    topic = _lock_topic(topic)
    if topic.status != TopicProposal.Status.PROPOSED:
        _refuse(
            _("只有“已提出”的议题可以入围,该议题当前为“%(status)s”。")
            % {"status": topic.get_status_display()},
            "status",
        )
    topic.status = TopicProposal.Status.SHORTLISTED
    topic.save(update_fields=["status"])
    audit.state_change_event(user=user, obj=topic, transition="topic_shortlist")
    return topic


@transaction.atomic
def topic_decline(*, topic: TopicProposal, user: User, note: str) -> TopicProposal:
    """Decline a topic, with the reason the proposer will read."""
    topic = _lock_topic(topic)
    if topic.status == TopicProposal.Status.ADOPTED:
        _refuse(_("已列入计划的议题不能再改为未采纳。"), "status")
    if not note.strip():
        _refuse(_("请填写未采纳的理由。"), "note")
    topic.status = TopicProposal.Status.DECLINED
    topic.decision_note = note.strip()
    topic.save(update_fields=["status", "decision_note"])
    audit.state_change_event(user=user, obj=topic, transition="topic_decline")
    return topic


# --- the plan ------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, region: Region, year: int, user: User, title: str = ""
) -> OversightPlan:
    """Draft the year's oversight plan of a county."""
    if OversightPlan.objects.filter(region=region, year=year).exists():
        _refuse(
            _("%(region)s%(year)s年的监督工作计划已经存在。")
            % {"region": region.name, "year": year},
            "exists",
        )
    plan = OversightPlan(
        region=region,
        year=year,
        title=title
        or _("%(region)s人大常委会%(year)s年度监督工作计划")
        % {"region": region.name, "year": year},
    )
    plan.full_clean()
    plan.save()
    audit.state_change_event(user=user, obj=plan, transition="plan_create")
    return plan


def _lock_plan(plan: OversightPlan) -> OversightPlan:
    return OversightPlan.objects.select_for_update().get(pk=plan.pk)


def _refuse_plan_unless(plan: OversightPlan, *statuses: str) -> None:
    if plan.status not in statuses:
        _refuse(
            _("监督工作计划当前为“%(status)s”,不能进行此操作。")
            % {"status": plan.get_status_display()},
            "status",
        )


@transaction.atomic
def item_create(
    *,
    region: Region,
    title: str,
    category: str,
    method: str,
    user: User,
    plan: OversightPlan | None = None,
    topic: TopicProposal | None = None,
    lead_committee: Organization | None = None,
    units: Iterable[Organization] = (),
    planned_month: int | None = None,
    law_name: str = "",
    parent: OversightItem | None = None,
) -> OversightItem:
    """Create an oversight item (in a draft plan, or linked to a county inspection)."""
    if plan is not None:
        plan = _lock_plan(plan)
        _refuse_plan_unless(plan, OversightPlan.Status.DRAFT)
        if plan.region_id != region.pk:
            _refuse(_("监督事项的区划应与年度计划一致。"), "region")
    if method == Method.INSPECTION and not law_name.strip():
        _refuse(_("执法检查须填写所检查的法律法规。"), "law_name")
    if planned_month is not None and not 1 <= planned_month <= 12:
        _refuse(_("计划月份应在1至12之间。"), "planned_month")
    item = OversightItem(
        plan=plan,
        region=region,
        topic=topic,
        parent=parent,
        title=title.strip(),
        category=category,
        method=method,
        lead_committee=lead_committee,
        planned_month=planned_month,
        law_name=law_name.strip(),
    )
    item.full_clean()
    item.save()
    item.responsible_units.set(list(units))
    audit.state_change_event(user=user, obj=item, transition="item_create")
    return item


@transaction.atomic
def topic_adopt(
    *,
    topic: TopicProposal,
    plan: OversightPlan,
    user: User,
    method: str,
    lead_committee: Organization | None = None,
    units: Iterable[Organization] = (),
    planned_month: int | None = None,
    law_name: str = "",
) -> OversightItem:
    """Adopt a shortlisted topic into the year's draft plan as an item."""
    topic = _lock_topic(topic)
    if topic.status != TopicProposal.Status.SHORTLISTED:
        _refuse(_("只有入围的议题可以列入计划,请先将议题列入入围名单。"), "status")
    if topic.region_id != plan.region_id or topic.year != plan.year:
        _refuse(_("议题的区划和年度应与监督工作计划一致。"), "plan")
    item = item_create(
        region=plan.region,
        title=topic.title,
        category=topic.category,
        method=method,
        user=user,
        plan=plan,
        topic=topic,
        lead_committee=lead_committee,
        units=units,
        planned_month=planned_month,
        law_name=law_name,
    )
    if topic.deputy_id is not None:
        # The deputy who proposed the topic takes part in it.
        item.deputies.add(topic.deputy_id)
    topic.status = TopicProposal.Status.ADOPTED
    topic.save(update_fields=["status"])
    audit.state_change_event(user=user, obj=topic, transition="topic_adopt")
    return item


@transaction.atomic
def plan_report(*, plan: OversightPlan, user: User) -> OversightPlan:
    """Report the draft plan to the party committee (报县委)."""
    plan = _lock_plan(plan)
    _refuse_plan_unless(plan, OversightPlan.Status.DRAFT)
    if not plan.items.exists():
        _refuse(_("计划中还没有监督事项,不能报送。"), "empty")
    plan.status = OversightPlan.Status.REPORTED
    plan.reported_at = timezone.now()
    plan.save(update_fields=["status", "reported_at"])
    audit.state_change_event(user=user, obj=plan, transition="plan_report")
    return plan


@transaction.atomic
def plan_approve(
    *, plan: OversightPlan, user: User, session_label: str
) -> OversightPlan:
    """Record the plan's adoption by the standing committee (or chairpersons' meeting)."""
    plan = _lock_plan(plan)
    _refuse_plan_unless(plan, OversightPlan.Status.REPORTED)
    if not session_label.strip():
        _refuse(_("请填写通过计划的会议。"), "session")
    plan.status = OversightPlan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by_session = session_label.strip()
    plan.save(update_fields=["status", "approved_at", "approved_by_session"])
    audit.state_change_event(user=user, obj=plan, transition="plan_approve")
    return plan


@transaction.atomic
def plan_publish(*, plan: OversightPlan, user: User) -> OversightPlan:
    """Publish an approved plan (its PDF is then printed from the admin)."""
    plan = _lock_plan(plan)
    _refuse_plan_unless(plan, OversightPlan.Status.APPROVED)
    plan.status = OversightPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    audit.state_change_event(user=user, obj=plan, transition="plan_publish")
    return plan


@transaction.atomic
def inspection_link_township(
    *,
    parent: OversightItem,
    township: Region,
    user: User,
    title: str = "",
    units: Iterable[Organization] = (),
) -> OversightItem:
    """Create a township sub-inspection linked to a county law-enforcement inspection
    (县乡联动执法检查)."""
    if parent.method != Method.INSPECTION:
        _refuse(_("只有执法检查可以联动乡镇开展检查。"), "method")
    if township.level != Region.Level.TOWNSHIP or not parent.region.contains(township):
        _refuse(_("联动检查的乡镇应在本县范围内。"), "region")
    if parent.sub_items.filter(region=township).exists():
        _refuse(
            _("%(township)s的联动检查已经存在。") % {"township": township.name},
            "exists",
        )
    return item_create(
        region=township,
        title=title
        or _("%(township)s%(law)s执法检查")
        % {"township": township.name, "law": parent.law_name},
        category=parent.category,
        method=Method.INSPECTION,
        user=user,
        law_name=parent.law_name,
        parent=parent,
        units=units,
        planned_month=parent.planned_month,
    )


@transaction.atomic
def item_record(
    *,
    item: OversightItem,
    user: User,
    report: str | None = None,
    deliberation: str | None = None,
    findings: str | None = None,
) -> OversightItem:
    """Record the report, the members' deliberation or the findings; starts the item."""
    item = OversightItem.objects.select_for_update().get(pk=item.pk)
    if item.status == OversightItem.Status.COMPLETED:
        _refuse(_("监督事项已经完成,不能再修改。"), "status")
    fields = []
    for name, value in (
        ("report", report),
        ("deliberation", deliberation),
        ("findings", findings),
    ):
        if value is not None:
            setattr(item, name, value.strip())
            fields.append(name)
    item.status = OversightItem.Status.IN_PROGRESS
    item.save(update_fields=[*fields, "status"])
    audit.state_change_event(user=user, obj=item, transition="item_record")
    return item


@transaction.atomic
def item_publish(*, item: OversightItem, user: User, summary: str) -> OversightItem:
    """Publish the results of an item on the public page (no personal data)."""
    item = OversightItem.objects.select_for_update().get(pk=item.pk)
    if not summary.strip():
        _refuse(_("请填写要公开的结果。"), "summary")
    item.public_summary = summary.strip()
    item.published_at = timezone.now()
    item.status = OversightItem.Status.COMPLETED
    item.save(update_fields=["public_summary", "published_at", "status"])
    audit.state_change_event(user=user, obj=item, transition="item_publish")
    return item


@transaction.atomic
def milestone_done(
    *, milestone: Milestone, user: User, done_on: datetime.date, note: str = ""
) -> Milestone:
    """Mark a step of the schedule done (e.g. 年初听取计划, 年终述职测评)."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.done_on = done_on
    milestone.note = note
    milestone.save(update_fields=["done_on", "note"])
    return milestone


# --- experts -------------------------------------------------------------------------


@transaction.atomic
def expert_conflict_declare(
    *, expert: Expert, unit: Organization, reason: str, user: User
) -> ExpertConflict:
    """Record an expert's declared conflict of interest with a unit."""
    if not reason.strip():
        _refuse(_("请填写利害关系。"), "reason")
    conflict, created = ExpertConflict.objects.get_or_create(
        expert=expert, unit=unit, defaults={"reason": reason.strip()}
    )
    if created:
        audit.state_change_event(user=user, obj=conflict, transition="declare")
    return conflict


def _units_of(item: OversightItem) -> set[int]:
    units = set(item.responsible_units.values_list("pk", flat=True))
    units |= set(item.cases.values_list("unit_id", flat=True))
    return units


def expert_conflicts_with(*, expert: Expert, item: OversightItem) -> list[str]:
    """The units of the item the expert declared a conflict with (names)."""
    return list(
        ExpertConflict.objects.filter(
            expert=expert, unit_id__in=_units_of(item)
        ).values_list("unit__name", flat=True)
    )


def experts_eligible_for(*, item: OversightItem):
    """Active experts of the item's county not yet taking part in it and with no
    conflict with any of its units."""
    county = _county_of(item.region)
    return (
        Expert.objects.filter(region__code__startswith=county.prefix, is_active=True)
        .exclude(conflicts__unit_id__in=_units_of(item))
        .exclude(assignments__item=item)
        .order_by("pk")
    )


@transaction.atomic
def expert_assign(
    *,
    item: OversightItem,
    expert: Expert,
    user: User,
    role: str = "",
    draw: RandomDraw | None = None,
) -> ExpertAssignment:
    """Assign an expert to an item; refused when the expert has a conflict with one
    of the item's units or is no longer in the pool."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not expert.is_active:
        _refuse(_("专家%(name)s已不在专家库中。") % {"name": expert.name}, "inactive")
    conflicts = expert_conflicts_with(expert=expert, item=item)
    if conflicts:
        _refuse(
            _("专家%(name)s与%(units)s存在利害关系,应当回避,不能参与该事项。")
            % {"name": expert.name, "units": "、".join(conflicts)},
            "conflict",
        )
    if ExpertAssignment.objects.filter(item=item, expert=expert).exists():
        _refuse(_("专家%(name)s已经参与该事项。") % {"name": expert.name}, "duplicate")
    assignment = ExpertAssignment(
        item=item, expert=expert, role=role or _("评查专家"), draw=draw
    )
    assignment.full_clean()
    assignment.save()
    audit.state_change_event(user=user, obj=assignment, transition="expert_assign")
    return assignment


# --- public draws --------------------------------------------------------------------


@transaction.atomic
def draw_prepare(
    *,
    region: Region,
    title: str,
    kind: str,
    candidates: Sequence[tuple[str, str]],
    count: int,
    user: User,
    item: OversightItem | None = None,
) -> RandomDraw:
    """Publish a draw: the candidate list and the commitment to a fresh secret seed."""
    keys = [str(key) for key, _label in candidates]
    if not keys:
        _refuse(_("候选名单为空,不能抽签。"), "empty")
    if len(set(keys)) != len(keys):
        _refuse(_("候选名单中有重复的编号。"), "duplicate")
    if not 1 <= count <= len(keys):
        _refuse(
            _("抽取数量应在1至候选人数%(n)s之间。") % {"n": len(keys)},
            "count",
        )
    seed = draws.seed_new()
    draw = RandomDraw(
        region=region,
        item=item,
        title=title.strip(),
        kind=kind,
        candidates=sorted(
            ({"key": str(key), "label": str(label)} for key, label in candidates),
            key=lambda c: c["key"],
        ),
        count=count,
        seed=seed,
        seed_hash=draws.seed_commitment(seed),
    )
    draw.full_clean()
    draw.save()
    audit.state_change_event(
        user=user,
        obj=draw,
        transition="draw_commit",
        detail={"seed_hash": draw.seed_hash, "candidates": len(keys)},
    )
    return draw


def expert_key(expert: Expert) -> str:
    return f"E{expert.pk:05d}"


def draw_prepare_experts(
    *, item: OversightItem, count: int, user: User, title: str = ""
) -> RandomDraw:
    """Publish a draw of reviewers among the experts eligible for the item.

    Experts with a conflict with any of the item's units are not candidates.
    """
    experts = list(experts_eligible_for(item=item))
    return draw_prepare(
        region=item.region,
        item=item,
        title=title or _("%(item)s评查专家抽签") % {"item": item.title},
        kind=RandomDraw.Kind.EXPERTS,
        candidates=[(expert_key(e), f"{e.name}({e.field})") for e in experts],
        count=count,
        user=user,
    )


def draw_prepare_cases(
    *, item: OversightItem, count: int, user: User, title: str = ""
) -> RandomDraw:
    """Publish a draw of the cases to review among the item's case files."""
    cases = list(item.cases.order_by("number"))
    return draw_prepare(
        region=item.region,
        item=item,
        title=title or _("%(item)s评查案卷抽签") % {"item": item.title},
        kind=RandomDraw.Kind.CASES,
        candidates=[(c.number, c.title) for c in cases],
        count=count,
        user=user,
    )


@transaction.atomic
def draw_perform(*, draw: RandomDraw, public_entropy: str, user: User) -> RandomDraw:
    """Make the draw: compute the result, reveal the seed, apply the result.

    A made draw is final. For experts the candidates are checked for conflicts
    declared since the list was published; if any, the draw is refused and must be
    published again without them (never silently redrawn).
    """
    draw = RandomDraw.objects.select_for_update().get(pk=draw.pk)
    if draw.status == RandomDraw.Status.DRAWN:
        _refuse(_("抽签已经完成,结果不能更改。"), "drawn")
    public_entropy = public_entropy.strip()
    if not public_entropy:
        _refuse(_("请填写现场公开产生的随机数。"), "entropy")
    keys = [c["key"] for c in draw.candidates]
    experts: dict[str, Expert] = {}
    if draw.kind == RandomDraw.Kind.EXPERTS and draw.item is not None:
        experts = {
            expert_key(e): e
            for e in Expert.objects.filter(
                pk__in=[int(k[1:]) for k in keys if k[1:].isdigit()]
            )
        }
        conflicted = [
            e.name
            for e in experts.values()
            if expert_conflicts_with(expert=e, item=draw.item)
        ]
        if conflicted:
            _refuse(
                _(
                    "候选专家%(names)s已申报与被监督单位存在利害关系,"
                    "请重新公布不含其姓名的候选名单后再抽签。"
                )
                % {"names": "、".join(conflicted)},
                "conflict",
            )
    result = draws.draw_compute(
        seed=draw.seed, public_entropy=public_entropy, keys=keys, count=draw.count
    )
    draw.public_entropy = public_entropy
    draw.result = result
    draw.status = RandomDraw.Status.DRAWN
    draw.drawn_at = timezone.now()
    draw.drawn_by = user
    draw.save(
        update_fields=["public_entropy", "result", "status", "drawn_at", "drawn_by"]
    )
    if draw.kind == RandomDraw.Kind.EXPERTS and draw.item is not None:
        for key in result:
            expert_assign(item=draw.item, expert=experts[key], user=user, draw=draw)
    if draw.kind == RandomDraw.Kind.CASES and draw.item is not None:
        draw.item.cases.filter(number__in=result).update(selected=True)
    audit.state_change_event(
        user=user,
        obj=draw,
        transition="draw_perform",
        detail={"result": result, "public_entropy": public_entropy},
    )
    return draw


@dataclass(frozen=True)
class DrawCheck:
    """What anyone can check of a made draw."""

    commitment_ok: bool
    recomputed: list[str]
    result_ok: bool


def draw_verify(*, draw: RandomDraw) -> DrawCheck | None:
    """Recompute a made draw from its published facts (None before the draw)."""
    if draw.status != RandomDraw.Status.DRAWN:
        return None
    recomputed = draws.draw_compute(
        seed=draw.seed,
        public_entropy=draw.public_entropy,
        keys=[c["key"] for c in draw.candidates],
        count=draw.count,
    )
    return DrawCheck(
        commitment_ok=draws.seed_commitment(draw.seed) == draw.seed_hash,
        recomputed=recomputed,
        result_ok=recomputed == list(draw.result),
    )


# --- case review ---------------------------------------------------------------------


def case_cases_drawn(item: OversightItem) -> bool:
    """Whether the item's cases have been drawn (the pool is then fixed)."""
    return item.draws.filter(
        kind=RandomDraw.Kind.CASES, status=RandomDraw.Status.DRAWN
    ).exists()


def case_add_check(*, item: OversightItem) -> None:
    """Refuse a case for an item that is no case review or whose cases are drawn
    (forms call it in ``clean``)."""
    if item.method != Method.CASE_REVIEW:
        _refuse(_("只有案件评查事项可以添加案卷。"), "method")
    if case_cases_drawn(item):
        _refuse(_("案卷已经抽签,不能再添加。"), "drawn")


@transaction.atomic
def case_add(
    *, item: OversightItem, number: str, title: str, unit: Organization, user: User
) -> CaseFile:
    """Add a case file to a case review's pool."""
    case_add_check(item=item)
    case = CaseFile(item=item, number=number.strip(), title=title.strip(), unit=unit)
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_score(
    *, case: CaseFile, expert: Expert, score: int, comment: str, user: User
) -> CaseScore:
    """An assigned expert scores a selected case (0–100)."""
    if expert.user_id is not None and expert.user_id != user.pk:
        if not is_in_scope(user, case):
            raise PermissionDenied(_("只能由专家本人或工作人员录入评分。"))
    if not ExpertAssignment.objects.filter(item=case.item, expert=expert).exists():
        _refuse(_("该专家没有被确定为本事项的评查专家。"), "not_assigned")
    if ExpertConflict.objects.filter(expert=expert, unit=case.unit).exists():
        _refuse(_("专家与办案单位存在利害关系,应当回避。"), "conflict")
    if case.item.draws.filter(kind=RandomDraw.Kind.CASES).exists() and not (
        case.selected
    ):
        _refuse(_("该案卷没有被抽中评查。"), "not_selected")
    if not 0 <= int(score) <= 100:
        _refuse(_("评分应在0至100分之间。"), "score")
    row, _created = CaseScore.objects.update_or_create(
        case=case, expert=expert, defaults={"score": score, "comment": comment}
    )
    return row


@transaction.atomic
def case_visit_record(*, case: CaseFile, text: str, user: User) -> CaseFile:
    """Record the follow-up visit to the parties of a case (回访当事人)."""
    case = CaseFile.objects.select_for_update().get(pk=case.pk)
    case.party_visit = text.strip()
    case.save(update_fields=["party_visit"])
    return case


# --- special inquiry -------------------------------------------------------------------


@transaction.atomic
def question_add(
    *,
    item: OversightItem,
    source: str,
    question: str,
    user: User,
    asker: str = "",
    respondent: Organization | None = None,
) -> InquiryQuestion:
    """Add a question to an inquiry's bank, with its assigned respondent."""
    if item.method != Method.INQUIRY:
        _refuse(_("只有专题询问事项有问题库。"), "method")
    row = InquiryQuestion(
        item=item,
        source=source,
        asker=asker.strip(),
        question=question.strip(),
        respondent=respondent,
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def question_answer(
    *, question: InquiryQuestion, answer: str, user: User, follow_up_task: str = ""
) -> InquiryQuestion:
    """Record the answer given at the inquiry and the task to follow up."""
    question = InquiryQuestion.objects.select_for_update().get(pk=question.pk)
    if question.respondent_id is None:
        _refuse(_("请先确定应询单位。"), "respondent")
    if not answer.strip():
        _refuse(_("请填写答复内容。"), "answer")
    question.answer = answer.strip()
    question.answered_at = timezone.now()
    question.follow_up_task = follow_up_task.strip()
    question.save(update_fields=["answer", "answered_at", "follow_up_task"])
    return question


@transaction.atomic
def question_follow_up_done(
    *, question: InquiryQuestion, user: User
) -> InquiryQuestion:
    """Mark the follow-up task of an answered question done."""
    question = InquiryQuestion.objects.select_for_update().get(pk=question.pk)
    if not question.answered_at:
        _refuse(_("问题尚未答复。"), "unanswered")
    question.follow_up_done = True
    question.save(update_fields=["follow_up_done"])
    return question


# --- project review ---------------------------------------------------------------------


@transaction.atomic
def project_review_decide(
    *, review: ProjectReview, recommendation: str, reason: str, user: User
) -> ProjectReview:
    """Recommend continue, adjust or halt. A project with any of the five flags
    cannot simply continue: it is adjusted or halted (隆回: 叫停问题项目)."""
    review = ProjectReview.objects.select_for_update().get(pk=review.pk)
    if recommendation == ProjectReview.Recommendation.CONTINUE and review.flags_raised:
        _refuse(
            _("项目存在“%(flags)s”的问题,不能建议继续实施,请建议调整或停止。")
            % {"flags": "、".join(review.flags_raised)},
            "flags",
        )
    if not reason.strip():
        _refuse(_("请填写审议建议的理由。"), "reason")
    review.recommendation = recommendation
    review.reason = reason.strip()
    review.full_clean()
    review.save(update_fields=["recommendation", "reason"])
    audit.state_change_event(user=user, obj=review, transition="project_decide")
    return review


@transaction.atomic
def project_review_outcome(
    *, review: ProjectReview, outcome: str, user: User
) -> ProjectReview:
    """Record what the government did with the recommendation."""
    review = ProjectReview.objects.select_for_update().get(pk=review.pk)
    if not review.recommendation:
        _refuse(_("请先作出审议建议。"), "recommendation")
    review.outcome = outcome.strip()
    review.save(update_fields=["outcome"])
    return review


# --- satisfaction polls (congress Poll engine) ------------------------------------------


def _audience_label(audience: str) -> str:
    """The electorate's name for who evaluates; refused in Chinese if unknown."""
    if audience not in PublicEvaluation.Audience.values:
        _refuse(_("测评人员只能是常委会组成人员、人大代表或群众代表。"), "audience")
    return str(PublicEvaluation.Audience(audience).label)


def poll_settings_check(
    *, voters: Iterable[User], base: str, quorum: int | None
) -> list[User]:
    """Refuse, in Chinese, the settings a satisfaction poll cannot be opened with:
    no voters, an unknown base (过半数的基数), a quorum below one or above the
    number of voters (the result could never be valid). Returns the voters."""
    voters = list(voters)
    if base not in Poll.Base.values:
        _refuse(_("过半数的基数只能是全体应投票人或实际投票人。"), "base")
    if not voters:
        _refuse(_("没有应投票人,不能开始测评。"), "electorate")
    if quorum is not None:
        entitled = len({voter.pk for voter in voters})
        if quorum < 1:
            _refuse(_("法定人数至少为1人。"), "quorum")
        if quorum > entitled:
            _refuse(
                _("法定人数(%(quorum)s人)不能多于应投票人数(%(entitled)s人)。")
                % {"quorum": quorum, "entitled": entitled},
                "quorum",
            )
    return voters


def _satisfaction_poll(
    *,
    title: str,
    region: Region,
    voters: Iterable[User],
    user: User,
    electorate_label: str,
    base: str,
    quorum: int | None,
    secrecy: str,
) -> Poll:
    voters = poll_settings_check(voters=voters, base=base, quorum=quorum)
    poll = voting.poll_create(
        title=title,
        region=region,
        kind=Poll.Kind.SATISFACTION,
        user=user,
        secrecy=secrecy,
        voters=voters,
        electorate_label=electorate_label,
        base=base,
        quorum=quorum,
    )
    return voting.poll_open(poll=poll, user=user)


def _poll_conclude(poll: Poll, user: User) -> voting.SatisfactionVerdict:
    poll = Poll.objects.get(pk=poll.pk)
    if poll.status == Poll.Status.OPEN:
        poll = voting.poll_close(poll=poll, user=user)
    tally = voting.poll_tally(poll=poll)
    if poll.status == Poll.Status.CLOSED:
        voting.poll_publish(poll=poll, user=user)
    assert tally.verdict is not None
    return tally.verdict


# --- deliberation opinions and the four lists ---------------------------------------------


@transaction.atomic
def opinion_issue(
    *,
    item: OversightItem,
    text: str,
    issued_on: datetime.date,
    report_due: datetime.date,
    user: User,
) -> DeliberationOpinion:
    """Send the members' deliberation opinion to the responsible units."""
    if report_due <= issued_on:
        _refuse(_("报告期限应晚于交办日期。"), "report_due")
    opinion = DeliberationOpinion(
        item=item, text=text.strip(), issued_on=issued_on, report_due=report_due
    )
    opinion.full_clean()
    opinion.save()
    audit.state_change_event(user=user, obj=opinion, transition="opinion_issue")
    return opinion


def _lock_opinion(opinion: DeliberationOpinion) -> DeliberationOpinion:
    return DeliberationOpinion.objects.select_for_update().get(pk=opinion.pk)


@transaction.atomic
def problem_add(
    *,
    opinion: DeliberationOpinion,
    description: str,
    user: User,
    follow_up: FollowUp | None = None,
) -> Problem:
    """Add a problem to the problem list (问题清单)."""
    opinion = _lock_opinion(opinion)
    if opinion.status == DeliberationOpinion.Status.CLOSED and follow_up is None:
        _refuse(_("审议意见已经办结;新发现的问题请通过“回头看”提出。"), "closed")
    if not description.strip():
        _refuse(_("请填写问题。"), "description")
    number = (opinion.problems.aggregate(n=Max("number"))["n"] or 0) + 1
    problem = Problem.objects.create(
        opinion=opinion,
        number=number,
        description=description.strip(),
        follow_up=follow_up,
    )
    audit.state_change_event(user=user, obj=problem, transition="problem_add")
    return problem


@transaction.atomic
def countermeasure_add(
    *,
    problem: Problem,
    unit: Organization,
    measure: str,
    deadline: datetime.date,
    user: User,
) -> Countermeasure:
    """Add a countermeasure (对策清单) with its responsible unit and deadline."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == Problem.Status.RECTIFIED:
        _refuse(_("该问题已经整改完成。"), "rectified")
    if problem.opinion.status == DeliberationOpinion.Status.CLOSED:
        _refuse(_("审议意见已经办结。"), "closed")
    if deadline < problem.opinion.issued_on:
        _refuse(_("完成时限不能早于审议意见交办日期。"), "deadline")
    if not measure.strip():
        _refuse(_("请填写对策措施。"), "measure")
    row = Countermeasure(problem=problem, unit=unit, measure=measure, deadline=deadline)
    row.full_clean()
    row.save()
    audit.state_change_event(user=user, obj=row, transition="countermeasure_add")
    return row


def user_may_report_for(user: User, countermeasure: Countermeasure) -> bool:
    """The unit's own liaison, or committee staff over the item's region."""
    if user.organization_id == countermeasure.unit_id and user.has_role(
        Role.UNIT_LIAISON
    ):
        return True
    return (user.is_superuser or user.has_role(Role.STAFF)) and is_in_scope(
        user, countermeasure
    )


@transaction.atomic
def rectification_report(
    *,
    countermeasure: Countermeasure,
    done: str,
    user: User,
    completed: bool,
    evidence: str = "",
) -> Rectification:
    """A unit reports what it did (成绩清单). A completed report completes the
    countermeasure, and the problem once all its countermeasures are done."""
    countermeasure = Countermeasure.objects.select_for_update().get(
        pk=countermeasure.pk
    )
    if not user_may_report_for(user, countermeasure):
        raise PermissionDenied(_("只有责任单位可以报告整改情况。"))
    if countermeasure.status == Countermeasure.Status.DONE:
        _refuse(_("该对策已经完成。"), "done")
    if not done.strip():
        _refuse(_("请填写整改成效。"), "done_text")
    row = Rectification.objects.create(
        countermeasure=countermeasure,
        done=done.strip(),
        evidence=evidence.strip(),
        status=(
            Rectification.Status.COMPLETED
            if completed
            else Rectification.Status.IN_PROGRESS
        ),
        reported_by=user,
    )
    if completed:
        countermeasure.status = Countermeasure.Status.DONE
        countermeasure.save(update_fields=["status"])
        problem = countermeasure.problem
        if not problem.countermeasures.exclude(
            status=Countermeasure.Status.DONE
        ).exists():
            problem.status = Problem.Status.RECTIFIED
            problem.save(update_fields=["status"])
    audit.state_change_event(user=user, obj=row, transition="rectification_report")
    return row


@transaction.atomic
def evaluation_open(
    *,
    opinion: DeliberationOpinion,
    audience: str,
    voters: Iterable[User],
    user: User,
    base: str = Poll.Base.ENTITLED,
    quorum: int | None = None,
    secrecy: str = Poll.Secrecy.SECRET,
) -> PublicEvaluation:
    """Open a satisfaction poll (评价清单) on how the opinion was handled."""
    opinion = _lock_opinion(opinion)
    if opinion.status != DeliberationOpinion.Status.ISSUED:
        _refuse(
            _("审议意见当前为“%(status)s”,不能开始测评。")
            % {"status": opinion.get_status_display()},
            "status",
        )
    if not opinion.problems.exists():
        _refuse(_("问题清单为空,不能测评。"), "empty")
    if opinion.problems.exclude(status=Problem.Status.RECTIFIED).exists():
        _refuse(_("还有问题没有整改完成,不能开始测评。"), "open_problems")
    poll = _satisfaction_poll(
        title=_("%(item)s审议意见落实情况满意度测评") % {"item": opinion.item.title},
        region=opinion.item.region,
        voters=voters,
        user=user,
        electorate_label=_audience_label(audience),
        base=base,
        quorum=quorum,
        secrecy=secrecy,
    )
    evaluation = PublicEvaluation.objects.create(
        item=opinion.item, opinion=opinion, audience=audience, poll=poll
    )
    opinion.status = DeliberationOpinion.Status.EVALUATING
    opinion.save(update_fields=["status"])
    audit.state_change_event(user=user, obj=evaluation, transition="evaluation_open")
    return evaluation


@transaction.atomic
def evaluation_conclude(
    *, evaluation: PublicEvaluation, user: User
) -> PublicEvaluation:
    """Close and count the poll; record the verdict by ``voting.satisfaction_verdict``.

    满意 or 基本满意 closes the opinion; 不满意 (or no quorum) sends it back to the
    units for further rectification. A unit's democratic evaluation (no opinion)
    only records its verdict.
    """
    evaluation = PublicEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.concluded_at is not None:
        _refuse(_("测评结果已经确定。"), "concluded")
    verdict = _poll_conclude(evaluation.poll, user)
    evaluation.verdict = verdict.code
    evaluation.verdict_reason = verdict.reason
    evaluation.concluded_at = timezone.now()
    evaluation.save(update_fields=["verdict", "verdict_reason", "concluded_at"])
    if evaluation.opinion_id is not None:
        opinion = _lock_opinion(evaluation.opinion)
        passed = verdict.code in (
            PollOption.Code.SATISFIED,
            PollOption.Code.BASICALLY_SATISFIED,
        )
        opinion.status = (
            DeliberationOpinion.Status.CLOSED
            if passed
            else DeliberationOpinion.Status.ISSUED
        )
        opinion.save(update_fields=["status"])
    audit.state_change_event(
        user=user,
        obj=evaluation,
        transition="evaluation_conclude",
        detail={"verdict": verdict.code},
    )
    return evaluation


@transaction.atomic
def follow_up_record(
    *,
    opinion: DeliberationOpinion,
    visited_on: datetime.date,
    findings: str,
    user: User,
    reopen: Iterable[Problem] = (),
    new_problems: Iterable[str] = (),
) -> FollowUp:
    """回头看: record what a later visit found; reopen problems that came back and
    add the new ones. Either reopens a closed opinion, which closes the loop."""
    opinion = _lock_opinion(opinion)
    if not findings.strip():
        _refuse(_("请填写回头看发现的情况。"), "findings")
    follow_up = FollowUp.objects.create(
        opinion=opinion, visited_on=visited_on, findings=findings.strip(), by=user
    )
    changed = False
    for problem in reopen:
        if problem.opinion_id != opinion.pk:
            _refuse(_("只能重新整改本审议意见中的问题。"), "problem")
        Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.REOPENED)
        changed = True
    for description in new_problems:
        if description.strip():
            problem_add(
                opinion=opinion,
                description=description,
                user=user,
                follow_up=follow_up,
            )
            changed = True
    if changed and opinion.status != DeliberationOpinion.Status.ISSUED:
        opinion.status = DeliberationOpinion.Status.ISSUED
        opinion.save(update_fields=["status"])
    audit.state_change_event(
        user=user,
        obj=follow_up,
        transition="follow_up_record",
        detail={"reopened": changed},
    )
    return follow_up


def item_deputy_users(item: OversightItem) -> list[User]:
    """The accounts of the deputies taking part in an item (they vote online)."""
    return list(
        User.objects.filter(deputy__oversight_items=item, is_active=True).order_by("pk")
    )


def evaluation_open_for_deputies(
    *,
    opinion: DeliberationOpinion,
    user: User,
    base: str = Poll.Base.ENTITLED,
    quorum: int | None = None,
) -> PublicEvaluation:
    """Open the evaluation among the deputies taking part in the item (those with
    an account): they vote in the portal."""
    voters = item_deputy_users(opinion.item)
    if not voters:
        _refuse(_("该事项没有可以在网上测评的参加代表。"), "electorate")
    return evaluation_open(
        opinion=opinion,
        audience=PublicEvaluation.Audience.DEPUTIES,
        voters=voters,
        user=user,
        base=base,
        quorum=quorum,
    )


@transaction.atomic
def unit_evaluation_open(
    *,
    item: OversightItem,
    unit: Organization,
    audience: str,
    voters: Iterable[User],
    user: User,
    base: str = Poll.Base.ENTITLED,
    quorum: int | None = None,
    secrecy: str = Poll.Secrecy.SECRET,
) -> PublicEvaluation:
    """民主测评 (两官评议): a satisfaction poll on a case review's evaluated unit
    (the court or procuratorate among the item's responsible units), counted by
    the same rule as every oversight evaluation (``evaluation_conclude``)."""
    item = OversightItem.objects.select_for_update().get(pk=item.pk)
    if item.method != Method.CASE_REVIEW:
        _refuse(_("只有案件评查(两官评议)事项可以对单位进行民主测评。"), "method")
    if item.status == OversightItem.Status.COMPLETED:
        _refuse(_("监督事项已经完成,不能再修改。"), "status")
    if not item.responsible_units.filter(pk=unit.pk).exists():
        _refuse(_("%(unit)s不是本事项的被监督单位。") % {"unit": unit.name}, "unit")
    if PublicEvaluation.objects.filter(item=item, unit=unit).exists():
        _refuse(
            _("本事项已经对%(unit)s进行过民主测评。") % {"unit": unit.name}, "exists"
        )
    poll = _satisfaction_poll(
        title=_("%(item)s:对%(unit)s的民主测评")
        % {"item": item.title, "unit": unit.name},
        region=item.region,
        voters=voters,
        user=user,
        electorate_label=_audience_label(audience),
        base=base,
        quorum=quorum,
        secrecy=secrecy,
    )
    evaluation = PublicEvaluation.objects.create(
        item=item, unit=unit, audience=audience, poll=poll
    )
    if item.status == OversightItem.Status.PLANNED:
        item.status = OversightItem.Status.IN_PROGRESS
        item.save(update_fields=["status"])
    audit.state_change_event(
        user=user, obj=evaluation, transition="unit_evaluation_open"
    )
    return evaluation


def evaluation_list_open_for_voter(*, user: User):
    """Open oversight polls (evaluations of opinions and of officials) in which the
    user may vote and has not yet."""
    return (
        Poll.objects.filter(status=Poll.Status.OPEN, voters__user=user)
        .filter(Q(public_evaluation__isnull=False) | Q(official_review__isnull=False))
        .exclude(receipts__voter=user)
        .select_related(
            "public_evaluation__opinion",
            "public_evaluation__unit",
            "official_review__official",
        )
        .prefetch_related("options")
        .order_by("pk")
    )


# --- 评+述 ---------------------------------------------------------------------------------


def official_review_check(
    *,
    official: AppointedOfficial,
    year: int,
    report: str,
    audience: str,
    voters: Iterable[User],
    base: str,
    quorum: int | None,
) -> list[User]:
    """Refuse, in Chinese, a review that cannot be opened (a second one for the
    official's year, no report, evaluation settings a poll cannot have); change
    nothing. Returns the voters."""
    if OfficialReview.objects.filter(official=official, year=year).exists():
        _refuse(
            _("%(name)s%(year)s年度的述职评议已经存在。")
            % {"name": official.name, "year": year},
            "exists",
        )
    if not report.strip():
        _refuse(_("请填写述职报告。"), "report")
    _audience_label(audience)
    return poll_settings_check(voters=voters, base=base, quorum=quorum)


@transaction.atomic
def official_review_open(
    *,
    official: AppointedOfficial,
    year: int,
    report: str,
    voters: Iterable[User],
    user: User,
    item: OversightItem | None = None,
    audience: str = PublicEvaluation.Audience.MEMBERS,
    base: str = Poll.Base.ENTITLED,
    quorum: int | None = None,
) -> OfficialReview:
    """Record an appointed official's report (述) and open the evaluation (评) by
    ``audience`` (its electorate ``voters``), counted on ``base`` with ``quorum``."""
    voters = official_review_check(
        official=official,
        year=year,
        report=report,
        audience=audience,
        voters=voters,
        base=base,
        quorum=quorum,
    )
    poll = _satisfaction_poll(
        title=_("%(official)s%(year)s年度履职满意度测评")
        % {"official": official, "year": year},
        region=official.region,
        voters=voters,
        user=user,
        electorate_label=_audience_label(audience),
        base=base,
        quorum=quorum,
        secrecy=Poll.Secrecy.SECRET,
    )
    review = OfficialReview.objects.create(
        official=official, item=item, year=year, report=report.strip(), poll=poll
    )
    audit.state_change_event(user=user, obj=review, transition="official_review_open")
    return review


@transaction.atomic
def official_review_conclude(*, review: OfficialReview, user: User) -> OfficialReview:
    """Close and count an official's evaluation; record the verdict."""
    review = OfficialReview.objects.select_for_update().get(pk=review.pk)
    if review.verdict:
        _refuse(_("测评结果已经确定。"), "concluded")
    verdict = _poll_conclude(review.poll, user)
    review.verdict = verdict.code or "none"
    review.save(update_fields=["verdict"])
    return review


# --- reminders -------------------------------------------------------------------------------


def _unit_recipients(unit_ids: set[int]) -> dict[int, list[User]]:
    recipients: dict[int, list[User]] = {}
    for u in User.objects.filter(
        organization_id__in=unit_ids,
        is_active=True,
        groups__name=Role.UNIT_LIAISON.value,
    ).distinct():
        recipients.setdefault(u.organization_id, []).append(u)
    return recipients


def _staff_recipients(region: Region) -> list[User]:
    county = _county_of(region)
    return list(
        User.objects.filter(
            scope_region=county, is_active=True, groups__name=Role.STAFF.value
        ).distinct()
    )


@transaction.atomic
def countermeasure_remind(*, today: datetime.date) -> int:
    """Remind units of countermeasures due within seven days or overdue, and escalate
    to the county's staff five working days after the deadline.

    Idempotent: each reminder is keyed (kind, countermeasure, recipient, its date),
    so running this twice, or every day, sends each one once. Returns how many
    notifications were created.
    """
    horizon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    pending = list(
        Countermeasure.objects.filter(
            status=Countermeasure.Status.PENDING, deadline__lte=horizon
        )
        .exclude(problem__opinion__status=DeliberationOpinion.Status.CLOSED)
        .select_related("unit", "problem__opinion__item__region")
        .order_by("deadline", "pk")
    )
    units = _unit_recipients({c.unit_id for c in pending})
    staff_by_region: dict[int, list[User]] = {}
    created = 0
    for row in pending:
        item = row.problem.opinion.item
        params = {
            "item": item.title,
            "deadline": f"{row.deadline:%Y-%m-%d}",
            "unit": row.unit.name,
        }
        if today <= row.deadline:
            kind = "oversight.countermeasure_due"
            due = row.deadline - datetime.timedelta(days=REMIND_DAYS_BEFORE)
            title = _("“%(item)s”整改对策将于%(deadline)s到期") % params
        else:
            kind = "oversight.countermeasure_overdue"
            due = row.deadline + datetime.timedelta(days=1)
            title = _("“%(item)s”整改对策已超过完成时限%(deadline)s") % params
        for recipient in units.get(row.unit_id, []):
            _n, new = notification_schedule(
                recipient=recipient,
                kind=kind,
                obj=row,
                due_date=due,
                title=title,
                body=row.measure,
                url="/portal/oversight/",
            )
            created += new
        escalate_on = add_working_days(row.deadline, ESCALATE_AFTER_WORKING_DAYS)
        if today >= escalate_on:
            region = item.region
            if region.pk not in staff_by_region:
                staff_by_region[region.pk] = _staff_recipients(region)
            for recipient in staff_by_region[region.pk]:
                _n, new = notification_schedule(
                    recipient=recipient,
                    kind="oversight.countermeasure_escalated",
                    obj=row,
                    due_date=escalate_on,
                    title=_(
                        "督办:%(unit)s“%(item)s”整改对策逾期未完成(时限%(deadline)s)"
                    )
                    % params,
                    body=row.measure,
                )
                created += new
    return created
