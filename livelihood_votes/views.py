"""Pages of livelihood_votes: public (群众提, results, progress), the deputy portal
(vote on a phone, keep and check the receipt code), the unit's monthly report and
the presiding staff's round page (live turnout, never a partial result).

Views call selectors and services; they never write a model themselves.
"""

from __future__ import annotations

import mimetypes

from axes.helpers import get_client_ip_address
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited

from congress import voting
from congress.models import PaperCount
from congress.models import Poll
from congress.reports.services import report_request
from congress.roles import Role
from livelihood_votes import selectors
from livelihood_votes import services
from livelihood_votes.forms import BallotForm
from livelihood_votes.forms import CandidateForm
from livelihood_votes.forms import MilestoneForm
from livelihood_votes.forms import OpinionPromoteForm
from livelihood_votes.forms import PaperCountForm
from livelihood_votes.forms import PortalProposalForm
from livelihood_votes.forms import ProgressReportForm
from livelihood_votes.forms import ProposalDeclineForm
from livelihood_votes.forms import ProposalForm
from livelihood_votes.forms import PublicSurveyForm
from livelihood_votes.forms import ReceiptCheckForm
from livelihood_votes.forms import SupervisionVisitForm
from livelihood_votes.models import Milestone
from livelihood_votes.models import ProgressPhoto
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import VotingRound
from livelihood_votes.reports import RESULT_KIND

# Public proposal form, like the opinion form: per client address, generous (a
# village or a mobile carrier puts many citizens behind one address).
PROPOSE_RATE_PER_ADDRESS = "10/h"
# Receipt checks: enough for a person, far too few to guess 80-bit codes.
RECEIPT_CHECK_RATE = "30/h"
PUBLIC_MAX_AGE = 120


def _client_address(group: str, request: HttpRequest) -> str:
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- public ----------------------------------------------------------------------------


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_round_list(request: HttpRequest) -> HttpResponse:
    """Every public round: collecting ones take proposals; the others show results."""
    return render(
        request,
        "livelihood_votes/public/round_list.html",
        {"rounds": selectors.round_list_public()},
    )


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's candidates, its published result with counts, its projects."""
    round_ = selectors.round_get_public(pk=pk)
    return render(
        request,
        "livelihood_votes/public/round_detail.html",
        {
            "round": round_,
            "results_public": selectors.results_are_public(round_),
            "candidates": list(round_.candidates.all()),
            "projects": list(round_.projects.all()),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def public_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """群众提: a citizen proposes a project while the round is collecting."""
    round_ = selectors.round_get_public(pk=pk)
    template = "livelihood_votes/public/propose.html"
    if round_.status != VotingRound.Status.COLLECTING:
        return render(request, template, {"round": round_, "closed": True})
    if request.method != "POST":
        return render(request, template, {"round": round_, "form": ProposalForm()})
    form = ProposalForm(request.POST)
    if is_ratelimited(
        request,
        group="livelihood-propose-address",
        key=_client_address,
        rate=PROPOSE_RATE_PER_ADDRESS,
        method="POST",
        increment=True,
    ):
        return render(
            request,
            template,
            {
                "round": round_,
                "form": form,
                "rate_limited": _("提交太频繁了,请稍后再试。"),
            },
            status=429,
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_submit(
                round_=round_,
                source=ProjectProposal.Source.CITIZEN,
                title=data["title"],
                content=data["content"],
                place=data["place"],
                estimated_cost=data["estimated_cost"],
                proposer_name=data["proposer_name"],
                phone=data["phone"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("livelihood-proposal-track", code=proposal.tracking_code)
    return render(request, template, {"round": round_, "form": form}, status=400)


@never_cache
@require_safe
def public_proposal_track(request: HttpRequest, code: str) -> HttpResponse:
    """A proposal's status by its tracking code (no name, no phone)."""
    if is_ratelimited(
        request,
        group="livelihood-track-address",
        key=_client_address,
        rate=RECEIPT_CHECK_RATE,
        increment=True,
    ):
        raise PermissionDenied(_("查询太频繁了,请稍后再试。"))
    proposal = selectors.proposal_get_by_code(code=code)
    if proposal is None:
        raise Http404(_("查询码不存在。"))
    return render(
        request,
        "livelihood_votes/public/proposal_track.html",
        {"proposal": proposal, "candidates": list(proposal.candidates.all())},
    )


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's public progress: milestones, monthly reports, supervision."""
    project = selectors.project_get_public(pk=pk)
    return render(
        request,
        "livelihood_votes/public/project_detail.html",
        {"project": project, "round": project.round},
    )


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_progress_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A progress photo of a decided project (public, like the report it belongs to)."""
    photo = (
        ProgressPhoto.objects.filter(pk=pk)
        .exclude(report__project__round__status=VotingRound.Status.SCREENING)
        .first()
    )
    if photo is None or not photo.image:
        raise Http404(_("照片不存在。"))
    content_type = mimetypes.guess_type(photo.image.name)[0] or "image/jpeg"
    return FileResponse(photo.image.open("rb"), content_type=content_type)


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_progress(request: HttpRequest, code: str) -> HttpResponse:
    """Every project of a county and its townships' batches, across rounds and
    years: round, responsible unit, percent, last report, status (by year, paged)."""
    county = selectors.county_get_public(code=code)
    years = selectors.project_progress_years(county=county)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else None
    page = Paginator(
        selectors.project_progress_public(county=county, year=year),
        selectors.PROGRESS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "livelihood_votes/public/progress.html",
        {"county": county, "years": years, "year": year, "page": page},
    )


# --- portals: deputies and units propose (群众提) ------------------------------------------


def _proposer(request: HttpRequest, as_unit: bool) -> dict:
    """The signed-in deputy, or the unit of the signed-in liaison (403 otherwise)."""
    user = request.user
    if as_unit:
        if not (user.has_role(Role.UNIT_LIAISON) and user.organization_id):
            raise PermissionDenied(_("只有承办单位的联络员可以提出单位的项目建议。"))
        unit = user.organization
        return {"organization": unit, "region": unit.region, "name": unit.name}
    deputy = getattr(user, "deputy", None)
    if deputy is None:
        raise PermissionDenied(_("只有人大代表可以提出代表的项目建议。"))
    return {"deputy": deputy, "region": deputy.region, "name": deputy.name}


def _proposal_urls(as_unit: bool) -> tuple[str, str]:
    if as_unit:
        return "livelihood-portal-unit-proposals", "livelihood-portal-unit-propose"
    return "livelihood-portal-deputy-proposals", "livelihood-portal-deputy-propose"


@login_required
@require_safe
def portal_proposal_list(request: HttpRequest, as_unit: bool = False) -> HttpResponse:
    """The collecting rounds of the proposer's region and their own proposals."""
    proposer = _proposer(request, as_unit)
    list_url, propose_url = _proposal_urls(as_unit)
    return render(
        request,
        "livelihood_votes/portal/proposal_list.html",
        {
            "proposer_name": proposer["name"],
            "as_unit": as_unit,
            "propose_url": propose_url,
            "rounds": selectors.rounds_collecting_for_region(region=proposer["region"]),
            "proposals": selectors.proposal_list_for_proposer(
                deputy=proposer.get("deputy"),
                organization=proposer.get("organization"),
            ),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_propose(
    request: HttpRequest, pk: int, as_unit: bool = False
) -> HttpResponse:
    """A deputy's or a unit's proposal to a collecting round of their region,
    through the same service as the public page (which refuses the others)."""
    proposer = _proposer(request, as_unit)
    round_ = VotingRound.objects.select_related("region").filter(pk=pk).first()
    if round_ is None:
        raise Http404(_("票决批次不存在。"))
    list_url, _propose_url = _proposal_urls(as_unit)
    form = PortalProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_submit(
                round_=round_,
                source=ProjectProposal.Source.UNIT
                if as_unit
                else ProjectProposal.Source.DEPUTY,
                title=data["title"],
                content=data["content"],
                place=data["place"],
                estimated_cost=data["estimated_cost"],
                proposer_name=proposer["name"],
                deputy=proposer.get("deputy"),
                organization=proposer.get("organization"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("项目建议已提交。"))
            return redirect(list_url)
    return render(
        request,
        "livelihood_votes/portal/propose.html",
        {
            "round": round_,
            "form": form,
            "proposer_name": proposer["name"],
            "list_url": list_url,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- deputy portal: voting -------------------------------------------------------------------


@login_required
@require_safe
def portal_vote_list(request: HttpRequest) -> HttpResponse:
    """The polls the deputy may vote in, open ones first."""
    return render(
        request,
        "livelihood_votes/portal/vote_list.html",
        {"polls": selectors.poll_list_for_voter(user=request.user)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The ballot. After the vote the receipt code is shown once, never stored.

    The POST asks nothing the vote does not need: whether the deputy has voted
    is the engine's answer (the unique receipt), not a query of its own, and the
    options with their candidates are read only to show a ballot again.
    """
    poll = selectors.ballot_get_for_voter(user=request.user, pk=pk)
    template = "livelihood_votes/portal/vote.html"
    submitted = request.method == "POST" and poll.status == Poll.Status.OPEN
    refused = None
    if submitted:
        form = BallotForm(request.POST, poll=poll)
        if form.is_valid():
            try:
                code = voting.vote_cast(
                    poll=poll, voter=request.user, choices=form.choices()
                )
            except ValidationError as error:
                refused = error
            else:
                return render(
                    request,
                    "livelihood_votes/portal/vote_receipt.html",
                    {"poll": poll, "code": code},
                )
    # Not the accepted ballot: the page says whether the deputy has voted.
    voted = poll.receipts.filter(voter=request.user).exists()
    context = {"poll": poll, "voted": voted}
    if poll.status != Poll.Status.OPEN or voted:
        return render(request, template, context)
    options = selectors.ballot_options(poll=poll)
    if not submitted:
        return render(
            request,
            template,
            {**context, "form": BallotForm(poll=poll, options=options)},
        )
    # The refused ballot again, with its options and what was wrong.
    form = BallotForm(request.POST, poll=poll, options=options)
    if form.is_valid() and refused is not None:
        _apply_errors(form, refused)
    return render(request, template, {**context, "form": form}, status=400)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_receipt_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check that the ballot of a receipt code is counted, and what it says."""
    poll = selectors.poll_get_for_voter(user=request.user, pk=pk)
    form = ReceiptCheckForm(request.POST or None)
    check = None
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="livelihood-receipt-check",
            key="user",
            rate=RECEIPT_CHECK_RATE,
            method="POST",
            increment=True,
        ):
            form.add_error(None, _("查询太频繁了,请稍后再试。"))
        elif form.is_valid():
            check = voting.ballot_verify(
                poll=poll, receipt_code=form.cleaned_data["code"]
            )
    return render(
        request,
        "livelihood_votes/portal/receipt_check.html",
        {"poll": poll, "form": form, "check": check},
    )


# --- unit portal: monthly reports ------------------------------------------------------------


@login_required
@require_safe
def portal_project_list(request: HttpRequest) -> HttpResponse:
    """The projects of the user's unit (or region, for staff)."""
    return render(
        request,
        "livelihood_votes/portal/project_list.html",
        {"projects": selectors.project_list_for_user(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's monthly progress report, with photos."""
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not services.user_may_report_for(user=request.user, project=project):
        raise PermissionDenied(_("只有责任单位的联络员可以报送该项目的进展。"))
    form = ProgressReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        photos = request.FILES.getlist("photos")
        data = form.cleaned_data
        try:
            services.progress_report_submit(
                project=project,
                month=data["month"],
                percent=data["percent"],
                funds_spent=data["funds_spent"],
                narrative=data["narrative"],
                problems=data["problems"],
                photos=photos,
                user=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("进展已报送。"))
            return redirect("livelihood-portal-projects")
    return render(
        request,
        "livelihood_votes/portal/progress_form.html",
        {"project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- presiding staff --------------------------------------------------------------------------


def _staff_round(request: HttpRequest, pk: int) -> VotingRound:
    user = request.user
    if not user.works_in_admin:
        raise PermissionDenied(_("只有常委会工作人员可以主持票决。"))
    return selectors.round_get_for_user(user=user, pk=pk)


def _may_act(user) -> bool:
    return user.is_superuser or user.has_role(Role.STAFF)


@login_required
@require_safe
def staff_round(request: HttpRequest, pk: int) -> HttpResponse:
    """The presiding page: live turnout while open; results only after the close."""
    round_ = _staff_round(request, pk)
    poll = services.round_current_poll(round_)
    result = None
    error = None
    if poll is not None and poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED):
        try:
            result = voting.approval_result(
                poll=poll,
                choose=round_.choose_count
                - round_.candidates.filter(outcome="chosen").count()
                if round_.runoff_poll
                else round_.choose_count,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    options = {c.option_id: c for c in selectors.round_candidates(round_=round_)}
    paper_form = None
    if poll is not None and poll.status in (Poll.Status.OPEN, Poll.Status.CLOSED):
        paper_form = PaperCountForm(options=list(poll.options.order_by("order")))
    return render(
        request,
        "livelihood_votes/staff/round.html",
        {
            "round": round_,
            "poll": poll,
            "turnout": voting.poll_turnout(poll=poll) if poll else None,
            "result": result,
            "result_error": error,
            "option_candidates": options,
            "candidates": selectors.round_candidates(round_=round_),
            "may_act": _may_act(request.user),
            "round_deputies": services.round_deputies(round_=round_).order_by("name")
            if round_.status == VotingRound.Status.PUBLISHED
            else [],
            "paper_form": paper_form,
            "paper_counts": list(
                PaperCount.objects.filter(poll=poll).select_related(
                    "entered_by", "confirmed_by"
                )
            )
            if poll
            else [],
        },
    )


@never_cache
@login_required
@require_safe
def staff_round_turnout(request: HttpRequest, pk: int) -> HttpResponse:
    """The turnout fragment the presiding page polls (htmx): counts, no choices."""
    round_ = _staff_round(request, pk)
    poll = services.round_current_poll(round_)
    if poll is None:
        raise Http404(_("本批次尚未开始投票。"))
    return render(
        request,
        "livelihood_votes/staff/_turnout.html",
        {"round": round_, "poll": poll, "turnout": voting.poll_turnout(poll=poll)},
    )


ACTIONS = {
    "screening": services.round_screening_start,
    "publish": services.round_candidates_publish,
    "open": services.round_voting_open,
    "close": services.round_voting_close,
    "decide": services.round_decide,
    "runoff": services.round_runoff_open,
    "implement": services.round_implementation_start,
    "evaluate": services.round_evaluation_open,
    "finish": services.round_close,
}


@login_required
@require_POST
def staff_round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Move the round on (each step a service that checks the state)."""
    round_ = _staff_round(request, pk)
    if not _may_act(request.user):
        raise PermissionDenied(_("您无权操作票决。"))
    service = ACTIONS.get(action)
    if service is None:
        raise Http404(_("未知的操作。"))
    kwargs = {}
    if action == "open" and request.POST.get("present_only"):
        # Only those present at the session (出席代表) are the electorate.
        kwargs["present"] = list(
            services.round_deputies(round_=round_).filter(
                pk__in=[
                    int(pk) for pk in request.POST.getlist("present") if pk.isdigit()
                ]
            )
        )
    try:
        if kwargs.get("present") == []:
            raise ValidationError(_("请勾选出席会议的代表。"))
        service(round_=round_, user=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("livelihood-staff-round", pk=round_.pk)


@login_required
@require_POST
def staff_paper_count(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter paper counts, or confirm another clerk's entry with the same form."""
    round_ = _staff_round(request, pk)
    if not _may_act(request.user):
        raise PermissionDenied(_("您无权录入计票。"))
    poll = services.round_current_poll(round_)
    if poll is None:
        raise Http404(_("本批次尚未开始投票。"))
    form = PaperCountForm(request.POST, options=list(poll.options.order_by("order")))
    if not form.is_valid():
        messages.error(request, _("请完整填写各项票数。"))
        return redirect("livelihood-staff-round", pk=round_.pk)
    label = form.cleaned_data["label"]
    existing = PaperCount.objects.filter(poll=poll, label=label).first()
    try:
        if existing is not None and existing.entered_by_id != request.user.pk:
            paper = voting.paper_count_confirm(
                paper_count=existing,
                ballots=form.cleaned_data["ballots"],
                counts=form.counts(),
                user=request.user,
            )
            if paper.status == PaperCount.Status.MISMATCH:
                messages.error(request, _("复核不一致,请重新清点后由录入人重新录入。"))
            else:
                messages.success(request, _("复核一致,计票已确认。"))
        else:
            voting.paper_count_enter(
                poll=poll,
                label=label,
                ballots=form.cleaned_data["ballots"],
                counts=form.counts(),
                user=request.user,
            )
            messages.success(request, _("已录入,请另一名工作人员独立复核。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("livelihood-staff-round", args=[round_.pk]))


@login_required
@require_POST
def staff_round_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the signed result report (PDF) of a round and show its progress page."""
    round_ = _staff_round(request, pk)
    try:
        report = report_request(
            kind=RESULT_KIND,
            params={"region_id": round_.region_id, "round_id": round_.pk},
            requester=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("livelihood-staff-round", pk=round_.pk)
    return redirect("report-detail", pk=report.pk)


# --- 人大督: deputies record supervision visits in the portal ---------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """A deputy records a supervision group's visit to a project of their congress."""
    project = selectors.project_list_for_deputy(user=request.user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("项目不存在。"))
    deputies = services.round_deputies(round_=project.round).order_by("name")
    form = SupervisionVisitForm(
        request.POST or None,
        deputies=deputies,
        initial={"deputies": [request.user.deputy.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supervision_visit_record(
                project=project,
                date=data["date"],
                deputies=list(data["deputies"]),
                rating=data["rating"],
                findings=data["findings"],
                user=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("督查记录已保存。"))
            return redirect("livelihood-project", pk=project.pk)
    return render(
        request,
        "livelihood_votes/portal/supervision_form.html",
        {"project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def portal_supervision_list(request: HttpRequest) -> HttpResponse:
    """Projects the deputy may supervise."""
    return render(
        request,
        "livelihood_votes/portal/supervision_list.html",
        {"projects": selectors.project_list_for_deputy(user=request.user)},
    )


# --- staff: a project's milestones, supervision and public survey ----------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_project(request: HttpRequest, pk: int) -> HttpResponse:
    """Milestones, the public survey counts and supervision of one project."""
    if not request.user.works_in_admin:
        raise PermissionDenied(_("只有常委会工作人员可以管理项目。"))
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    milestone_form = MilestoneForm(prefix="m")
    survey_form = PublicSurveyForm(
        prefix="s",
        initial={
            "satisfied": project.public_satisfied,
            "basically_satisfied": project.public_basically_satisfied,
            "unsatisfied": project.public_unsatisfied,
        },
    )
    if request.method == "POST":
        if not _may_act(request.user):
            raise PermissionDenied(_("您无权操作。"))
        action = request.POST.get("action")
        try:
            if action == "milestone":
                milestone_form = MilestoneForm(request.POST, prefix="m")
                if milestone_form.is_valid():
                    services.milestone_create(
                        project=project,
                        user=request.user,
                        **milestone_form.cleaned_data,
                    )
                    return redirect("livelihood-staff-project", pk=project.pk)
            elif action == "done":
                milestone = Milestone.objects.filter(
                    project=project, pk=request.POST.get("milestone")
                ).first()
                if milestone is None:
                    raise Http404(_("节点不存在。"))
                services.milestone_complete(
                    milestone=milestone,
                    done_on=timezone.localdate(),
                    user=request.user,
                )
                return redirect("livelihood-staff-project", pk=project.pk)
            elif action == "survey":
                survey_form = PublicSurveyForm(request.POST, prefix="s")
                if survey_form.is_valid():
                    services.project_public_survey_record(
                        project=project, user=request.user, **survey_form.cleaned_data
                    )
                    messages.success(request, _("群众测评结果已录入。"))
                    return redirect("livelihood-staff-project", pk=project.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "livelihood_votes/staff/project.html",
        {
            "project": project,
            "milestones": list(project.milestones.order_by("due_date")),
            "milestone_form": milestone_form,
            "survey_form": survey_form,
            "may_act": _may_act(request.user),
        },
    )


# --- staff: screening (初审) ---------------------------------------------------------------


def _candidate_form(round_: VotingRound, data=None) -> CandidateForm:
    return CandidateForm(
        data,
        prefix="c",
        units=selectors.units_for_round(round_=round_),
        proposals=round_.proposals.exclude(
            status=ProjectProposal.Status.DECLINED
        ).order_by("-created_at"),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_screening(request: HttpRequest, pk: int) -> HttpResponse:
    """Proposals to screen: decline with a reason, promote a citizen opinion, and
    merge proposals into candidates (all through the services)."""
    round_ = _staff_round(request, pk)
    candidate_form = _candidate_form(round_)
    promote_form = OpinionPromoteForm(prefix="o")
    if request.method == "POST":
        if not _may_act(request.user):
            raise PermissionDenied(_("您无权操作。"))
        action = request.POST.get("action")
        try:
            if action == "candidate":
                candidate_form = _candidate_form(round_, request.POST)
                if candidate_form.is_valid():
                    data = candidate_form.cleaned_data
                    services.candidate_create(
                        round_=round_,
                        title=data["title"],
                        description=data["description"],
                        responsible_unit=data["responsible_unit"],
                        budget=data["budget"],
                        target_date=data["target_date"],
                        proposals=list(data["proposals"]),
                        user=request.user,
                    )
                    messages.success(request, _("候选项目已添加。"))
                    return redirect("livelihood-staff-screening", pk=round_.pk)
            elif action == "decline":
                form = ProposalDeclineForm(request.POST)
                if form.is_valid():
                    proposal = round_.proposals.filter(
                        pk=form.cleaned_data["proposal"]
                    ).first()
                    if proposal is None:
                        raise Http404(_("项目建议不存在。"))
                    services.proposal_decline(
                        proposal=proposal,
                        note=form.cleaned_data["note"],
                        user=request.user,
                    )
                    return redirect("livelihood-staff-screening", pk=round_.pk)
                messages.error(request, _("请填写未采纳的理由。"))
            elif action == "promote":
                promote_form = OpinionPromoteForm(request.POST, prefix="o")
                if promote_form.is_valid():
                    opinion = selectors.opinion_get_for_user(
                        user=request.user, code=promote_form.cleaned_data["code"]
                    )
                    services.proposal_promote_from_opinion(
                        round_=round_,
                        opinion=opinion,
                        title=promote_form.cleaned_data["title"],
                        user=request.user,
                    )
                    messages.success(request, _("群众意见已转为项目建议。"))
                    return redirect("livelihood-staff-screening", pk=round_.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "livelihood_votes/staff/screening.html",
        {
            "round": round_,
            "proposals": list(
                round_.proposals.prefetch_related("candidates").order_by(
                    "status", "-created_at"
                )
            ),
            "candidates": selectors.round_candidates(round_=round_),
            "candidate_form": candidate_form,
            "promote_form": promote_form,
            "may_act": _may_act(request.user),
        },
    )
