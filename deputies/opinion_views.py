"""Pages of citizens' opinions (民情民意).

Public, no login (码上找代表):

- ``/s/<token>/opinion/`` and ``/d/<token>/opinion/``: leave an opinion with a
  station or a deputy; rate-limited per client address and per phone number;
  answered with the tracking code.
- ``/o/`` (enter a code) and ``/o/<code>/``: the status, the public reply and its
  date, and the rating form once replied. No name, no phone, ever.

Deputy portal (``/portal/opinions/``): the inbox of the deputy or station
manager, with reply, refer, raise, assign and close forms. Phones are masked; the
full number is shown only to the addressed deputy or manager, only if the
citizen consented, after an explicit click that is audited.

Views check the shape of the input and call the services of
``deputies.opinions``; they never write a model themselves.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from congress import audit
from congress import crypto
from deputies import opinions
from deputies import posters
from deputies.models import CitizenOpinion
from deputies.opinion_forms import OpinionAssignForm
from deputies.opinion_forms import OpinionRateForm
from deputies.opinion_forms import OpinionReferForm
from deputies.opinion_forms import OpinionReplyForm
from deputies.opinion_forms import OpinionSubmitForm
from deputies.opinion_forms import TrackingLookupForm

# Rate limits of the public form (django-ratelimit, counted in the default cache).
# Per client address: generous, since a village or a mobile carrier puts many
# citizens behind one address. Per phone number: a person, so tighter.
SUBMIT_RATE_PER_ADDRESS = "10/h"
SUBMIT_RATE_PER_PHONE = "5/d"
# Looking codes up or rating: enough for a person, too few to guess 12-character codes.
TRACK_RATE_PER_ADDRESS = "60/h"

INBOX_PER_PAGE = 20


# ---------------------------------------------------------------------------
# Rate limits.
# ---------------------------------------------------------------------------


def client_address(group: str, request: HttpRequest) -> str:
    """The client address as the rest of the site sees it (axes/ipware, with the
    trusted proxy count of settings: X-Forwarded-For is ignored unless a proxy
    in front of us is declared)."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")


def _phone_key(request: HttpRequest) -> str:
    phone = "".join(ch for ch in request.POST.get("phone", "") if ch.isdigit())
    return crypto.digest(phone) if phone else ""


def submit_is_limited(request: HttpRequest) -> bool:
    """Count this submission against the address and (if given) the phone; say
    whether either is over its limit."""
    limited = is_ratelimited(
        request,
        group="opinion-submit-address",
        key=client_address,
        rate=SUBMIT_RATE_PER_ADDRESS,
        method="POST",
        increment=True,
    )
    phone_key = _phone_key(request)
    if phone_key:
        limited = (
            is_ratelimited(
                request,
                group="opinion-submit-phone",
                key=lambda group, request: phone_key,
                rate=SUBMIT_RATE_PER_PHONE,
                method="POST",
                increment=True,
            )
            or limited
        )
    return limited


def _track_is_limited(request: HttpRequest, *, increment: bool = True) -> bool:
    return is_ratelimited(
        request,
        group="opinion-track-address",
        key=client_address,
        rate=TRACK_RATE_PER_ADDRESS,
        increment=increment,
    )


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context = {
        **context,
        "rate_limited": _(
            "提交太频繁了,请稍后再试。如有急事,请在进站日到联络站当面反映。"
        ),
    }
    return render(request, template, context, status=429)


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors where the field
    exists, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ---------------------------------------------------------------------------
# Public: leave an opinion.
# ---------------------------------------------------------------------------


def _submit(request: HttpRequest, *, station=None, deputy=None) -> HttpResponse:
    template = "deputies/opinions/opinion_form.html"
    context = {
        "station": station,
        "deputy": deputy,
        "back_url": (
            reverse("station-public", args=[station.public_token])
            if station is not None
            else reverse("deputy-public", args=[deputy.public_token])
        ),
    }
    if request.method != "POST":
        return render(request, template, {**context, "form": OpinionSubmitForm()})
    form = OpinionSubmitForm(request.POST)
    if submit_is_limited(request):
        return _too_many(request, template, {**context, "form": form})
    if form.is_valid():
        data = form.cleaned_data
        try:
            opinion = opinions.opinion_submit(
                station=station,
                deputy=deputy,
                name=data["name"],
                phone=data["phone"],
                phone_consent=data["phone_consent"],
                content=data["content"],
                category=data["category"],
                channel=CitizenOpinion.Channel.QR,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect(
                reverse("opinion-track", args=[opinion.tracking_code]) + "?new=1"
            )
    return render(request, template, {**context, "form": form}, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def station_opinion(request: HttpRequest, token: str) -> HttpResponse:
    """Leave an opinion with a station."""
    station = posters.station_public_get(token=token)
    if station is None:
        raise Http404(_("联络站不存在或已停用。"))
    return _submit(request, station=station)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def deputy_opinion(request: HttpRequest, token: str) -> HttpResponse:
    """Leave an opinion with a deputy."""
    deputy = posters.deputy_public_get(token=token)
    if deputy is None:
        raise Http404(_("代表不存在或已不在任。"))
    return _submit(request, deputy=deputy)


# ---------------------------------------------------------------------------
# Public: track an opinion.
# ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def opinion_track_lookup(request: HttpRequest) -> HttpResponse:
    """Enter a tracking code."""
    template = "deputies/opinions/opinion_track_lookup.html"
    if "code" not in request.GET:
        return render(request, template, {"form": TrackingLookupForm()})
    form = TrackingLookupForm(request.GET)
    if _track_is_limited(request):
        return _too_many(request, template, {"form": form})
    if form.is_valid():
        opinion = opinions.opinion_get_by_code(code=form.cleaned_data["code"])
        if opinion is not None:
            return redirect("opinion-track", code=opinion.tracking_code)
        form.add_error("code", _("查询码不存在,请核对后重新输入。"))
    return render(request, template, {"form": form}, status=404)


def _public_status(opinion: CitizenOpinion) -> str:
    # A citizen whose opinion waits in review sees it as received: telling them a
    # word was flagged would teach how to get around the list.
    if opinion.status == CitizenOpinion.Status.IN_REVIEW:
        return CitizenOpinion.Status.RECEIVED.label
    return opinion.get_status_display()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opinion_track(request: HttpRequest, code: str) -> HttpResponse:
    """An opinion's status, public reply and date; the rating form once replied."""
    template = "deputies/opinions/opinion_track.html"
    # Every look-up counts, not only the form: a code guessed in the address bar
    # is a look-up too.
    if _track_is_limited(request):
        return _too_many(request, "deputies/opinions/opinion_track_lookup.html", {})
    opinion = opinions.opinion_get_by_code(code=code)
    if opinion is None:
        raise Http404(_("查询码不存在,请核对后重新输入。"))
    form = OpinionRateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                opinions.opinion_rate(
                    tracking_code=opinion.tracking_code,
                    satisfaction=form.cleaned_data["satisfaction"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect(
                    reverse("opinion-track", args=[opinion.tracking_code]) + "?rated=1"
                )
        status = 400
    can_rate = (
        opinion.replied_at is not None
        and not opinion.satisfaction
        and opinion.status
        in (CitizenOpinion.Status.REPLIED, CitizenOpinion.Status.CLOSED)
    )
    return render(
        request,
        template,
        {
            "opinion": opinion,
            "status_label": _public_status(opinion),
            "content": opinions.mask_phones_in_text(opinion.content),
            "reply": opinions.mask_phones_in_text(opinion.reply),
            "is_new": request.GET.get("new") == "1",
            "just_rated": request.GET.get("rated") == "1",
            "can_rate": can_rate,
            "form": form,
            "show_reply": opinion.status
            in (
                CitizenOpinion.Status.REPLIED,
                CitizenOpinion.Status.CLOSED,
                CitizenOpinion.Status.REFERRED,
            ),
        },
        status=status,
    )


# ---------------------------------------------------------------------------
# Deputy portal: the inbox.
# ---------------------------------------------------------------------------

INBOX_STATUSES = [
    choice
    for choice in CitizenOpinion.Status.choices
    if choice[0] not in opinions.HIDDEN_FROM_HANDLERS
]


@login_required
@require_http_methods(["GET", "HEAD"])
def portal_opinion_list(request: HttpRequest) -> HttpResponse:
    """群众意见: opinions addressed to me or my stations, newest first."""
    status = request.GET.get("status", "")
    if status not in dict(INBOX_STATUSES):
        status = ""
    queryset = opinions.opinion_list_for_handler(user=request.user, status=status)
    page = Paginator(queryset, INBOX_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "opinion": opinion,
            "content": opinions.mask_phones_in_text(opinion.content)[:80],
            "phone": opinion.masked_phone,
        }
        for opinion in page.object_list
    ]
    return render(
        request,
        "deputies/opinions/portal_opinion_list.html",
        {
            "rows": rows,
            "page_obj": page,
            "status": status,
            "statuses": INBOX_STATUSES,
        },
    )


def _detail_context(request, opinion, **forms) -> dict:
    may_handle = opinions.opinion_may_handle(request.user, opinion)
    is_open = opinion.status in opinions.OPEN_STATES
    context = {
        "opinion": opinion,
        "content": opinions.mask_phones_in_text(opinion.content),
        "reply": opinions.mask_phones_in_text(opinion.reply),
        "phone": opinion.masked_phone,
        "may_reveal": bool(opinion.phone and opinion.phone_consent),
        "may_handle": may_handle,
        "is_open": is_open,
        "may_close": opinion.status
        in (
            CitizenOpinion.Status.REPLIED,
            CitizenOpinion.Status.REFERRED,
            CitizenOpinion.Status.RAISED,
        ),
        "may_reply": opinion.status
        in (*opinions.OPEN_STATES, CitizenOpinion.Status.REFERRED),
        "reply_form": forms.get("reply_form") or OpinionReplyForm(),
        "refer_form": forms.get("refer_form")
        or OpinionReferForm(
            units=opinions.opinion_unit_choices(opinion=opinion, user=request.user)
        ),
        "revealed_phone": forms.get("revealed_phone"),
        # A draft suggestion is a deputy's own: only a deputy raises one.
        "may_raise": is_open and opinions.deputy_of(request.user) is not None,
    }
    if is_open and opinion.station_id and opinion.station.manager_id == request.user.pk:
        context["assign_form"] = forms.get("assign_form") or OpinionAssignForm(
            deputies=opinions.opinion_deputy_choices(opinion=opinion)
        )
    return context


@login_required
@require_http_methods(["GET", "HEAD"])
def portal_opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One opinion with the forms to handle it."""
    opinion = opinions.opinion_get_for_handler(user=request.user, pk=pk)
    return render(
        request,
        "deputies/opinions/portal_opinion_detail.html",
        _detail_context(request, opinion),
    )


def _act(request, pk: int, *, form_name: str, form, run, done: str) -> HttpResponse:
    """Run a handling service from a portal form; back to the detail page."""
    opinion = opinions.opinion_get_for_handler(user=request.user, pk=pk)
    if form is None or form.is_valid():
        try:
            run(opinion, form.cleaned_data if form is not None else {})
        except ValidationError as error:
            if form is None:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("portal-opinion-detail", pk=pk)
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("portal-opinion-detail", pk=pk)
    return render(
        request,
        "deputies/opinions/portal_opinion_detail.html",
        _detail_context(request, opinion, **{form_name: form}),
        status=400,
    )


@login_required
@require_POST
def portal_opinion_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="reply_form",
        form=OpinionReplyForm(request.POST),
        run=lambda opinion, data: opinions.opinion_reply(
            opinion=opinion, actor=request.user, reply=data["reply"]
        ),
        done=_("已答复,群众凭查询码可以看到您的答复。"),
    )


@login_required
@require_POST
def portal_opinion_refer(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = opinions.opinion_get_for_handler(user=request.user, pk=pk)
    form = OpinionReferForm(
        request.POST,
        units=opinions.opinion_unit_choices(opinion=opinion, user=request.user),
    )
    return _act(
        request,
        pk,
        form_name="refer_form",
        form=form,
        run=lambda opinion, data: opinions.opinion_refer(
            opinion=opinion, actor=request.user, unit=data["unit"], note=data["note"]
        ),
        done=_("已转交单位办理。"),
    )


@login_required
@require_POST
def portal_opinion_assign(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = opinions.opinion_get_for_handler(user=request.user, pk=pk)
    form = OpinionAssignForm(
        request.POST, deputies=opinions.opinion_deputy_choices(opinion=opinion)
    )
    return _act(
        request,
        pk,
        form_name="assign_form",
        form=form,
        run=lambda opinion, data: opinions.opinion_assign(
            opinion=opinion, actor=request.user, deputy=data["deputy"]
        ),
        done=_("已分派给代表。"),
    )


@login_required
@require_POST
def portal_opinion_raise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="",
        form=None,
        run=lambda opinion, data: opinions.opinion_raise(
            opinion=opinion, actor=request.user
        ),
        done=_("已转为代表建议草稿,请到代表建议中完善后提交。"),
    )


@login_required
@require_POST
def portal_opinion_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        form_name="",
        form=None,
        run=lambda opinion, data: opinions.opinion_close(
            opinion=opinion, actor=request.user
        ),
        done=_("已办结。"),
    )


@never_cache
@login_required
@require_POST
def portal_opinion_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整号码: only to whom the opinion is addressed, only with the citizen's
    consent; every reveal is written to the audit log."""
    opinion = opinions.opinion_get_for_handler(user=request.user, pk=pk)
    if not opinions.opinion_is_addressed_to(request.user, opinion):
        raise Http404(_("没有找到这条群众意见,或您无权查看。"))
    if not (opinion.phone and opinion.phone_consent):
        messages.error(request, _("群众没有同意代表联系,不能查看完整号码。"))
        return redirect("portal-opinion-detail", pk=pk)
    audit.personal_data_viewed_event(
        user=request.user, obj=opinion, fields=["phone"], request=request
    )
    messages.info(request, _("本次查看已记入审计日志。"))
    return render(
        request,
        "deputies/opinions/portal_opinion_detail.html",
        _detail_context(request, opinion, revealed_phone=opinion.phone),
    )
