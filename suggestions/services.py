"""Every write and state change of the suggestions work (三审五办一测评).

Each service is keyword-only and atomic, locks the suggestion (``select_for_update``)
before it checks the state, refuses a forbidden step with a Chinese
``ValidationError`` (changing nothing), writes one ``SuggestionEvent`` and schedules
notifications after commit. The statutory periods come from ``congress.calendar``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import audit
from congress.calendar import co_unit_view_due
from congress.calendar import reassignment_request_due
from congress.calendar import rehandling_due
from congress.calendar import reply_due
from congress.models import Organization
from congress.models import Region
from congress.models import Session
from congress.models import User
from congress.notify import notification_schedule
from congress.roles import Role
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from suggestions import search
from suggestions.events import suggestion_event_record
from suggestions.models import REVIEW_ORDER
from suggestions.models import Assignment
from suggestions.models import Category
from suggestions.models import Commitment
from suggestions.models import Evaluation
from suggestions.models import HandlingStep
from suggestions.models import Reply
from suggestions.models import ResultClass
from suggestions.models import Review
from suggestions.models import Suggestion
from suggestions.models import SuggestionAttachment
from suggestions.models import SuggestionEvent
from suggestions.models import SuggestionSigner

Status = Suggestion.Status
Kind = SuggestionEvent.Kind
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".png"}


# ---------------------------------------------------------------------------
# Who may act.
# ---------------------------------------------------------------------------


def is_committee_staff(user: User | None) -> bool:
    """Committee staff and system admins do the reviews and assignments."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.STAFF)
            or user.has_role(Role.SYSTEM_ADMIN)
        )
    )


def _require_staff(actor: User, suggestion: Suggestion) -> None:
    if not is_committee_staff(actor) or not (
        Suggestion.objects.visible_to(actor).filter(pk=suggestion.pk).exists()
    ):
        raise ValidationError(_("只有本级人大常委会工作人员可以办理这一步。"))


def _deputy_of(actor: User) -> Deputy | None:
    return Deputy.objects.filter(user=actor).first() if actor else None


def _require_lead(actor: User, suggestion: Suggestion) -> Deputy:
    deputy = _deputy_of(actor)
    if deputy is None or deputy.pk != suggestion.lead_deputy_id:
        raise ValidationError(_("只有领衔代表可以办理这一步。"))
    return deputy


def _require_unit(actor: User, assignment: Assignment) -> None:
    if not (
        actor is not None
        and actor.is_authenticated
        and actor.has_role(Role.UNIT_LIAISON)
        and actor.organization_id == assignment.unit_id
    ):
        raise ValidationError(_("只有承办单位的联络员可以办理这一步。"))
    if not assignment.is_active:
        raise ValidationError(_("这件交办已撤回,不能再办理。"))


def _lock(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


def _lock_assignment(assignment: Assignment) -> tuple[Assignment, Suggestion]:
    # Suggestion first, then the assignment: the same order in every service.
    suggestion = _lock(assignment.suggestion)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    locked.suggestion = suggestion
    return locked, suggestion


def _save(obj, fields: Sequence[str] | None = None) -> None:
    obj.full_clean(exclude=["search_vector"] if isinstance(obj, Suggestion) else None)
    obj.save(update_fields=fields)


def _index(suggestion: Suggestion) -> None:
    """Keep the search vector in step with the title and content."""
    if search.uses_tsvector():
        Suggestion.objects.filter(pk=suggestion.pk).update(
            search_vector=search.search_vector_expression(
                title=suggestion.title, content=suggestion.content
            )
        )


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------
# Notifications.
# ---------------------------------------------------------------------------


def _notify(
    users: Iterable[User | None],
    *,
    kind: str,
    obj,
    title: str,
    url: str = "",
    due_date: datetime.date | None = None,
) -> None:
    due = due_date or _today()
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notification_schedule(
            recipient=user, kind=kind, obj=obj, due_date=due, title=title, url=url
        )


def deputies_to_answer(suggestion: Suggestion) -> list[Deputy]:
    """The lead deputy, the confirmed co-signers, and the deputies of the
    suggestions merged into this one (并案: each of them is still answered)."""
    deputies = [suggestion.lead_deputy]
    deputies += [
        s.deputy
        for s in suggestion.signatures.select_related("deputy__user").filter(
            confirmed_at__isnull=False
        )
    ]
    for merged in suggestion.merged_suggestions.select_related("lead_deputy__user"):
        deputies.append(merged.lead_deputy)
    unique: dict[int, Deputy] = {}
    for deputy in deputies:
        unique.setdefault(deputy.pk, deputy)
    return list(unique.values())


def unit_liaisons(unit_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            organization_id__in=list(unit_ids),
            is_active=True,
            groups__name=Role.UNIT_LIAISON.value,
        ).distinct()
    )


def _portal_url(suggestion: Suggestion) -> str:
    return reverse("suggestions:portal-detail", args=[suggestion.pk])


def _unit_url(assignment: Assignment) -> str:
    return reverse("suggestions:unit-detail", args=[assignment.pk])


# ---------------------------------------------------------------------------
# Drafting and co-signing (the deputy portal).
# ---------------------------------------------------------------------------


def _region_for(deputy: Deputy, session: Session | None) -> Region:
    """The congress the suggestion goes to: the session's, or the deputy's county."""
    if session is not None:
        return session.term.region
    return deputy.region.county or deputy.region


def _check_text(title: str, content: str) -> None:
    if not (title or "").strip():
        raise ValidationError(_("请填写建议标题。"))
    if len((content or "").strip()) < 10:
        raise ValidationError(_("建议内容太短,请写明问题、原因和具体建议。"))


@transaction.atomic
def suggestion_create(
    *,
    deputy: Deputy,
    actor: User,
    title: str,
    content: str,
    category: str = Category.OTHER,
    session: Session | None = None,
    opinions: Iterable[CitizenOpinion] = (),
) -> Suggestion:
    """Start a draft for ``deputy`` (the deputy themself or staff helping them)."""
    own = _deputy_of(actor)
    if (own is None or own.pk != deputy.pk) and not is_committee_staff(actor):
        raise ValidationError(_("只能为自己起草建议。"))
    _check_text(title, content)
    if session is not None and session.kind != Session.Kind.CONGRESS:
        raise ValidationError(_("大会期间的建议只能属于人民代表大会会议。"))
    suggestion = Suggestion(
        title=title.strip(),
        content=content.strip(),
        category=category,
        session=session,
        lead_deputy=deputy,
        region=_region_for(deputy, session),
    )
    _save(suggestion)
    opinions = list(opinions)
    if opinions:
        suggestion.citizen_opinions.add(*opinions)
    _index(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.CREATED,
        actor=actor,
        detail={"opinions": [o.pk for o in opinions]},
    )
    return suggestion


@transaction.atomic
def suggestion_draft_from_opinion(
    *, opinion: CitizenOpinion, deputy: Deputy, actor: User
) -> Suggestion:
    """Draft a suggestion for ``deputy`` from a citizen opinion, linked to it.

    The opinion's own status (raised as a suggestion) is the deputies app's to set.
    """
    content = opinion.content.strip()
    subject = re.split(r"[,。,.;;!!??\s]", content, maxsplit=1)[0][:30]
    title = _("关于%(subject)s的建议") % {"subject": subject}
    category = (
        opinion.category if opinion.category in Category.values else Category.OTHER
    )
    if len(content) < 10:
        content = _("群众反映:%(content)s") % {"content": content}
    return suggestion_create(
        deputy=deputy,
        actor=actor,
        title=title,
        content=content,
        category=category,
        opinions=[opinion],
    )


@transaction.atomic
def suggestion_update(
    *,
    suggestion: Suggestion,
    actor: User,
    title: str,
    content: str,
    category: str,
    session: Session | None = None,
) -> Suggestion:
    """Edit a draft, or a suggestion returned for revision (lead deputy only)."""
    suggestion = _lock(suggestion)
    _require_lead(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(_("建议已提交,不能再修改。"))
    _check_text(title, content)
    if suggestion.number and session != suggestion.session:
        raise ValidationError(_("已编号的建议不能改变所属会议。"))
    suggestion.title = title.strip()
    suggestion.content = content.strip()
    suggestion.category = category
    suggestion.session = session
    suggestion.region = _region_for(suggestion.lead_deputy, session)
    _save(suggestion)
    _index(suggestion)
    return suggestion


@transaction.atomic
def suggestion_attach(
    *, suggestion: Suggestion, actor: User, file: UploadedFile
) -> SuggestionAttachment:
    """Attach a file to a draft (lead deputy)."""
    suggestion = _lock(suggestion)
    _require_lead(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(_("建议已提交,不能再添加附件。"))
    return _attachment_create(suggestion=suggestion, reply=None, actor=actor, file=file)


def _attachment_create(*, suggestion, reply, actor, file) -> SuggestionAttachment:
    name = file.name.rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("附件只能是 PDF、Word、Excel 或图片(%(types)s)。")
            % {"types": "、".join(sorted(ATTACHMENT_EXTENSIONS))}
        )
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("附件不能超过 10 MB。"))
    attachment = SuggestionAttachment(
        suggestion=suggestion, reply=reply, file=file, name=name, uploaded_by=actor
    )
    attachment.save()
    return attachment


@transaction.atomic
def suggestion_guide(*, suggestion: Suggestion, actor: User, note: str) -> None:
    """Record staff guidance on a draft before it is submitted (选题指导)."""
    suggestion = _lock(suggestion)
    _require_staff(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(_("只能对尚未提交的建议进行选题指导。"))
    if not note.strip():
        raise ValidationError(_("请填写指导意见。"))
    suggestion_event_record(
        suggestion=suggestion, kind=Kind.GUIDANCE, actor=actor, note=note.strip()
    )
    user = suggestion.lead_deputy.user
    _notify(
        [user],
        kind="suggestion_guidance",
        obj=suggestion,
        title=_("您的建议草稿收到选题指导意见"),
        url=_portal_url(suggestion),
        due_date=_today(),
    )


@transaction.atomic
def signer_invite(
    *, suggestion: Suggestion, actor: User, deputy: Deputy
) -> SuggestionSigner:
    """Invite a deputy to co-sign (联名); their signature counts once confirmed."""
    suggestion = _lock(suggestion)
    _require_lead(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(_("建议已提交,不能再邀请联名代表。"))
    if deputy.pk == suggestion.lead_deputy_id:
        raise ValidationError(_("领衔代表不必联名自己的建议。"))
    if suggestion.signatures.filter(deputy=deputy).exists():
        raise ValidationError(_("已经邀请过这位代表。"))
    signer = SuggestionSigner.objects.create(suggestion=suggestion, deputy=deputy)
    _notify(
        [deputy.user],
        kind="suggestion_cosign_invite",
        obj=suggestion,
        title=_("%(name)s代表邀请您联名提出建议:%(title)s")
        % {"name": suggestion.lead_deputy.name, "title": suggestion.title},
        url=_portal_url(suggestion),
    )
    return signer


@transaction.atomic
def signer_remove(*, suggestion: Suggestion, actor: User, deputy: Deputy) -> None:
    """Withdraw an invitation or a signature while the draft is still editable."""
    suggestion = _lock(suggestion)
    _require_lead(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(_("建议已提交,联名代表不能再变动。"))
    deleted, _rows = suggestion.signatures.filter(deputy=deputy).delete()
    if not deleted:
        raise ValidationError(_("这位代表不在联名名单中。"))


@transaction.atomic
def signer_confirm(*, suggestion: Suggestion, actor: User) -> SuggestionSigner:
    """The invited deputy confirms their signature."""
    suggestion = _lock(suggestion)
    deputy = _deputy_of(actor)
    signer = (
        suggestion.signatures.select_for_update().filter(deputy=deputy).first()
        if deputy
        else None
    )
    if signer is None:
        raise ValidationError(_("您没有被邀请联名这件建议。"))
    if not suggestion.is_editable:
        raise ValidationError(_("建议已提交,不能再确认联名。"))
    if signer.confirmed_at is not None:
        raise ValidationError(_("您已经确认过联名。"))
    signer.confirmed_at = timezone.now()
    signer.save(update_fields=["confirmed_at"])
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.SIGNED,
        actor=actor,
        detail={"deputy": deputy.name},
    )
    return signer


def _next_number(suggestion: Suggestion) -> tuple[int, int]:
    """The next 第N号: per session, or per county and year in the intersession.

    The session (or county) row is locked so two submissions cannot take the
    same number.
    """
    if suggestion.session_id:
        session = Session.objects.select_for_update().get(pk=suggestion.session_id)
        used = Suggestion.objects.filter(session=session).aggregate(m=Max("number"))
        return (used["m"] or 0) + 1, session.start_date.year
    year = _today().year
    Region.objects.select_for_update().get(pk=suggestion.region_id)
    used = Suggestion.objects.filter(
        session__isnull=True, region_id=suggestion.region_id, year=year
    ).aggregate(m=Max("number"))
    return (used["m"] or 0) + 1, year


@transaction.atomic
def suggestion_submit(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """Submit a draft (or resubmit a returned suggestion) to the three reviews.

    Every invited co-signer must have confirmed. A first submission takes the
    next number; a resubmission resumes at the review stage that returned it.
    """
    suggestion = _lock(suggestion)
    _require_lead(actor, suggestion)
    if not suggestion.is_editable:
        raise ValidationError(
            _("状态为“%(status)s”的建议不能提交。")
            % {"status": suggestion.get_status_display()}
        )
    if suggestion.signatures.filter(confirmed_at__isnull=True).exists():
        raise ValidationError(_("还有联名代表没有确认,请等待确认或移除后再提交。"))
    resubmitted = suggestion.status == Status.RETURNED
    if not suggestion.number:
        suggestion.number, suggestion.year = _next_number(suggestion)
    suggestion.status = Status.REVIEWING
    suggestion.review_stage = suggestion.review_stage or REVIEW_ORDER[0]
    suggestion.submitted_at = timezone.now()
    _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.SUBMITTED,
        actor=actor,
        detail={"resubmitted": resubmitted, "number": suggestion.number},
    )
    return suggestion


# ---------------------------------------------------------------------------
# The three reviews (三审).
# ---------------------------------------------------------------------------


@transaction.atomic
def suggestion_review(
    *,
    suggestion: Suggestion,
    actor: User,
    stage: str,
    decision: str,
    comment: str = "",
    merged_into: Suggestion | None = None,
) -> Review:
    """Decide the current review stage: pass, return, not a suggestion, or merge.

    ``stage`` must be the stage the suggestion is at, so a reviewer acting on a
    stale page does not decide a later stage by mistake.
    """
    suggestion = _lock(suggestion)
    _require_staff(actor, suggestion)
    if suggestion.status != Status.REVIEWING:
        raise ValidationError(
            _("状态为“%(status)s”的建议不在审查中。")
            % {"status": suggestion.get_status_display()}
        )
    if stage != suggestion.review_stage:
        raise ValidationError(
            _("这件建议正处于“%(stage)s”,不能作出其他阶段的审查结论。")
            % {"stage": suggestion.get_review_stage_display()}
        )
    comment = (comment or "").strip()
    Decision = Review.Decision
    if decision not in Decision.values:
        raise ValidationError(_("未知的审查结论。"))
    if decision in {Decision.RETURN, Decision.NOT_SUGGESTION} and not comment:
        raise ValidationError(_("退回修改或不作为建议处理时必须写明理由。"))
    if decision == Decision.MERGE:
        _check_merge_target(suggestion, merged_into, actor)
    elif merged_into is not None:
        raise ValidationError(_("只有并案处理才需要选择并入的建议。"))

    review = Review(
        suggestion=suggestion,
        stage=stage,
        reviewer=actor,
        decision=decision,
        comment=comment,
        merged_into=merged_into,
    )
    review.full_clean()
    review.save()

    deputy_user = suggestion.lead_deputy.user
    if decision == Decision.PASS:
        index = REVIEW_ORDER.index(stage)
        if index + 1 < len(REVIEW_ORDER):
            suggestion.review_stage = REVIEW_ORDER[index + 1]
        else:
            suggestion.review_stage = ""
            suggestion.status = Status.REGISTERED
            suggestion.registered_at = timezone.now()
    elif decision == Decision.RETURN:
        suggestion.status = Status.RETURNED
        suggestion.return_reason = comment
        _notify(
            [deputy_user],
            kind="suggestion_returned",
            obj=review,
            title=_("您的建议“%(title)s”被退回修改") % {"title": suggestion.title},
            url=_portal_url(suggestion),
        )
    elif decision == Decision.NOT_SUGGESTION:
        suggestion.status = Status.NOT_ACCEPTED
        suggestion.review_stage = ""
        suggestion.return_reason = comment
        _notify(
            [deputy_user],
            kind="suggestion_not_accepted",
            obj=review,
            title=_("您的建议“%(title)s”不作为建议处理") % {"title": suggestion.title},
            url=_portal_url(suggestion),
        )
    else:
        suggestion.status = Status.MERGED
        suggestion.review_stage = ""
        suggestion.merged_into = merged_into
        _notify(
            [deputy_user],
            kind="suggestion_merged",
            obj=review,
            title=_("您的建议“%(title)s”已与同类建议并案办理")
            % {"title": suggestion.title},
            url=_portal_url(suggestion),
        )
    _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.REVIEWED,
        actor=actor,
        note=comment,
        detail={"stage": stage, "decision": decision},
    )
    if suggestion.status == Status.REGISTERED:
        suggestion_event_record(
            suggestion=suggestion, kind=Kind.REGISTERED, actor=actor
        )
    return review


def _check_merge_target(
    suggestion: Suggestion, target: Suggestion | None, actor: User
) -> None:
    if target is None:
        raise ValidationError(_("并案处理须选择并入的建议。"))
    if target.pk == suggestion.pk:
        raise ValidationError(_("建议不能并入自己。"))
    target = Suggestion.objects.get(pk=target.pk)  # the caller's copy may be stale
    if not Suggestion.objects.visible_to(actor).filter(pk=target.pk).exists():
        raise ValidationError(_("只能并入本级人大的建议。"))
    allowed = {
        Status.REVIEWING,
        Status.REGISTERED,
        Status.ASSIGNED,
        Status.HANDLING,
    }
    if target.status not in allowed:
        raise ValidationError(
            _("不能并入状态为“%(status)s”的建议。")
            % {"status": target.get_status_display()}
        )


# ---------------------------------------------------------------------------
# Assignment (交办) and the five handlers (五办).
# ---------------------------------------------------------------------------


def _check_units(actor: User, units: Sequence[Organization]) -> None:
    ids = [u.pk for u in units]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("同一个单位不能重复交办。"))
    visible = set(
        Organization.objects.visible_to(actor)
        .filter(pk__in=ids, is_active=True)
        .values_list("pk", flat=True)
    )
    for unit in units:
        if unit.pk not in visible:
            raise ValidationError(
                _("不能交办给本级以外或已停用的单位:%(unit)s") % {"unit": unit.name}
            )


def _assign_refusal(status: str) -> str:
    """Why a suggestion in ``status`` cannot be assigned (only registered ones can)."""
    reasons = {
        Status.DRAFT: _("这件建议还是草稿,须提交并通过三审立案后才能交办。"),
        Status.REVIEWING: _("这件建议还在审查中,须先通过三审立案才能交办。"),
        Status.RETURNED: _(
            "这件建议已退回代表修改,须重新提交并通过三审立案后才能交办。"
        ),
        Status.NOT_ACCEPTED: _("这件建议已决定不作为建议处理,不能交办。"),
        Status.MERGED: _("这件建议已并案,由并入的建议交办。"),
        Status.ASSIGNED: _("这件建议已经交办,不能重复交办。"),
        Status.HANDLING: _("这件建议已经交办,不能重复交办。"),
        Status.REPLIED: _("这件建议已经答复,不能再交办。"),
        Status.REHANDLING: _("这件建议正在再次办理,不能重新交办。"),
        Status.CLOSED: _("这件建议已办结,不能交办。"),
    }
    return reasons[status]


@transaction.atomic
def suggestion_assign(
    *,
    suggestion: Suggestion,
    actor: User,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] = (),
    separate_units: Sequence[Organization] = (),
) -> list[Assignment]:
    """交办 a registered suggestion: one lead unit with co-units, or separate units.

    The reply is due three months after assignment (``congress.calendar``);
    co-units send their view to the lead unit within one month. The suggestion
    row is locked first, so two staff assigning at the same moment produce one
    assignment: the second sees it assigned and is refused.
    """
    suggestion = _lock(suggestion)
    _require_staff(actor, suggestion)
    if suggestion.status != Status.REGISTERED:
        raise ValidationError(_assign_refusal(suggestion.status))
    co_units = list(co_units)
    separate_units = list(separate_units)
    if co_units and lead_unit is None:
        raise ValidationError(_("有协办单位时必须确定主办单位。"))
    if lead_unit is None and not separate_units:
        raise ValidationError(_("请选择主办单位,或分别交办的单位。"))
    if lead_unit is not None and separate_units:
        raise ValidationError(_("主办和分办不能同时使用。"))
    all_units = ([lead_unit] if lead_unit else []) + co_units + separate_units
    _check_units(actor, all_units)

    today = _today()
    due = reply_due(assigned_on=today)
    created = []
    for unit, role in (
        ([(lead_unit, Assignment.Role.LEAD)] if lead_unit else [])
        + [(u, Assignment.Role.CO) for u in co_units]
        + [(u, Assignment.Role.SEPARATE) for u in separate_units]
    ):
        assignment = Assignment(
            suggestion=suggestion,
            unit=unit,
            role=role,
            assigned_on=today,
            assigned_by=actor,
            due_date=due,
            co_view_due=co_unit_view_due(assigned_on=today)
            if role == Assignment.Role.CO
            else None,
        )
        assignment.full_clean(validate_constraints=False)
        assignment.save()
        created.append(assignment)
    suggestion.status = Status.ASSIGNED
    _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.ASSIGNED,
        actor=actor,
        detail={
            "units": [
                {"unit": a.unit.name, "role": a.get_role_display()} for a in created
            ],
            "due": due.isoformat(),
        },
    )
    for assignment in created:
        _notify(
            unit_liaisons([assignment.unit_id]),
            kind="suggestion_assigned",
            obj=assignment,
            title=_("新交办代表建议:%(title)s(%(role)s,%(due)s前答复)")
            % {
                "title": suggestion.title,
                "role": assignment.get_role_display(),
                "due": due.isoformat(),
            },
            url=_unit_url(assignment),
        )
    return created


@transaction.atomic
def suggestion_set_supervision(
    *,
    suggestion: Suggestion,
    actor: User,
    is_key: bool,
    supervising_leader: User | None = None,
    government_leader: User | None = None,
    following_committee: Organization | None = None,
    coordinating_committee: Organization | None = None,
    fund_amount: Decimal | None = None,
) -> Suggestion:
    """Name the 五办 of a key suggestion (重点建议) and its fund allocation."""
    suggestion = _lock(suggestion)
    _require_staff(actor, suggestion)
    if suggestion.status in {
        Status.DRAFT,
        Status.RETURNED,
        Status.NOT_ACCEPTED,
        Status.MERGED,
    }:
        raise ValidationError(_("只有已立案的建议可以确定为重点建议或安排专项资金。"))
    if is_key and supervising_leader is None:
        raise ValidationError(_("重点建议须确定督办的常委会领导。"))
    for committee in (following_committee, coordinating_committee):
        if committee is not None and committee.kind not in {
            Organization.Kind.SPECIAL_COMMITTEE,
            Organization.Kind.WORKING_COMMITTEE,
        }:
            raise ValidationError(
                _("%(unit)s不是人大专门委员会或工作委员会。") % {"unit": committee.name}
            )
    if fund_amount is not None and fund_amount < 0:
        raise ValidationError(_("专项资金不能为负数。"))
    suggestion.is_key = is_key
    suggestion.supervising_leader = supervising_leader
    suggestion.government_leader = government_leader
    suggestion.following_committee = following_committee
    suggestion.coordinating_committee = coordinating_committee
    suggestion.fund_amount = fund_amount
    _save(suggestion)
    audit.state_change_event(
        user=actor,
        obj=suggestion,
        transition="supervision",
        detail={"is_key": is_key, "fund": str(fund_amount or "")},
    )
    return suggestion


@transaction.atomic
def assignment_extend(
    *, assignment: Assignment, actor: User, approved_by: User | None, reason: str
) -> Assignment:
    """Extend the reply deadline to six months, only with a recorded approval."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_staff(actor, suggestion)
    if approved_by is None or not (reason or "").strip():
        raise ValidationError(_("延期须写明理由并记录批准人。"))
    if assignment.extended:
        raise ValidationError(_("这件交办已经延期过,最长六个月。"))
    if not assignment.is_active or assignment.role == Assignment.Role.CO:
        raise ValidationError(_("只有有效的主办或分办交办可以延期。"))
    if assignment.replies.exists():
        raise ValidationError(_("已经答复的交办不能再延期。"))
    assignment.extended = True
    assignment.extension_reason = reason.strip()
    assignment.extension_approved_by = approved_by
    assignment.extension_approved_at = timezone.now()
    assignment.due_date = reply_due(assigned_on=assignment.assigned_on, extended=True)
    assignment.save()
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.EXTENDED,
        actor=actor,
        note=assignment.extension_reason,
        detail={
            "unit": assignment.unit.name,
            "due": assignment.due_date.isoformat(),
            "approved_by": str(approved_by),
        },
    )
    return assignment


@transaction.atomic
def assignment_request_reassignment(
    *, assignment: Assignment, actor: User, reason: str
) -> Assignment:
    """A unit asks, with its reason, to be relieved (within 7 working days)."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    if not (reason or "").strip():
        raise ValidationError(_("申请调整承办单位须说明理由。"))
    last_day = reassignment_request_due(assigned_on=assignment.assigned_on)
    if _today() > last_day:
        raise ValidationError(
            _("申请调整须在交办之日起七个工作日内(%(day)s前)提出。")
            % {"day": last_day.isoformat()}
        )
    if assignment.reassignment_requested_at is not None:
        raise ValidationError(_("已经提出过调整申请,请等待常委会处理。"))
    if assignment.replies.exists():
        raise ValidationError(_("已经答复的交办不能申请调整。"))
    assignment.reassignment_reason = reason.strip()
    assignment.reassignment_requested_at = timezone.now()
    assignment.save()
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.REASSIGNMENT_REQUESTED,
        actor=actor,
        note=assignment.reassignment_reason,
        detail={"unit": assignment.unit.name},
    )
    return assignment


@transaction.atomic
def assignment_reassign(
    *, assignment: Assignment, actor: User, unit: Organization
) -> Assignment:
    """Move a requested assignment to another unit; its period starts again."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_staff(actor, suggestion)
    if assignment.reassignment_requested_at is None or not assignment.is_active:
        raise ValidationError(_("只有提出调整申请的有效交办可以调整。"))
    if unit.pk == assignment.unit_id:
        raise ValidationError(_("请选择另一个承办单位。"))
    if suggestion.assignments.filter(is_active=True, unit=unit).exists():
        raise ValidationError(_("这个单位已经承办这件建议。"))
    _check_units(actor, [unit])
    assignment.is_active = False
    assignment.withdrawn_at = timezone.now()
    assignment.save()
    today = _today()
    new = Assignment(
        suggestion=suggestion,
        unit=unit,
        role=assignment.role,
        assigned_on=today,
        assigned_by=actor,
        due_date=reply_due(assigned_on=today),
        co_view_due=co_unit_view_due(assigned_on=today)
        if assignment.role == Assignment.Role.CO
        else None,
    )
    new.save()
    if (
        suggestion.status == Status.HANDLING
        and not suggestion.assignments.filter(
            is_active=True,
            acknowledged_at__isnull=False,
            role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        ).exists()
    ):
        suggestion.status = Status.ASSIGNED
        _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.REASSIGNED,
        actor=actor,
        detail={"from": assignment.unit.name, "to": unit.name},
    )
    _notify(
        unit_liaisons([unit.pk]),
        kind="suggestion_assigned",
        obj=new,
        title=_("新交办代表建议:%(title)s") % {"title": suggestion.title},
        url=_unit_url(new),
    )
    return new


# ---------------------------------------------------------------------------
# The unit's work: 签收, handling steps, co-unit views, the reply.
# ---------------------------------------------------------------------------


@transaction.atomic
def assignment_acknowledge(*, assignment: Assignment, actor: User) -> Assignment:
    """签收: the unit confirms it has received the assignment."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    if assignment.acknowledged_at is not None:
        raise ValidationError(_("已经签收过了。"))
    assignment.acknowledged_at = timezone.now()
    assignment.acknowledged_by = actor
    assignment.save()
    if suggestion.status == Status.ASSIGNED and assignment.role != Assignment.Role.CO:
        suggestion.status = Status.HANDLING
        _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.ACKNOWLEDGED,
        actor=actor,
        detail={"unit": assignment.unit.name},
    )
    return assignment


def _current_round(suggestion: Suggestion) -> int:
    return suggestion.rehandling_rounds + 1


@transaction.atomic
def handling_step_add(
    *,
    assignment: Assignment,
    actor: User,
    kind: str,
    date: datetime.date,
    note: str,
) -> HandlingStep:
    """Record contact with the deputy, the plan, or progress."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    if assignment.acknowledged_at is None:
        raise ValidationError(_("请先签收,再记录办理过程。"))
    if suggestion.status not in {Status.HANDLING, Status.REHANDLING, Status.REPLIED}:
        raise ValidationError(
            _("状态为“%(status)s”的建议不能记录办理过程。")
            % {"status": suggestion.get_status_display()}
        )
    if kind not in HandlingStep.Kind.values:
        raise ValidationError(_("未知的办理过程类别。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写办理情况。"))
    if date > _today():
        raise ValidationError(_("办理日期不能晚于今天。"))
    if date < assignment.assigned_on:
        raise ValidationError(_("办理日期不能早于交办日期。"))
    step = HandlingStep(
        assignment=assignment,
        round=_current_round(suggestion),
        kind=kind,
        date=date,
        note=note.strip(),
        actor=actor,
    )
    step.full_clean()
    step.save()
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.STEP,
        actor=actor,
        note=step.note,
        detail={"unit": assignment.unit.name, "step": step.get_kind_display()},
    )
    return step


@transaction.atomic
def co_view_submit(*, assignment: Assignment, actor: User, text: str) -> Assignment:
    """A co-unit sends its view to the lead unit."""
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    if assignment.role != Assignment.Role.CO:
        raise ValidationError(_("只有协办单位需要提交协办意见。"))
    if assignment.acknowledged_at is None:
        raise ValidationError(_("请先签收,再提交协办意见。"))
    if not (text or "").strip():
        raise ValidationError(_("请填写协办意见。"))
    if assignment.co_view_at is not None:
        raise ValidationError(_("协办意见已经提交过了。"))
    assignment.co_view = text.strip()
    assignment.co_view_at = timezone.now()
    assignment.save()
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.CO_VIEW,
        actor=actor,
        note=assignment.co_view,
        detail={"unit": assignment.unit.name},
    )
    lead = suggestion.assignments.filter(
        is_active=True, role=Assignment.Role.LEAD
    ).first()
    if lead is not None:
        _notify(
            unit_liaisons([lead.unit_id]),
            kind="suggestion_co_view",
            obj=assignment,
            title=_("协办单位%(unit)s已提交意见:%(title)s")
            % {"unit": assignment.unit.name, "title": suggestion.title},
            url=_unit_url(lead),
        )
    return assignment


@transaction.atomic
def reply_create(
    *,
    assignment: Assignment,
    actor: User,
    text: str,
    result_class: str,
    signer: str,
    letter_number: str = "",
    commitments: Sequence[tuple[str, datetime.date]] = (),
    files: Sequence[UploadedFile] = (),
) -> Reply:
    """The formal reply of a lead or separate unit, after contact with the deputy.

    A B-class reply (being solved, or planned) must list its commitments with
    dates; they are followed until done. In the re-handling round the first reply
    is kept and a second one is added.
    """
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    if assignment.role == Assignment.Role.CO:
        raise ValidationError(_("协办单位不单独答复代表,请向主办单位提交协办意见。"))
    if suggestion.status not in {Status.HANDLING, Status.REHANDLING}:
        raise ValidationError(
            _("状态为“%(status)s”的建议不能答复。")
            % {"status": suggestion.get_status_display()}
        )
    if assignment.acknowledged_at is None:
        raise ValidationError(_("请先签收,再答复。"))
    round_ = _current_round(suggestion)
    if assignment.replies.filter(round=round_).exists():
        raise ValidationError(_("本轮已经答复过了。"))
    if not assignment.steps.filter(
        round=round_, kind=HandlingStep.Kind.CONTACT
    ).exists():
        raise ValidationError(_("答复前须先与代表见面沟通,并记录沟通情况。"))
    if result_class not in ResultClass.values:
        raise ValidationError(_("请选择办理结果(A、B、C、D类)。"))
    if not (text or "").strip() or not (signer or "").strip():
        raise ValidationError(_("请填写答复内容和签发的单位负责人。"))
    commitments = [(c.strip(), d) for c, d in commitments if c and c.strip()]
    if result_class == ResultClass.B and not commitments:
        raise ValidationError(_("B类答复须列出承诺事项和完成时间。"))
    for _content, due in commitments:
        if due is None or due < _today():
            raise ValidationError(_("承诺完成日期须是今天或以后的日期。"))
    now = timezone.now()
    reply = Reply(
        suggestion=suggestion,
        assignment=assignment,
        round=round_,
        letter_number=letter_number.strip(),
        text=text.strip(),
        result_class=result_class,
        signer=signer.strip(),
        replied_at=now,
        replied_by=actor,
        on_time=timezone.localdate(now) <= assignment.due_date,
    )
    reply.full_clean()
    reply.save()
    for content, due in commitments:
        Commitment.objects.create(reply=reply, content=content[:300], due_date=due)
    for file in files:
        _attachment_create(suggestion=suggestion, reply=reply, actor=actor, file=file)
    pending = (
        suggestion.assignments.filter(
            is_active=True,
            role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        )
        .exclude(replies__round=round_)
        .exists()
    )
    if not pending:
        suggestion.status = Status.REPLIED
        _save(suggestion)
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.REPLIED,
        actor=actor,
        detail={
            "unit": assignment.unit.name,
            "class": result_class,
            "round": round_,
            "on_time": reply.on_time,
        },
    )
    _notify(
        [d.user for d in deputies_to_answer(suggestion)],
        kind="suggestion_replied",
        obj=reply,
        title=_("%(unit)s已答复您的建议“%(title)s”,请进行满意度测评")
        % {"unit": assignment.unit.name, "title": suggestion.title},
        url=_portal_url(suggestion),
    )
    return reply


@transaction.atomic
def commitment_complete(
    *, commitment: Commitment, actor: User, note: str
) -> Commitment:
    """Mark a promised item done (by the unit that promised it)."""
    assignment = commitment.reply.assignment
    assignment, suggestion = _lock_assignment(assignment)
    _require_unit(actor, assignment)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.done_at is not None:
        raise ValidationError(_("这项承诺已经标记完成。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写完成情况。"))
    commitment.done_at = timezone.now()
    commitment.done_note = note.strip()
    commitment.save()
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.COMMITMENT_DONE,
        actor=actor,
        note=commitment.done_note,
        detail={"commitment": commitment.content},
    )
    return commitment


# ---------------------------------------------------------------------------
# Evaluation (满意度测评) and re-handling (再次办理).
# ---------------------------------------------------------------------------


def rating_round(suggestion: Suggestion, deputy: Deputy) -> int | None:
    """The reply round ``deputy`` may rate now, or None.

    The lead deputy rates the current round's reply while the suggestion is
    replied; their rating closes it or sends it back. The co-signers and merged
    deputies rate the latest reply too, and may still do so after the lead's
    rating has closed the suggestion or sent it back for re-handling.
    """
    if suggestion.status == Status.REPLIED:
        return _current_round(suggestion)
    if deputy.pk == suggestion.lead_deputy_id or suggestion.status not in {
        Status.REHANDLING,
        Status.CLOSED,
    }:
        return None
    return suggestion.replies.aggregate(latest=Max("round"))["latest"]


@transaction.atomic
def evaluation_record(
    *,
    suggestion: Suggestion,
    actor: User,
    deputy: Deputy,
    result: str,
    comment: str = "",
    is_paper: bool = False,
) -> Evaluation:
    """Record a deputy's rating of the current round's reply.

    The lead deputy and the confirmed co-signers rate in the portal; staff may
    enter a paper rating for them. The lead deputy's rating decides: 不满意 in
    the first round sends the suggestion back to handling once (reply within
    one month, the first reply kept); any other rating, or any rating of the
    second round, closes it (办结).
    """
    suggestion = _lock(suggestion)
    if is_paper:
        _require_staff(actor, suggestion)
    else:
        own = _deputy_of(actor)
        if own is None or own.pk != deputy.pk:
            raise ValidationError(_("只能以本人身份进行测评。"))
    round_ = rating_round(suggestion, deputy)
    if round_ is None:
        raise ValidationError(
            _("状态为“%(status)s”的建议现在不能测评。")
            % {"status": suggestion.get_status_display()}
        )
    answered = {d.pk for d in deputies_to_answer(suggestion)}
    if deputy.pk not in answered:
        raise ValidationError(_("只有领衔代表和确认联名的代表可以测评。"))
    if result not in Evaluation.Result.values:
        raise ValidationError(_("请选择满意、基本满意或不满意。"))
    if Evaluation.objects.filter(
        suggestion=suggestion, deputy=deputy, round=round_
    ).exists():
        raise ValidationError(_("本轮已经测评过了。"))
    comment = (comment or "").strip()
    if result == Evaluation.Result.UNSATISFIED and not comment:
        raise ValidationError(_("不满意时请写明意见,以便承办单位再次办理。"))
    evaluation = Evaluation.objects.create(
        suggestion=suggestion,
        deputy=deputy,
        round=round_,
        result=result,
        comment=comment,
        is_paper=is_paper,
        recorded_by=actor,
    )
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.EVALUATED,
        actor=actor,
        note=comment,
        detail={
            "deputy": deputy.name,
            "result": result,
            "round": round_,
            "paper": is_paper,
        },
    )
    if deputy.pk != suggestion.lead_deputy_id:
        return evaluation
    if result == Evaluation.Result.UNSATISFIED and suggestion.rehandling_rounds == 0:
        _reopen(suggestion, actor)
    else:
        suggestion.status = Status.CLOSED
        suggestion.closed_at = timezone.now()
        _save(suggestion)
        suggestion_event_record(suggestion=suggestion, kind=Kind.CLOSED, actor=actor)
    return evaluation


def _reopen(suggestion: Suggestion, actor: User) -> None:
    today = _today()
    due = rehandling_due(reopened_on=today)
    suggestion.rehandling_rounds += 1
    suggestion.status = Status.REHANDLING
    _save(suggestion)
    assignments = list(
        suggestion.assignments.select_for_update().filter(
            is_active=True,
            role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        )
    )
    for assignment in assignments:
        assignment.due_date = due
        assignment.save(update_fields=["due_date"])
    suggestion_event_record(
        suggestion=suggestion,
        kind=Kind.REHANDLING,
        actor=actor,
        detail={"due": due.isoformat()},
    )
    for assignment in assignments:
        _notify(
            unit_liaisons([assignment.unit_id]),
            kind="suggestion_rehandling",
            obj=assignment,
            title=_("代表对答复不满意,请再次办理“%(title)s”,%(due)s前答复")
            % {"title": suggestion.title, "due": due.isoformat()},
            url=_unit_url(assignment),
        )
