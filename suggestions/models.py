"""代表建议、批评和意见: 三审五办一测评 from the draft to 办结.

Flow (DESIGN.md): draft → reviewing (代表团 → 大会秘书处 → 代表工委; each stage may
return it for revision, decide it is not a suggestion, or merge it with a
duplicate) → registered (立案) → assigned (交办) → handling (签收) → replied →
evaluated: satisfied closes it (办结); unsatisfied sends it back to handling once
(再次办理), whose reply is evaluated again and then closes it.

Every write goes through ``suggestions.services``; ``SuggestionEvent`` is the one
table that says who did what and when (the whole chain on one page reads it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from congress.models import Organization
from congress.models import Region
from congress.models import Session
from congress.scope import ScopedQuerySet
from deputies.models import CitizenOpinion
from deputies.models import Deputy


class Category(models.TextChoices):
    ECONOMY = "economy", _("经济发展")
    URBAN = "urban", _("城乡建设")
    TRANSPORT = "transport", _("交通出行")
    AGRICULTURE = "agriculture", _("农业农村")
    EDUCATION = "education", _("教育科技文化")
    HEALTH = "health", _("医疗卫生")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    ENVIRONMENT = "environment", _("生态环境")
    GOVERNANCE = "governance", _("政法与社会治理")
    OTHER = "other", _("其他")


class ReviewStage(models.TextChoices):
    """三审, in order."""

    DELEGATION = "delegation", _("代表团审查")
    SECRETARIAT = "secretariat", _("大会秘书处审查")
    DEPUTY_AFFAIRS = "deputy_affairs", _("代表工委审查")


REVIEW_ORDER = [
    ReviewStage.DELEGATION,
    ReviewStage.SECRETARIAT,
    ReviewStage.DEPUTY_AFFAIRS,
]


class SuggestionQuerySet(ScopedQuerySet):
    region_field = "region"


class Suggestion(models.Model):
    """代表建议: one suggestion, criticism or opinion of a lead deputy and co-signers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWING = "reviewing", _("审查中")
        RETURNED = "returned", _("退回修改")
        NOT_ACCEPTED = "not_accepted", _("不作为建议处理")
        MERGED = "merged", _("已并案")
        REGISTERED = "registered", _("已立案")
        ASSIGNED = "assigned", _("已交办")
        HANDLING = "handling", _("办理中")
        REPLIED = "replied", _("已答复")
        REHANDLING = "rehandling", _("再次办理")
        CLOSED = "closed", _("已办结")

    number = models.PositiveIntegerField(_("编号"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"))
    category = models.CharField(
        _("类别"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        help_text=_("大会期间提出的建议;闭会期间提出的留空。"),
    )
    lead_deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("领衔代表"),
        on_delete=models.PROTECT,
        related_name="led_suggestions",
    )
    signers = models.ManyToManyField(
        Deputy,
        verbose_name=_("联名代表"),
        through="SuggestionSigner",
        related_name="cosigned_suggestions",
        blank=True,
    )
    citizen_opinions = models.ManyToManyField(
        CitizenOpinion,
        verbose_name=_("来源民情民意"),
        related_name="suggestions",
        blank=True,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        help_text=_("领衔代表所在区划,决定谁能看到这件建议。"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    review_stage = models.CharField(
        _("审查阶段"), max_length=20, choices=ReviewStage.choices, blank=True
    )
    return_reason = models.TextField(_("退回或不予立案理由"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_suggestions",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    # 五办 of a key suggestion (重点建议): who supervises, leads and coordinates.
    is_key = models.BooleanField(_("重点建议"), default=False)
    supervising_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办的常委会领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_suggestions",
    )
    government_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("领办的政府领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_government_suggestions",
    )
    following_committee = models.ForeignKey(
        Organization,
        verbose_name=_("对口督办的专委会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_suggestions",
    )
    coordinating_committee = models.ForeignKey(
        Organization,
        verbose_name=_("统筹督办的代表工委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_suggestions",
    )
    fund_amount = models.DecimalField(
        _("建议办理专项资金(万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    rehandling_rounds = models.PositiveSmallIntegerField(_("再次办理次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # jieba-segmented title and content, kept up to date by the services. Its GIN
    # index is created by migration 0002 on PostgreSQL only (SQLite has none).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-year", "-number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                condition=models.Q(session__isnull=False, number__isnull=False),
                name="suggestion_number_in_session",
            ),
            models.UniqueConstraint(
                fields=["region", "year", "number"],
                condition=models.Q(session__isnull=True, number__isnull=False),
                name="suggestion_number_intersession",
            ),
            models.CheckConstraint(
                condition=models.Q(rehandling_rounds__lte=1),
                name="suggestion_rehandled_at_most_once",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status"], name="suggestion_region_status"),
            models.Index(fields=["region", "-year"], name="suggestion_region_year"),
            models.Index(fields=["lead_deputy", "status"], name="suggestion_lead"),
        ]
        permissions = [("review_suggestion", _("审查和交办代表建议"))]

    def __str__(self) -> str:
        if self.number:
            return _("第%(number)s号 %(title)s") % {
                "number": self.number,
                "title": self.title,
            }
        return self.title

    @property
    def number_label(self) -> str:
        if not self.number:
            return ""
        if self.session_id:
            return _("第%(number)s号") % {"number": self.number}
        return _("闭会期间第%(number)s号") % {"number": self.number}

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class SuggestionSignerQuerySet(ScopedQuerySet):
    region_field = "suggestion__region"


class SuggestionSigner(models.Model):
    """联名: a co-signer; the signature counts once the deputy has confirmed it."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("联名代表"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    objects = SuggestionSignerQuerySet.as_manager()

    class Meta:
        verbose_name = _("联名代表")
        verbose_name_plural = _("联名代表")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "deputy"], name="suggestion_signer_once"
            ),
        ]
        indexes = [models.Index(fields=["deputy"], name="suggestion_signer_deputy")]

    def __str__(self) -> str:
        return str(self.deputy)


def attachment_path(instance, filename: str) -> str:
    import uuid

    return f"suggestions/{uuid.uuid4().hex}/{filename}"


class SuggestionAttachment(models.Model):
    """A file attached to a suggestion (by the deputy) or to a reply (by the unit)."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    reply = models.ForeignKey(
        "Reply",
        verbose_name=_("答复"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One of the three reviews (三审) and its decision."""

    class Decision(models.TextChoices):
        PASS = "pass", _("通过")
        RETURN = "return", _("退回修改")
        NOT_SUGGESTION = "not_suggestion", _("不作为建议处理")
        MERGE = "merge", _("并案处理")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    stage = models.CharField(_("审查阶段"), max_length=20, choices=ReviewStage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("审查结论"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    merged_into = models.ForeignKey(
        Suggestion,
        verbose_name=_("并入建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("审查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审查记录")
        verbose_name_plural = _("审查记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_decision_display()}"


class AssignmentQuerySet(ScopedQuerySet):
    region_field = "suggestion__region"


class Assignment(models.Model):
    """交办: one unit's part in handling a suggestion, with its statutory deadline."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")
        SEPARATE = "separate", _("分办")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="suggestion_assignments",
    )
    role = models.CharField(_("办理方式"), max_length=10, choices=Role.choices)
    assigned_on = models.DateField(_("交办日期"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("答复期限"))
    co_view_due = models.DateField(_("协办意见期限"), null=True, blank=True)
    extended = models.BooleanField(_("已批准延期"), default=False)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_approved_at = models.DateTimeField(
        _("延期批准时间"), null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reassignment_reason = models.TextField(_("申请调整理由"), blank=True)
    reassignment_requested_at = models.DateTimeField(
        _("申请调整时间"), null=True, blank=True
    )
    co_view = models.TextField(_("协办意见"), blank=True)
    co_view_at = models.DateTimeField(_("协办意见提交时间"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["due_date", "pk"]
        constraints = [
            # No double assignment: one active lead unit, and a unit once.
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=models.Q(role="lead", is_active=True),
                name="assignment_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["suggestion", "unit"],
                condition=models.Q(is_active=True),
                name="assignment_unit_once",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "is_active", "due_date"], name="assign_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"


class HandlingStep(models.Model):
    """办理过程: contact with the deputy, the plan, progress."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("见面沟通")
        PLAN = "plan", _("办理方案")
        PROGRESS = "progress", _("办理进展")

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("交办"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("情况"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理过程")
        verbose_name_plural = _("办理过程")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ResultClass(models.TextChoices):
    A = "A", _("A类:已经解决或基本解决")
    B = "B", _("B类:正在解决或列入计划解决")
    C = "C", _("C类:因条件限制暂时不能解决,已作说明")
    D = "D", _("D类:留作参考")


class ReplyQuerySet(ScopedQuerySet):
    region_field = "suggestion__region"


class Reply(models.Model):
    """答复: a unit's formal reply in one handling round (1, or 2 when re-handled)."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="replies",
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("交办"),
        on_delete=models.PROTECT,
        related_name="replies",
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    letter_number = models.CharField(_("答复文号"), max_length=60, blank=True)
    text = models.TextField(_("答复内容"))
    result_class = models.CharField(
        _("办理结果"), max_length=1, choices=ResultClass.choices
    )
    signer = models.CharField(_("签发人"), max_length=50)
    replied_at = models.DateTimeField(_("答复时间"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_time = models.BooleanField(_("按期答复"), default=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["replied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round"], name="reply_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.unit} {self.get_result_class_display()}"


class Commitment(models.Model):
    """承诺事项: what a (B-class) reply promises, with a date, followed until done."""

    reply = models.ForeignKey(
        Reply,
        verbose_name=_("答复"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    content = models.CharField(_("承诺事项"), max_length=300)
    due_date = models.DateField(_("承诺完成日期"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.content


class Evaluation(models.Model):
    """满意度测评: a deputy's rating of one handling round's reply."""

    class Result(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.PROTECT,
        related_name="suggestion_evaluations",
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    result = models.CharField(_("测评结果"), max_length=24, choices=Result.choices)
    comment = models.TextField(_("意见"), blank=True)
    is_paper = models.BooleanField(_("纸质测评录入"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("测评时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "deputy", "round"],
                name="evaluation_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} {self.get_result_display()}"


class SuggestionEvent(models.Model):
    """The history of a suggestion: who did what, when (the whole chain reads it)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("起草")
        GUIDANCE = "guidance", _("选题指导")
        SIGNED = "signed", _("联名确认")
        SUBMITTED = "submitted", _("提交")
        REVIEWED = "reviewed", _("审查")
        REGISTERED = "registered", _("立案")
        ASSIGNED = "assigned", _("交办")
        REASSIGNMENT_REQUESTED = "reassignment_requested", _("申请调整承办单位")
        REASSIGNED = "reassigned", _("调整承办单位")
        EXTENDED = "extended", _("批准延期")
        ACKNOWLEDGED = "acknowledged", _("签收")
        STEP = "step", _("办理过程")
        CO_VIEW = "co_view", _("协办意见")
        REPLIED = "replied", _("答复")
        EVALUATED = "evaluated", _("测评")
        REHANDLING = "rehandling", _("再次办理")
        COMMITMENT_DONE = "commitment_done", _("承诺事项完成")
        CLOSED = "closed", _("办结")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["suggestion", "at"], name="suggestion_event")]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def summary(self) -> str:
        """The event's details in words (stage, decision, units, class, rating…)."""
        detail = self.detail or {}
        labels = {
            **dict(ReviewStage.choices),
            **dict(Review.Decision.choices),
            **dict(Evaluation.Result.choices),
        }
        parts: list[str] = []
        for key in ("stage", "decision", "unit", "step", "deputy", "result"):
            value = detail.get(key)
            if value:
                parts.append(str(labels.get(value, value)))
        if detail.get("units"):
            parts.append(
                "、".join(f"{u['unit']}({u['role']})" for u in detail["units"])
            )
        if detail.get("class"):
            parts.append(_("%(c)s类") % {"c": detail["class"]})
        if detail.get("round", 1) > 1:
            parts.append(_("第%(n)s轮") % {"n": detail["round"]})
        if detail.get("due"):
            parts.append(_("期限 %(due)s") % {"due": detail["due"]})
        if detail.get("from") and detail.get("to"):
            parts.append(f"{detail['from']} → {detail['to']}")
        return " · ".join(parts)
