"""The voting engine under real concurrency on PostgreSQL (threads, own connections).

Like Django's own ``tests/select_for_update``: a transactional test (nothing wrapped in
a test transaction that would hide the race), each thread closing its connection.
PostgreSQL allows 100 connections, so 16 worker threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from congress import voting
from congress.models import Ballot
from congress.models import BallotReceipt
from congress.models import Poll
from congress.models import Region
from tests.factories.congress import RegionFactory
from tests.factories.congress import voters_create

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 16


def _setup(n_voters: int, prefix: str) -> tuple[Poll, list, list]:
    county = RegionFactory(
        name="隆回县", code=Region.full_code("430524"), level=Region.Level.COUNTY
    )
    voters = voters_create(n_voters, region=county, prefix=prefix)
    poll = voting.poll_create(
        title="民生实事项目票决",
        region=county,
        kind=Poll.Kind.CHOOSE,
        user=None,
        options=["甲项目", "乙项目", "丙项目"],
        voters=voters,
        max_choices=1,
    )
    poll = voting.poll_open(poll=poll, user=None)
    return poll, voters, list(poll.options.order_by("order"))


def _attempt(poll: Poll, voter, option_id: int) -> tuple[str, str]:
    """One vote from one thread: ("ok", code) or ("refused", message)."""
    try:
        return "ok", voting.vote_cast(poll=poll, voter=voter, choices=[option_id])
    except ValidationError as error:
        return "refused", " ".join(error.messages)
    finally:
        connection.close()


def test_vote_cast_300_voters_with_300_duplicates_at_once():
    """300 voters vote while 300 duplicate attempts arrive: exactly 300 ballots and
    receipts, every duplicate refused in Chinese, tallies equal the votes cast."""
    poll, voters, options = _setup(300, "conc")
    # Voter i chooses option i % 3; the duplicate tries option (i + 1) % 3.
    attempts = [(v, options[i % 3].pk) for i, v in enumerate(voters)] + [
        (v, options[(i + 1) % 3].pk) for i, v in enumerate(voters)
    ]
    # Interleave firsts and duplicates so they race.
    attempts = [
        a for pair in zip(attempts[:300], attempts[300:], strict=True) for a in pair
    ]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda a: _attempt(poll, *a), attempts))
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(ok) == 300
    assert len(refused) == 300
    assert {message for _status, message in refused} == {
        "您已经投过票,每人只能投一次。"
    }
    assert len({code for _status, code in ok}) == 300, "receipt codes are unique"
    assert Ballot.objects.filter(poll=poll).count() == 300
    assert BallotReceipt.objects.filter(poll=poll).count() == 300
    voting.poll_close(poll=poll, user=None)
    tally = voting.poll_tally(poll=poll)
    # Each voter's first or duplicate attempt won; the counts equal the ballots.
    assert sum(o.yes for o in tally.options) == 300
    for option in options:
        assert (
            tally.option(option.pk).yes
            == Ballot.objects.filter(poll=poll, choices__option=option).count()
        )


def test_vote_cast_300_voters_without_duplicates_tally_exactly():
    """300 concurrent voters each choosing i % 3: the tally is exactly 100 each."""
    poll, voters, options = _setup(300, "exact")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(
            pool.map(
                lambda iv: _attempt(poll, iv[1], options[iv[0] % 3].pk),
                enumerate(voters),
            )
        )
    assert [r[0] for r in results].count("ok") == 300
    voting.poll_close(poll=poll, user=None)
    tally = voting.poll_tally(poll=poll)
    assert [tally.option(o.pk).yes for o in options] == [100, 100, 100]


def test_poll_close_while_votes_arrive_counts_only_votes_before_the_close():
    """Closing while votes arrive: ballots equal the successful votes, every one
    recorded before the close, and every attempt after the close is refused."""
    poll, voters, options = _setup(300, "close")
    successes = 0
    lock = threading.Lock()
    hundred_in = threading.Event()

    def attempt(i_voter):
        nonlocal successes
        i, voter = i_voter
        status, message = _attempt(poll, voter, options[i % 3].pk)
        if status == "ok":
            with lock:
                successes += 1
                if successes >= 100:
                    hundred_in.set()
        return status, message

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(attempt, iv) for iv in enumerate(voters)]
        assert hundred_in.wait(timeout=60), "100 votes did not arrive"
        closed = voting.poll_close(poll=poll, user=None)
        connection.close()
        results = [f.result() for f in futures]
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert 100 <= len(ok) < 300, "the close came while votes were arriving"
    assert len(ok) + len(refused) == 300
    assert {m for _s, m in refused} == {"投票尚未开始或已经截止,不能投票。"}
    assert Ballot.objects.filter(poll=poll).count() == len(ok)
    receipts = BallotReceipt.objects.filter(poll=poll)
    assert receipts.count() == len(ok)
    assert not receipts.filter(voted_at__gt=closed.closed_at).exists()
    # Attempts after the close are all refused and write nothing.
    late = [v for v in voters if not receipts.filter(voter=v).exists()][:20]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        late_results = list(pool.map(lambda v: _attempt(poll, v, options[0].pk), late))
    assert {r[0] for r in late_results} == {"refused"}
    assert Ballot.objects.filter(poll=poll).count() == len(ok)
    tally = voting.poll_tally(poll=poll)
    assert sum(o.yes for o in tally.options) == len(ok)
