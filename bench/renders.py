"""Renderers the benchmark times outside a request (PDF reports)."""

from __future__ import annotations

from django.utils import timezone

from congress.models import Region


def roster_render(*, region: Region) -> int:
    """Render the roster of deputies and stations of one county, as the report task
    does (context, HTML, WeasyPrint), without storing it. Return the page count."""
    from congress.reports.render import html_to_pdf
    from congress.reports.render import render_html
    from deputies.reports import ROSTER

    context = ROSTER.build_context(region=region, params={})
    context.setdefault("report_title", ROSTER.title_for(region=region))
    context.setdefault("generated_at", timezone.localtime())
    pdf = html_to_pdf(render_html(ROSTER.template_name, context))
    return pdf.pages
