"""The voting engine under real concurrency on PostgreSQL (threads, own connections).

Like Django's own ``tests/select_for_update``: a transactional test (nothing wrapped in
a test transaction that would hide the race), each thread closing its connection.
PostgreSQL allows 100 connections, so 16 worker threads.
"""

from __future__ import annotations

import threading
import time
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


# --- the poll row lock: votes share it, the close takes it alone ----------------------
#
# Each test pauses one transaction at a known point (inside ``vote_cast`` after the
# lock, or inside ``poll_close`` before it commits) and looks at what another
# transaction does meanwhile, so the order is certain and not left to the scheduler.

PAUSE = 0.5  # long enough for a waiting transaction to show that it waits


def _paused(monkeypatch, name: str):
    """Make ``voting.<name>`` stop until released; return (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(voting, name)

    def pause(*args, **kwargs):
        reached.set()
        assert release.wait(timeout=30), "never released"
        return original(*args, **kwargs)

    monkeypatch.setattr(voting, name, pause)
    return reached, release


def _in_thread(pool: ThreadPoolExecutor, function, *args, **kwargs):
    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return pool.submit(run)


def test_votes_do_not_wait_for_each_other(monkeypatch):
    """A vote paused after taking the poll row does not hold up another voter's
    vote: the second one commits while the first is still open."""
    poll, voters, options = _setup(2, "share")
    reached, release = _paused(monkeypatch, "receipt_code_new")
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = _in_thread(pool, _attempt, poll, voters[0], options[0].pk)
        assert reached.wait(timeout=30)
        monkeypatch.undo()  # the second vote runs straight through
        second = _in_thread(pool, _attempt, poll, voters[1], options[1].pk)
        try:
            assert second.result(timeout=30)[0] == "ok"
        finally:
            release.set()
        assert first.result(timeout=30)[0] == "ok"
    assert BallotReceipt.objects.filter(poll=poll).count() == 2


def test_close_waits_for_the_vote_in_progress_and_counts_it(monkeypatch):
    """A close that comes while a vote holds the poll row waits for that vote to
    commit; the vote is accepted and counted."""
    poll, voters, options = _setup(1, "inflight")
    reached, release = _paused(monkeypatch, "receipt_code_new")
    with ThreadPoolExecutor(max_workers=2) as pool:
        vote = _in_thread(pool, _attempt, poll, voters[0], options[0].pk)
        assert reached.wait(timeout=30)
        close = _in_thread(pool, voting.poll_close, poll=poll, user=None)
        time.sleep(PAUSE)
        assert not close.done(), "the close did not wait for the vote"
        assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN
        release.set()
        assert vote.result(timeout=30)[0] == "ok"
        close.result(timeout=30)
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.CLOSED
    assert voting.poll_tally(poll=poll).option(options[0].pk).yes == 1


def test_vote_during_the_close_waits_and_is_refused(monkeypatch):
    """A vote that arrives while the close holds the poll row (the status already
    changed, not yet committed) waits for the close and is then refused: nothing
    is written."""
    poll, voters, options = _setup(1, "during")
    reached, release = _paused(monkeypatch, "_ballots_rewrite_shuffled")
    with ThreadPoolExecutor(max_workers=2) as pool:
        close = _in_thread(pool, voting.poll_close, poll=poll, user=None)
        assert reached.wait(timeout=30)
        vote = _in_thread(pool, _attempt, poll, voters[0], options[0].pk)
        time.sleep(PAUSE)
        assert not vote.done(), "the vote did not wait for the close"
        release.set()
        close.result(timeout=30)
        status, message = vote.result(timeout=30)
    assert (status, message) == ("refused", "投票尚未开始或已经截止,不能投票。")
    assert not BallotReceipt.objects.filter(poll=poll).exists()
    assert not Ballot.objects.filter(poll=poll).exists()


def test_votes_after_a_waiting_close_queue_behind_it(monkeypatch):
    """A close waiting for a vote in progress is not overtaken by the votes that
    arrive after it: they wait for the close and are refused (a stream of votes
    cannot keep the close from taking effect)."""
    poll, voters, options = _setup(2, "queue")
    reached, release = _paused(monkeypatch, "receipt_code_new")
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = _in_thread(pool, _attempt, poll, voters[0], options[0].pk)
        assert reached.wait(timeout=30)
        monkeypatch.undo()
        close = _in_thread(pool, voting.poll_close, poll=poll, user=None)
        time.sleep(PAUSE)
        later = _in_thread(pool, _attempt, poll, voters[1], options[1].pk)
        time.sleep(PAUSE)
        assert not later.done(), "the later vote overtook the waiting close"
        assert not close.done()
        release.set()
        assert first.result(timeout=30)[0] == "ok"
        close.result(timeout=30)
        assert later.result(timeout=30) == (
            "refused",
            "投票尚未开始或已经截止,不能投票。",
        )
    assert BallotReceipt.objects.filter(poll=poll).count() == 1
