"""``generate_scale_data --reset`` for the suggestions app.

Suggestions point at deputies, citizen opinions, sessions, units and users of the
city; they go before the deputies' reset (order 10) and the core reset, children
before parents, with raw deletes (no per-row signals for a wipe of 100,000
suggestions). The reminders about them (``Notification`` names its target by
content type and id, not by a foreign key) and the city's handling reports go too.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from congress.extensions import scale_raw_delete
from congress.models import GeneratedReport
from congress.models import Notification
from suggestions.models import Assignment
from suggestions.models import Commitment
from suggestions.models import Evaluation
from suggestions.models import HandlingStep
from suggestions.models import Reply
from suggestions.models import Review
from suggestions.models import Suggestion
from suggestions.models import SuggestionAttachment
from suggestions.models import SuggestionEvent
from suggestions.models import SuggestionSigner
from suggestions.reports import HANDLING_REPORT_KIND


def _notifications_delete(querysets: list[models.QuerySet]) -> None:
    """Delete the notifications whose target is in one of ``querysets`` (only for the
    models some notification names, so the big tables are not scanned for nothing)."""
    named = set(
        Notification.objects.filter(content_type__app_label="suggestions")
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    for queryset in querysets:
        content_type = ContentType.objects.get_for_model(queryset.model)
        if content_type.pk in named:
            scale_raw_delete(
                Notification.objects.filter(
                    content_type=content_type, object_id__in=queryset.values("pk")
                )
            )


def suggestions_scale_reset(*, prefix: str) -> None:
    """Delete the suggestions in ``prefix`` with everything hanging from them."""
    suggestions = Suggestion.objects.filter(region__code__startswith=prefix)
    assignments = Assignment.objects.filter(suggestion__in=suggestions)
    replies = Reply.objects.filter(suggestion__in=suggestions)
    reviews = Review.objects.filter(suggestion__in=suggestions)
    evaluations = Evaluation.objects.filter(suggestion__in=suggestions)
    _notifications_delete([suggestions, assignments, replies, reviews, evaluations])
    reports = GeneratedReport.objects.filter(
        kind=HANDLING_REPORT_KIND, region__code__startswith=prefix
    )
    for report in reports.exclude(file=""):
        report.file.delete(save=False)
    for queryset in (
        reports,
        Commitment.objects.filter(reply__in=replies),
        SuggestionAttachment.objects.filter(reply__in=replies),
        SuggestionAttachment.objects.filter(suggestion__in=suggestions),
        replies,
        HandlingStep.objects.filter(assignment__in=assignments),
        assignments,
        reviews,
        evaluations,
        SuggestionEvent.objects.filter(suggestion__in=suggestions),
        SuggestionSigner.objects.filter(suggestion__in=suggestions),
        Suggestion.citizen_opinions.through.objects.filter(suggestion__in=suggestions),
        suggestions,
    ):
        scale_raw_delete(queryset)
