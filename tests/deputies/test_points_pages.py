"""履职积分 pages make as many queries with 50 rows as with 5 (issue 3: no N+1):
我的积分 (point entries), the staff ranking (ranking rows) and the public 晾晒 page
(snapshot rows)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.roles import Role
from deputies.models import Level
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import MandateFactory
from tests.factories.points import rule

pytestmark = pytest.mark.django_db

YEAR = 2026
# 2026-11-20 09:00 in Asia/Shanghai.
NOW = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=datetime.UTC)
MAX_QUERIES = 10


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """The staff ranking is cached; each test starts (and leaves) it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def term_a(county_a):
    return TermFactory(region=county_a)


@pytest.fixture
def visit_rule(county_a):
    return rule(county_a, PointRule.Fact.VISIT, 2)


@pytest.fixture
def me(township_a, term_a):
    """A county deputy of 桃洪镇 who signs in to the portal."""
    user = UserFactory(
        username="deputy_points", scope_region=township_a, roles=[Role.DEPUTY]
    )
    deputy = DeputyFactory(region=township_a, name="李建国", user=user)
    MandateFactory(deputy=deputy, level=Level.COUNTY, term=term_a)
    return deputy


def _entries_add(deputy, rule_, *, count: int, start: int = 0) -> None:
    """``count`` point lines of ``deputy`` this year (as the rebuild writes them)."""
    PointEntry.objects.bulk_create(
        PointEntry(
            deputy=deputy,
            year=YEAR,
            date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i),
            fact=rule_.fact,
            source_id=i + 1,
            rule=rule_,
            points=Decimal("2.0"),
        )
        for i in range(start, start + count)
    )


def _peers_add(region, term, rule_, *, count: int, start: int = 0) -> None:
    """``count`` county deputies of ``region`` with a seat and a point line each."""
    for i in range(start, start + count):
        deputy = DeputyFactory(region=region, name=f"代表{i:02d}")
        MandateFactory(deputy=deputy, level=Level.COUNTY, term=term)
        _entries_add(deputy, rule_, count=1, start=i)


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response.content.decode()


def test_my_points_queries_are_the_same_for_5_and_50_point_lines(
    client, me, township_a, term_a, visit_rule
):
    """我的积分 reads the same queries for 5 and for 50 lines of mine and 5 or 50
    peers in my congress: session, user, the deputy, totals by fact, my seats,
    the rank among the seat's peers, the recent lines."""
    client.force_login(me.user)
    url = reverse("portal-points")
    _entries_add(me, visit_rule, count=5)
    _peers_add(township_a, term_a, visit_rule, count=5, start=100)
    small, html = _queries(client, url)
    assert html.count("<time ") == 5

    _entries_add(me, visit_rule, count=45, start=5)
    _peers_add(township_a, term_a, visit_rule, count=45, start=105)
    large, html = _queries(client, url)

    assert html.count("<time ") == 20, "the twenty most recent lines"
    assert "100.0" in html, "the total of 50 lines of 2 points"
    assert "共 51 名" in html
    assert large == small
    assert small <= MAX_QUERIES, small


@pytest.mark.parametrize("cached", [False, True], ids=["computed", "cached"])
def test_staff_ranking_queries_are_the_same_for_5_and_50_rows(
    client, staff_a, county_a, township_a, term_a, visit_rule, cached
):
    """The staff ranking makes the same queries for 5 and for 50 ranked deputies,
    whether the ranking is computed (empty cache) or read from the cache."""
    client.force_login(staff_a)
    url = reverse("points-ranking") + f"?year={YEAR}&level={Level.COUNTY}"
    url += f"&region={county_a.pk}"

    def count() -> tuple[int, str]:
        # Rows added here change no ledger version: start from an empty cache.
        cache.clear()
        if cached:
            client.get(url)
        return _queries(client, url)

    _peers_add(township_a, term_a, visit_rule, count=5)
    small, html = count()
    assert html.count('class="rank"') == 5

    _peers_add(township_a, term_a, visit_rule, count=45, start=5)
    large, html = count()

    assert html.count('class="rank"') == 50
    assert large == small
    assert small <= MAX_QUERIES, small


def test_public_ranking_queries_are_the_same_for_5_and_50_rows(client, county_a):
    """晾晒 reads the published snapshot in one query, however many rows it has."""

    def published(rows: int) -> str:
        snapshot = RankingSnapshot.objects.create(
            title=f"排名{rows}",
            region=county_a,
            year=YEAR,
            level=Level.COUNTY,
            rows=[
                {"rank": i + 1, "name": f"代表{i}", "region": "桃洪镇", "points": "2"}
                for i in range(rows)
            ],
            published_at=NOW,
        )
        return reverse("ranking-public", args=[snapshot.public_token])

    small, html = _queries(client, published(5))
    assert html.count('class="rank"') == 5
    large, html = _queries(client, published(50))

    assert html.count('class="rank"') == 50
    assert large == small
    assert small <= MAX_QUERIES, small
