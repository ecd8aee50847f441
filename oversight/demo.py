"""Demo data of the oversight app: 隆回县's year of oversight, built through the
services so every invariant holds.

- the October survey for next year's plan (six groups, 25 townships, 40+ units),
  topics from groups, deputies, citizens, units and members; a draft plan;
- this year's published plan with one item per method and its loop: a special work
  report with the four lists, an evaluation and a 回头看; a law-enforcement
  inspection with two township sub-inspections; a special inquiry; 评+述 of an
  appointed official; a case review with public draws of experts and cases; a
  project review that halts a project.

Idempotent: a second run finds the survey and does nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from congress import voting
from congress.models import Organization
from congress.models import Poll
from congress.models import Region
from congress.models import User
from congress.roles import Role
from oversight import services
from oversight.budget import COLUMNS as BUDGET_COLUMNS
from oversight.budget import budget_import
from oversight.models import AppointedOfficial
from oversight.models import Category
from oversight.models import Expert
from oversight.models import ExpertAssignment
from oversight.models import Method
from oversight.models import ProjectReview
from oversight.models import ResearchCampaign
from oversight.models import ResearchGroup
from oversight.models import TopicProposal

LONGHUI = "430524"

EXPERTS = (
    ("邓立新", "法学", "邵阳学院法学院", "教授"),
    ("曾宪文", "法学", "湖南某律师事务所", "律师"),
    ("刘建国", "审判", "隆回县人民法院(退休)", "原审判员"),
    ("罗志明", "检察", "隆回县人民检察院(退休)", "原检察员"),
    ("周红梅", "教育", "隆回县第二中学", "高级教师"),
    ("谢永光", "城乡规划", "邵阳市规划设计院", "高级工程师"),
    ("王海燕", "财政审计", "某会计师事务所", "注册会计师"),
    ("阳德华", "法学", "湖南某律师事务所", "律师"),
    ("陈静", "生态环境", "邵阳学院", "副教授"),
    ("胡卫东", "审判", "邵阳市中级人民法院(退休)", "原审判员"),
)

TOPICS = (
    ("城区污水管网建设和雨污分流", Category.ECOLOGY, "research_group"),
    ("义务教育阶段学校布局调整", Category.LIVELIHOOD, "deputy"),
    ("农村饮水安全巩固提升", Category.LIVELIHOOD, "citizen_opinion"),
    ("优化营商环境条例实施", Category.LAW, "member"),
    ("乡村振兴衔接资金使用", Category.DECISIONS, "research_group"),
    ("县域经济高质量发展", Category.ECONOMY, "unit"),
    ("人民法院执行工作", Category.JUSTICE, "member"),
    ("重点代表建议办理", Category.SUGGESTIONS, "research_group"),
    ("湘江流域保护条例执行", Category.ECOLOGY, "deputy"),
)


def _unit(name: str) -> Organization:
    return Organization.objects.get(code__startswith=LONGHUI, name=f"隆回县{name}")


def _clerk(county: Region) -> User:
    """The committee clerk who enters the demo (cannot sign in)."""
    user, created = User.objects.get_or_create(
        username="longhui_oversight_clerk",
        defaults={"last_name": "隆回县人大", "first_name": "监督工作录入员"},
    )
    if created:
        user.scope_region = county
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.STAFF.value)[0])
    return user


def _members(county: Region) -> list[User]:
    """Fifteen standing-committee members (demo voters; they cannot sign in)."""
    members = []
    for n in range(1, 16):
        user, created = User.objects.get_or_create(
            username=f"longhui_member{n:02d}",
            defaults={"last_name": "常委会", "first_name": f"委员{n}"},
        )
        if created:
            user.scope_region = county
            user.set_unusable_password()
            user.save()
        members.append(user)
    return members


def _vote(poll: Poll, voters: list[User], pattern: list[str]) -> None:
    codes = {o.code: o.pk for o in poll.options.all()}
    for voter, code in zip(voters, pattern, strict=False):
        voting.vote_cast(poll=poll, voter=voter, choices=[codes[code]])


def _expert_account_link() -> None:
    """Give the demo account "expert" the first drawn reviewer of 隆回县 (the demo
    accounts are made after the builders, so this also runs on a second seed)."""
    user = User.objects.filter(username="expert", expert__isnull=True).first()
    assignment = (
        ExpertAssignment.objects.filter(
            draw__isnull=False,
            expert__user__isnull=True,
            expert__region__code__startswith=LONGHUI,
        )
        .order_by("pk")
        .first()
    )
    if user is not None and assignment is not None:
        Expert.objects.filter(pk=assignment.expert_id).update(user=user)


@transaction.atomic
def oversight_demo_build(*, log: Callable[[str], None]) -> None:
    """Build 隆回县's oversight year (see the module docstring)."""
    county = Region.objects.filter(code=Region.full_code(LONGHUI)).first()
    if county is None:
        log("oversight: 隆回县 not loaded, skipped")
        return
    today = timezone.localdate()
    year = today.year
    if ResearchCampaign.objects.filter(region=county, year=year + 1).exists():
        _expert_account_link()
        log("oversight: demo already present")
        return
    staff = _clerk(county)
    townships = list(Region.objects.filter(parent=county).order_by("code"))
    units = list(Organization.objects.filter(region=county).order_by("code")[:42])

    # October survey for next year's plan: six groups, 25 townships, 40+ units.
    campaign = ResearchCampaign.objects.create(
        region=county,
        year=year + 1,
        title=f"{year + 1}年度监督议题调研",
        start_date=datetime.date(year, 10, 8),
        end_date=datetime.date(year, 10, 31),
        summary="六个调研组分赴25个乡镇、40余个单位,召开座谈会,广泛征集监督议题。",
    )
    groups = []
    for g in range(6):
        places = [t.name for t in townships[g::6]][:5] + [u.name for u in units[g::6]][
            :7
        ]
        groups.append(
            ResearchGroup.objects.create(
                campaign=campaign,
                name=f"第{'一二三四五六'[g]}调研组",
                leader=f"常委会副主任{g + 1}",
                members="常委会组成人员、专委会负责人、部分县人大代表",
                places_visited="\n".join(places),
                meetings_held=4 + g % 3,
                met_with="乡镇党委政府、基层代表、群众代表、部门负责人",
            )
        )
    from deputies.models import CitizenOpinion
    from deputies.models import Deputy

    deputy = Deputy.objects.filter(region__code__startswith=LONGHUI).first()
    opinion = CitizenOpinion.objects.filter(region__code__startswith=LONGHUI).first()
    topics = []
    for i, (title, category, source) in enumerate(TOPICS):
        kwargs: dict = {}
        if source == "research_group":
            kwargs["research_group"] = groups[i % 6]
        if source == "deputy":
            if deputy is None:
                source = "member"
            else:
                kwargs["deputy"] = deputy
        if source == "citizen_opinion":
            if opinion is None:
                source = "member"
            else:
                kwargs["citizen_opinion"] = opinion
        if source == "unit":
            kwargs["unit"] = _unit("发展和改革局")
        topics.append(
            services.topic_propose(
                region=county,
                year=year + 1,
                title=title,
                category=category,
                source=source,
                user=staff,
                description="调研中群众和代表反映集中。",
                **kwargs,
            )
        )
    next_plan = services.plan_create(region=county, year=year + 1, user=staff)
    for topic, method in zip(
        topics[:4],
        [Method.WORK_REPORT, Method.WORK_REPORT, Method.INSPECTION, Method.INQUIRY],
        strict=True,
    ):
        services.topic_shortlist(topic=topic, user=staff)
        services.topic_adopt(
            topic=topic,
            plan=next_plan,
            user=staff,
            method=method,
            law_name="水法" if method == Method.INSPECTION else "",
        )
    services.topic_shortlist(topic=topics[4], user=staff)
    services.topic_decline(
        topic=topics[8], user=staff, note="与市人大常委会执法检查安排重复,纳入联动。"
    )

    # This year's plan, published, one item per method.
    plan = services.plan_create(region=county, year=year, user=staff)
    water = _unit("水利局")
    education = _unit("教育局")
    court = _unit("人民法院")
    ecology = _unit("生态环境分局")
    housing = _unit("住房和城乡建设局")
    committee = _unit("人大常委会社会建设委员会")
    work_report = services.item_create(
        region=county,
        plan=plan,
        title="关于农村学校建设情况的专项工作报告",
        category=Category.LIVELIHOOD,
        method=Method.WORK_REPORT,
        user=staff,
        lead_committee=committee,
        units=[education],
        planned_month=4,
    )
    inspection = services.item_create(
        region=county,
        plan=plan,
        title="《中华人民共和国水污染防治法》执法检查",
        category=Category.ECOLOGY,
        method=Method.INSPECTION,
        user=staff,
        law_name="中华人民共和国水污染防治法",
        units=[ecology, water],
        planned_month=6,
    )
    inquiry = services.item_create(
        region=county,
        plan=plan,
        title="城区停车难问题专题询问",
        category=Category.LIVELIHOOD,
        method=Method.INQUIRY,
        user=staff,
        units=[housing],
        planned_month=8,
    )
    department = services.item_create(
        region=county,
        plan=plan,
        title="县水利局全年工作评议(评+述)",
        category=Category.DECISIONS,
        method=Method.DEPARTMENT_REVIEW,
        user=staff,
        units=[water],
        planned_month=12,
    )
    cases = services.item_create(
        region=county,
        plan=plan,
        title="两官评议:人民法院民事案件评查",
        category=Category.JUSTICE,
        method=Method.CASE_REVIEW,
        user=staff,
        units=[court],
        planned_month=9,
    )
    project = services.item_create(
        region=county,
        plan=plan,
        title="政府投资项目监督",
        category=Category.ECONOMY,
        method=Method.PROJECT,
        user=staff,
        planned_month=5,
    )
    services.plan_report(plan=plan, user=staff)
    services.plan_approve(
        plan=plan, user=staff, session_label="隆回县人大常委会第二十次会议"
    )
    services.plan_publish(plan=plan, user=staff)

    # Department work: plan heard at the start, visits, report and evaluation.
    for month, title in (
        (2, "年初听取工作计划"),
        (6, "年中视察"),
        (12, "年终述职测评"),
    ):
        department.milestones.create(
            title=title, due_date=datetime.date(year, month, 15)
        )

    members = _members(county)
    # The special work report: opinion, four lists, evaluation, 回头看.
    services.item_record(
        item=work_report,
        user=staff,
        report="县教育局报告了农村学校建设情况。",
        deliberation="组成人员认为农村学校寄宿条件仍需改善。",
    )
    opinion_row = services.opinion_issue(
        item=work_report,
        text="一、加快农村寄宿制学校建设;二、补齐乡村教师缺口。",
        issued_on=datetime.date(year, 4, 28),
        report_due=datetime.date(year, 6, 30),
        user=staff,
    )
    p1 = services.problem_add(
        opinion=opinion_row, description="部分寄宿制学校宿舍拥挤", user=staff
    )
    p2 = services.problem_add(
        opinion=opinion_row, description="乡村教师结构性缺编", user=staff
    )
    c1 = services.countermeasure_add(
        problem=p1,
        unit=education,
        measure="新建改建学生宿舍12栋",
        deadline=datetime.date(year, 9, 1),
        user=staff,
    )
    services.countermeasure_add(
        problem=p2,
        unit=education,
        measure="招聘特岗教师80名",
        deadline=today + datetime.timedelta(days=5),
        user=staff,
    )
    liaison = User.objects.filter(
        organization=education, groups__name=Role.UNIT_LIAISON.value
    ).first()
    services.rectification_report(
        countermeasure=c1,
        done="已完成宿舍新建改建12栋,新增床位1600个",
        evidence="竣工验收报告",
        completed=True,
        user=liaison or staff,
    )

    # Law-enforcement inspection with two township sub-inspections.
    services.item_record(
        item=inspection, user=staff, findings="部分乡镇污水处理设施运行不正常。"
    )
    for township in townships[:2]:
        services.inspection_link_township(
            parent=inspection, township=township, user=staff
        )
    ins_opinion = services.opinion_issue(
        item=inspection,
        text="加快乡镇污水处理设施提质改造。",
        issued_on=datetime.date(year, 7, 10),
        report_due=datetime.date(year, 9, 10),
        user=staff,
    )
    ins_problem = services.problem_add(
        opinion=ins_opinion, description="3个乡镇污水处理厂进水浓度偏低", user=staff
    )
    ins_measure = services.countermeasure_add(
        problem=ins_problem,
        unit=ecology,
        measure="完善配套管网,提高收集率",
        deadline=datetime.date(year, 10, 31),
        user=staff,
    )
    services.rectification_report(
        countermeasure=ins_measure,
        done="新建配套管网18公里",
        completed=True,
        user=staff,
    )
    evaluation = services.evaluation_open(
        opinion=ins_opinion, audience="members", voters=members, user=staff
    )
    _vote(
        evaluation.poll,
        members,
        ["satisfied"] * 9 + ["basically_satisfied"] * 4 + ["unsatisfied"],
    )
    services.evaluation_conclude(evaluation=evaluation, user=staff)
    services.follow_up_record(
        opinion=ins_opinion,
        visited_on=datetime.date(year, 11, 5),
        findings="回头看发现一个乡镇管网雨季溢流。",
        new_problems=["雨季管网溢流"],
        user=staff,
    )
    services.item_publish(
        item=inspection,
        user=staff,
        summary="执法检查发现问题3个,整改完成2个;满意度测评结果为满意。",
    )

    # Special inquiry: the question bank, respondents, answers, follow-up.
    q = services.question_add(
        item=inquiry,
        source="deputy",
        asker="县人大代表",
        question="城区新增停车位计划何时完成?",
        respondent=housing,
        user=staff,
    )
    services.question_answer(
        question=q,
        answer="年内新增公共停车位1200个。",
        follow_up_task="年底前书面报告完成情况",
        user=staff,
    )
    services.question_add(
        item=inquiry,
        source="citizen",
        question="老旧小区停车如何解决?",
        respondent=housing,
        user=staff,
    )

    # 评+述: an appointed official's report and evaluation.
    official = AppointedOfficial.objects.create(
        region=county,
        name="肖某某",
        position="局长",
        organization=water,
        appointed_on=datetime.date(year - 2, 3, 1),
    )
    review = services.official_review_open(
        official=official,
        year=year,
        report="一年来,围绕水利工程建设和防汛抗旱履职尽责……",
        voters=members,
        item=department,
        user=staff,
    )
    _vote(review.poll, members, ["satisfied"] * 12 + ["basically_satisfied"] * 2)
    services.official_review_conclude(review=review, user=staff)

    # Case review: experts (one with a conflict), public draws of reviewers and cases.
    experts = []
    for name, field, affiliation, title in EXPERTS:
        experts.append(
            Expert.objects.create(
                region=county,
                name=name,
                field=field,
                affiliation=affiliation,
                title=title,
            )
        )
    services.expert_conflict_declare(
        expert=experts[2], unit=court, reason="原系该院审判员", user=staff
    )
    services.expert_conflict_declare(
        expert=experts[9], unit=court, reason="近亲属在该院任职", user=staff
    )
    for n in range(1, 21):
        services.case_add(
            item=cases,
            number=f"({year})湘0524民初{1000 + n * 37}号",
            title=["合同纠纷", "民间借贷纠纷", "离婚纠纷", "劳务合同纠纷"][n % 4],
            unit=court,
            user=staff,
        )
    expert_draw = services.draw_prepare_experts(item=cases, count=3, user=staff)
    services.draw_perform(draw=expert_draw, public_entropy="3 6 1 4", user=staff)
    case_draw = services.draw_prepare_cases(item=cases, count=5, user=staff)
    case_draw = services.draw_perform(
        draw=case_draw, public_entropy="5 2 2 6", user=staff
    )
    drawn_experts = [a.expert for a in cases.expert_assignments.all()]
    for case in cases.cases.filter(selected=True):
        for n, expert in enumerate(drawn_experts):
            services.case_score(
                case=case,
                expert=expert,
                score=85 + (n * 3 + len(case.number)) % 12,
                comment="卷宗规范,说理较充分。",
                user=staff,
            )
    _expert_account_link()
    # A draw published for the next case review, not yet made (commitment only).
    services.draw_prepare(
        region=county,
        title=f"{year + 1}年度评议对象抽签",
        kind="officials",
        candidates=[(u.code, u.name) for u in units[:12]],
        count=2,
        user=staff,
    )

    # Project review: the five flags and a halt.
    halted = ProjectReview.objects.create(
        region=county,
        item=project,
        project_name="某景观大道提质工程",
        unit=housing,
        budget=12000,
        no_funding_source=True,
        optional=True,
    )
    services.project_review_decide(
        review=halted,
        recommendation=ProjectReview.Recommendation.HALT,
        reason="无资金来源,属可有可无项目。",
        user=staff,
    )
    services.project_review_outcome(
        review=halted,
        outcome="县政府常务会议决定停止实施,节约资金1.2亿元。",
        user=staff,
    )
    kept = ProjectReview.objects.create(
        region=county,
        item=project,
        project_name="城区供水管网改造",
        unit=water,
        budget=3500,
    )
    services.project_review_decide(
        review=kept,
        recommendation=ProjectReview.Recommendation.CONTINUE,
        reason="民生急需,资金已落实。",
        user=staff,
    )
    # Budget and debt watch: last month's figures of eight units, one red.
    month = max(today.month - 1, 1)
    figures = [list(BUDGET_COLUMNS.values())]
    for n, unit in enumerate(units[1:9]):
        executed = 1000 * month / 12 * (0.55 if n == 3 else 0.95)
        debt = (900, 300) if n == 5 else (0, None)
        figures.append(
            [unit.code, year, month, 1000, round(executed, 2), debt[0], debt[1]]
        )
    budget_import(user=staff, rows=figures, dry_run=False, file_name="demo.xlsx")
    log(
        f"oversight: 隆回县 survey, {TopicProposal.objects.filter(region=county).count()} topics, plans {year} and {year + 1}, {plan.items.count() + next_plan.items.count()} items"
    )
