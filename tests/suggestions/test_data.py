"""Scale data: set-based, idempotent, consistent with the flow's invariants."""

import pytest

from suggestions.demo import suggestions_scale_build
from suggestions.models import Assignment
from suggestions.models import Evaluation
from suggestions.models import Reply
from suggestions.models import Suggestion
from suggestions.search import search_filter

pytestmark = pytest.mark.django_db


def test_scale_build_tops_up_once(deputy_a, deputy_a2, unit_a, unit_a2):
    logs = []
    suggestions_scale_build(options={"suggestions": 200}, log=logs.append)
    assert Suggestion.objects.count() == 200
    suggestions_scale_build(options={"suggestions": 200}, log=logs.append)
    assert Suggestion.objects.count() == 200
    closed = Suggestion.objects.filter(status=Suggestion.Status.CLOSED)
    assert closed.count() == 110
    # Every closed suggestion has its lead unit, a reply per round and a rating.
    assert Assignment.objects.filter(suggestion__in=closed).count() == 110
    assert Evaluation.objects.filter(suggestion__in=closed).count() == 110
    rehandled = closed.filter(rehandling_rounds=1)
    assert Reply.objects.filter(suggestion__in=rehandled, round=2).count() == (
        rehandled.count()
    )
    assert search_filter(Suggestion.objects.all(), "道路").count() == 20
