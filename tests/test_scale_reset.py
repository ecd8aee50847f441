"""``generate_scale_data --reset`` over the demo and over its own data: every app's
reset (suggestions, oversight, livelihood votes, deputies, points) clears the city
before the core rows go, so nothing blocks the deletes and nothing is doubled."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from congress.models import AuditEvent
from congress.models import Notification
from congress.models import Poll
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationVisit
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import VotingRound
from oversight.models import OversightItem
from oversight.models import TopicProposal
from suggestions.models import Suggestion

pytestmark = pytest.mark.django_db

SIZES = {
    "deputies": 60,
    "stations": 4,
    "visits": 200,
    "opinions": 50,
    "suggestions": 30,
}
APPS = ("suggestions", "oversight", "livelihood_votes")


def _scale_reset() -> None:
    args = [f"--{name}={value}" for name, value in SIZES.items()]
    call_command(
        "generate_scale_data", "--reset", "--villages=1", *args, stdout=StringIO()
    )
    # Foreign keys are deferred: check now what the commit would have refused.
    connection.check_constraints()


def _app_counts() -> dict[str, int]:
    counts = {
        model._meta.label: model._default_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }
    counts["congress.Poll"] = Poll.objects.count()
    return counts


def _dangling_notifications() -> list[str]:
    """Notifications of the three apps whose target row is gone."""
    dangling = []
    for notification in Notification.objects.filter(
        content_type__app_label__in=APPS
    ).select_related("content_type"):
        model = notification.content_type.model_class()
        if not model._default_manager.filter(pk=notification.object_id).exists():
            dangling.append(f"{model._meta.label} #{notification.object_id}")
    return dangling


def test_reset_clears_the_demo_and_its_own_data():
    call_command("seed_demo", allow_demo_accounts=True, stdout=StringIO())
    assert Suggestion.objects.exists() and OversightItem.objects.exists()
    assert (
        VotingRound.objects.exists()
        and Notification.objects.filter(content_type__app_label__in=APPS).exists()
    ), "the demo has rows and reminders of every app to reset"
    audit_before = AuditEvent.objects.count()

    _scale_reset()  # over the demo: suggestions, topics, polls point at the city
    first = _app_counts()
    assert Deputy.objects.count() == SIZES["deputies"]
    assert LiaisonStation.objects.count() == SIZES["stations"]
    assert StationVisit.objects.count() == SIZES["visits"]
    assert CitizenOpinion.objects.count() == SIZES["opinions"]
    assert Suggestion.objects.count() == SIZES["suggestions"]
    for model in (OversightItem, TopicProposal, VotingRound, LivelihoodProject, Poll):
        assert model.objects.exists(), f"{model.__name__} rebuilt after the reset"
    assert not _dangling_notifications()
    assert AuditEvent.objects.count() >= audit_before, "audit rows are never removed"

    _scale_reset()  # over its own scale data: the same data set, not doubled
    assert Deputy.objects.count() == SIZES["deputies"]
    assert StationVisit.objects.count() == SIZES["visits"]
    assert Suggestion.objects.count() == SIZES["suggestions"]
    assert _app_counts() == first
