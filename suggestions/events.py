"""The one place that writes a suggestion's history (``SuggestionEvent``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent


def suggestion_event_record(
    *,
    suggestion: Suggestion,
    kind: str,
    actor=None,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> SuggestionEvent:
    """Append one step to the suggestion's history: who, what, when."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        note=note,
        detail=detail or {},
    )
