"""The institution itself: regions, units, terms, sessions, users, and the shared
machinery every app uses (calendar, notifications, generated reports, audit log)."""

from __future__ import annotations

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
