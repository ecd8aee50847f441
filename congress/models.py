"""The institution itself: regions, units, terms, sessions, users, and the shared
machinery every app uses (calendar, notifications, generated reports, audit log)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from congress.fields import EncryptedTextField
from congress.fields import mask_phone
from congress.roles import ADMIN_ROLES
from congress.roles import Role
from congress.scope import ScopedQuerySet


class Region(models.Model):
    """行政区划: city → county → township → village, keyed by the 12-digit code.

    The nation and the province exist only as the electing congresses of national and
    provincial deputies (a deputy of the 湖南省人大 living in 隆回县 is a 省级代表).
    """

    class Level(models.IntegerChoices):
        NATION = 0, _("全国")
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("县(市、区)")
        TOWNSHIP = 4, _("乡镇(街道)")
        VILLAGE = 5, _("村(社区)")

    # Significant digits of the code at each level (统计用区划代码, 12 digits:
    # 2 province, 2 city, 2 county, 3 township, 3 village).
    PREFIX_LENGTH = {
        # The nation's code (100000, GB/T 2260) contains every region.
        Level.NATION: 0,
        Level.PROVINCE: 2,
        Level.CITY: 4,
        Level.COUNTY: 6,
        Level.TOWNSHIP: 9,
        Level.VILLAGE: 12,
    }

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^\d{12}$"),
                name="region_code_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def full_code(code: str) -> str:
        """Pad a short code (430524, 430524100) to the 12-digit form."""
        return code.ljust(12, "0")

    @property
    def prefix(self) -> str:
        """The significant digits: every descendant's code starts with them."""
        return self.code[: self.PREFIX_LENGTH[self.level]]

    def contains(self, other: Region | None) -> bool:
        """Return whether ``other`` is this region or below it."""
        return other is not None and other.code.startswith(self.prefix)

    @cached_property
    def county(self) -> Region | None:
        """The county this region is in (itself for a county; None for the city)."""
        if self.level < self.Level.COUNTY:
            return None
        if self.level == self.Level.COUNTY:
            return self
        return Region.objects.get(code=Region.full_code(self.code[:6]))


class OrganizationQuerySet(ScopedQuerySet):
    pass


class Organization(models.Model):
    """单位: a body that handles, supervises or is overseen."""

    class Kind(models.TextChoices):
        GOVERNMENT_DEPARTMENT = "government_department", _("政府部门")
        COURT = "court", _("法院")
        PROCURATORATE = "procuratorate", _("检察院")
        SUPERVISORY_COMMISSION = "supervisory_commission", _("监委")
        SPECIAL_COMMITTEE = "special_committee", _("专门委员会")
        WORKING_COMMITTEE = "working_committee", _("工作委员会")
        TOWNSHIP_GOVERNMENT = "township_government", _("乡镇人民政府")
        TOWNSHIP_PRESIDIUM = "township_presidium", _("乡镇人大主席团")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(
        _("单位编码"),
        max_length=40,
        unique=True,
        help_text=_("用于导入导出的业务编码,例如统一社会信用代码。"),
    )
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("有效"), default=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="organization_unique_name_in_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TermQuerySet(ScopedQuerySet):
    pass


class Term(models.Model):
    """届: one term of a region's people's congress (县第十八届人民代表大会)."""

    region = models.ForeignKey(
        Region, verbose_name=_("人大所在区划"), on_delete=models.PROTECT
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("届满日期"), null=True, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("届")
        verbose_name_plural = _("届")
        ordering = ["region__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], name="term_unique_number_in_region"
            ),
        ]

    def __str__(self) -> str:
        return _("%(region)s第%(number)s届人民代表大会") % {
            "region": self.region,
            "number": self.number,
        }

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (
            self.end_date is None or today <= self.end_date
        )


class SessionQuerySet(ScopedQuerySet):
    region_field = "term__region"


class Session(models.Model):
    """会议: a congress session, a standing-committee meeting or a chairpersons' meeting."""

    class Kind(models.TextChoices):
        CONGRESS = "congress", _("人民代表大会会议")
        STANDING_COMMITTEE = "standing_committee", _("常委会会议")
        CHAIRPERSONS = "chairpersons", _("主任会议")

    term = models.ForeignKey(
        Term, verbose_name=_("届"), on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("会议类别"), max_length=32, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("次"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "kind", "number"], name="session_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("%(term)s第%(number)s次%(kind)s") % {
            "term": self.term,
            "number": self.number,
            "kind": self.get_kind_display(),
        }


class User(AbstractUser):
    """A person who signs in; their scope region bounds everything they see."""

    scope_region = models.ForeignKey(
        Region,
        verbose_name=_("管辖区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("用户可以看到本区划及其下级区划的数据。"),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login", "phone"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("view_personal_data", _("查看完整个人信息(手机号、身份证号)")),
            ("export_data", _("导出数据")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names are family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.SYSTEM_ADMIN)

    @property
    def works_in_admin(self) -> bool:
        return self.is_superuser or any(self.has_role(r) for r in ADMIN_ROLES)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class WorkCalendarDay(models.Model):
    """A date that breaks the Monday–Friday rule: a public holiday or a swapped
    working day (调休). Seeded from ``chinese-calendar`` and edited here when the
    State Council announces next year's holidays."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class Notification(models.Model):
    """One reminder or message to one person. Unique on (kind, object, recipient,
    due date): a job that runs twice finds the row and sends nothing more."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内消息")
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=64)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    due_date = models.DateField(_("提醒日期"))
    channels = models.JSONField(_("渠道"), default=list)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    delivery_log = models.JSONField(_("发送记录"), default=dict, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "due_date"],
                name="notification_once_per_due_date",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["sent_at"],
                name="notification_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GeneratedReportQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A report is visible to its requester and to staff over its region."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(requester=user)
            | models.Q(pk__in=super().visible_to(user).values("pk"))
        )


class GeneratedReport(models.Model):
    """A PDF produced by the report queue, with its progress and its file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("报表类别"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.PROTECT, null=True, blank=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    file = models.FileField(_("文件"), upload_to="reports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("生成的报表")
        verbose_name_plural = _("生成的报表")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AuditEvent(models.Model):
    """Append-only audit log: logins, failures, exports, unmasked views, state changes.

    Rows are never updated; they are deleted only by the retention purge, and only
    after ``AUDIT_RETENTION_DAYS`` (at least 180: 《网络安全法》第二十一条 asks for
    network logs to be kept no less than six months).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        LOCKED_OUT = "locked_out", _("账号锁定")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        PERSONAL_DATA_VIEW = "personal_data_view", _("查看完整个人信息")
        STATE_CHANGE = "state_change", _("状态变更")
        PERMISSION_DENIED = "permission_denied", _("越权访问")

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-time"]
        indexes = [
            models.Index(fields=["kind", "-time"], name="audit_kind_time"),
            models.Index(fields=["user", "-time"], name="audit_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are removed only by the retention purge")


# --- the voting engine (票决 / 满意度测评) ----------------------------------------------
#
# Writes go through congress/voting.py. In a secret poll the receipt records *that* a
# voter voted and the ballot *what* was chosen; the two are written in one transaction
# and nothing in the ballot tables points to a user or a receipt: no foreign key, no
# timestamp, no sequence (random UUID primary keys). The receipt code the voter keeps
# is stored only as a SHA-256 hash, and only on the ballot.


class PollQuerySet(ScopedQuerySet):
    pass


class Poll(models.Model):
    """票决或测评: an electorate, options, a window, a secrecy mode and a counting base."""

    class Kind(models.TextChoices):
        SATISFACTION = "satisfaction", _("满意度测评")
        APPROVAL = "approval", _("赞成反对弃权")
        CHOOSE = "choose", _("限额选择")

    class Secrecy(models.TextChoices):
        SECRET = "secret", _("无记名")
        NAMED = "named", _("记名")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已截止")
        PUBLISHED = "published", _("已公布")

    class Base(models.TextChoices):
        ENTITLED = "entitled", _("全体应投票人")
        VOTING = "voting", _("实际投票人")

    title = models.CharField(_("标题"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    secrecy = models.CharField(
        _("投票方式"), max_length=8, choices=Secrecy.choices, default=Secrecy.SECRET
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    max_choices = models.PositiveSmallIntegerField(
        _("最多可选数"),
        null=True,
        blank=True,
        help_text=_(
            "限额选择时每张选票最多可选的项数;赞成反对弃权时最多可投赞成票的项数。"
        ),
    )
    base = models.CharField(
        _("计票基数"),
        max_length=16,
        choices=Base.choices,
        default=Base.ENTITLED,
        help_text=_("“过半数”以全体应投票人还是实际投票人为基数。"),
    )
    quorum = models.PositiveIntegerField(
        _("法定人数"),
        null=True,
        blank=True,
        help_text=_("至少多少人投票结果才有效;留空为应投票人数的过半数。"),
    )
    electorate_label = models.CharField(
        _("投票人范围"),
        max_length=200,
        blank=True,
        help_text=_("例如:第十八届全体代表"),
    )
    electorate = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("应投票人"),
        through="PollVoter",
        related_name="polls",
        blank=True,
    )
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PollQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("票决")
        verbose_name_plural = _("票决")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_choices__isnull=True)
                | models.Q(max_choices__gte=1),
                name="poll_max_choices_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PollVoterQuerySet(ScopedQuerySet):
    region_field = "poll__region"


class PollVoter(models.Model):
    """One person entitled to vote in a poll."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="voters"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投票人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PollVoterQuerySet.as_manager()

    class Meta:
        verbose_name = _("应投票人")
        verbose_name_plural = _("应投票人")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"], name="poll_voter_once_per_poll"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class PollOptionQuerySet(ScopedQuerySet):
    region_field = "poll__region"


class PollOption(models.Model):
    """A candidate, a project or one grade of a satisfaction poll (满意/基本满意/不满意)."""

    class Code(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("选项"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(
        _("测评等次"), max_length=32, choices=Code.choices, blank=True
    )

    objects = PollOptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["poll", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "label"], name="poll_option_unique_label"
            ),
            models.UniqueConstraint(
                fields=["poll", "code"],
                condition=~models.Q(code=""),
                name="poll_option_unique_code",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class BallotReceiptQuerySet(ScopedQuerySet):
    region_field = "poll__region"


class BallotReceipt(models.Model):
    """That a voter voted (one per voter and poll, enforced by the database).

    In a secret poll it holds nothing about the ballot: ``ballot`` stays empty and
    no value derived from the receipt code is kept here. In a named poll ``ballot``
    is the voter's ballot, which is how a named poll records who chose what.
    """

    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.PROTECT, related_name="receipts"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投票人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    voted_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    ballot = models.OneToOneField(
        "Ballot",
        verbose_name=_("选票(仅记名投票)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = BallotReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        ordering = ["poll", "voted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter"], name="ballot_receipt_one_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return _("%(voter)s已投票") % {"voter": self.voter}


class BallotQuerySet(ScopedQuerySet):
    region_field = "poll__region"


class Ballot(models.Model):
    """What was chosen. No user, no receipt, no time; a random primary key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.PROTECT, related_name="ballots"
    )
    receipt_hash = models.CharField(_("回执码摘要"), max_length=64)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "receipt_hash"], name="ballot_unique_receipt_hash"
            ),
        ]

    def __str__(self) -> str:
        return _("选票%(code)s") % {"code": self.receipt_hash[:8]}


class BallotChoice(models.Model):
    """One answer on a ballot: an option chosen, or yes/no/abstain on a candidate."""

    class Answer(models.TextChoices):
        YES = "yes", _("赞成")
        NO = "no", _("反对")
        ABSTAIN = "abstain", _("弃权")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(
        Ballot, verbose_name=_("选票"), on_delete=models.CASCADE, related_name="choices"
    )
    option = models.ForeignKey(
        PollOption, verbose_name=_("选项"), on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("表决"), max_length=8, choices=Answer.choices)

    class Meta:
        verbose_name = _("选票内容")
        verbose_name_plural = _("选票内容")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "option"], name="ballot_choice_once_per_option"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option}: {self.get_answer_display()}"


class PaperCountQuerySet(ScopedQuerySet):
    region_field = "poll__region"


class PaperCount(models.Model):
    """纸质选票计票: the per-option counts of a batch of paper ballots.

    One clerk enters them; a second, different clerk enters the same counts
    independently. Equal entries confirm the count; a difference is flagged and the
    poll cannot be tallied or published until the count is entered again and
    confirmed.
    """

    class Status(models.TextChoices):
        ENTERED = "entered", _("待复核")
        CONFIRMED = "confirmed", _("已确认")
        MISMATCH = "mismatch", _("复核不一致")

    poll = models.ForeignKey(
        Poll,
        verbose_name=_("票决"),
        on_delete=models.PROTECT,
        related_name="paper_counts",
    )
    label = models.CharField(
        _("计票组"), max_length=100, help_text=_("例如:第一计票组、纸质选票")
    )
    ballots = models.PositiveIntegerField(_("有效纸质选票数"))
    counts = models.JSONField(
        _("各选项票数"),
        default=dict,
        help_text=_("{选项编号: {赞成、反对、弃权的票数}}"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ENTERED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    mismatch = models.JSONField(_("不一致之处"), default=dict, blank=True)

    objects = PaperCountQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("纸质选票计票")
        verbose_name_plural = _("纸质选票计票")
        ordering = ["poll", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "label"], name="paper_count_unique_label"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True)
                | ~models.Q(confirmed_by=models.F("entered_by")),
                name="paper_count_confirmed_by_another_clerk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll} {self.label}"
