"""Suggestions as facts of the deputies' points ledger and archive (履职积分, 履职档案).

``deputies`` must not import this app (DESIGN.md: the arrow points one way), so
the suggestions app registers its facts with ``deputies.points`` and its archive
section with ``deputies.archive``. Called from ``SuggestionsConfig.ready``.

Counted: a suggestion submitted in the year (``submitted_at``, local date) that
was not returned for good or declined (不作为建议处理); for the lead deputy
(领衔) and for each co-signer who confirmed the signature (联名). The suggestion
is the source, so one confirmation confirms it for all its deputies.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Statuses that do not earn points: not yet submitted, sent back, or declined.
NOT_COUNTED = ("draft", "returned", "not_accepted")

LEAD_SQL = """
    SELECT s.lead_deputy_id AS deputy_id,
           (s.submitted_at AT TIME ZONE %(tz)s)::date AS fact_date,
           s.id AS source_id
    FROM suggestions_suggestion s
    WHERE s.submitted_at >= %(start_ts)s AND s.submitted_at < %(end_ts)s
      AND s.status NOT IN ('draft', 'returned', 'not_accepted')
"""

COSIGN_SQL = """
    SELECT g.deputy_id,
           (s.submitted_at AT TIME ZONE %(tz)s)::date AS fact_date,
           s.id AS source_id
    FROM suggestions_suggestionsigner g
    JOIN suggestions_suggestion s ON s.id = g.suggestion_id
    WHERE g.confirmed_at IS NOT NULL AND g.deputy_id <> s.lead_deputy_id
      AND s.submitted_at >= %(start_ts)s AND s.submitted_at < %(end_ts)s
      AND s.status NOT IN ('draft', 'returned', 'not_accepted')
"""


def suggestion_archive_lines(*, deputy_ids: list[int], year: int):
    """Lines of the archive section: each suggestion led or co-signed in the year."""
    from deputies.archive import ArchiveLine
    from suggestions.models import Suggestion
    from suggestions.models import SuggestionSigner

    out: dict[int, list] = defaultdict(list)
    led = (
        Suggestion.objects.filter(
            lead_deputy_id__in=deputy_ids, submitted_at__year=year
        )
        .exclude(status__in=NOT_COUNTED)
        .only("lead_deputy_id", "submitted_at", "title", "status", "number")
        .order_by("submitted_at", "pk")
    )
    for s in led:
        out[s.lead_deputy_id].append(
            ArchiveLine(
                timezone.localtime(s.submitted_at).date(),
                s.title,
                f"{gettext('领衔')} · {s.get_status_display()}",
            )
        )
    signed = (
        SuggestionSigner.objects.filter(
            deputy_id__in=deputy_ids,
            confirmed_at__isnull=False,
            suggestion__submitted_at__year=year,
        )
        .exclude(suggestion__status__in=NOT_COUNTED)
        .select_related("suggestion")
        .order_by("suggestion__submitted_at", "pk")
    )
    for g in signed:
        if g.suggestion.lead_deputy_id == g.deputy_id:
            continue
        out[g.deputy_id].append(
            ArchiveLine(
                timezone.localtime(g.suggestion.submitted_at).date(),
                g.suggestion.title,
                f"{gettext('联名')} · {g.suggestion.get_status_display()}",
            )
        )
    for lines in out.values():
        lines.sort(key=lambda line: line.date)
    return out


def register() -> None:
    from deputies.archive import archive_section_register
    from deputies.models import PointRule
    from deputies.points import FactSource
    from deputies.points import point_fact_source_register

    point_fact_source_register(FactSource(PointRule.Fact.SUGGESTION_LEAD, LEAD_SQL))
    point_fact_source_register(FactSource(PointRule.Fact.SUGGESTION_COSIGN, COSIGN_SQL))
    archive_section_register(
        "suggestions", _("提出代表建议"), suggestion_archive_lines, order=30
    )
