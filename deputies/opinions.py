"""民情民意: citizens' opinions — services (every write) and selectors (reads).

The life of an opinion::

    submit ─┬─ (sensitive word) ─ in_review ─┬─ release ─┐
            │                                └─ reject ─ rejected
            └──────────────────────────────────────────── received
    received / assigned ─┬─ reply ─ replied ─ close ─ closed
                         ├─ refer ─ referred ─ reply / close
                         └─ raise ─ raised (a suggestion draft) ─ close
    replied / closed ── rate (once, by the citizen's tracking code)

Every service is keyword-only, runs in one transaction, locks the row before it
checks the state, refuses a forbidden transition with a Chinese
``ValidationError`` and records the change in the audit log (and, through
django-simple-history, in the opinion's history).

An opinion that hit a sensitive word waits in review: it is not shown to the
deputy or the station until committee staff release it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import audit
from congress.fields import LANDLINE_RE
from congress.fields import PHONE_RE
from congress.fields import mask_phone
from congress.models import Notification
from congress.models import Organization
from congress.models import Region
from congress.models import User
from congress.notify import notification_schedule
from congress.rules import scoped_rule
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import OpinionCategory
from deputies.models import Satisfaction
from deputies.models import SensitiveWord
from deputies.models import StationAssignment

Status = CitizenOpinion.Status

# Reply periods for citizens' opinions (issue 3, part 5; DESIGN.md "Jobs": "citizen
# opinions without a reply after seven days"). Calendar days from the day the
# opinion was received (``received_at``: on submission, or when staff released it
# from review) — a citizen counts days, not working days.
OPINION_REMIND_AFTER_DAYS = 7
# The escalation to the station manager comes three days after the deputy's own
# reminder, so the deputy has a last chance to answer before the station steps in.
OPINION_ESCALATE_AFTER_DAYS = 10
OPINION_REMIND_KIND = "opinion_no_reply"
OPINION_ESCALATE_KIND = "opinion_escalate"

CONTENT_MIN_LENGTH = 5
CONTENT_MAX_LENGTH = 2000
REPLY_MIN_LENGTH = 2
REPLY_MAX_LENGTH = 2000

# States in which the opinion waits for its deputy or station.
OPEN_STATES = (Status.RECEIVED, Status.ASSIGNED)
# States the deputy and station never see.
HIDDEN_FROM_HANDLERS = (Status.IN_REVIEW, Status.REJECTED)

FULL_PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_phones_in_text(text: str) -> str:
    """Mask every mobile number a citizen or a deputy typed into free text."""
    return FULL_PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text or "")


# ---------------------------------------------------------------------------
# Sensitive words.
# ---------------------------------------------------------------------------


def _ancestor_codes(region: Region) -> list[str]:
    """The full codes of the region and every region above it (prefix arithmetic)."""
    return sorted({Region.full_code(region.code[:n]) for n in (2, 4, 6, 9, 12)})


def sensitive_word_list_for(*, region: Region) -> list[str]:
    """The active words that apply in a region: the words without a region, and
    those of the region or any region above it. One query."""
    return list(
        SensitiveWord.objects.filter(is_active=True)
        .filter(Q(region__isnull=True) | Q(region__code__in=_ancestor_codes(region)))
        .order_by("word")
        .values_list("word", flat=True)
        .distinct()
    )


def _normalize(text: str) -> str:
    # Spaces and case do not hide a word ("法 轮" or upper-case Latin letters).
    return re.sub(r"\s+", "", text or "").casefold()


def sensitive_hits(text: str, words: list[str]) -> list[str]:
    """The words found in the text, sorted (spaces and case ignored)."""
    haystack = _normalize(text)
    return sorted({w for w in words if _normalize(w) and _normalize(w) in haystack})


# ---------------------------------------------------------------------------
# Who may handle an opinion.
# ---------------------------------------------------------------------------


def deputy_of(user) -> Deputy | None:
    """The user's Deputy record, if any."""
    try:
        return user.deputy
    except (Deputy.DoesNotExist, AttributeError):
        return None


def opinion_is_addressed_to(user, opinion: CitizenOpinion) -> bool:
    """The user is the deputy addressed, the station's manager, or (for an opinion
    left with a station for no one in particular) a deputy grouped into it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if opinion.status in HIDDEN_FROM_HANDLERS:
        return False
    if opinion.deputy_id is not None and opinion.deputy.user_id == user.pk:
        return True
    if opinion.station_id is None:
        return False
    if opinion.station.manager_id == user.pk:
        return True
    if opinion.deputy_id is None:
        return StationAssignment.objects.filter(
            station_id=opinion.station_id, deputy__user=user
        ).exists()
    return False


def opinion_is_staff_over(user, opinion: CitizenOpinion) -> bool:
    """The user is committee staff (an admin role) who may change opinions in the
    opinion's region. A station manager's model permission is not enough: their
    reach is their stations, not their scope region."""
    return bool(getattr(user, "works_in_admin", False)) and scoped_rule("change")(
        user, opinion
    )


def opinion_may_handle(user, opinion: CitizenOpinion) -> bool:
    """Committee staff over the opinion's region, or someone it is addressed to."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return opinion_is_staff_over(user, opinion) or opinion_is_addressed_to(
        user, opinion
    )


def _require_handler(user, opinion: CitizenOpinion) -> None:
    if not opinion_may_handle(user, opinion):
        raise ValidationError(_("您无权处理这条群众意见。"))


def _require_staff(user, opinion: CitizenOpinion) -> None:
    if not opinion_is_staff_over(user, opinion):
        raise ValidationError(_("只有本辖区人大常委会工作人员才能审核群众意见。"))


def _locked(opinion: CitizenOpinion) -> CitizenOpinion:
    return (
        CitizenOpinion.objects.select_for_update(of=("self",))
        .select_related("station", "deputy", "region")
        .get(pk=opinion.pk)
    )


def _refuse(opinion: CitizenOpinion, action: str) -> ValidationError:
    return ValidationError(
        _("这条意见当前状态为“%(status)s”,不能%(action)s。")
        % {"status": opinion.get_status_display(), "action": action}
    )


def _record(opinion: CitizenOpinion, *, actor, transition: str, **detail) -> None:
    audit.state_change_event(
        user=actor, obj=opinion, transition=f"opinion.{transition}", detail=detail
    )


# ---------------------------------------------------------------------------
# Services.
# ---------------------------------------------------------------------------


def _active_deputy(deputy: Deputy) -> bool:
    return deputy.mandates.filter(status=Mandate.Status.ACTIVE).exists()


@transaction.atomic
def opinion_submit(
    *,
    content: str,
    station: LiaisonStation | None = None,
    deputy: Deputy | None = None,
    name: str = "",
    phone: str = "",
    phone_consent: bool = False,
    category: str = OpinionCategory.OTHER,
    channel: str = CitizenOpinion.Channel.QR,
) -> CitizenOpinion:
    """Record a citizen's opinion for a station or a deputy; return it (its
    ``tracking_code`` is what the citizen keeps).

    The phone is optional; given, it must be a mobile or landline number and the
    citizen must consent to be contacted. The text is screened against the active
    sensitive words of the region: a hit sends the opinion to review (not to the
    deputy), otherwise it is received at once.
    """
    content = (content or "").strip()
    name = (name or "").strip()
    phone = re.sub(r"[\s-]", "", phone or "") if phone else ""
    errors: dict[str, list[str]] = {}
    if station is None and deputy is None:
        raise ValidationError(_("请从联络站或代表的二维码页面留言。"))
    if station is not None and not station.is_active:
        raise ValidationError(_("该联络站已停用,不能留言。"))
    if deputy is not None and not _active_deputy(deputy):
        raise ValidationError(_("该代表已不在任,不能留言。"))
    if len(content) < CONTENT_MIN_LENGTH:
        errors["content"] = [
            _("请把您反映的问题写清楚,至少%(n)s个字。") % {"n": CONTENT_MIN_LENGTH}
        ]
    elif len(content) > CONTENT_MAX_LENGTH:
        errors["content"] = [_("内容不能超过%(n)s个字。") % {"n": CONTENT_MAX_LENGTH}]
    if len(name) > 50:
        errors["name"] = [_("姓名不能超过50个字。")]
    if phone and not (PHONE_RE.match(phone) or LANDLINE_RE.match(phone)):
        errors["phone"] = [
            _("请输入11位手机号码或带区号的固定电话,例如13812341234或0739-1234567。")
        ]
    elif phone and not phone_consent:
        errors["phone_consent"] = [
            _("留下电话号码须勾选“同意代表通过此号码联系我”;不愿留电话可以不填。")
        ]
    if category not in OpinionCategory.values:
        errors["category"] = [_("请选择意见类别。")]
    if errors:
        raise ValidationError(errors)

    if station is None and deputy is not None:
        # Citizens reach a deputy through the station: the deputy's first station
        # handles and escalates what they are not answering.
        station = (
            LiaisonStation.objects.filter(
                is_active=True, stationassignment__deputy=deputy
            )
            .order_by("-stationassignment__is_leader", "pk")
            .first()
        )
    region = station.region if station is not None else deputy.region
    hits = sensitive_hits(f"{name}\n{content}", sensitive_word_list_for(region=region))
    now = timezone.now()
    opinion = CitizenOpinion(
        channel=channel,
        station=station,
        deputy=deputy,
        region=region,
        name=name,
        phone=phone,
        phone_consent=bool(phone and phone_consent),
        content=content,
        category=category,
        status=Status.IN_REVIEW if hits else Status.RECEIVED,
        sensitive_hits=hits,
        received_at=None if hits else now,
    )
    opinion.full_clean()
    opinion.save()
    _record(opinion, actor=None, transition="submit", status=opinion.status)
    return opinion


@transaction.atomic
def opinion_review_release(*, opinion: CitizenOpinion, actor: User) -> CitizenOpinion:
    """Release an opinion held for a sensitive word: it is received from now."""
    opinion = _locked(opinion)
    _require_staff(actor, opinion)
    if opinion.status != Status.IN_REVIEW:
        raise _refuse(opinion, _("审核通过"))
    opinion.status = Status.RECEIVED
    opinion.received_at = timezone.now()
    opinion.save(update_fields=["status", "received_at", "updated_at"])
    _record(opinion, actor=actor, transition="release")
    return opinion


@transaction.atomic
def opinion_review_reject(
    *, opinion: CitizenOpinion, actor: User, note: str
) -> CitizenOpinion:
    """Refuse an opinion held in review, with the reason the citizen will read."""
    opinion = _locked(opinion)
    _require_staff(actor, opinion)
    if opinion.status != Status.IN_REVIEW:
        raise _refuse(opinion, _("不予受理"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"review_note": [_("请填写不予受理的理由。")]})
    if len(note) > 200:
        raise ValidationError({"review_note": [_("理由不能超过200个字。")]})
    opinion.status = Status.REJECTED
    opinion.review_note = note
    opinion.save(update_fields=["status", "review_note", "updated_at"])
    _record(opinion, actor=actor, transition="reject")
    return opinion


@transaction.atomic
def opinion_assign(
    *, opinion: CitizenOpinion, deputy: Deputy, actor: User
) -> CitizenOpinion:
    """Give an opinion to one deputy (staff, or the station's manager), who must
    serve and, for a station's opinion, be grouped into that station."""
    opinion = _locked(opinion)
    _require_handler(actor, opinion)
    if opinion.status not in OPEN_STATES:
        raise _refuse(opinion, _("分派"))
    if not _active_deputy(deputy):
        raise ValidationError(_("该代表已不在任,不能分派。"))
    if (
        opinion.station_id is not None
        and not StationAssignment.objects.filter(
            station_id=opinion.station_id, deputy=deputy
        ).exists()
    ):
        raise ValidationError(_("只能分派给编入本联络站的代表。"))
    opinion.deputy = deputy
    opinion.status = Status.ASSIGNED
    opinion.save(update_fields=["deputy", "status", "updated_at"])
    _record(opinion, actor=actor, transition="assign", deputy=deputy.pk)
    return opinion


@transaction.atomic
def opinion_reply(
    *, opinion: CitizenOpinion, actor: User, reply: str
) -> CitizenOpinion:
    """Answer the citizen publicly (the tracking page shows the reply)."""
    opinion = _locked(opinion)
    _require_handler(actor, opinion)
    if opinion.status not in (*OPEN_STATES, Status.REFERRED):
        raise _refuse(opinion, _("答复"))
    reply = (reply or "").strip()
    if len(reply) < REPLY_MIN_LENGTH:
        raise ValidationError({"reply": [_("请填写答复内容。")]})
    if len(reply) > REPLY_MAX_LENGTH:
        raise ValidationError(
            {"reply": [_("答复不能超过%(n)s个字。") % {"n": REPLY_MAX_LENGTH}]}
        )
    opinion.reply = reply
    opinion.replied_at = timezone.now()
    opinion.replied_by = actor
    opinion.status = Status.REPLIED
    opinion.save(
        update_fields=["reply", "replied_at", "replied_by", "status", "updated_at"]
    )
    _record(opinion, actor=actor, transition="reply")
    return opinion


def opinion_unit_choices(*, opinion: CitizenOpinion, user) -> QuerySet[Organization]:
    """Units an opinion may be referred to: active units of the opinion's county
    (or of its own region when it sits above a county), and — for committee
    staff — only those within their scope as well."""
    scope = opinion.region.county or opinion.region
    units = Organization.objects.filter(is_active=True).in_region(scope)
    if getattr(user, "works_in_admin", False):
        units = units & Organization.objects.visible_to(user)
    return units.select_related("region").order_by("name")


@transaction.atomic
def opinion_refer(
    *, opinion: CitizenOpinion, actor: User, unit: Organization, note: str = ""
) -> CitizenOpinion:
    """Refer the opinion to a unit (转交单位办理); ``note`` is a public explanation."""
    opinion = _locked(opinion)
    _require_handler(actor, opinion)
    if opinion.status not in OPEN_STATES:
        raise _refuse(opinion, _("转交单位"))
    if (
        not opinion_unit_choices(opinion=opinion, user=actor)
        .filter(pk=unit.pk)
        .exists()
    ):
        raise ValidationError({"unit": [_("只能转交给本县(市、区)范围内的有效单位。")]})
    note = (note or "").strip()
    if len(note) > REPLY_MAX_LENGTH:
        raise ValidationError(
            {"note": [_("说明不能超过%(n)s个字。") % {"n": REPLY_MAX_LENGTH}]}
        )
    opinion.referred_to = unit
    opinion.status = Status.REFERRED
    update = ["referred_to", "status", "updated_at"]
    if note:
        opinion.reply = note
        update.append("reply")
    opinion.save(update_fields=update)
    _record(opinion, actor=actor, transition="refer", unit=unit.pk)
    return opinion


@transaction.atomic
def opinion_raise(
    *, opinion: CitizenOpinion, actor: User, deputy: Deputy | None = None
) -> CitizenOpinion:
    """Raise the opinion as a draft suggestion of a deputy (the actor's own, unless
    staff name one); the suggestions app keeps the link from the draft."""
    opinion = _locked(opinion)
    _require_handler(actor, opinion)
    if opinion.status not in OPEN_STATES:
        raise _refuse(opinion, _("转为代表建议"))
    deputy = deputy or deputy_of(actor) or opinion.deputy
    if deputy is None:
        raise ValidationError(_("转为代表建议须指定领衔代表。"))
    if not _active_deputy(deputy):
        raise ValidationError(_("该代表已不在任,不能领衔提出建议。"))
    opinion.status = Status.RAISED
    if opinion.deputy_id is None:
        opinion.deputy = deputy
    opinion.save(update_fields=["status", "deputy", "updated_at"])
    draft = _suggestion_draft_from_opinion(opinion=opinion, deputy=deputy, actor=actor)
    _record(
        opinion,
        actor=actor,
        transition="raise",
        deputy=deputy.pk,
        suggestion=getattr(draft, "pk", None),
    )
    return opinion


def _suggestion_draft_from_opinion(*, opinion, deputy, actor):
    """Ask the suggestions app for a draft (deputies may not import it at load
    time: the dependency points from suggestions to deputies)."""
    try:
        from suggestions.services import suggestion_draft_from_opinion
    except ImportError:
        # TODO(suggestions): the suggestions app provides
        # suggestion_draft_from_opinion(*, opinion, deputy, actor); until it does,
        # raising only marks the opinion (the draft is created once it exists).
        return None
    return suggestion_draft_from_opinion(opinion=opinion, deputy=deputy, actor=actor)


@transaction.atomic
def opinion_close(*, opinion: CitizenOpinion, actor: User) -> CitizenOpinion:
    """Close an opinion that was answered, referred or raised (办结)."""
    opinion = _locked(opinion)
    _require_handler(actor, opinion)
    if opinion.status not in (Status.REPLIED, Status.REFERRED, Status.RAISED):
        raise _refuse(opinion, _("办结"))
    opinion.status = Status.CLOSED
    opinion.save(update_fields=["status", "updated_at"])
    _record(opinion, actor=actor, transition="close")
    return opinion


def normalize_tracking_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", code or "").upper()


@transaction.atomic
def opinion_rate(
    *, tracking_code: str, satisfaction: str, comment: str = ""
) -> CitizenOpinion:
    """The citizen rates the reply, once, by the tracking code."""
    opinion = (
        CitizenOpinion.objects.select_for_update()
        .filter(tracking_code=normalize_tracking_code(tracking_code))
        .first()
    )
    if opinion is None:
        raise ValidationError(_("查询码不存在,请核对后重新输入。"))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("请选择满意、基本满意或不满意。")]})
    if opinion.replied_at is None or opinion.status not in (
        Status.REPLIED,
        Status.CLOSED,
    ):
        raise ValidationError(_("代表答复后才能评价。"))
    if opinion.satisfaction:
        raise ValidationError(_("您已评价过这条意见,每条意见只能评价一次。"))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": [_("评价意见不能超过500个字。")]})
    opinion.satisfaction = satisfaction
    opinion.satisfaction_comment = comment
    opinion.rated_at = timezone.now()
    opinion.save(
        update_fields=[
            "satisfaction",
            "satisfaction_comment",
            "rated_at",
            "updated_at",
        ]
    )
    _record(opinion, actor=None, transition="rate", satisfaction=satisfaction)
    return opinion


# ---------------------------------------------------------------------------
# Reminders.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRun:
    reminded: int
    escalated: int


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _not_yet_notified(kind: str):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(CitizenOpinion)
    return ~Exists(
        Notification.objects.filter(
            kind=kind, content_type=content_type, object_id=OuterRef("pk")
        )
    )


def _overdue(*, today: datetime.date, days: int, kind: str, batch_size: int):
    # Received on day D: overdue from D + days, i.e. received before the start of
    # day (today - days + 1).
    cutoff = _day_start(today - datetime.timedelta(days=days - 1))
    return (
        CitizenOpinion.objects.filter(status__in=OPEN_STATES, received_at__lt=cutoff)
        .filter(_not_yet_notified(kind))
        .select_related("deputy__user", "station__manager")
        .order_by("received_at", "pk")[:batch_size]
    )


def opinion_remind_overdue(
    *, today: datetime.date, batch_size: int = 500
) -> ReminderRun:
    """Remind deputies of opinions unanswered 7 days after they were received, and
    escalate to the station manager after 10.

    Idempotent: each reminder is one Notification keyed by (kind, opinion,
    recipient, due date) with the due date fixed by the day the opinion was
    received, so a run repeated the same day or the next sends nothing more.
    Bounded: at most ``batch_size`` of each per run; opinions already notified are
    skipped in SQL, so the next run takes the rest.
    """
    reminded = escalated = 0
    for opinion in _overdue(
        today=today,
        days=OPINION_REMIND_AFTER_DAYS,
        kind=OPINION_REMIND_KIND,
        batch_size=batch_size,
    ):
        recipient = opinion.deputy.user if opinion.deputy_id else None
        if recipient is None and opinion.station_id:
            # Left with the station for no one in particular: its manager answers.
            recipient = opinion.station.manager
        if recipient is None:
            continue
        received = timezone.localdate(opinion.received_at)
        _notification, created = notification_schedule(
            recipient=recipient,
            kind=OPINION_REMIND_KIND,
            obj=opinion,
            due_date=received + datetime.timedelta(days=OPINION_REMIND_AFTER_DAYS),
            title=_("群众意见%(code)s已受理%(days)s天仍未答复,请尽快答复。")
            % {"code": opinion.tracking_code, "days": OPINION_REMIND_AFTER_DAYS},
            url=_portal_url(opinion),
        )
        reminded += created
    for opinion in _overdue(
        today=today,
        days=OPINION_ESCALATE_AFTER_DAYS,
        kind=OPINION_ESCALATE_KIND,
        batch_size=batch_size,
    ):
        manager = opinion.station.manager if opinion.station_id else None
        if manager is None:
            continue
        received = timezone.localdate(opinion.received_at)
        _notification, created = notification_schedule(
            recipient=manager,
            kind=OPINION_ESCALATE_KIND,
            obj=opinion,
            due_date=received + datetime.timedelta(days=OPINION_ESCALATE_AFTER_DAYS),
            title=_("群众意见%(code)s已受理%(days)s天仍未答复,请联络站督促代表办理。")
            % {"code": opinion.tracking_code, "days": OPINION_ESCALATE_AFTER_DAYS},
            url=_portal_url(opinion),
        )
        escalated += created
    return ReminderRun(reminded=reminded, escalated=escalated)


def _portal_url(opinion: CitizenOpinion) -> str:
    from django.urls import reverse

    return reverse("portal-opinion-detail", args=[opinion.pk])


# ---------------------------------------------------------------------------
# Selectors.
# ---------------------------------------------------------------------------


def opinion_list_for_handler(*, user, status: str = "") -> QuerySet[CitizenOpinion]:
    """The portal inbox: opinions addressed to the user as a deputy, left with a
    station they are grouped into (for no one in particular), or left with a
    station they manage. Never those in review or rejected.

    The user's deputy records and stations are read first (two small queries),
    so the opinions are found through their own indexes by literal ids: an OR
    over joined tables made PostgreSQL scan every opinion of the city.
    """
    if user is None or not user.is_authenticated:
        return CitizenOpinion.objects.none()
    deputy_ids = list(Deputy.objects.filter(user=user).values_list("pk", flat=True))
    assigned = StationAssignment.objects.filter(deputy_id__in=deputy_ids)
    managed = LiaisonStation.objects.filter(manager=user)
    stations = set(managed.values_list("pk", flat=True))
    grouped = (
        set(assigned.values_list("station_id", flat=True)) if deputy_ids else set()
    )
    mine = (
        Q(deputy_id__in=deputy_ids)
        | Q(station_id__in=stations)
        | Q(deputy__isnull=True, station_id__in=grouped)
    )
    queryset = (
        CitizenOpinion.objects.filter(mine)
        .exclude(status__in=HIDDEN_FROM_HANDLERS)
        .select_related("station", "deputy", "referred_to")
        .order_by("-created_at", "-pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def opinion_get_for_handler(*, user, pk: int) -> CitizenOpinion:
    """One opinion of the user's inbox; missing and forbidden are the same 404."""
    opinion = opinion_list_for_handler(user=user).filter(pk=pk).first()
    if opinion is None:
        raise Http404(_("没有找到这条群众意见,或您无权查看。"))
    return opinion


def opinion_get_by_code(*, code: str) -> CitizenOpinion | None:
    """The opinion a tracking code names, for the public tracking page."""
    code = normalize_tracking_code(code)
    if not code or len(code) > 16:
        return None
    return (
        CitizenOpinion.objects.filter(tracking_code=code)
        .select_related("station", "deputy", "referred_to")
        .first()
    )


def opinion_deputy_choices(*, opinion: CitizenOpinion) -> QuerySet[Deputy]:
    """Serving deputies grouped into the opinion's station (to assign it to)."""
    if opinion.station_id is None:
        return Deputy.objects.none()
    return (
        Deputy.objects.filter(
            stationassignment__station_id=opinion.station_id,
            mandates__status=Mandate.Status.ACTIVE,
        )
        .distinct()
        .order_by("name", "pk")
    )
