"""The suggestions PDFs: the 建议办理情况报告 (a report kind of ``congress.reports``)
and a unit's formal reply letter (答复函), rendered on request."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Region
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.registry import ReportKind
from congress.reports.render import render_pdf
from congress.roles import Role
from suggestions import selectors
from suggestions.models import Reply

HANDLING_REPORT_KIND = "suggestions.handling"
HANDLING_REPORT_TEMPLATE = "suggestions/reports/handling_report.html"
REPLY_LETTER_TEMPLATE = "suggestions/reports/reply_letter.html"


def build_handling_report_context(
    *, region: Region, params: dict[str, Any]
) -> dict[str, Any]:
    """Everything the report and the statistics page show, from grouped queries."""
    year = int(params.get("year") or timezone.localdate().year)
    units = selectors.statistics_by_unit(region=region, year=year)
    categories = selectors.statistics_by_category(region=region, year=year)
    townships = selectors.statistics_by_township(region=region, year=year)
    summary = selectors.statistics_summary(region=region, year=year)
    totals = {
        "assigned": sum(u.assigned for u in units),
        "replied": sum(u.replied for u in units),
        "on_time": sum(u.on_time for u in units),
        "evaluated": sum(u.evaluated for u in units),
        "satisfied": sum(u.satisfied for u in units),
        "a": sum(u.a for u in units),
        "b": sum(u.b for u in units),
        "c": sum(u.c for u in units),
        "d": sum(u.d for u in units),
    }
    totals["on_time_rate"] = _rate(totals["on_time"], totals["assigned"])
    totals["satisfaction_rate"] = _rate(totals["satisfied"], totals["evaluated"])
    return {
        "region": region,
        "year": year,
        "summary": summary,
        "units": units,
        "totals": totals,
        "categories": categories,
        "townships": townships,
        "cover_org": _("%(region)s人大常委会") % {"region": region.name},
        "cover_subtitle": _("%(year)s年度 · 代表建议 %(total)s 件")
        % {"year": year, "total": summary["total"]},
        "generated_at": timezone.localtime(),
        "class_chart_svg": bar_chart_svg(
            [
                (_("A类"), totals["a"]),
                (_("B类"), totals["b"]),
                (_("C类"), totals["c"]),
                (_("D类"), totals["d"]),
            ],
            title=_("办理结果分类"),
        ),
        "category_chart_svg": bar_chart_svg(categories[:12], title=_("建议类别")),
        "unit_chart_svg": bar_chart_svg(
            [(u.unit, u.assigned) for u in units[:15]], title=_("各承办单位交办件数")
        ),
        "qr_svg": qr_svg(reverse("suggestions:statistics") + f"?year={year}"),
    }


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def can_request_handling_report(user) -> bool:
    """Staff, leadership and system admins may print the handling report."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.STAFF)
            or user.has_role(Role.LEADERSHIP)
            or user.has_role(Role.SYSTEM_ADMIN)
        )
    )


HANDLING_REPORT = ReportKind(
    kind=HANDLING_REPORT_KIND,
    title=gettext_lazy("代表建议办理情况报告"),
    template_name=HANDLING_REPORT_TEMPLATE,
    build_context=build_handling_report_context,
    can_request=can_request_handling_report,
)


def build_reply_letter_context(*, reply: Reply) -> dict[str, Any]:
    """The reply letter: unit, number, date, addressee, text, commitments, signature."""
    reply = (
        Reply.objects.select_related(
            "assignment__unit", "suggestion__lead_deputy", "suggestion__session"
        )
        .prefetch_related("commitments", "suggestion__signatures__deputy")
        .get(pk=reply.pk)
    )
    suggestion = reply.suggestion
    signers = [s.deputy.name for s in suggestion.signatures.all() if s.confirmed_at]
    return {
        "reply": reply,
        "suggestion": suggestion,
        "unit": reply.assignment.unit,
        "addressee": "、".join([suggestion.lead_deputy.name, *signers]),
        "report_title": _("关于%(title)s的答复") % {"title": suggestion.title},
        "date": timezone.localtime(reply.replied_at).date(),
    }


def reply_letter_pdf(*, reply: Reply) -> bytes:
    """Render one reply letter (one or two pages: rendered in the request)."""
    return render_pdf(
        REPLY_LETTER_TEMPLATE, build_reply_letter_context(reply=reply)
    ).content


def handling_report_pdf(*, region: Region, year: int | None = None) -> bytes:
    """Render the handling report of one region and year in the calling process
    (the benchmark and tests; users get it through the report queue)."""
    params = {"year": year or timezone.localdate().year}
    context = {
        **build_handling_report_context(region=region, params=params),
        "report_title": HANDLING_REPORT.title_for(region=region),
    }
    return render_pdf(HANDLING_REPORT_TEMPLATE, context).content
