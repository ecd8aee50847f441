"""Oversight (监督): topic collection, the annual plan, oversight items and their
methods, experts, public draws, deliberation opinions and the four lists.

Every write goes through ``oversight/services.py``. Every record that a user reaches
carries a region (directly or through its item) and a queryset with
``visible_to(user)``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from congress.fields import EncryptedTextField
from congress.fields import mask_phone
from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import Region
from congress.scope import ScopedQuerySet


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class Category(models.TextChoices):
    """The seven areas oversight content is chosen from (隆回: 七个方面)."""

    DECISIONS = "decisions", _("重大决策部署贯彻落实")
    LAW = "law", _("宪法法律法规实施")
    ECONOMY = "economy", _("经济高质量发展")
    ECOLOGY = "ecology", _("生态文明建设")
    LIVELIHOOD = "livelihood", _("民生社会保障")
    JUSTICE = "justice", _("监察和司法工作")
    SUGGESTIONS = "suggestions", _("代表建议办理")


class Method(models.TextChoices):
    WORK_REPORT = "work_report", _("听取审议专项工作报告")
    INSPECTION = "inspection", _("执法检查")
    INQUIRY = "inquiry", _("专题询问")
    SURVEY = "survey", _("视察调研")
    SATISFACTION = "satisfaction", _("满意度测评")
    DEPARTMENT_REVIEW = "department_review", _("述职评议")
    CASE_REVIEW = "case_review", _("案件评查")
    BUDGET = "budget", _("预决算审查")
    PLANNING = "planning", _("规划审查")
    PROJECT = "project", _("项目监督")


# --- topic collection --------------------------------------------------------------


class ResearchCampaignQuerySet(ScopedQuerySet):
    pass


class ResearchCampaign(models.Model):
    """议题调研: the October survey in which groups visit townships and units."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    title = models.CharField(_("名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    summary = models.TextField(_("调研总结"), blank=True)

    objects = ResearchCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("议题调研")
        verbose_name_plural = _("议题调研")
        ordering = ["-year", "region__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResearchGroupQuerySet(ScopedQuerySet):
    region_field = "campaign__region"


class ResearchGroup(models.Model):
    """One research group (调研组): its members, the places visited, the meetings."""

    campaign = models.ForeignKey(
        ResearchCampaign,
        verbose_name=_("议题调研"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    name = models.CharField(_("组名"), max_length=100)
    leader = models.CharField(_("组长"), max_length=50)
    members = models.TextField(_("成员"), blank=True)
    places_visited = models.TextField(
        _("走访的乡镇和单位"), blank=True, help_text=_("每行一个")
    )
    meetings_held = models.PositiveSmallIntegerField(_("座谈会次数"), default=0)
    met_with = models.TextField(_("座谈对象"), blank=True)

    objects = ResearchGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("调研组")
        verbose_name_plural = _("调研组")
        ordering = ["campaign", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def places_count(self) -> int:
        return len([line for line in self.places_visited.splitlines() if line.strip()])


class TopicProposalQuerySet(ScopedQuerySet):
    pass


class TopicProposal(models.Model):
    """监督议题征集: a topic proposed for next year's plan."""

    class Source(models.TextChoices):
        RESEARCH_GROUP = "research_group", _("调研组")
        DEPUTY = "deputy", _("人大代表")
        CITIZEN_OPINION = "citizen_opinion", _("群众意见")
        UNIT = "unit", _("单位")
        MEMBER = "member", _("常委会组成人员")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("已提出")
        SHORTLISTED = "shortlisted", _("入围")
        ADOPTED = "adopted", _("已列入计划")
        DECLINED = "declined", _("未采纳")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("理由和建议"), blank=True)
    category = models.CharField(_("领域"), max_length=16, choices=Category.choices)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    campaign = models.ForeignKey(
        ResearchCampaign,
        verbose_name=_("议题调研"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    research_group = models.ForeignKey(
        ResearchGroup,
        verbose_name=_("调研组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("提出代表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_proposals",
    )
    citizen_opinion = models.ForeignKey(
        "deputies.CitizenOpinion",
        verbose_name=_("来源群众意见"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_proposals",
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("提出单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_proposals",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    support = models.PositiveIntegerField(_("附议人数"), default=0)
    decision_note = models.CharField(_("处理说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    objects = TopicProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("监督议题")
        verbose_name_plural = _("监督议题征集")
        ordering = ["-year", "-support", "-created_at"]
        indexes = [
            models.Index(fields=["region", "year", "status"], name="topic_year"),
        ]

    def __str__(self) -> str:
        return self.title


class TopicSupport(models.Model):
    """One person's support (附议) of a topic; once per person."""

    topic = models.ForeignKey(
        TopicProposal, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "user"], name="topic_support_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.user_id}"


# --- the plan and its items ----------------------------------------------------------


class OversightPlanQuerySet(ScopedQuerySet):
    pass


class OversightPlan(models.Model):
    """年度监督工作计划: drafted, reported to the party committee, approved, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        REPORTED = "reported", _("已报县委")
        APPROVED = "approved", _("已通过")
        PUBLISHED = "published", _("已公布")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    approved_by_session = models.CharField(_("通过的会议"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    objects = OversightPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度监督工作计划")
        verbose_name_plural = _("年度监督工作计划")
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], name="plan_once_per_region_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OversightItemQuerySet(ScopedQuerySet):
    pass


class OversightItem(models.Model):
    """One oversight item of the plan, with its method and who takes part."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")

    plan = models.ForeignKey(
        OversightPlan,
        verbose_name=_("年度计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    topic = models.ForeignKey(
        TopicProposal,
        verbose_name=_("来源议题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_items",
        help_text=_("乡镇人大的执法检查与县级执法检查联动时,填写县级检查。"),
    )
    title = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("领域"), max_length=16, choices=Category.choices)
    method = models.CharField(_("监督方式"), max_length=20, choices=Method.choices)
    lead_committee = models.ForeignKey(
        Organization,
        verbose_name=_("牵头委室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_oversight_items",
    )
    responsible_units = models.ManyToManyField(
        Organization,
        verbose_name=_("被监督单位"),
        blank=True,
        related_name="oversight_items",
    )
    deputies = models.ManyToManyField(
        "deputies.Deputy",
        verbose_name=_("参加的代表"),
        blank=True,
        related_name="oversight_items",
    )
    law_name = models.CharField(
        _("检查的法律法规"), max_length=200, blank=True, help_text=_("执法检查填写")
    )
    planned_month = models.PositiveSmallIntegerField(
        _("计划安排月份"), null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    report = models.TextField(_("工作报告或检查报告"), blank=True)
    deliberation = models.TextField(_("组成人员审议情况"), blank=True)
    findings = models.TextField(_("检查发现"), blank=True)
    published_at = models.DateTimeField(_("结果公开时间"), null=True, blank=True)
    public_summary = models.TextField(
        _("公开的结果"), blank=True, help_text=_("公开页面显示,勿含个人信息。")
    )

    objects = OversightItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("监督事项")
        verbose_name_plural = _("监督事项")
        ordering = ["region__code", "planned_month", "pk"]
        indexes = [
            models.Index(fields=["region", "status"], name="item_region_status"),
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneQuerySet(ScopedQuerySet):
    region_field = "item__region"


class Milestone(models.Model):
    """A step of an item's schedule (年初听取计划, 年中视察, 年终述职测评 …)."""

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("环节"), max_length=200)
    due_date = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("情况"), blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("进度环节")
        verbose_name_plural = _("进度环节")
        ordering = ["item", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


# --- experts -----------------------------------------------------------------------


class ExpertQuerySet(ScopedQuerySet):
    pass


class Expert(models.Model):
    """专家库: law professors, lawyers, retired judges and prosecutors, teachers …"""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    name = models.CharField(_("姓名"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    affiliation = models.CharField(_("工作单位"), max_length=200, blank=True)
    title = models.CharField(_("职称或职务"), max_length=100, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert",
    )
    is_active = models.BooleanField(_("在库"), default=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        ordering = ["region__code", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ExpertConflictQuerySet(ScopedQuerySet):
    region_field = "expert__region"


class ExpertConflict(models.Model):
    """A declared conflict of interest (利害关系) between an expert and a unit."""

    expert = models.ForeignKey(
        Expert,
        verbose_name=_("专家"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="expert_conflicts",
    )
    reason = models.CharField(
        _("利害关系"), max_length=200, help_text=_("例如:近亲属在该单位任职")
    )
    declared_on = models.DateField(_("申报日期"), auto_now_add=True)

    objects = ExpertConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("利害关系申报")
        verbose_name_plural = _("利害关系申报")
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "unit"], name="expert_conflict_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} — {self.unit}"


class ExpertAssignmentQuerySet(ScopedQuerySet):
    region_field = "item__region"


class ExpertAssignment(models.Model):
    """An expert taking part in an item (as reviewer, adviser …)."""

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.CASCADE,
        related_name="expert_assignments",
    )
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("专家"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("任务"), max_length=100, default=_("评查专家"))
    draw = models.ForeignKey(
        "RandomDraw",
        verbose_name=_("抽签"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("确定时间"), auto_now_add=True)

    objects = ExpertAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家参与")
        verbose_name_plural = _("专家参与")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "expert"], name="expert_assignment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.expert}"


# --- public draws --------------------------------------------------------------------


class RandomDrawQuerySet(ScopedQuerySet):
    pass


class RandomDraw(models.Model):
    """当众抽签 with a committed seed (see ``oversight/draws.py`` for the algorithm).

    Before the draw the candidate list and the SHA-256 of the secret seed are
    published; the draw itself mixes in entropy announced at the meeting; after it
    the seed is revealed, and anyone can recompute the result. A drawn draw is
    never changed: the services refuse, and ``save`` refuses too.
    """

    class Kind(models.TextChoices):
        EXPERTS = "experts", _("评查专家")
        CASES = "cases", _("评查案卷")
        OFFICIALS = "officials", _("评议对象")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已公布候选名单")
        DRAWN = "drawn", _("已抽取")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draws",
    )
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("抽取对象"), max_length=16, choices=Kind.choices)
    candidates = models.JSONField(
        _("候选名单"), help_text=_("[{key, label}],按 key 排序")
    )
    count = models.PositiveSmallIntegerField(_("抽取数量"))
    seed_hash = models.CharField(_("种子承诺值(SHA-256)"), max_length=64)
    seed = models.CharField(_("种子"), max_length=64, editable=False)
    public_entropy = models.CharField(
        _("现场公开随机数"),
        max_length=100,
        blank=True,
        help_text=_("抽签现场公开产生的数字(如掷骰子结果),与种子共同决定结果。"),
    )
    result = models.JSONField(_("抽取结果"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.COMMITTED
    )
    committed_at = models.DateTimeField(_("公布时间"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_token = models.CharField(
        max_length=32, unique=True, editable=False, default=new_public_token
    )

    objects = RandomDrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开抽签")
        verbose_name_plural = _("公开抽签")
        ordering = ["-committed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(count__gte=1), name="draw_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                RandomDraw.objects.filter(pk=self.pk).values_list("status", flat=True)
            ).first()
            if stored == self.Status.DRAWN:
                raise ValidationError(_("抽签已经完成,结果不能更改。"), code="drawn")
        super().save(*args, **kwargs)

    @property
    def seed_revealed(self) -> str:
        """The seed, once the draw is made; empty before."""
        return self.seed if self.status == self.Status.DRAWN else ""


# --- the loop of each method ----------------------------------------------------------


class CaseFileQuerySet(ScopedQuerySet):
    region_field = "item__region"


class CaseFile(models.Model):
    """案卷: one case under review (案件评查, 两官评议)."""

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.CASCADE,
        related_name="cases",
    )
    number = models.CharField(_("案号"), max_length=100)
    title = models.CharField(_("案由"), max_length=200)
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("办案单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    selected = models.BooleanField(_("抽中评查"), default=False)
    party_visit = models.TextField(_("回访当事人情况"), blank=True)

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("案卷")
        verbose_name_plural = _("案卷")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="case_number_once_per_item"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseScoreQuerySet(ScopedQuerySet):
    region_field = "case__item__region"


class CaseScore(models.Model):
    """An assigned expert's score of one case (0–100) with comments."""

    case = models.ForeignKey(
        CaseFile,
        verbose_name=_("案卷"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    expert = models.ForeignKey(
        Expert, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("得分"))
    comment = models.TextField(_("评查意见"), blank=True)
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = CaseScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("评查评分")
        verbose_name_plural = _("评查评分")
        constraints = [
            models.UniqueConstraint(fields=["case", "expert"], name="case_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="case_score_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.score}"


class InquiryQuestionQuerySet(ScopedQuerySet):
    region_field = "item__region"


class InquiryQuestion(models.Model):
    """专题询问: a question from the bank, its respondent, answer and follow-up task."""

    class Source(models.TextChoices):
        DEPUTY = "deputy", _("代表")
        CITIZEN = "citizen", _("群众")
        MEMBER = "member", _("常委会组成人员")

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    asker = models.CharField(_("提问人"), max_length=100, blank=True)
    question = models.TextField(_("问题"))
    respondent = models.ForeignKey(
        Organization,
        verbose_name=_("应询单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    follow_up_task = models.TextField(_("跟踪落实事项"), blank=True)
    follow_up_done = models.BooleanField(_("已落实"), default=False)

    objects = InquiryQuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("询问问题")
        verbose_name_plural = _("询问问题库")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.question[:40]


class AppointedOfficialQuerySet(ScopedQuerySet):
    pass


class AppointedOfficial(models.Model):
    """任命人员: an official appointed by the standing committee."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="appointed_officials",
    )
    appointed_on = models.DateField(_("任命日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在任"), default=True)

    objects = AppointedOfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("任命人员")
        verbose_name_plural = _("任命人员")
        ordering = ["region__code", "organization__name", "name"]

    def __str__(self) -> str:
        return f"{self.organization} {self.position} {self.name}"


class OfficialReviewQuerySet(ScopedQuerySet):
    region_field = "official__region"


class OfficialReview(models.Model):
    """评+述: an official's report (述职) and the members' evaluation (测评)."""

    official = models.ForeignKey(
        AppointedOfficial,
        verbose_name=_("任命人员"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="official_reviews",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    report = models.TextField(_("述职报告"), blank=True)
    poll = models.OneToOneField(
        Poll,
        verbose_name=_("测评"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="official_review",
    )
    verdict = models.CharField(_("测评结果"), max_length=32, blank=True)

    objects = OfficialReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        constraints = [
            models.UniqueConstraint(
                fields=["official", "year"], name="official_review_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.official}"


class ProjectReviewQuerySet(ScopedQuerySet):
    pass


class ProjectReview(models.Model):
    """项目监督: a government project checked against the five flags of the seed
    (无资金来源、可有可无、重复建设、脱离实际、破坏生态) with a recommendation."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("继续实施")
        ADJUST = "adjust", _("调整后实施")
        HALT = "halt", _("停止实施")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_reviews",
    )
    project_name = models.CharField(_("项目名称"), max_length=200)
    unit = models.ForeignKey(
        Organization, verbose_name=_("实施单位"), on_delete=models.PROTECT
    )
    budget = models.DecimalField(
        _("投资额(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    no_funding_source = models.BooleanField(_("无资金来源"), default=False)
    optional = models.BooleanField(_("可有可无"), default=False)
    duplicate = models.BooleanField(_("重复建设"), default=False)
    unrealistic = models.BooleanField(_("脱离实际"), default=False)
    ecological_harm = models.BooleanField(_("破坏生态"), default=False)
    recommendation = models.CharField(
        _("审议建议"), max_length=16, choices=Recommendation.choices, blank=True
    )
    reason = models.TextField(_("理由"), blank=True)
    outcome = models.TextField(_("结果"), blank=True)

    objects = ProjectReviewQuerySet.as_manager()

    FLAGS = (
        "no_funding_source",
        "optional",
        "duplicate",
        "unrealistic",
        "ecological_harm",
    )

    class Meta:
        verbose_name = _("项目监督")
        verbose_name_plural = _("项目监督")
        ordering = ["region__code", "project_name"]

    def __str__(self) -> str:
        return self.project_name

    @property
    def flags_raised(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.FLAGS
            if getattr(self, name)
        ]


# --- deliberation opinions and the four lists ----------------------------------------


class DeliberationOpinionQuerySet(ScopedQuerySet):
    region_field = "item__region"


class DeliberationOpinion(models.Model):
    """审议意见: sent to the responsible units, who report back by ``report_due``."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("已交办")
        EVALUATING = "evaluating", _("测评中")
        CLOSED = "closed", _("已办结")

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    text = models.TextField(_("审议意见"))
    issued_on = models.DateField(_("交办日期"))
    report_due = models.DateField(_("报告研究处理情况期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )

    objects = DeliberationOpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("审议意见")
        verbose_name_plural = _("审议意见")
        ordering = ["-issued_on", "pk"]

    def __str__(self) -> str:
        return _("%(item)s审议意见") % {"item": self.item}


class FollowUpQuerySet(ScopedQuerySet):
    region_field = "opinion__item__region"


class FollowUp(models.Model):
    """回头看: a later visit that confirms, reopens, or raises new problems."""

    opinion = models.ForeignKey(
        DeliberationOpinion,
        verbose_name=_("审议意见"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    visited_on = models.DateField(_("回头看日期"))
    findings = models.TextField(_("发现"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["opinion", "visited_on", "pk"]

    def __str__(self) -> str:
        return _("%(date)s回头看") % {"date": self.visited_on}


class ProblemQuerySet(ScopedQuerySet):
    region_field = "opinion__item__region"


class Problem(models.Model):
    """问题清单: one problem named in the opinion (or found by a 回头看)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFIED = "rectified", _("已整改")
        REOPENED = "reopened", _("回头看后重新整改")

    opinion = models.ForeignKey(
        DeliberationOpinion,
        verbose_name=_("审议意见"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    description = models.TextField(_("问题"))
    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("由回头看发现"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="new_problems",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN
    )

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["opinion", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "number"], name="problem_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:40]}"


class CountermeasureQuerySet(ScopedQuerySet):
    region_field = "problem__opinion__item__region"


class Countermeasure(models.Model):
    """对策清单: what a responsible unit will do about a problem, by when."""

    class Status(models.TextChoices):
        PENDING = "pending", _("整改中")
        DONE = "done", _("已完成")

    problem = models.ForeignKey(
        Problem,
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        related_name="countermeasures",
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="countermeasures",
    )
    measure = models.TextField(_("对策措施"))
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )

    objects = CountermeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("对策")
        verbose_name_plural = _("对策清单")
        ordering = ["problem", "deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="countermeasure_due"),
        ]

    def __str__(self) -> str:
        return self.measure[:40]


class RectificationQuerySet(ScopedQuerySet):
    region_field = "countermeasure__problem__opinion__item__region"


class Rectification(models.Model):
    """成绩清单: what the unit did, with evidence."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETED = "completed", _("已完成")

    countermeasure = models.ForeignKey(
        Countermeasure,
        verbose_name=_("对策"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    done = models.TextField(_("整改成效"))
    evidence = models.TextField(_("佐证材料"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改成绩")
        verbose_name_plural = _("成绩清单")
        ordering = ["countermeasure", "reported_at", "pk"]

    def __str__(self) -> str:
        return self.done[:40]


class PublicEvaluationQuerySet(ScopedQuerySet):
    region_field = "item__region"


class PublicEvaluation(models.Model):
    """A satisfaction poll (congress ``Poll``): 评价清单, on how an opinion was
    handled; or 民主测评 of a unit (两官评议: the evaluated court or procuratorate
    of a case review), with ``unit`` set and no opinion."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("常委会组成人员")
        DEPUTIES = "deputies", _("人大代表")
        PUBLIC = "public", _("群众代表")

    item = models.ForeignKey(
        OversightItem,
        verbose_name=_("监督事项"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    opinion = models.ForeignKey(
        DeliberationOpinion,
        verbose_name=_("审议意见"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("被测评单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("民主测评(两官评议)时填写被评议的法院或检察院。"),
    )
    audience = models.CharField(_("测评人员"), max_length=16, choices=Audience.choices)
    poll = models.OneToOneField(
        Poll,
        verbose_name=_("测评"),
        on_delete=models.PROTECT,
        related_name="public_evaluation",
    )
    verdict = models.CharField(_("测评结果"), max_length=32, blank=True)
    verdict_reason = models.CharField(_("结果说明"), max_length=200, blank=True)
    concluded_at = models.DateTimeField(_("结果确定时间"), null=True, blank=True)

    objects = PublicEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("评价清单")
        ordering = ["item", "opinion", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opinion__isnull=False)
                | models.Q(unit__isnull=False),
                name="evaluation_of_opinion_or_unit",
            ),
            models.UniqueConstraint(
                fields=["item", "unit"],
                condition=models.Q(unit__isnull=False),
                name="unit_evaluation_once_per_item",
            ),
        ]

    def __str__(self) -> str:
        return str(self.poll)

    @property
    def verdict_label(self) -> str:
        """满意 / 基本满意 / 不满意; 无结论 when concluded short of the quorum."""
        if self.concluded_at is None:
            return _("未确定")
        if self.verdict in PollOption.Code.values:
            return str(PollOption.Code(self.verdict).label)
        return _("无结论")


# --- budget and debt watch (预算联网监督, first step) ----------------------------------


class BudgetIndicatorQuerySet(ScopedQuerySet):
    pass


class BudgetIndicator(models.Model):
    """One unit's monthly budget execution and debt figures (imported from xlsx).

    The risk level is computed from them by ``oversight/budget.py`` (the thresholds
    live there, with their sources).
    """

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="budget_indicators",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    budget = models.DecimalField(_("年度预算数(万元)"), max_digits=14, decimal_places=2)
    executed = models.DecimalField(
        _("累计执行数(万元)"), max_digits=14, decimal_places=2
    )
    debt_balance = models.DecimalField(
        _("债务余额(万元)"), max_digits=14, decimal_places=2, default=0
    )
    fiscal_capacity = models.DecimalField(
        _("综合财力(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = BudgetIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算执行和债务指标")
        verbose_name_plural = _("预算执行和债务指标")
        ordering = ["-year", "-month", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"], name="budget_once_per_unit_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="budget_month_1_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}-{self.month:02d}"
