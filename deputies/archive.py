"""履职档案: one deputy's year in print, and the booklet of a whole congress.

Both are built by one batch selector (:func:`archives_build`) that reads a fixed
number of queries whatever the number of deputies, so the booklet of 300
deputies costs about as many queries as the archive of one. The PDF uses block
layout (paragraphs of short lines), not multi-page tables, which WeasyPrint lays
out slowly.

Apps above ``deputies`` add their sections (suggestions: 领衔/联名建议) with
:func:`archive_section_register` from their ``AppConfig.ready``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.fields import mask_phone
from congress.models import Region
from congress.models import Term
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.registry import ReportKind
from congress.reports.render import RenderedPdf
from congress.reports.render import html_to_pdf
from congress.reports.render import render_html
from congress.roles import Role
from deputies.models import ActivityParticipant
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import Mandate
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import StationVisitDeputy
from deputies.models import VoterReport
from deputies.points import ranking_list
from deputies.points import voter_report_satisfaction_rate

ARCHIVE_KIND = "deputies.archive"
BOOKLET_KIND = "deputies.archive_booklet"
ARCHIVE_TEMPLATE = "deputies/reports/archive.html"
BOOKLET_TEMPLATE = "deputies/reports/archive_booklet.html"
# ``params["limit"]``: print the first N deputies only (the benchmark's 300).
BOOKLET_LIMIT_PARAM = "limit"
SUMMARY_CHARS = 60
OPINION_CHARS = 40
PHONE = re.compile(r"1[3-9]\d{9}")


@dataclass
class ArchiveLine:
    date: Any
    text: str
    note: str = ""


@dataclass
class ArchiveSection:
    key: str
    title: str
    lines: list[ArchiveLine] = field(default_factory=list)
    # The booklet prints a section as one paragraph of text (``summary``) rather
    # than a box per line: a third of the layout work for WeasyPrint.
    summary: str = ""

    @property
    def count(self) -> int:
        return len(self.lines)


def _day(value) -> str:
    return _("%(m)s月%(d)s日") % {"m": value.month, "d": value.day}


def _compact(section: ArchiveSection) -> str:
    """One paragraph for the booklet; visits grouped by station."""
    if not section.lines:
        return ""
    if section.key == "visits":
        by_station: dict[str, list] = {}
        for line in section.lines:
            by_station.setdefault(line.text, []).append(line.date)
        return ";".join(
            _("%(station)s:%(days)s(%(n)s 次)")
            % {
                "station": station,
                "days": "、".join(_day(d) for d in days),
                "n": len(days),
            }
            for station, days in by_station.items()
        )
    return ";".join(
        f"{_day(line.date)} {line.text}" + (f"({line.note})" if line.note else "")
        for line in section.lines
    )


@dataclass
class FactPoints:
    label: str
    count: int
    points: Decimal


@dataclass
class DeputyArchive:
    deputy: Deputy
    year: int
    seats: str
    total: Decimal = Decimal("0.0")
    rank_text: str = ""
    points: list[FactPoints] = field(default_factory=list)
    sections: list[ArchiveSection] = field(default_factory=list)
    chart_svg: str = ""
    delegation: str = ""


# An extra section: ``build(deputy_ids=[...], year=...)`` returns lines per deputy.
SectionBuilder = Callable[..., dict[int, list[ArchiveLine]]]


@dataclass(frozen=True)
class ExtraSection:
    key: str
    title: Any
    build: SectionBuilder
    order: int


_EXTRA_SECTIONS: dict[str, ExtraSection] = {}


def archive_section_register(
    key: str, title: Any, build: SectionBuilder, *, order: int = 50
) -> None:
    """Add a section to the archive (called from an ``AppConfig.ready``)."""
    _EXTRA_SECTIONS[key] = ExtraSection(key, title, build, order)


def _clean(text: str, limit: int) -> str:
    # Citizens write phone numbers into their opinions; an archive never shows one.
    text = PHONE.sub(lambda m: mask_phone(m.group(0)), " ".join(text.split()))
    return Truncator(text).chars(limit)


def _visits(ids: list[int], year: int, summaries: bool) -> dict[int, list]:
    rows = (
        StationVisitDeputy.objects.filter(deputy_id__in=ids, visit__date__year=year)
        .select_related("visit", "visit__station")
        .order_by("deputy_id", "visit__date", "visit_id")
    )
    out: dict[int, list[ArchiveLine]] = defaultdict(list)
    for row in rows:
        visit = row.visit
        note = _("%(kind)s,接待选民 %(n)s 人") % {
            "kind": visit.get_kind_display(),
            "n": visit.voters_received,
        }
        if summaries and visit.summary:
            note = f"{note}。{_clean(visit.summary, SUMMARY_CHARS)}"
        out[row.deputy_id].append(ArchiveLine(visit.date, visit.station.name, note))
    return out


def _activities(ids: list[int], year: int) -> dict[int, list]:
    rows = (
        ActivityParticipant.objects.filter(deputy_id__in=ids, activity__date__year=year)
        .select_related("activity")
        .order_by("deputy_id", "activity__date", "activity_id")
    )
    out: dict[int, list[ArchiveLine]] = defaultdict(list)
    for row in rows:
        activity = row.activity
        out[row.deputy_id].append(
            ArchiveLine(
                activity.date,
                activity.title,
                f"{activity.get_kind_display()} · {row.get_attendance_display()}",
            )
        )
    return out


def _opinions(ids: list[int], year: int) -> dict[int, list]:
    rows = (
        CitizenOpinion.objects.filter(deputy_id__in=ids, created_at__year=year)
        .exclude(
            status__in=[CitizenOpinion.Status.IN_REVIEW, CitizenOpinion.Status.REJECTED]
        )
        .only("deputy_id", "created_at", "content", "category", "status")
        .order_by("deputy_id", "created_at", "pk")
    )
    out: dict[int, list[ArchiveLine]] = defaultdict(list)
    for row in rows:
        out[row.deputy_id].append(
            ArchiveLine(
                timezone.localtime(row.created_at).date(),
                _clean(row.content, OPINION_CHARS),
                f"{row.get_category_display()} · {row.get_status_display()}",
            )
        )
    return out


def _voter_reports(ids: list[int], year: int) -> dict[int, list]:
    rows = VoterReport.objects.filter(deputy_id__in=ids, date__year=year).order_by(
        "deputy_id", "date", "pk"
    )
    out: dict[int, list[ArchiveLine]] = defaultdict(list)
    for row in rows:
        rate = voter_report_satisfaction_rate(row)
        note = _("到会选民 %(present)s 人;满意 %(s)s、基本满意 %(b)s、不满意 %(u)s") % {
            "present": row.voters_present,
            "s": row.satisfied,
            "b": row.basically_satisfied,
            "u": row.unsatisfied,
        }
        if rate is not None:
            note += _(",满意率 %(rate)s%%") % {"rate": rate}
        if row.average_score is not None:
            note += _(",平均评分 %(score)s 分") % {"score": row.average_score}
        out[row.deputy_id].append(
            ArchiveLine(row.date, row.place or _("向选民述职"), note)
        )
    return out


def _points(ids: list[int], year: int) -> dict[int, list[FactPoints]]:
    rows = (
        PointEntry.objects.filter(deputy_id__in=ids, year=year)
        .values("deputy_id", "fact")
        .annotate(points=Sum("points"), count=Count("pk"))
        .order_by("deputy_id", "fact")
    )
    labels = dict(PointRule.Fact.choices)
    order = {fact: i for i, fact in enumerate(PointRule.Fact.values)}
    out: dict[int, list[FactPoints]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["deputy_id"], order.get(r["fact"], 99))):
        out[row["deputy_id"]].append(
            FactPoints(
                str(labels.get(row["fact"], row["fact"])), row["count"], row["points"]
            )
        )
    return out


def _month_chart(visits: list[ArchiveLine], activities: list[ArchiveLine]) -> str:
    counts = [0] * 12
    for line in [*visits, *activities]:
        counts[line.date.month - 1] += 1
    return bar_chart_svg(
        [(_("%(m)s月") % {"m": m + 1}, counts[m]) for m in range(12)],
        title=_("各月进站履职和参加活动次数"),
        width=520,
        bar_height=12,
        gap=4,
        label_width=60,
    )


def _seats_text(deputy: Deputy) -> str:
    return "、".join(
        _("%(region)s%(level)s级人大代表")
        % {"region": m.congress_region.name, "level": m.get_level_display()}
        for m in deputy.active_seats
    )


def archives_build(
    *,
    deputy_ids: Iterable[int],
    year: int,
    summaries: bool = True,
    ranks: dict[int, str] | None = None,
    charts: bool = True,
    compact: bool = False,
) -> list[DeputyArchive]:
    """Read everything the archives of these deputies print, in a fixed number of
    queries: deputies with seats (2), visits, activities, opinions, reports, points,
    and one per registered extra section."""
    ids = list(dict.fromkeys(deputy_ids))
    seats = Mandate.objects.active().select_related("congress_region").order_by("level")
    deputies = {
        d.pk: d
        for d in Deputy.objects.filter(pk__in=ids)
        .select_related("region")
        .prefetch_related(Prefetch("mandates", queryset=seats, to_attr="active_seats"))
    }
    visits = _visits(ids, year, summaries)
    activities = _activities(ids, year)
    opinions = _opinions(ids, year)
    reports = _voter_reports(ids, year)
    points = _points(ids, year)
    extras = [
        (extra, extra.build(deputy_ids=ids, year=year))
        for extra in sorted(_EXTRA_SECTIONS.values(), key=lambda e: e.order)
    ]
    archives = []
    for pk in ids:
        deputy = deputies.get(pk)
        if deputy is None:
            continue
        sections = [
            ArchiveSection("visits", _("进站履职"), visits.get(pk, [])),
            ArchiveSection("activities", _("参加履职活动"), activities.get(pk, [])),
            *(
                ArchiveSection(extra.key, str(extra.title), lines.get(pk, []))
                for extra, lines in extras
            ),
            ArchiveSection("opinions", _("收到的群众意见"), opinions.get(pk, [])),
            ArchiveSection("voter_reports", _("向选民述职"), reports.get(pk, [])),
        ]
        if compact:
            for section in sections:
                section.summary = _compact(section)
        fact_points = points.get(pk, [])
        archives.append(
            DeputyArchive(
                deputy=deputy,
                year=year,
                seats=_seats_text(deputy),
                total=sum((p.points for p in fact_points), Decimal("0.0")),
                rank_text=(ranks or {}).get(pk, ""),
                points=fact_points,
                sections=sections,
                chart_svg=(
                    _month_chart(visits.get(pk, []), activities.get(pk, []))
                    if charts
                    else ""
                ),
            )
        )
    return archives


# ---------------------------------------------------------------------------
# One deputy.
# ---------------------------------------------------------------------------


def _rank_texts(deputy: Deputy, year: int) -> str:
    from deputies.points import points_for_deputy

    mine = points_for_deputy(deputy=deputy, year=year)
    return ";".join(
        _("在%(region)s%(level)s级代表中排第 %(rank)s 名(共 %(of)s 名)")
        % {"region": r.region.name, "level": r.level_label, "rank": r.rank, "of": r.of}
        for r in mine.ranks
    )


def build_archive_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """The context of one deputy's 履职档案 (``params``: deputy_id, year)."""
    deputy_id = int(params["deputy_id"])
    year = int(params.get("year") or timezone.localdate().year)
    deputy = Deputy.objects.filter(pk=deputy_id).select_related("region").first()
    if deputy is None:
        raise ValidationError(_("代表不存在。"))
    [item] = archives_build(
        deputy_ids=[deputy_id],
        year=year,
        ranks={deputy_id: _rank_texts(deputy, year)},
    )
    county = deputy.region.county or deputy.region
    title = _("%(name)s代表%(year)s年度履职档案") % {"name": deputy.name, "year": year}
    return {
        "report_title": title,
        "cover_org": _("%(region)s人大常委会") % {"region": county.name},
        "cover_subtitle": item.seats,
        "generated_at": timezone.localtime(),
        "archives": [item],
        "year": year,
        "qr_svg": qr_svg(reverse("admin:deputies_deputy_change", args=[deputy_id])),
    }


def archive_render(*, deputy_id: int, year: int) -> RenderedPdf:
    """Render one deputy's 履职档案 straight away (it takes well under 2 s)."""
    deputy = Deputy.objects.only("region_id").select_related("region").get(pk=deputy_id)
    context = build_archive_context(
        region=deputy.region, params={"deputy_id": deputy_id, "year": year}
    )
    return html_to_pdf(render_html(ARCHIVE_TEMPLATE, context))


# ---------------------------------------------------------------------------
# The booklet of a congress.
# ---------------------------------------------------------------------------


def booklet_term(*, region: Region, term_id: Any = None) -> Term:
    """The term of the booklet: the given one of the region, else its latest."""
    terms = Term.objects.filter(region=region).order_by("-number")
    term = terms.filter(pk=term_id).first() if term_id else terms.first()
    if term is None:
        raise ValidationError(
            _("%(region)s没有人民代表大会的届次记录。") % {"region": region.name}
        )
    return term


def build_booklet_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """The booklet of every deputy with an active seat in the region's congress
    (``params``: region_id, optional term_id and year), ordered by delegation
    and name, with each deputy's rank in the congress."""
    year = int(params.get("year") or timezone.localdate().year)
    term = booklet_term(region=region, term_id=params.get("term_id"))
    mandates = list(
        Mandate.objects.active()
        .filter(term=term)
        .select_related("delegation")
        .only("deputy_id", "level", "delegation__name")
        .order_by("delegation__name", "deputy__name", "deputy_id")
    )
    limit = params.get(BOOKLET_LIMIT_PARAM)
    if limit:
        mandates = mandates[: int(limit)]
    ids = [m.deputy_id for m in mandates]
    level = mandates[0].level if mandates else None
    ranks: dict[int, str] = {}
    if level:
        ranked = list(
            ranking_list(year=year, level=level, region=region).values_list(
                "pk", "rank"
            )
        )
        of = len(ranked)
        wanted = set(ids)
        ranks = {
            pk: _("第 %(rank)s 名(共 %(of)s 名)") % {"rank": rank, "of": of}
            for pk, rank in ranked
            if pk in wanted
        }
    archives = archives_build(
        deputy_ids=ids, year=year, summaries=False, ranks=ranks, compact=True
    )
    delegations = {
        m.deputy_id: (m.delegation.name if m.delegation else "") for m in mandates
    }
    for item in archives:
        item.delegation = delegations.get(item.deputy.pk, "")
    title = _("%(term)s代表%(year)s年度履职档案汇编") % {"term": term, "year": year}
    query = f"?year={year}&level={level or ''}&region={region.pk}"
    return {
        "report_title": title,
        "cover_org": _("%(region)s人大常委会") % {"region": region.name},
        "cover_subtitle": _("代表 %(n)s 名") % {"n": len(archives)},
        "generated_at": timezone.localtime(),
        "archives": archives,
        "year": year,
        "term": term,
        "qr_svg": qr_svg(reverse("points-ranking") + query),
    }


def can_request_archive(user) -> bool:
    """Committee staff, leadership and system admins may print archives."""
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


BOOKLET = ReportKind(
    kind=BOOKLET_KIND,
    title=gettext_lazy("代表履职档案汇编"),
    template_name=BOOKLET_TEMPLATE,
    build_context=build_booklet_context,
    can_request=can_request_archive,
)
