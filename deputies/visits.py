"""Services of 进站履职 (station visits) and 履职活动 (activities with attendance).

Every write goes through here: the deputy portal, the admin and the demo data call
these functions. ``deputies/services.py`` keeps the rosters and the checklist.

Who may log a visit for a station:

- a deputy, for a station they are grouped into (编组, ``StationAssignment``);
- a station manager, for the stations they manage;
- committee staff (``deputies.add_stationvisit``), for any station in their scope.

Deputies and station managers log within ``LOG_WINDOW_DAYS`` of the visit; staff may
backfill older visits (from the paper ledgers). Nobody logs a visit in the future.
"""

from __future__ import annotations

import datetime
import io
import uuid
import warnings
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from PIL import ImageOps
from PIL import UnidentifiedImageError

from congress import audit
from congress.models import User
from congress.scope import user_sees_everything
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationAssignment
from deputies.models import StationDuty
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VisitPhoto

# Photos: what a phone camera produces, checked by content (not by file name).
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDE = 1600  # pixels, the long side after shrinking
PHOTO_JPEG_QUALITY = 82
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# A decoded photo larger than this is refused before it is decoded in full (a
# "decompression bomb" is a small file that unpacks to gigabytes).
PHOTO_MAX_PIXELS = 50_000_000

# Deputies and station managers log a visit within this many days of it (local
# practice: the monthly ledger closes after a month); staff may backfill.
LOG_WINDOW_DAYS = 30


# ---------------------------------------------------------------------------
# Who may log where.
# ---------------------------------------------------------------------------


def deputy_of(user: User | None) -> Deputy | None:
    """The user's deputy record, or None (cached on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_visit_deputy"):
        user._visit_deputy = Deputy.objects.filter(user=user).first()
    return user._visit_deputy


def logs_as_staff(user: User) -> bool:
    """Staff (and the system admin) log for any station in scope and may backfill."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.works_in_admin)
        and user.has_perm("deputies.add_stationvisit")
    )


def station_list_for_logging(*, user: User) -> QuerySet[LiaisonStation]:
    """The active stations the user may log a visit for, by region and name.

    Staff: every station in their scope. A deputy or station manager: the stations
    they are grouped into or manage (their own, whatever their scope region).
    """
    stations = LiaisonStation.objects.filter(is_active=True)
    if logs_as_staff(user):
        stations = stations.visible_to(user)
    else:
        deputy = deputy_of(user)
        own = Q(manager=user)
        if deputy is not None:
            own |= Q(
                pk__in=StationAssignment.objects.filter(deputy=deputy).values(
                    "station_id"
                )
            )
        stations = stations.filter(own)
    return stations.select_related("region").order_by("region__code", "name", "pk")


def visit_default_station(
    *, user: User, today: datetime.date, stations: Sequence[LiaisonStation]
) -> LiaisonStation | None:
    """The station to preselect: the deputy's duty today, else their first station."""
    if not stations:
        return None
    deputy = deputy_of(user)
    if deputy is not None:
        on_duty = (
            StationDuty.objects.filter(
                date=today, deputies=deputy, station__in=[s.pk for s in stations]
            )
            .order_by("station_id")
            .values_list("station_id", flat=True)
            .first()
        )
        for station in stations:
            if station.pk == on_duty:
                return station
    return stations[0]


def station_group(*, station: LiaisonStation) -> QuerySet[Deputy]:
    """The deputies grouped into a station (编组), leaders first, by name."""
    return (
        Deputy.objects.filter(stationassignment__station=station)
        .order_by("-stationassignment__is_leader", "name", "pk")
        .only("pk", "name")
    )


# ---------------------------------------------------------------------------
# Photos.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, shrunk and re-encoded as JPEG without metadata."""

    content: bytes
    width: int
    height: int


def photo_prepare(upload, *, position: int = 1) -> PreparedPhoto:
    """Check one uploaded photo and return it shrunk, upright and without EXIF.

    The type is read from the content (JPEG, PNG or WebP; a renamed PDF is
    refused), the size is at most ``MAX_PHOTO_BYTES``, the long side is shrunk to
    ``PHOTO_MAX_SIDE`` pixels, the EXIF orientation is applied to the pixels and
    all metadata (GPS position, camera serial) is dropped.
    """
    name = getattr(upload, "name", "") or _("第%(n)s张") % {"n": position}
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过%(mb)sMB,请压缩后再上传。")
            % {"name": name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise ValidationError(_("照片“%(name)s”是空文件。") % {"name": name})
    upload.seek(0)
    data = upload.read()
    refused = ValidationError(
        _("“%(name)s”不是JPEG、PNG或WebP格式的照片,请重新选择。") % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in PHOTO_FORMATS:
                raise refused
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError(
                    _("照片“%(name)s”像素过大,请缩小后再上传。") % {"name": name}
                )
            probe.verify()  # a truncated or corrupt file fails here
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("照片“%(name)s”像素过大,请缩小后再上传。") % {"name": name}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise refused from exc

    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[3])
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return PreparedPhoto(content=out.getvalue(), width=image.width, height=image.height)


def photos_prepare(uploads: Iterable, *, existing: int = 0) -> list[PreparedPhoto]:
    """Check and shrink a visit's photos (at most ``MAX_PHOTOS`` in all)."""
    uploads = [u for u in uploads if u]
    if existing + len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            _("每条进站记录最多上传%(max)s张照片,您选择了%(count)s张。")
            % {"max": MAX_PHOTOS, "count": existing + len(uploads)}
        )
    return [photo_prepare(u, position=i) for i, u in enumerate(uploads, 1)]


# ---------------------------------------------------------------------------
# Logging a visit.
# ---------------------------------------------------------------------------


def _check_may_log(*, user: User, station: LiaisonStation) -> None:
    if not station.is_active:
        raise ValidationError(_("该联络站已停用,不能登记进站履职。"))
    if logs_as_staff(user):
        if not LiaisonStation.objects.visible_to(user).filter(pk=station.pk).exists():
            raise ValidationError(_("该联络站不在您的管辖范围内,不能登记进站履职。"))
        return
    if station.manager_id == user.pk:
        return
    deputy = deputy_of(user)
    if (
        deputy is not None
        and StationAssignment.objects.filter(station=station, deputy=deputy).exists()
    ):
        return
    raise ValidationError(
        _("您未编入“%(station)s”,不能为该联络站登记进站履职。")
        % {"station": station.name}
    )


def _check_date(*, user: User, date: datetime.date, today: datetime.date) -> None:
    if date > today:
        raise ValidationError({"date": _("进站日期不能晚于今天。")})
    if not logs_as_staff(user) and (today - date).days > LOG_WINDOW_DAYS:
        raise ValidationError(
            {
                "date": _(
                    "只能登记%(days)s天以内的进站履职;更早的记录请联系常委会工作人员补录。"
                )
                % {"days": LOG_WINDOW_DAYS}
            }
        )


@transaction.atomic
def visit_log(
    *,
    user: User,
    station: LiaisonStation,
    date: datetime.date,
    kind: str,
    deputies: Iterable[Deputy],
    voters_received: int = 0,
    summary: str,
    photos: Iterable = (),
    today: datetime.date | None = None,
) -> StationVisit:
    """Record a station visit with the deputies present and up to six photos.

    Refused, with a Chinese message and nothing written, when the user may not log
    for the station, the date is in the future (or, for deputies and station
    managers, older than ``LOG_WINDOW_DAYS``), a deputy present is not grouped into
    the station, a photo is not a JPEG/PNG/WebP image or too large, or the same
    record was just submitted. A deputy who logs is always among those present.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_may_log(user=user, station=station)
    try:
        _check_date(user=user, date=date, today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in StationVisit.Kind.values:
        errors["kind"] = [_("请选择履职类型。")]
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("请填写履职情况。")]
    if voters_received is None or int(voters_received) < 0:
        errors["voters_received"] = [_("接待选民人数不能为负数。")]
    try:
        prepared = photos_prepare(photos)
    except ValidationError as exc:
        errors["photos"] = exc.messages
    present = {d.pk: d for d in deputies}
    group = set(
        StationAssignment.objects.filter(station=station).values_list(
            "deputy_id", flat=True
        )
    )
    logger = deputy_of(user)
    if logger is not None and logger.pk in group:
        # A deputy of the station who logs a visit was there.
        present.setdefault(logger.pk, logger)
    outsiders = [d.name for pk, d in present.items() if pk not in group]
    if outsiders:
        errors["deputies"] = [
            _("%(names)s未编入该联络站,请从本站编组代表中选择。")
            % {"names": "、".join(outsiders)}
        ]
    elif not present:
        errors["deputies"] = [_("请至少选择一名到场代表。")]
    if errors:
        raise ValidationError(errors)

    # One station at a time: a double tap on "提交" must not log the visit twice.
    list(LiaisonStation.objects.select_for_update().filter(pk=station.pk).values("pk"))
    duplicate = StationVisit.objects.filter(
        station=station, date=date, kind=kind, summary=summary
    ).exists()
    if duplicate:
        raise ValidationError(_("同一天同一内容的进站记录已经登记过,请勿重复提交。"))

    visit = StationVisit(
        station=station,
        region_id=station.region_id,
        date=date,
        kind=kind,
        voters_received=int(voters_received or 0),
        summary=summary,
        logged_by=user,
    )
    visit.full_clean()
    visit.save()
    StationVisitDeputy.objects.bulk_create(
        [StationVisitDeputy(visit=visit, deputy_id=pk) for pk in sorted(present)]
    )
    for photo in prepared:
        visit_photo = VisitPhoto(visit=visit, width=photo.width, height=photo.height)
        visit_photo.image.save(
            f"{uuid.uuid4().hex}.jpg", ContentFile(photo.content), save=False
        )
        visit_photo.save()
    audit.state_change_event(
        user=user,
        obj=visit,
        transition="visit_log",
        detail={
            "station": station.pk,
            "date": f"{date:%Y-%m-%d}",
            "deputies": sorted(present),
            "photos": len(prepared),
        },
    )
    return visit


# ---------------------------------------------------------------------------
# Activities and attendance.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    """One deputy's attendance at an activity, as staff record it."""

    deputy: Deputy
    attendance: str
    note: str = ""


def attendance_check(*, activity_date: datetime.date, attendance: str, today) -> None:
    """Refuse an attendance that cannot be true: present or absent before the day."""
    if attendance not in ActivityParticipant.Attendance.values:
        raise ValidationError(_("出席情况无效。"))
    if activity_date > today and attendance in (
        ActivityParticipant.Attendance.PRESENT,
        ActivityParticipant.Attendance.ABSENT,
    ):
        raise ValidationError(_("活动尚未举行,不能登记出席或缺席;可以先登记请假。"))


def _check_activity_staff(*, activity: Activity, actor: User) -> None:
    if not actor.has_perm("deputies.change_activity", activity):
        raise ValidationError(_("您无权登记该活动的出席情况。"))


@transaction.atomic
def activity_attendance_record(
    *,
    activity: Activity,
    entries: Sequence[AttendanceEntry],
    actor: User,
    removed: Sequence[Deputy] = (),
    today: datetime.date | None = None,
) -> list[ActivityParticipant]:
    """Record (add or change) deputies' attendance at an activity, and uninvite.

    Staff only, within their scope, for deputies within their scope. Attendance
    before the activity's day can only be "on leave" or "not recorded". A deputy
    who appears twice is refused. Each change is kept in the history.
    """
    today = today or timezone.localdate()
    _check_activity_staff(activity=activity, actor=actor)
    seen: set[int] = set()
    for entry in entries:
        if entry.deputy.pk in seen:
            raise ValidationError(_("%(name)s重复出现。") % {"name": entry.deputy.name})
        seen.add(entry.deputy.pk)
        attendance_check(
            activity_date=activity.date, attendance=entry.attendance, today=today
        )
    visible = set(
        Deputy.objects.visible_to(actor)
        .filter(pk__in=seen)
        .values_list("pk", flat=True)
    )
    outside = [e.deputy.name for e in entries if e.deputy.pk not in visible]
    if outside and not user_sees_everything(actor):
        raise ValidationError(
            _("%(names)s不在您的管辖范围内。") % {"names": "、".join(outside)}
        )
    current = {
        p.deputy_id: p
        for p in ActivityParticipant.objects.select_for_update().filter(
            activity=activity
        )
    }
    saved: list[ActivityParticipant] = []
    changes: list[dict] = []
    for entry in entries:
        participant = current.get(entry.deputy.pk)
        if participant is None:
            participant = ActivityParticipant(activity=activity, deputy=entry.deputy)
        elif (
            participant.attendance == entry.attendance
            and participant.note == entry.note
        ):
            saved.append(participant)
            continue
        participant.attendance = entry.attendance
        participant.note = entry.note
        participant.save()
        saved.append(participant)
        changes.append({"deputy": entry.deputy.pk, "attendance": entry.attendance})
    removed_ids = [d.pk for d in removed if d.pk in current and d.pk not in seen]
    for pk in removed_ids:
        current[pk].delete()
    if changes or removed_ids:
        audit.state_change_event(
            user=actor,
            obj=activity,
            transition="activity_attendance_record",
            detail={"changes": changes, "removed": removed_ids},
        )
    return saved


@transaction.atomic
def activity_attendance_mark_all_present(
    *, activities: Iterable[Activity], actor: User, today: datetime.date | None = None
) -> int:
    """Mark every not-yet-recorded participant of held activities present.

    Recorded absences and leave stay as they are; activities still to come are
    skipped. Returns how many participants changed.
    """
    today = today or timezone.localdate()
    changed = 0
    for activity in activities:
        if activity.date > today:
            continue
        _check_activity_staff(activity=activity, actor=actor)
        pending = list(
            ActivityParticipant.objects.select_for_update()
            .filter(
                activity=activity, attendance=ActivityParticipant.Attendance.INVITED
            )
            .select_related("deputy")
        )
        if not pending:
            continue
        activity_attendance_record(
            activity=activity,
            entries=[
                AttendanceEntry(
                    deputy=p.deputy,
                    attendance=ActivityParticipant.Attendance.PRESENT,
                    note=p.note,
                )
                for p in pending
            ],
            actor=actor,
            today=today,
        )
        changed += len(pending)
    return changed
