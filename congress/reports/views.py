"""Pages of the generated reports: my reports, one report's status, download, request.

Every read goes through ``GeneratedReport.objects.visible_to(user)``: a report
outside the user's reach is a 404, the same answer as a report that does not exist.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from congress.audit import export_event
from congress.models import GeneratedReport
from congress.models import Region
from congress.reports import registry
from congress.reports.services import report_request
from congress.scope import user_sees_everything

REPORT_LIST_LIMIT = 50
# Seconds between reloads of the status page while the report is being made.
REFRESH_SECONDS = 3


def _visible_counties(user) -> list[Region]:
    """Counties the user may print reports for: their scope's counties, or their own."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    if user_sees_everything(user):
        return list(counties)
    scope = user.scope_region
    if scope is None:
        return []
    if scope.level > Region.Level.COUNTY:
        return [scope.county] if scope.county else []
    return [c for c in counties.filter(code__startswith=scope.prefix)]


class ReportRequestForm(forms.Form):
    region = forms.TypedChoiceField(label=gettext_lazy("县(市、区)"), coerce=int)

    def __init__(self, *args, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user asked for, newest first, and the kinds they may ask for."""
    reports = (
        GeneratedReport.objects.visible_to(request.user)
        .filter(requester=request.user)
        .select_related("region")
        .order_by("-created_at")[:REPORT_LIST_LIMIT]
    )
    kinds = [k for k in registry.report_kind_list() if k.can_request(request.user)]
    return render(
        request,
        "congress/reports/report_list.html",
        {"reports": reports, "kinds": kinds},
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, progress and download of one report; reloads itself until finished."""
    report = get_object_or_404(
        GeneratedReport.objects.visible_to(request.user).select_related(
            "region", "requester"
        ),
        pk=pk,
    )
    in_progress = report.status in (
        GeneratedReport.Status.PENDING,
        GeneratedReport.Status.RUNNING,
    )
    return render(
        request,
        "congress/reports/report_detail.html",
        {
            "report": report,
            "in_progress": in_progress,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """Stream the finished PDF to a user who may see the report; 404 otherwise."""
    report = get_object_or_404(
        GeneratedReport.objects.visible_to(request.user),
        pk=pk,
        status=GeneratedReport.Status.DONE,
    )
    if not report.file:
        raise Http404(_("报表文件不存在。"))
    export_event(
        user=request.user,
        model_label="congress.generatedreport",
        rows=report.pages or 0,
        unmasked=False,
        request=request,
        fmt="pdf",
    )
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{report.title}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Ask for a report of one kind for a county the user may see."""
    report_kind = registry.report_kind_get(kind)
    if report_kind is None:
        raise Http404(_("未知的报表类别。"))
    if not report_kind.can_request(request.user):
        raise PermissionDenied(_("您无权申请此报表。"))
    form = ReportRequestForm(
        request.POST or None, regions=_visible_counties(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = report_request(
                kind=kind,
                params={"region_id": form.cleaned_data["region"]},
                requester=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("报表已提交生成,请稍候。"))
            return redirect("report-detail", pk=report.pk)
    return render(
        request,
        "congress/reports/report_new.html",
        {"form": form, "report_kind": report_kind},
    )
