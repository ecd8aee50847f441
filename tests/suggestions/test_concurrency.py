"""Two staff assigning the same suggestion at the same moment make one assignment."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from suggestions import services
from suggestions.models import Assignment
from suggestions.models import Suggestion
from tests.factories.suggestions import SuggestionFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignment_creates_one(
    deputy_a, staff_a, unit_a, unit_a2, advance, county_a
):
    from tests.factories.congress import UserFactory

    other_staff = UserFactory(
        username="staff_a_2", scope_region=county_a, roles=["staff"]
    )
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    advance(suggestion, "registered")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(actor, unit):
        try:
            barrier.wait()
            services.suggestion_assign(
                suggestion=Suggestion.objects.get(pk=suggestion.pk),
                actor=actor,
                lead_unit=unit,
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assign, args=(staff_a, unit_a)),
        threading.Thread(target=assign, args=(other_staff, unit_a2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "ok"
    assert "不能重复交办" in sorted(outcomes)[1]
    assert Assignment.objects.filter(suggestion=suggestion).count() == 1
