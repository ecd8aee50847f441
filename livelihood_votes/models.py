"""Models of the livelihood_votes app: 民生实事项目票决.

群众提 (``ProjectProposal``), 代表决 (``VotingRound`` with its ``CandidateProject``s on
the congress ``Poll`` engine), 政府办 (``LivelihoodProject``, ``Milestone``,
``ProgressReport``), 人大督 (``SupervisionVisit``) and 人民评 (a satisfaction poll
per project and the public survey counts). Every write goes through
``livelihood_votes/services.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congress import crypto
from congress.fields import EncryptedTextField
from congress.fields import mask_phone
from congress.models import Organization
from congress.models import Poll
from congress.models import PollOption
from congress.models import Region
from congress.models import Session
from congress.models import Term
from congress.scope import ScopedQuerySet


def new_proposal_code() -> str:
    """A short public tracking code for a citizen's proposal (10 characters)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class VotingRoundQuerySet(ScopedQuerySet):
    pass


class VotingRound(models.Model):
    """票决批次: one round of livelihood-project voting in a county or a township.

    征集 → 初审 → 候选项目公布 → 票决 → 已确定 → 实施 → 测评 → 结束. A county may hold
    several batches a year (大祥's 多批次、小快灵 township rounds).
    """

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("征集中")
        SCREENING = "screening", _("初审中")
        PUBLISHED = "published", _("候选项目已公布")
        VOTING = "voting", _("票决中")
        DECIDED = "decided", _("已确定")
        IMPLEMENTING = "implementing", _("实施中")
        EVALUATING = "evaluating", _("测评中")
        CLOSED = "closed", _("已结束")

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    title = models.CharField(_("名称"), max_length=200)
    term = models.ForeignKey(
        Term,
        verbose_name=_("届"),
        on_delete=models.PROTECT,
        help_text=_("投票人为本届在任代表。"),
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("票决会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    choose_count = models.PositiveSmallIntegerField(
        _("应选项目数"), help_text=_("候选项目数必须多于应选数(差额票决)。")
    )
    base = models.CharField(
        _("过半数基数"),
        max_length=16,
        choices=Poll.Base.choices,
        default=Poll.Base.ENTITLED,
        help_text=_("赞成票须超过全体代表的半数,或超过出席代表的半数。"),
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("月报截止日"),
        default=5,
        help_text=_("承办单位每月几日前报送上月进展。"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.COLLECTING
    )
    poll = models.OneToOneField(
        Poll,
        verbose_name=_("票决"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="livelihood_round",
    )
    runoff_poll = models.OneToOneField(
        Poll,
        verbose_name=_("再次投票"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="livelihood_runoff_round",
    )
    entitled_count = models.PositiveIntegerField(
        _("应到代表人数"),
        null=True,
        blank=True,
        help_text=_(
            "开始投票时的全体在任代表(或出席代表)人数,含用纸质选票投票、"
            "没有登录账号的代表;“过半数”以此为基数。"
        ),
    )
    needs_runoff = models.BooleanField(_("需再次投票"), default=False)
    result_note = models.TextField(_("票决结果说明"), blank=True)
    decided_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = VotingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("票决批次")
        verbose_name_plural = _("票决批次")
        ordering = ["-year", "region__code", "-batch"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "batch"], name="voting_round_unique_batch"
            ),
            models.CheckConstraint(
                condition=models.Q(choose_count__gte=1),
                name="voting_round_choose_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(report_due_day__gte=1, report_due_day__lte=28),
                name="voting_round_report_due_day",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        """Whether the candidates (and later results) are on the public pages."""
        return self.status not in (self.Status.COLLECTING, self.Status.SCREENING)


class ProjectProposalQuerySet(ScopedQuerySet):
    region_field = "round__region"


class ProjectProposal(models.Model):
    """群众提: a project proposed by a citizen, a deputy or a unit."""

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("群众")
        DEPUTY = "deputy", _("代表")
        UNIT = "unit", _("单位")
        OPINION = "opinion", _("民情民意转入")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ADOPTED = "adopted", _("已纳入候选项目")
        DECLINED = "declined", _("未采纳")

    round = models.ForeignKey(
        VotingRound,
        verbose_name=_("票决批次"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_proposal_code
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    title = models.CharField(_("项目名称"), max_length=200)
    content = models.TextField(_("项目内容"))
    place = models.CharField(_("实施地点"), max_length=200, blank=True)
    estimated_cost = models.DecimalField(
        _("估算投资(万元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposer_name = models.CharField(_("提议人"), max_length=50, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("提议代表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("提议单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinions = models.ManyToManyField(
        "deputies.CitizenOpinion",
        verbose_name=_("来源民情民意"),
        blank=True,
        related_name="livelihood_proposals",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    screening_note = models.CharField(_("初审意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = ProjectProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目建议")
        verbose_name_plural = _("项目建议")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["round", "status"], name="proposal_round_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.phone_digest = crypto.digest(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class CandidateProjectQuerySet(ScopedQuerySet):
    region_field = "round__region"


class CandidateProject(models.Model):
    """A candidate project put to the vote (初审后的候选项目), merging proposals."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待票决")
        CHOSEN = "chosen", _("当选")
        NOT_CHOSEN = "not_chosen", _("未当选")
        RUNOFF = "runoff", _("票数相同待再次投票")

    round = models.ForeignKey(
        VotingRound,
        verbose_name=_("票决批次"),
        on_delete=models.PROTECT,
        related_name="candidates",
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("项目内容"))
    responsible_unit = models.ForeignKey(
        Organization,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(_("预算(万元)"), max_digits=12, decimal_places=2)
    target_date = models.DateField(_("计划完成日期"))
    proposals = models.ManyToManyField(
        ProjectProposal,
        verbose_name=_("合并的项目建议"),
        blank=True,
        related_name="candidates",
    )
    option = models.OneToOneField(
        PollOption,
        verbose_name=_("票决选项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
    )
    yes_votes = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    no_votes = models.PositiveIntegerField(_("反对票"), null=True, blank=True)
    abstain_votes = models.PositiveIntegerField(_("弃权票"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    outcome = models.CharField(
        _("票决结果"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )

    objects = CandidateProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("候选项目")
        verbose_name_plural = _("候选项目")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "title"], name="candidate_unique_title_in_round"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="candidate_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LivelihoodProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Staff see their region's projects; a unit liaison sees their unit's."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.works_in_admin:
            # A unit liaison (or anyone outside the committee) sees only the
            # projects their own unit carries out, whatever their scope region.
            if user.organization_id is None:
                return self.none()
            return self.filter(responsible_unit_id=user.organization_id)
        return super().visible_to(user)


class LivelihoodProject(models.Model):
    """政府办: a project the deputies chose, carried out by its responsible unit."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开工")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")

    round = models.ForeignKey(
        VotingRound,
        verbose_name=_("票决批次"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    candidate = models.OneToOneField(
        CandidateProject,
        verbose_name=_("候选项目"),
        on_delete=models.PROTECT,
        related_name="project",
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("项目内容"))
    responsible_unit = models.ForeignKey(
        Organization,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="livelihood_projects",
    )
    leading_official = models.CharField(_("牵头领导"), max_length=100, blank=True)
    budget = models.DecimalField(_("预算(万元)"), max_digits=12, decimal_places=2)
    target_date = models.DateField(_("计划完成日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    percent = models.PositiveSmallIntegerField(_("完成进度(%)"), default=0)
    funds_spent = models.DecimalField(
        _("已完成投资(万元)"), max_digits=12, decimal_places=2, default=0
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    evaluation_poll = models.OneToOneField(
        Poll,
        verbose_name=_("满意度测评"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="livelihood_project",
    )
    verdict = models.CharField(
        _("代表测评结果"),
        max_length=32,
        choices=PollOption.Code.choices,
        blank=True,
    )
    public_satisfied = models.PositiveIntegerField(_("群众满意"), null=True, blank=True)
    public_basically_satisfied = models.PositiveIntegerField(
        _("群众基本满意"), null=True, blank=True
    )
    public_unsatisfied = models.PositiveIntegerField(
        _("群众不满意"), null=True, blank=True
    )
    public_verdict = models.CharField(
        _("群众测评结果"),
        max_length=32,
        choices=PollOption.Code.choices,
        blank=True,
    )

    objects = LivelihoodProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("民生实事项目")
        verbose_name_plural = _("民生实事项目")
        ordering = ["round", "candidate__rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="project_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneQuerySet(ScopedQuerySet):
    region_field = "project__region"


class Milestone(models.Model):
    """A dated step of a project (开工, 主体完工, 验收)."""

    project = models.ForeignKey(
        LivelihoodProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("节点"), max_length=200)
    due_date = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReportQuerySet(ScopedQuerySet):
    region_field = "project__region"


class ProgressReport(models.Model):
    """A unit's monthly progress report (月报): percent, funds spent, photos."""

    project = models.ForeignKey(
        LivelihoodProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    month = models.DateField(_("月份"), help_text=_("所报月份的第一天。"))
    percent = models.PositiveSmallIntegerField(_("完成进度(%)"))
    funds_spent = models.DecimalField(
        _("累计完成投资(万元)"), max_digits=12, decimal_places=2
    )
    narrative = models.TextField(_("进展情况"))
    problems = models.TextField(_("存在问题"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展月报")
        verbose_name_plural = _("进展月报")
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"], name="progress_report_once_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="progress_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"


class ProgressPhotoQuerySet(ScopedQuerySet):
    region_field = "report__project__region"


class ProgressPhoto(models.Model):
    """A photo attached to a progress report."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("月报"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("照片"), upload_to="livelihood/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ProgressPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展照片")
        verbose_name_plural = _("进展照片")

    def __str__(self) -> str:
        return self.caption or self.image.name


class SupervisionVisitQuerySet(ScopedQuerySet):
    region_field = "project__region"


class SupervisionVisit(models.Model):
    """人大督: a supervision group of deputies visits a project and records findings."""

    class Rating(models.TextChoices):
        ON_TRACK = "on_track", _("按计划推进")
        BEHIND = "behind", _("进度滞后")
        PROBLEM = "problem", _("存在问题需整改")

    project = models.ForeignKey(
        LivelihoodProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    date = models.DateField(_("日期"))
    deputies = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("督查代表"), related_name="+"
    )
    rating = models.CharField(_("督查结论"), max_length=16, choices=Rating.choices)
    findings = models.TextField(_("督查意见"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = SupervisionVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["project", "-date"]

    def __str__(self) -> str:
        return f"{self.project} {self.date}"
