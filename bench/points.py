"""Benchmarks of 履职积分 and 履职档案 (called by ``bench.pages`` Render entries).

Each takes the county region the benchmark passes and returns a number that
shows the work was done (ledger lines, pages).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from congress.models import Region


def _city(region: Region) -> Region:
    return Region.objects.get(code=Region.full_code(region.code[:4]))


def points_rebuild_city(*, region: Region) -> int:
    """Rebuild this year's ledger of the whole city (30,000 deputies) from
    scratch: the year's lines are removed first, so every line is written."""
    from deputies.models import PointEntry
    from deputies.points import points_rebuild

    year = timezone.localdate().year
    city = _city(region)
    outside = PointEntry.objects.exclude(deputy__region__code__startswith=city.prefix)
    if outside.exists():
        lines = PointEntry.objects.filter(
            year=year, deputy__region__code__startswith=city.prefix
        )
        lines._raw_delete(lines.db)
    else:
        # The bench database holds the city only: emptying the table is instant,
        # so the figure is the rebuild's, not the clean-up's.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE deputies_pointentry")
    return points_rebuild(year=year, region=city).entries


def points_rebuild_again(*, region: Region) -> int:
    """The nightly run when little changed: the second rebuild writes nothing."""
    from deputies.points import points_rebuild

    result = points_rebuild(year=timezone.localdate().year, region=_city(region))
    return result.written


def _busiest_county_deputy(region: Region) -> int:
    """The county deputy with the most ledger lines this year (a cheap, indexed
    stand-in for "the busiest": the archive then prints a long year)."""
    from deputies.models import Level
    from deputies.models import Mandate
    from deputies.models import PointEntry

    seated = Mandate.objects.filter(
        level=Level.COUNTY, congress_region=region, status=Mandate.Status.ACTIVE
    ).values("deputy_id")
    row = (
        PointEntry.objects.filter(year=timezone.localdate().year, deputy__in=seated)
        .values("deputy_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "deputy_id")
        .first()
    )
    if row is None:
        return seated.order_by("deputy_id").first()["deputy_id"]
    return row["deputy_id"]


def archive_one(*, region: Region) -> int:
    """One deputy's 履职档案 PDF (the busiest of 200 county deputies), as the
    download view renders it. Returns the page count."""
    from deputies.archive import archive_render

    year = timezone.localdate().year
    return archive_render(deputy_id=_busiest_county_deputy(region), year=year).pages


def booklet_300(*, region: Region) -> int:
    """The booklet of the county congress as the report task renders it
    (context, HTML, WeasyPrint), at most 300 deputies. Returns the page count."""
    from congress.reports.render import html_to_pdf
    from congress.reports.render import render_html
    from deputies.archive import BOOKLET
    from deputies.archive import BOOKLET_LIMIT_PARAM

    params = {"region_id": region.pk, BOOKLET_LIMIT_PARAM: 300}
    context = BOOKLET.build_context(region=region, params=params)
    context.setdefault("report_title", BOOKLET.title_for(region=region))
    pdf = html_to_pdf(render_html(BOOKLET.template_name, context))
    return pdf.pages
