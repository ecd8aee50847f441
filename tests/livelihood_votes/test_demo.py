"""The demo builder: a county round and two township batches, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from congress.models import Poll
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import VotingRound

pytestmark = pytest.mark.django_db


def _counts():
    return (
        VotingRound.objects.count(),
        CandidateProject.objects.count(),
        LivelihoodProject.objects.count(),
        Poll.objects.count(),
    )


def test_seed_demo_builds_county_round_and_two_township_batches():
    call_command("seed_demo", no_accounts=True, stdout=StringIO())
    county = VotingRound.objects.get(region__code="430524000000")
    assert county.status == VotingRound.Status.IMPLEMENTING
    assert county.candidates.count() > county.choose_count  # 差额
    assert county.projects.count() == county.choose_count
    chosen = county.candidates.filter(outcome="chosen")
    assert all(2 * c.yes_votes > county.entitled_count for c in chosen)
    assert county.poll.paper_counts.get().status == "confirmed"
    batches = VotingRound.objects.filter(region__code="430524100000").order_by("batch")
    assert [b.status for b in batches] == ["implementing", "published"]
    assert LivelihoodProject.objects.filter(reports__isnull=False).exists()
    before = _counts()
    call_command("seed_demo", no_accounts=True, stdout=StringIO())
    assert _counts() == before
