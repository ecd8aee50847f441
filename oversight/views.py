"""Pages of the oversight app.

Portal (signed in): deputies propose and support topics (``/portal/topics/``);
units report rectifications and experts score their cases (``/portal/oversight/``).
Public (no login, no personal data): published results and the verification page
of every public draw. Views call selectors and services; they never write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from congress import voting
from congress.roles import Role
from oversight import draws
from oversight import selectors
from oversight import services
from oversight.forms import CaseScoreForm
from oversight.forms import RectificationForm
from oversight.forms import TopicForm
from oversight.models import TopicProposal

PUBLIC_MAX_AGE = 300


def _error_text(exc: Exception) -> str:
    return "".join(getattr(exc, "messages", None) or [str(exc)])


def _deputy_of(request: HttpRequest):
    deputy = getattr(request.user, "deputy", None)
    if deputy is None or not request.user.has_role(Role.DEPUTY):
        raise PermissionDenied(_("只有人大代表可以提出监督议题。"))
    return deputy


def topic_year() -> int:
    """Topics are collected for next year's plan (隆回: every October)."""
    return timezone.localdate().year + 1


@login_required
def portal_topics(request: HttpRequest) -> HttpResponse:
    """A deputy proposes oversight topics and supports others' in their county."""
    deputy = _deputy_of(request)
    year = topic_year()
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_propose_by_deputy(
                deputy=deputy,
                user=request.user,
                year=year,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("议题已提交,感谢您的建议。"))
            return redirect("portal-topics")
    county = deputy.region.county or deputy.region
    mine = list(selectors.topic_list_for_deputy(deputy=deputy)[:50])
    mine_ids = {t.pk for t in mine}
    supported = set(
        TopicProposal.objects.filter(supports__user=request.user).values_list(
            "pk", flat=True
        )
    )
    others = [
        t
        for t in selectors.topic_list_open_in(region=county, year=year)[:50]
        if t.pk not in mine_ids
    ]
    return render(
        request,
        "oversight/portal_topics.html",
        {
            "form": form,
            "year": year,
            "mine": mine,
            "others": others,
            "supported": supported,
        },
    )


@login_required
@require_POST
def portal_topic_support(request: HttpRequest, pk: int) -> HttpResponse:
    """Support (附议) a topic of the deputy's own county."""
    deputy = _deputy_of(request)
    county = deputy.region.county or deputy.region
    topic = get_object_or_404(TopicProposal, pk=pk, region=county)
    try:
        services.topic_support(topic=topic, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已附议。"))
    return redirect("portal-topics")


@login_required
def portal_work(request: HttpRequest) -> HttpResponse:
    """What a unit or an expert is assigned: countermeasures to report, cases to score."""
    user = request.user
    countermeasures = list(selectors.countermeasure_list_for_unit(user=user))
    items = list(selectors.item_list_for_expert(user=user))
    if (
        not countermeasures
        and not items
        and not (user.has_role(Role.UNIT_LIAISON) or user.has_role(Role.EXPERT))
    ):
        raise PermissionDenied(_("本页面供承办单位和专家使用。"))
    return render(
        request,
        "oversight/portal_work.html",
        {
            "countermeasures": countermeasures,
            "items": items,
            "rectification_form": RectificationForm(),
            "score_form": CaseScoreForm(),
        },
    )


@login_required
@require_POST
def portal_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit reports what it did about one of its countermeasures."""
    countermeasure = selectors.countermeasure_get_for_unit(user=request.user, pk=pk)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写整改成效。"))
        return redirect("portal-oversight")
    try:
        services.rectification_report(
            countermeasure=countermeasure,
            done=form.cleaned_data["done"],
            evidence=form.cleaned_data["evidence"],
            completed=form.cleaned_data["completed"],
            user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("整改情况已报告。"))
    return redirect("portal-oversight")


@login_required
@require_POST
def portal_case_score(request: HttpRequest, pk: int) -> HttpResponse:
    """An assigned expert scores a selected case."""
    case = selectors.case_get_for_expert(user=request.user, pk=pk)
    form = CaseScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评分应在0至100分之间。"))
        return redirect("portal-oversight")
    try:
        services.case_score(
            case=case,
            expert=request.user.expert,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("评分已保存。"))
    return redirect("portal-oversight")


@login_required
def portal_evaluations(request: HttpRequest) -> HttpResponse:
    """Oversight satisfaction polls the user may vote in (secret ballot)."""
    polls = list(services.evaluation_list_open_for_voter(user=request.user))
    return render(request, "oversight/portal_evaluations.html", {"polls": polls})


@login_required
@require_POST
def portal_evaluation_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Cast one satisfaction ballot; the receipt code is shown once."""
    poll = services.evaluation_list_open_for_voter(user=request.user).filter(pk=pk)
    poll = poll.first()
    if poll is None:
        raise Http404(_("没有找到该测评,或您已经投过票。"))
    try:
        code = voting.vote_cast(
            poll=poll, voter=request.user, choices=[request.POST.get("option", "")]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("投票成功。您的回执码是 %(code)s,可凭它核对选票已被计入。")
            % {"code": code},
        )
    return redirect("portal-evaluations")


# --- public pages -----------------------------------------------------------------


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_results(request: HttpRequest) -> HttpResponse:
    """Published results of oversight items (监督结果公开)."""
    items = list(selectors.item_list_published()[:100])
    return render(request, "oversight/public/results.html", {"items": items})


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_result(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_list_published().filter(pk=pk).first()
    if item is None:
        raise Http404(_("该监督结果尚未公开。"))
    draws_made = list(item.draws.order_by("committed_at", "pk"))
    unit_evaluations = list(
        item.evaluations.filter(unit__isnull=False, concluded_at__isnull=False)
        .select_related("unit")
        .order_by("pk")
    )
    return render(
        request,
        "oversight/public/result.html",
        {"item": item, "draws": draws_made, "unit_evaluations": unit_evaluations},
    )


@require_safe
def public_draw(request: HttpRequest, token: str) -> HttpResponse:
    """A public draw: the list and commitment before; seed, result and check after."""
    draw = selectors.draw_get_public(token=token)
    check = services.draw_verify(draw=draw)
    labels = {c["key"]: c["label"] for c in draw.candidates}
    scores = []
    if check is not None:
        scores = sorted(
            (
                draws.candidate_score(
                    seed=draw.seed, public_entropy=draw.public_entropy, key=c["key"]
                ),
                c["key"],
                c["label"],
            )
            for c in draw.candidates
        )
    return render(
        request,
        "oversight/public/draw.html",
        {
            "draw": draw,
            "check": check,
            "result": [(key, labels.get(key, "")) for key in draw.result],
            "scores": scores,
        },
    )
