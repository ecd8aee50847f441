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
