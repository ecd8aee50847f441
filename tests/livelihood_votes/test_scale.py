"""The scale data set (generate_scale_data, builder "livelihood_votes")."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from congress.models import Ballot
from congress.models import BallotChoice
from congress.models import BallotReceipt
from congress.models import Poll
from congress.models import PollVoter
from congress.models import Region
from livelihood_votes.demo import livelihood_scale_reset
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import VotingRound

pytestmark = pytest.mark.django_db


def _scale(*args) -> None:
    call_command(
        "generate_scale_data",
        "--deputies",
        "600",
        "--stations",
        "12",
        "--visits",
        "100",
        "--opinions",
        "50",
        "--suggestions",
        "12",
        *args,
        stdout=StringIO(),
    )


def _counts() -> tuple[int, ...]:
    return (
        VotingRound.objects.count(),
        CandidateProject.objects.count(),
        LivelihoodProject.objects.count(),
        Poll.objects.count(),
        PollVoter.objects.count(),
        BallotReceipt.objects.count(),
        Ballot.objects.count(),
        BallotChoice.objects.count(),
    )


def test_generate_scale_data_decides_a_round_in_every_county_and_resets():
    """Every county gets a decided 20-candidate round; a second run adds nothing;
    the app's reset removes every round with its polls, and a rebuild restores it."""
    _scale()
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    rounds = VotingRound.objects.filter(region__in=counties)
    assert rounds.count() == counties.count() == 12
    for round_ in rounds:
        assert round_.status == VotingRound.Status.DECIDED
        assert round_.candidates.count() == 20 > round_.choose_count
        assert round_.projects.count() == round_.choose_count
        assert Ballot.objects.filter(poll=round_.poll).count() == (
            round_.poll.voters.count()
        )
    before = _counts()
    _scale()
    assert _counts() == before, "a second run adds nothing"
    # The reset generate_scale_data --reset runs before removing users and regions:
    # nothing of a round is left, and no voter or receipt holds on to a user.
    livelihood_scale_reset(prefix="4305")
    assert _counts() == (0,) * len(before)
    _scale("--only", "livelihood_votes")
    assert _counts() == before, "rebuilt after the reset: the same data set"
