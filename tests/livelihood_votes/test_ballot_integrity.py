"""The round's secret ballot: concurrency through the deputy portal (real threads,
transactional) and secrecy (no way to join a ballot to its voter)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from congress.models import AuditEvent
from congress.models import Ballot
from congress.models import BallotReceipt
from congress.models import Region
from livelihood_votes import services
from tests.factories.congress import RegionFactory
from tests.factories.congress import UserFactory
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import published_round

WORKERS = 16


def _setup(deputies: int):
    county = RegionFactory(
        name="隆回县", code=Region.full_code("430524"), level=Region.Level.COUNTY
    )
    from congress.roles import Role

    staff = UserFactory(username="staff_c", scope_region=county, roles=[Role.STAFF])
    round_ = published_round(region=county, staff=staff, candidates=4, choose=2)
    voters = deputies_with_users(deputies, region=county, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff)
    options = list(round_.poll.options.order_by("order"))
    return round_, staff, voters, options


def _post(client: Client, url: str, data: dict) -> tuple[int, str]:
    try:
        response = client.post(url, data)
        return response.status_code, response.content.decode()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_300_deputies_vote_in_the_portal_while_300_duplicates_arrive():
    """Exactly 300 ballots; every duplicate gets the Chinese refusal; no server
    error; the published counts equal what was cast."""
    round_, staff, voters, options = _setup(300)
    url = reverse("portal-vote", args=[round_.poll.pk])
    clients = []
    for voter in voters:
        client = Client(raise_request_exception=False)
        client.force_login(voter)
        clients.append(client)
    connection.close()
    # Deputy i approves options i%4 and (i+1)%4; the duplicate tries i%4 alone.
    first = [
        {
            f"option_{o.pk}": "yes" if k in (i % 4, (i + 1) % 4) else "no"
            for k, o in enumerate(options)
        }
        for i in range(300)
    ]
    again = [
        {f"option_{o.pk}": "yes" if k == i % 4 else "no" for k, o in enumerate(options)}
        for i in range(300)
    ]
    attempts = [
        job
        for i in range(300)
        for job in ((clients[i], first[i]), (clients[i], again[i]))
    ]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda job: _post(job[0], url, job[1]), attempts))
    assert all(status in (200, 400) for status, _ in results), "no server error"
    receipts = [body for status, body in results if "投票成功" in body]
    refused = [
        body
        for status, body in results
        if "您已经投过票" in body or "投票尚未开始或已经截止" in body
    ]
    assert len(receipts) == 300
    assert len(refused) == 300
    assert Ballot.objects.filter(poll=round_.poll).count() == 300
    assert BallotReceipt.objects.filter(poll=round_.poll).count() == 300
    # The expected counts: for each deputy, the choices of the attempt that won.
    expected = {o.pk: {"yes": 0, "no": 0} for o in options}
    for i in range(300):
        won = [
            data
            for (status, body), data in zip(
                results[2 * i : 2 * i + 2], (first[i], again[i]), strict=True
            )
            if "投票成功" in body
        ]
        assert len(won) == 1, f"deputy {i}: exactly one attempt accepted"
        for o in options:
            expected[o.pk][won[0][f"option_{o.pk}"]] += 1
    services.round_voting_close(round_=round_, user=staff)
    services.round_decide(round_=round_, user=staff)
    counted = {
        c.option_id: {"yes": c.yes_votes, "no": c.no_votes}
        for c in round_.candidates.all()
    }
    assert counted == expected
    assert all(c.abstain_votes == 0 for c in round_.candidates.all())


@pytest.mark.django_db(transaction=True)
def test_closing_while_portal_votes_arrive_counts_nothing_after_the_close():
    round_, staff, voters, options = _setup(120)
    url = reverse("portal-vote", args=[round_.poll.pk])
    clients = []
    for voter in voters:
        client = Client(raise_request_exception=False)
        client.force_login(voter)
        clients.append(client)
    connection.close()
    data = {f"option_{o.pk}": "yes" if k < 2 else "no" for k, o in enumerate(options)}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(_post, c, url, data) for c in clients]
        # Close part-way: once 20 ballots are in.
        deadline = time.monotonic() + 60
        while BallotReceipt.objects.filter(poll=round_.poll).count() < 20:
            assert time.monotonic() < deadline, "20 votes did not arrive"
            time.sleep(0.01)
        services.round_voting_close(round_=round_, user=staff)
        connection.close()
        results = [f.result() for f in futures]
    ok = sum(1 for _s, body in results if "投票成功" in body)
    after = sum(1 for _s, body in results if "投票尚未开始或已经截止" in body)
    assert ok + after == 120
    assert ok >= 20
    assert Ballot.objects.filter(poll=round_.poll).count() == ok
    assert BallotReceipt.objects.filter(poll=round_.poll).count() == ok


@pytest.mark.django_db
def test_no_way_to_join_a_ballot_to_its_voter(client):
    """The schema and the stored rows of a round's secret ballot: the ballot tables
    name no user, no receipt and no time; receipts point to no ballot; after the
    close every ballot shares one transaction id; the audit log holds no choice."""
    round_, staff, voters, options = _setup(6)
    url = reverse("portal-vote", args=[round_.poll.pk])
    for i, voter in enumerate(voters):
        client.force_login(voter)
        client.post(
            url,
            {
                f"option_{o.pk}": "yes" if k == i % 4 else "no"
                for k, o in enumerate(options)
            },
        )
    with connection.cursor() as cursor:
        for table in ("congress_ballot", "congress_ballotchoice"):
            cursor.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = %s",
                [table],
            )
            columns = dict(cursor.fetchall())
            assert not [c for c, t in columns.items() if "time" in t or "date" in t]
            assert not [c for c in columns if "user" in c or "voter" in c]
            assert "receipt_id" not in columns
            cursor.execute(
                "select ccu.table_name from information_schema.table_constraints tc "
                "join information_schema.constraint_column_usage ccu "
                "on tc.constraint_name = ccu.constraint_name "
                "where tc.table_name = %s and tc.constraint_type = 'FOREIGN KEY'",
                [table],
            )
            targets = {row[0] for row in cursor.fetchall()}
            assert targets <= {
                "congress_poll",
                "congress_ballot",
                "congress_polloption",
            }, targets
        assert columns_of_uuid_pk(cursor, "congress_ballot")
    assert not BallotReceipt.objects.filter(
        poll=round_.poll, ballot__isnull=False
    ).exists()
    services.round_voting_close(round_=round_, user=staff)
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(distinct xmin::text) from congress_ballot where poll_id = %s",
            [round_.poll.pk],
        )
        assert cursor.fetchone()[0] == 1
    option_ids = {str(o.pk) for o in options}
    for event in AuditEvent.objects.all():
        assert not option_ids & set(map(str, _values(event.detail)))


def columns_of_uuid_pk(cursor, table: str) -> bool:
    cursor.execute(
        "select data_type from information_schema.columns "
        "where table_name = %s and column_name = 'id'",
        [table],
    )
    return cursor.fetchone()[0] == "uuid"


def _values(detail) -> list:
    if isinstance(detail, dict):
        return [v for value in detail.values() for v in _values(value)]
    if isinstance(detail, list):
        return [v for value in detail for v in _values(value)]
    return [detail]
