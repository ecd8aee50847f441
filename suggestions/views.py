"""The deputy portal (/portal/suggestions/), the unit portal (/unit/), the
supervisors' list, the whole chain on one page and the statistics page.

Views read through ``selectors`` and change state only through ``services``.
"""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from congress.models import Region
from congress.roles import Role
from suggestions import selectors
from suggestions import services
from suggestions.forms import CommitmentDoneForm
from suggestions.forms import CoViewForm
from suggestions.forms import EvaluationForm
from suggestions.forms import InviteForm
from suggestions.forms import ReassignForm
from suggestions.forms import ReplyForm
from suggestions.forms import StepForm
from suggestions.forms import SuggestionForm
from suggestions.models import Assignment
from suggestions.models import Commitment
from suggestions.models import Suggestion
from suggestions.models import SuggestionAttachment
from suggestions.search import search_filter

PER_PAGE = 20


def _role_required(role: str) -> Callable:
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not (request.user.has_role(role) or request.user.is_superuser):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _portal_deputy(request: HttpRequest):
    deputy = selectors.deputy_for_user(request.user)
    if deputy is None:
        raise Http404(_("您的账号还没有关联代表信息。"))
    return deputy


# ---------------------------------------------------------------------------
# Deputy portal.
# ---------------------------------------------------------------------------


@_role_required(Role.DEPUTY)
def portal_list(request: HttpRequest) -> HttpResponse:
    """The deputy's suggestions and the co-signing invitations waiting for them."""
    deputy = _portal_deputy(request)
    suggestions = selectors.suggestion_list_for_deputy(deputy=deputy)
    query = request.GET.get("q", "").strip()
    if query:
        suggestions = search_filter(suggestions, query)
    page = Paginator(suggestions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/portal_list.html",
        {
            "deputy": deputy,
            "page": page,
            "query": query,
            "invitations": selectors.signature_list_pending(deputy=deputy),
        },
    )


@_role_required(Role.DEPUTY)
def portal_create(request: HttpRequest) -> HttpResponse:
    """Draft a new suggestion."""
    deputy = _portal_deputy(request)
    form = SuggestionForm(request.POST or None, request.FILES or None, deputy=deputy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = services.suggestion_create(
                deputy=deputy,
                actor=request.user,
                title=data["title"],
                content=data["content"],
                category=data["category"],
                session=data["session"],
            )
            if data.get("attachment"):
                services.suggestion_attach(
                    suggestion=suggestion, actor=request.user, file=data["attachment"]
                )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("草稿已保存。邀请联名代表或直接提交。"))
            return redirect("suggestions:portal-detail", pk=suggestion.pk)
    return render(
        request, "suggestions/suggestion_form.html", {"form": form, "deputy": deputy}
    )


@_role_required(Role.DEPUTY)
def portal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft or a returned suggestion."""
    deputy = _portal_deputy(request)
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    if suggestion.lead_deputy_id != deputy.pk or not suggestion.is_editable:
        raise Http404
    initial = {
        "title": suggestion.title,
        "content": suggestion.content,
        "category": suggestion.category,
        "session": suggestion.session_id,
    }
    form = SuggestionForm(
        request.POST or None, request.FILES or None, deputy=deputy, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.suggestion_update(
                suggestion=suggestion,
                actor=request.user,
                title=data["title"],
                content=data["content"],
                category=data["category"],
                session=data["session"],
            )
            if data.get("attachment"):
                services.suggestion_attach(
                    suggestion=suggestion, actor=request.user, file=data["attachment"]
                )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("suggestions:portal-detail", pk=suggestion.pk)
    return render(
        request,
        "suggestions/suggestion_form.html",
        {"form": form, "deputy": deputy, "suggestion": suggestion},
    )


@_role_required(Role.DEPUTY)
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One suggestion with its whole chain and what the deputy can do next."""
    deputy = _portal_deputy(request)
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    chain = selectors.suggestion_chain(suggestion=suggestion)
    is_lead = chain.lead_deputy_id == deputy.pk
    signature = next(
        (s for s in chain.signatures.all() if s.deputy_id == deputy.pk), None
    )
    if chain.status == Suggestion.Status.REPLIED:
        rating_round = chain.rehandling_rounds + 1
    elif not is_lead and chain.status in {
        Suggestion.Status.REHANDLING,
        Suggestion.Status.CLOSED,
    }:
        # Co-signers and merged deputies rate the latest reply even after the
        # lead deputy's rating (services.rating_round).
        rating_round = max((r.round for r in chain.replies.all()), default=None)
    else:
        rating_round = None
    rated = any(
        e.deputy_id == deputy.pk and e.round == rating_round
        for e in chain.evaluations.all()
    )
    answered = {chain.lead_deputy_id}
    answered |= {s.deputy_id for s in chain.signatures.all() if s.confirmed_at}
    answered |= {m.lead_deputy_id for m in chain.merged_suggestions.all()}
    can_rate = rating_round is not None and not rated and deputy.pk in answered
    return render(
        request,
        "suggestions/portal_detail.html",
        {
            "deputy": deputy,
            "suggestion": chain,
            "is_lead": is_lead,
            "signature": signature,
            "invite_form": InviteForm(suggestion=chain) if is_lead else None,
            "evaluation_form": EvaluationForm() if can_rate else None,
        },
    )


@require_POST
@_role_required(Role.DEPUTY)
def portal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, invite or remove a co-signer, confirm a signature, evaluate."""
    deputy = _portal_deputy(request)
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "submit":
            services.suggestion_submit(suggestion=suggestion, actor=user)
            messages.success(request, _("建议已提交,进入审查。"))
        elif action == "invite":
            form = InviteForm(request.POST, suggestion=suggestion)
            if not form.is_valid():
                raise ValidationError(_("请选择要邀请的代表。"))
            services.signer_invite(
                suggestion=suggestion, actor=user, deputy=form.cleaned_data["deputy"]
            )
            messages.success(request, _("已邀请联名,等待对方确认。"))
        elif action == "remove-signer":
            other = next(
                (
                    s.deputy
                    for s in suggestion.signatures.select_related("deputy")
                    if str(s.deputy_id) == request.POST.get("deputy")
                ),
                None,
            )
            if other is None:
                raise ValidationError(_("这位代表不在联名名单中。"))
            services.signer_remove(suggestion=suggestion, actor=user, deputy=other)
            messages.success(request, _("已移除联名代表。"))
        elif action == "confirm":
            services.signer_confirm(suggestion=suggestion, actor=user)
            messages.success(request, _("已确认联名。"))
        elif action == "evaluate":
            form = EvaluationForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请选择满意、基本满意或不满意。"))
            services.evaluation_record(
                suggestion=suggestion,
                actor=user,
                deputy=deputy,
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("测评结果已提交,谢谢。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("suggestions:portal-detail", pk=suggestion.pk)


@_role_required(Role.DEPUTY)
def portal_reply_letter(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """The reply letter addressed to the deputy, as a PDF."""
    from suggestions.reports import reply_letter_pdf

    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    reply = suggestion.replies.filter(pk=reply_pk).first()
    if reply is None:
        raise Http404
    response = HttpResponse(
        reply_letter_pdf(reply=reply), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="reply-{reply.pk}.pdf"'
    return response


# ---------------------------------------------------------------------------
# Unit portal.
# ---------------------------------------------------------------------------


def _unit_or_404(request: HttpRequest):
    if not request.user.organization_id:
        raise Http404(_("您的账号还没有关联承办单位。"))
    return request.user.organization


@_role_required(Role.UNIT_LIAISON)
def unit_list(request: HttpRequest) -> HttpResponse:
    """The unit's assignments with deadline lights, nearest deadline first."""
    unit = _unit_or_404(request)
    assignments = selectors.assignment_list_for_unit(unit=unit)
    page = Paginator(assignments, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(a, selectors.deadline_light(a, today=today)) for a in page]
    return render(
        request,
        "suggestions/unit_list.html",
        {"unit": unit, "page": page, "rows": rows},
    )


@_role_required(Role.UNIT_LIAISON)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One assignment: the suggestion, its chain, and the unit's next steps."""
    assignment = selectors.assignment_get_for_unit(user=request.user, pk=pk)
    chain = selectors.suggestion_chain(suggestion=assignment.suggestion)
    status = chain.status
    handling = status in {Suggestion.Status.HANDLING, Suggestion.Status.REHANDLING}
    is_co = assignment.role == Assignment.Role.CO
    replied_this_round = any(
        r.assignment_id == assignment.pk and r.round == chain.rehandling_rounds + 1
        for r in chain.replies.all()
    )
    return render(
        request,
        "suggestions/unit_detail.html",
        {
            "assignment": assignment,
            "suggestion": chain,
            "light": selectors.deadline_light(assignment),
            "step_form": StepForm() if assignment.acknowledged_at else None,
            "co_view_form": CoViewForm()
            if is_co and assignment.acknowledged_at and not assignment.co_view_at
            else None,
            "reply_form": ReplyForm()
            if handling
            and not is_co
            and assignment.acknowledged_at
            and not replied_this_round
            else None,
            "reassign_form": ReassignForm()
            if not assignment.reassignment_requested_at
            and not any(r.assignment_id == assignment.pk for r in chain.replies.all())
            else None,
            "co_views": [
                a
                for a in chain.assignments.all()
                if a.role == Assignment.Role.CO and a.co_view_at
            ],
            "own_replies": [
                r for r in chain.replies.all() if r.assignment_id == assignment.pk
            ],
        },
    )


@require_POST
@_role_required(Role.UNIT_LIAISON)
def unit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """签收, a handling step, a co-unit view, the reply, reassignment, commitments."""
    assignment = selectors.assignment_get_for_unit(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "acknowledge":
            services.assignment_acknowledge(assignment=assignment, actor=user)
            messages.success(request, _("已签收。"))
        elif action == "step":
            form = StepForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请完整填写办理过程。"))
            services.handling_step_add(
                assignment=assignment, actor=user, **form.cleaned_data
            )
            messages.success(request, _("办理过程已记录。"))
        elif action == "co-view":
            form = CoViewForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写协办意见。"))
            services.co_view_submit(
                assignment=assignment, actor=user, text=form.cleaned_data["text"]
            )
            messages.success(request, _("协办意见已提交给主办单位。"))
        elif action == "reply":
            form = ReplyForm(request.POST, request.FILES)
            if not form.is_valid():
                errors = [str(e) for errs in form.errors.values() for e in errs]
                raise ValidationError(
                    _("答复填写不完整:%(errors)s") % {"errors": " ".join(errors)}
                )
            data = form.cleaned_data
            services.reply_create(
                assignment=assignment,
                actor=user,
                text=data["text"],
                result_class=data["result_class"],
                signer=data["signer"],
                letter_number=data["letter_number"],
                commitments=form.commitments(),
                files=[data["attachment"]] if data.get("attachment") else [],
            )
            messages.success(request, _("答复已提交,代表将收到测评通知。"))
        elif action == "reassign":
            form = ReassignForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("申请调整承办单位须说明理由。"))
            services.assignment_request_reassignment(
                assignment=assignment, actor=user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("调整申请已提交常委会。"))
        elif action == "commitment-done":
            form = CommitmentDoneForm(request.POST)
            commitment = Commitment.objects.filter(
                pk=request.POST.get("commitment"), reply__assignment=assignment
            ).first()
            if commitment is None or not form.is_valid():
                raise ValidationError(_("请填写完成情况。"))
            services.commitment_complete(
                commitment=commitment, actor=user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("承诺事项已标记完成。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("suggestions:unit-detail", pk=assignment.pk)


@_role_required(Role.UNIT_LIAISON)
def unit_reply_letter(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """The formal reply letter (答复函) as a PDF."""
    from suggestions.reports import reply_letter_pdf

    assignment = selectors.assignment_get_for_unit(user=request.user, pk=pk)
    reply = assignment.replies.filter(pk=reply_pk).first()
    if reply is None:
        raise Http404
    pdf = reply_letter_pdf(reply=reply)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{reply.pk}.pdf"'
    return response


# ---------------------------------------------------------------------------
# Supervisors, the whole chain, statistics.
# ---------------------------------------------------------------------------


@login_required
def supervisor_list(request: HttpRequest) -> HttpResponse:
    """The key suggestions this user (or their committee) supervises."""
    suggestions = selectors.suggestion_list_for_supervisor(user=request.user)
    page = Paginator(suggestions, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "suggestions/supervisor_list.html", {"page": page})


@login_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole chain on one page: opinion → suggestion → … → re-handling."""
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    chain = selectors.suggestion_chain(suggestion=suggestion)
    return render(request, "suggestions/suggestion_detail.html", {"suggestion": chain})


@require_safe
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int):
    """A file of the suggestion or of a reply, for whoever may see the suggestion
    (the same 404 for missing and forbidden); always downloaded, never shown inline."""
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    attachment = SuggestionAttachment.objects.filter(
        pk=attachment_pk, suggestion=suggestion
    ).first()
    if attachment is None:
        raise Http404(_("没有找到这个附件。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("没有找到这个附件。")) from exc
    content_type, _encoding = mimetypes.guess_type(attachment.name)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _statistics_region(request: HttpRequest) -> Region:
    user = request.user
    if not user.works_in_admin:
        raise PermissionDenied
    region = user.scope_region
    code = request.GET.get("region")
    if code:
        chosen = Region.objects.filter(code=code).first()
        if chosen is None or (region is not None and not region.contains(chosen)):
            raise Http404
        region = chosen
    if region is None:
        region = Region.objects.filter(level=Region.Level.CITY).first()
    if region is None:
        raise Http404
    return region


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """Per unit, category and township, for one region and year."""
    from suggestions.reports import build_handling_report_context

    region = _statistics_region(request)
    year = _year(request)
    context = build_handling_report_context(region=region, params={"year": year})
    context["years"] = range(
        timezone.localdate().year, timezone.localdate().year - 6, -1
    )
    return render(request, "suggestions/statistics.html", context)
