"""Drafting, co-signing and submission."""

import pytest
from django.core.exceptions import ValidationError

from suggestions import services
from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent

pytestmark = pytest.mark.django_db


def test_draft_from_opinion_links_opinion_and_copies_content(deputy_a, opinion_a):
    """A citizen opinion raised by a deputy becomes that deputy's draft, linked."""
    suggestion = services.suggestion_draft_from_opinion(
        opinion=opinion_a, deputy=deputy_a, actor=deputy_a.user
    )
    assert suggestion.status == Suggestion.Status.DRAFT
    assert suggestion.lead_deputy == deputy_a
    assert list(suggestion.citizen_opinions.all()) == [opinion_a]
    assert opinion_a.content in suggestion.content
    assert suggestion.title.startswith("关于")
    assert suggestion.category == "transport"
    assert suggestion.region == deputy_a.region.county
    assert suggestion.events.get().kind == SuggestionEvent.Kind.CREATED


def test_draft_for_another_deputy_refused(deputy_a, deputy_a2, opinion_a):
    """A deputy cannot draft in another deputy's name."""
    with pytest.raises(ValidationError, match="只能为自己起草建议"):
        services.suggestion_draft_from_opinion(
            opinion=opinion_a, deputy=deputy_a2, actor=deputy_a.user
        )
    assert not Suggestion.objects.exists()
