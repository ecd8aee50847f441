"""Writes for generated reports: request, run, progress, finish, fail."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.audit import state_change_event
from congress.models import GeneratedReport
from congress.models import Region
from congress.models import User
from congress.reports import registry
from congress.reports.render import html_to_pdf
from congress.reports.render import render_html
from congress.scope import user_sees_everything

logger = logging.getLogger(__name__)

# Progress milestones shown on the status page.
PROGRESS_STARTED = 5
PROGRESS_CONTEXT = 10
PROGRESS_HTML = 30
PROGRESS_LAYOUT = 60
PROGRESS_WRITTEN = 90
PROGRESS_DONE = 100


def _region_in_scope(user: User, region: Region) -> bool:
    if user_sees_everything(user):
        return True
    return user.scope_region is not None and user.scope_region.contains(region)


@transaction.atomic
def report_request(
    *, kind: str, params: dict[str, Any], requester: User
) -> GeneratedReport:
    """Create a pending report for a region the requester may see and queue it.

    ``params["region_id"]`` names the region. The task is enqueued after commit,
    so the worker never looks for a row that does not exist yet.
    """
    report_kind = registry.report_kind_get(kind)
    if report_kind is None:
        raise ValidationError(_("未知的报表类别:%(kind)s") % {"kind": kind})
    if not report_kind.can_request(requester):
        raise PermissionDenied(
            _("您无权申请“%(title)s”。") % {"title": report_kind.title}
        )
    region = Region.objects.filter(pk=params.get("region_id")).first()
    if region is None or not _region_in_scope(requester, region):
        raise ValidationError(
            _("您只能申请本人管辖区域内的报表,所选区划不在您的权限范围内。"),
            code="out_of_scope",
        )
    report = GeneratedReport.objects.create(
        kind=kind,
        title=report_kind.title_for(region=region),
        params={**params, "region_id": region.pk},
        region=region,
        requester=requester,
    )
    from congress.reports.tasks import report_generate_task

    report_generate_task.delay_on_commit(report.pk)
    return report


@transaction.atomic
def report_start(*, report_id: int) -> GeneratedReport | None:
    """Mark a report running; return None if it is already done (a retried task)."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if report.status == GeneratedReport.Status.DONE:
        return None
    report.status = GeneratedReport.Status.RUNNING
    report.progress = PROGRESS_STARTED
    report.error = ""
    report.started_at = timezone.now()
    report.save(update_fields=["status", "progress", "error", "started_at"])
    return report


def report_progress_set(*, report_id: int, progress: int) -> None:
    """Record progress (0–100) of a running report; one UPDATE, own commit."""
    GeneratedReport.objects.filter(
        pk=report_id, status=GeneratedReport.Status.RUNNING
    ).update(progress=min(max(progress, 0), 100))


@transaction.atomic
def report_finish(*, report_id: int, content: bytes, pages: int) -> bool:
    """Save the PDF and mark the report done, unless another run finished first."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if report.status == GeneratedReport.Status.DONE:
        return False
    # Downloads go through the scoped, audited view; the random part keeps the
    # file from being found by its number should media ever be served directly.
    file_name = f"report-{report.pk}-{secrets.token_urlsafe(12)}.pdf"
    report.file.save(file_name, ContentFile(content), save=False)
    report.status = GeneratedReport.Status.DONE
    report.progress = PROGRESS_DONE
    report.pages = pages
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "progress", "pages", "finished_at"])
    state_change_event(
        user=report.requester, obj=report, transition="report_done", detail={}
    )
    return True


@transaction.atomic
def report_fail(*, report_id: int, error: str) -> None:
    """Mark a report failed with the error, unless it is already done."""
    GeneratedReport.objects.filter(pk=report_id).exclude(
        status=GeneratedReport.Status.DONE
    ).update(
        status=GeneratedReport.Status.FAILED,
        error=error[:2000],
        finished_at=timezone.now(),
    )


def report_generate(*, report_id: int) -> None:
    """Build, render and store one report, recording progress as it goes.

    Deliberately not one transaction: each progress step commits on its own so
    the status page can show it while WeasyPrint works. Idempotence comes from
    :func:`report_start` and :func:`report_finish`, which lock the row and skip a
    report that is already done.
    """
    report = report_start(report_id=report_id)
    if report is None:
        return
    try:
        report_kind = registry.report_kind_get(report.kind)
        if report_kind is None:
            raise ValueError(_("未知的报表类别:%(kind)s") % {"kind": report.kind})
        context = report_kind.build_context(region=report.region, params=report.params)
        context.setdefault("report_title", report.title)
        context.setdefault("generated_at", timezone.localtime())
        report_progress_set(report_id=report.pk, progress=PROGRESS_CONTEXT)
        html = render_html(report_kind.template_name, context)
        report_progress_set(report_id=report.pk, progress=PROGRESS_HTML)
        pdf = html_to_pdf(
            html,
            on_layout=lambda pages: report_progress_set(
                report_id=report.pk, progress=PROGRESS_LAYOUT
            ),
        )
        report_progress_set(report_id=report.pk, progress=PROGRESS_WRITTEN)
        report_finish(report_id=report.pk, content=pdf.content, pages=pdf.pages)
    except Exception as exc:  # noqa: BLE001 — any failure is shown on the page
        logger.exception("report %s failed", report_id)
        report_fail(report_id=report_id, error=f"{type(exc).__name__}: {exc}")
