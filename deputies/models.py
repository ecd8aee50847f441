"""Deputies, their mandates, and liaison stations (DESIGN.md, deputies)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from congress import crypto
from congress.fields import EncryptedTextField
from congress.fields import mask_phone
from congress.models import Region
from congress.models import Term
from congress.scope import ScopedQuerySet


def new_public_token() -> str:
    """A random token for the public QR-code address (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


class Level(models.TextChoices):
    """The five levels of people's congresses (五级人大)."""

    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡")


class DelegationQuerySet(ScopedQuerySet):
    pass


class Delegation(models.Model):
    """代表团: deputies of one congress grouped for the session, usually by township."""

    term = models.ForeignKey(Term, verbose_name=_("届"), on_delete=models.PROTECT)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表团")
        verbose_name_plural = _("代表团")
        ordering = ["term", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "name"], name="delegation_unique_name_in_term"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ConstituencyQuerySet(ScopedQuerySet):
    pass


class Constituency(models.Model):
    """选区: the electoral district a deputy was elected in."""

    term = models.ForeignKey(Term, verbose_name=_("届"), on_delete=models.PROTECT)
    number = models.PositiveIntegerField(_("选区编号"))
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)

    objects = ConstituencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("选区")
        verbose_name_plural = _("选区")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "number"], name="constituency_unique_number_in_term"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeputyQuerySet(ScopedQuerySet):
    def with_active_mandates(self) -> DeputyQuerySet:
        return self.filter(mandates__status=Mandate.Status.ACTIVE).distinct()


class Deputy(models.Model):
    """代表: the person. Their seats are their mandates."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class PoliticalStatus(models.TextChoices):
        CPC = "cpc", _("中共党员")
        CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
        CYL = "cyl", _("共青团员")
        DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
        NON_PARTY = "non_party", _("无党派人士")
        MASSES = "masses", _("群众")

    class OccupationCategory(models.TextChoices):
        # The composition categories used in deputy statistics (代表构成).
        OFFICIAL = "official", _("党政领导干部")
        WORKER = "worker", _("工人")
        FARMER = "farmer", _("农民")
        PROFESSIONAL = "professional", _("专业技术人员")
        BUSINESS = "business", _("企业负责人")
        MILITARY = "military", _("解放军和武警")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices
    )
    occupation_category = models.CharField(
        _("职业类别"), max_length=20, choices=OccupationCategory.choices
    )
    workplace = models.CharField(_("工作单位"), max_length=200, blank=True)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    photo = models.ImageField(_("照片"), upload_to="deputies/photos/", blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        help_text=_("代表履职所在的乡镇(街道)或县,决定谁能看到这名代表。"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy",
    )
    public_token = models.CharField(
        max_length=32, unique=True, editable=False, default=new_public_token
    )

    objects = DeputyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["phone", "id_number"])

    class Meta:
        verbose_name = _("代表")
        verbose_name_plural = _("代表")
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["region", "name"], name="deputy_region_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.phone_digest = crypto.digest(self.phone) if self.phone else ""
        self.id_number_digest = crypto.digest(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MandateQuerySet(ScopedQuerySet):
    region_field = "deputy__region"

    def active(self) -> MandateQuerySet:
        return self.filter(status=Mandate.Status.ACTIVE)


class Mandate(models.Model):
    """代表资格: a seat in one congress for one term. A person may hold several
    (四级/五级代表), at most one per term."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在任")
        ENDED = "ended", _("终止")

    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.CASCADE,
        related_name="mandates",
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    congress_region = models.ForeignKey(
        Region,
        verbose_name=_("人大所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    term = models.ForeignKey(Term, verbose_name=_("届"), on_delete=models.PROTECT)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("代表团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name=_("选区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    start_date = models.DateField(_("当选日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)

    objects = MandateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代表资格")
        verbose_name_plural = _("代表资格")
        ordering = ["deputy", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "term"], name="mandate_one_per_term"
            ),
        ]
        indexes = [
            models.Index(fields=["term", "status"], name="mandate_term_status"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.term} {self.get_level_display()}"


class LiaisonStationQuerySet(ScopedQuerySet):
    pass


class HolidayRule(models.TextChoices):
    """What a station does when a duty day falls on a holiday or a rest day."""

    STAY = "stay", _("照常进站")
    NEXT_WORKING_DAY = "next_working_day", _("顺延至下一个工作日")


def default_duty_days() -> list[int]:
    # 逢六进站: the 6th, 16th and 26th of each month.
    return [6, 16, 26]


class LiaisonStation(models.Model):
    """代表联络站 and its kin (家, 点, 民主实践基地, 立法联系点, 民情民意收集点)."""

    class Kind(models.TextChoices):
        STATION = "station", _("代表联络站")
        HOME = "home", _("代表之家")
        POINT = "point", _("代表联络点")
        DEMOCRACY_BASE = "democracy_base", _("民主实践基地")
        LEGISLATIVE_POINT = "legislative_point", _("基层立法联系点")
        COLLECTION_POINT = "collection_point", _("民情民意收集点")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("管理员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_stations",
    )
    contact_phone = models.CharField(_("站点电话"), max_length=20, blank=True)
    duty_days = models.JSONField(_("进站日(每月几号)"), default=default_duty_days)
    brand_note = models.TextField(_("一站一品牌"), blank=True)
    holiday_rule = models.CharField(
        _("节假日进站"),
        max_length=24,
        choices=HolidayRule.choices,
        default=HolidayRule.NEXT_WORKING_DAY,
        help_text=_("进站日遇法定节假日或休息日时,照常进站还是顺延至下一个工作日。"),
    )
    public_token = models.CharField(
        max_length=32, unique=True, editable=False, default=new_public_token
    )
    is_active = models.BooleanField(_("启用"), default=True)
    deputies = models.ManyToManyField(
        Deputy,
        through="StationAssignment",
        related_name="stations",
        verbose_name=_("编组代表"),
    )

    objects = LiaisonStationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代表联络站")
        verbose_name_plural = _("代表联络站")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="station_unique_name_in_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StationAssignmentQuerySet(ScopedQuerySet):
    region_field = "station__region"


class StationAssignment(models.Model):
    """编组: a deputy grouped into a station."""

    station = models.ForeignKey(
        LiaisonStation, verbose_name=_("联络站"), on_delete=models.CASCADE
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("代表"), on_delete=models.CASCADE)
    is_leader = models.BooleanField(_("组长"), default=False)

    objects = StationAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("编组")
        verbose_name_plural = _("编组")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "deputy"], name="station_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.deputy}"


# ---------------------------------------------------------------------------
# Station duty rosters (进站排班) and the 九有 checklist.
# ---------------------------------------------------------------------------


class StationDutyQuerySet(ScopedQuerySet):
    region_field = "station__region"


class StationDuty(models.Model):
    """进站排班: one duty day of a station and the deputies scheduled for it.

    Generated month by month (``deputies.services.duty_roster_generate``).
    ``planned_date`` is the duty day of the month the row came from; ``date`` is
    the day the deputies actually come, later when the station moves duty days
    off holidays (``LiaisonStation.holiday_rule``).
    """

    station = models.ForeignKey(
        LiaisonStation,
        verbose_name=_("联络站"),
        on_delete=models.CASCADE,
        related_name="duties",
    )
    date = models.DateField(_("进站日期"))
    planned_date = models.DateField(_("原定日期"))
    deputies = models.ManyToManyField(
        Deputy,
        verbose_name=_("进站代表"),
        related_name="station_duties",
        blank=True,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = StationDutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("进站排班")
        verbose_name_plural = _("进站排班")
        ordering = ["station", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "date"], name="station_duty_unique_date"
            ),
        ]
        indexes = [
            models.Index(fields=["date", "station"], name="station_duty_date"),
            models.Index(
                fields=["station", "planned_date"], name="station_duty_planned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.date:%Y-%m-%d}"

    @property
    def is_moved(self) -> bool:
        return self.date != self.planned_date


class ChecklistItem(models.Model):
    """One item of the 九有 standard for stations (有场所、有牌子 …), kept in the admin."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("达标要求"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("“九有”标准项")
        verbose_name_plural = _("“九有”标准项")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class StationChecklistEntryQuerySet(ScopedQuerySet):
    region_field = "station__region"


class StationChecklistEntry(models.Model):
    """A station's standing on one 九有 item: met or not, the evidence, and when."""

    station = models.ForeignKey(
        LiaisonStation,
        verbose_name=_("联络站"),
        on_delete=models.CASCADE,
        related_name="checklist_entries",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("标准项"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    met = models.BooleanField(_("已达标"), default=False)
    evidence = models.TextField(_("佐证说明"), blank=True)
    evidence_file = models.FileField(
        _("佐证材料"), upload_to="stations/checklist/%Y/", blank=True
    )
    checked_on = models.DateField(_("核查日期"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = StationChecklistEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("“九有”达标情况")
        verbose_name_plural = _("“九有”达标情况")
        ordering = ["station", "item__order", "item__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "item"], name="station_checklist_unique_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.item}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        errors = {}
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = _("核查日期不能晚于今天。")
        if self.met and not (self.evidence or "").strip() and not self.evidence_file:
            errors["evidence"] = _("标记为已达标时,须填写佐证说明或上传佐证材料。")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# 进站履职: station visits and their photos.
# ---------------------------------------------------------------------------


class StationVisitQuerySet(ScopedQuerySet):
    # The visit keeps its station's region (copied on save) so that scoping the
    # five million rows of a city is one indexed filter, not a join per page.
    region_field = "region"


class StationVisit(models.Model):
    """进站履职记录: deputies at a station on one day."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("接待选民")
        PUBLICITY = "publicity", _("宣传政策")
        INSPECTION = "inspection", _("视察调研")
        STUDY = "study", _("学习交流")

    station = models.ForeignKey(
        LiaisonStation,
        verbose_name=_("联络站"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, editable=False
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(
        _("履职类型"), max_length=16, choices=Kind.choices, default=Kind.RECEPTION
    )
    deputies = models.ManyToManyField(
        Deputy,
        through="StationVisitDeputy",
        related_name="visits",
        verbose_name=_("到场代表"),
    )
    voters_received = models.PositiveIntegerField(_("接待选民人数"), default=0)
    summary = models.TextField(_("履职情况"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = StationVisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进站履职记录")
        verbose_name_plural = _("进站履职记录")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["region", "-date"], name="visit_region_date"),
            models.Index(fields=["station", "-date"], name="visit_station_date"),
            # The changelist's order (newest first) over millions of rows: read
            # 50 rows from the index instead of sorting the table.
            models.Index(fields=["-date", "-id"], name="visit_date_id"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.station_id and not self.region_id:
            self.region_id = self.station.region_id
        super().save(*args, **kwargs)


class StationVisitDeputy(models.Model):
    """One deputy present at a visit."""

    visit = models.ForeignKey(
        StationVisit, verbose_name=_("进站履职记录"), on_delete=models.CASCADE
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("代表"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("到场代表")
        verbose_name_plural = _("到场代表")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "deputy"], name="visit_deputy_unique"
            ),
        ]
        indexes = [models.Index(fields=["deputy", "visit"], name="visit_deputy_idx")]

    def __str__(self) -> str:
        return f"{self.visit} · {self.deputy}"


class VisitPhotoQuerySet(ScopedQuerySet):
    region_field = "visit__region"


class VisitPhoto(models.Model):
    """A photo of a visit, checked and shrunk on the server (at most six a visit)."""

    visit = models.ForeignKey(
        StationVisit,
        verbose_name=_("进站履职记录"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("照片"), upload_to="visits/%Y/%m/")
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职照片")
        verbose_name_plural = _("履职照片")
        ordering = ["visit", "pk"]

    def __str__(self) -> str:
        return self.image.name


# ---------------------------------------------------------------------------
# 民情民意: citizens' opinions, reached through the QR codes and the stations.
# ---------------------------------------------------------------------------


class SensitiveWordQuerySet(ScopedQuerySet):
    pass


class SensitiveWord(models.Model):
    """A word that sends an opinion to the review queue instead of the deputy.

    A word without a region applies everywhere; one with a region applies to
    opinions addressed within it.
    """

    word = models.CharField(_("敏感词"), max_length=50)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全市通用。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = SensitiveWordQuerySet.as_manager()

    class Meta:
        verbose_name = _("敏感词")
        verbose_name_plural = _("敏感词")
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                fields=["word", "region"],
                name="sensitive_word_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.word


def new_tracking_code() -> str:
    """A citizen's tracking code: 12 characters without look-alikes (60 random bits)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class OpinionCategory(models.TextChoices):
    URBAN = "urban", _("城乡建设")
    TRANSPORT = "transport", _("交通出行")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("医疗卫生")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    ENVIRONMENT = "environment", _("生态环境")
    AGRICULTURE = "agriculture", _("农业农村")
    GOVERNANCE = "governance", _("社会治理")
    ECONOMY = "economy", _("经济发展")
    OTHER = "other", _("其他")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class CitizenOpinionQuerySet(ScopedQuerySet):
    region_field = "region"


class CitizenOpinion(models.Model):
    """民情民意: what a citizen asked of a deputy or a station.

    received → assigned → replied → closed, or raised as a suggestion, or referred
    to a unit; an opinion that hit a sensitive word waits in review first.
    """

    class Channel(models.TextChoices):
        QR = "qr", _("扫码留言")
        STATION = "station", _("进站当面反映")
        COLLECTION_POINT = "collection_point", _("民情民意收集点")
        ONLINE = "online", _("网上留言")

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("待审核")
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("已分派")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")
        RAISED = "raised", _("已转为代表建议")
        REFERRED = "referred", _("已转交单位")
        REJECTED = "rejected", _("不予受理")

    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_tracking_code
    )
    channel = models.CharField(
        _("渠道"), max_length=20, choices=Channel.choices, default=Channel.QR
    )
    station = models.ForeignKey(
        LiaisonStation,
        verbose_name=_("联络站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
        help_text=_("留言所找的代表,或受理后分派的代表。"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        help_text=_("由联络站或代表确定,决定谁能看到这条意见。"),
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    phone_consent = models.BooleanField(_("同意代表联系"), default=False)
    content = models.TextField(_("内容"))
    category = models.CharField(
        _("类别"),
        max_length=20,
        choices=OpinionCategory.choices,
        default=OpinionCategory.OTHER,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    sensitive_hits = models.JSONField(_("命中敏感词"), default=list, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    received_at = models.DateTimeField(
        _("受理时间"),
        null=True,
        blank=True,
        help_text=_(
            "提交时未命中敏感词即受理;命中的,审核通过时受理。答复期限由此起算。"
        ),
    )
    reply = models.TextField(_("答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referred_to = models.ForeignKey(
        "congress.Organization",
        verbose_name=_("转交单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citizen_opinions",
    )
    satisfaction = models.CharField(
        _("群众评价"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    satisfaction_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CitizenOpinionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region", "-created_at"], name="opinion_region"),
            # The newest first over many regions (a city's changelist): walked in
            # order and filtered, instead of sorting every opinion of the city.
            models.Index(fields=["-created_at", "-id"], name="opinion_newest"),
            models.Index(fields=["deputy", "status"], name="opinion_deputy_status"),
            models.Index(fields=["station", "status"], name="opinion_station_status"),
            models.Index(fields=["status", "created_at"], name="opinion_status_age"),
            models.Index(
                fields=["status", "received_at"], name="opinion_status_received"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def save(self, *args, **kwargs):
        self.phone_digest = crypto.digest(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


# ---------------------------------------------------------------------------
# 履职活动 and attendance.
# ---------------------------------------------------------------------------


class ActivityQuerySet(ScopedQuerySet):
    pass


class Activity(models.Model):
    """履职活动 organised for deputies, with their attendance."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("视察")
        RESEARCH = "research", _("调研")
        LAW_ENFORCEMENT = "law_enforcement", _("执法检查")
        STANDING_COMMITTEE = "standing_committee", _("列席常委会")
        COURT_HEARING = "court_hearing", _("旁听庭审")
        TRAINING = "training", _("培训")
        REPORT_TO_VOTERS = "report_to_voters", _("向选民述职")
        SPECIAL_INQUIRY = "special_inquiry", _("专题询问")
        SATISFACTION_EVALUATION = "satisfaction_evaluation", _("满意度测评")
        THEMED = "themed", _("主题活动")

    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    date = models.DateField(_("日期"))
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    organizer = models.ForeignKey(
        "congress.Organization",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    participants = models.ManyToManyField(
        Deputy,
        through="ActivityParticipant",
        related_name="activities",
        verbose_name=_("参加代表"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("履职活动")
        verbose_name_plural = _("履职活动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["region", "-date"], name="activity_region")]

    def __str__(self) -> str:
        return self.title


class ActivityParticipantQuerySet(ScopedQuerySet):
    region_field = "activity__region"


class ActivityParticipant(models.Model):
    """One deputy invited to an activity, and whether they came."""

    class Attendance(models.TextChoices):
        INVITED = "invited", _("未登记")
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        ON_LEAVE = "on_leave", _("请假")

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("履职活动"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.PROTECT,
        related_name="activity_attendance",
    )
    attendance = models.CharField(
        _("出席情况"),
        max_length=16,
        choices=Attendance.choices,
        default=Attendance.INVITED,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ActivityParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "deputy"], name="activity_participant_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["deputy", "activity"], name="activity_deputy_idx")
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.deputy}"


# ---------------------------------------------------------------------------
# 向选民述职 and 履职积分.
# ---------------------------------------------------------------------------


class VoterReportQuerySet(ScopedQuerySet):
    region_field = "deputy__region"


class VoterReport(models.Model):
    """向选民述职: a deputy reports back to the voters, who score the report."""

    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.PROTECT,
        related_name="voter_reports",
    )
    date = models.DateField(_("述职日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    voters_present = models.PositiveIntegerField(_("到会选民人数"), default=0)
    summary = models.TextField(_("述职内容摘要"), blank=True)
    satisfied = models.PositiveIntegerField(_("满意票"), default=0)
    basically_satisfied = models.PositiveIntegerField(_("基本满意票"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意票"), default=0)
    average_score = models.DecimalField(
        _("选民平均评分"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("百分制,按选民评分表计算。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VoterReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("向选民述职")
        verbose_name_plural = _("向选民述职")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.date:%Y-%m-%d}"


class PointRuleQuerySet(ScopedQuerySet):
    pass


class PointRule(models.Model):
    """履职积分规则: how many points one fact of a kind earns, capped per year."""

    class Fact(models.TextChoices):
        VISIT = "visit", _("进站履职")
        ACTIVITY_PRESENT = "activity_present", _("出席履职活动")
        ACTIVITY_ABSENT = "activity_absent", _("无故缺席履职活动")
        OPINION_REPLIED = "opinion_replied", _("答复群众意见")
        SUGGESTION_LEAD = "suggestion_lead", _("领衔提出代表建议")
        SUGGESTION_COSIGN = "suggestion_cosign", _("联名提出代表建议")
        VOTER_REPORT = "voter_report", _("向选民述职")

    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        on_delete=models.PROTECT,
        help_text=_("本区划及下级区划的代表按此规则计分。"),
    )
    fact = models.CharField(_("履职事项"), max_length=24, choices=Fact.choices)
    points = models.DecimalField(_("每次分值"), max_digits=6, decimal_places=1)
    yearly_cap = models.DecimalField(
        _("年度上限"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("留空为不设上限;扣分项为扣分上限。"),
    )
    needs_confirmation = models.BooleanField(
        _("须经工作人员确认"),
        default=False,
        help_text=_("勾选后,该事项经工作人员确认才计分。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = PointRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["region__code", "fact"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "fact"], name="point_rule_unique_fact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_fact_display()}"


class PointEntryQuerySet(ScopedQuerySet):
    region_field = "deputy__region"


class PointEntry(models.Model):
    """One line of the points ledger, derived from a fact; rebuilt, never edited.

    ``source_id`` is the primary key of the fact's row (the visit, the attendance,
    the opinion …); (deputy, fact, source_id) is unique, so a rebuild that runs
    twice writes the same ledger.
    """

    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.CASCADE,
        related_name="point_entries",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    date = models.DateField(_("日期"))
    fact = models.CharField(
        _("履职事项"), max_length=24, choices=PointRule.Fact.choices
    )
    source_id = models.BigIntegerField(_("来源记录"))
    rule = models.ForeignKey(
        PointRule, verbose_name=_("积分规则"), on_delete=models.CASCADE
    )
    points = models.DecimalField(_("积分"), max_digits=6, decimal_places=1)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["deputy", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "fact", "source_id"], name="point_entry_unique_fact"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "deputy"], name="point_entry_year_deputy")
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.get_fact_display()} · {self.points}"


class PointConfirmation(models.Model):
    """Staff confirmed a fact whose rule needs confirmation before it earns points."""

    fact = models.CharField(
        _("履职事项"), max_length=24, choices=PointRule.Fact.choices
    )
    source_id = models.BigIntegerField(_("来源记录"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分确认")
        verbose_name_plural = _("积分确认")
        constraints = [
            models.UniqueConstraint(
                fields=["fact", "source_id"], name="point_confirmation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_fact_display()} #{self.source_id}"


class RankingSnapshotQuerySet(ScopedQuerySet):
    pass


class RankingSnapshot(models.Model):
    """晾晒: a ranking frozen and published on a public page."""

    title = models.CharField(_("标题"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("代表层级"), max_length=16, choices=Level.choices)
    rows = models.JSONField(_("排名"), default=list, editable=False)
    public_token = models.CharField(
        max_length=32, unique=True, editable=False, default=new_public_token
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = RankingSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分排名公示")
        verbose_name_plural = _("积分排名公示")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
