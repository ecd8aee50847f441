"""履职积分: the ledger rebuild, confirmations, rule inheritance, rankings, 晾晒."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress.models import Region
from deputies.models import ActivityParticipant
from deputies.models import Level
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from deputies.points import point_confirm
from deputies.points import point_facts_pending
from deputies.points import points_for_deputy
from deputies.points import points_rebuild
from deputies.points import ranking_list
from deputies.points import ranking_pages_for_user
from deputies.points import ranking_publish
from deputies.points import ranking_snapshot_create
from deputies.points import ranking_unpublish
from tests.factories.congress import RegionFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.points import activity
from tests.factories.points import aware
from tests.factories.points import opinion_replied
from tests.factories.points import rule
from tests.factories.points import visit
from tests.factories.points import voter_report

pytestmark = pytest.mark.django_db

Fact = PointRule.Fact
YEAR = 2026
PHONE = re.compile(r"1[3-9]\d{9}")


def day(month, d=1, year=YEAR) -> datetime.date:
    return datetime.date(year, month, d)


def ledger() -> list[tuple]:
    return sorted(
        PointEntry.objects.values_list(
            "deputy_id", "year", "date", "fact", "source_id", "rule_id", "points"
        )
    )


def total(deputy, year=YEAR) -> Decimal:
    return sum(
        PointEntry.objects.filter(deputy=deputy, year=year).values_list(
            "points", flat=True
        ),
        Decimal("0"),
    )


@pytest.fixture
def station(township_a):
    return LiaisonStationFactory(region=township_a)


@pytest.fixture
def deputy(township_a):
    return DeputyFactory(region=township_a, name="李明")


def test_rebuild_twice_gives_the_same_ledger_and_writes_nothing_the_second_time(
    county_a, township_a, station, deputy
):
    """Idempotent: the second run finds nothing to delete or write."""
    other = DeputyFactory(region=township_a)
    rule(county_a, Fact.VISIT, 2, 24)
    rule(county_a, Fact.ACTIVITY_PRESENT, 3, 30)
    rule(county_a, Fact.ACTIVITY_ABSENT, -5, 20)
    rule(county_a, Fact.OPINION_REPLIED, 1, 20)
    rule(county_a, Fact.VOTER_REPORT, 10, 10)
    for month in range(1, 6):
        visit(station, day(month, 6), deputy, other)
    activity(county_a, day(3, 2), {deputy: "present", other: "absent"})
    opinion_replied(deputy, aware(YEAR, 4, 1))
    voter_report(deputy, day(5, 20), voters_present=40, satisfied=30)

    first = points_rebuild(year=YEAR)
    entries = ledger()
    second = points_rebuild(year=YEAR)

    assert ledger() == entries
    assert first.written == len(entries) == 5 * 2 + 2 + 1 + 1
    assert (second.deleted, second.written) == (0, 0)
    assert total(deputy) == 5 * 2 + 3 + 1 + 10
    assert total(other) == 5 * 2 - 5


def test_rebuild_follows_the_yearly_cap_in_date_order(county_a, station, deputy):
    """The fact that crosses the cap earns the remainder; later ones leave no line."""
    rule(county_a, Fact.VISIT, 2, 5)
    visits = [visit(station, day(m, 6), deputy) for m in (4, 1, 3, 2)]

    points_rebuild(year=YEAR)

    lines = list(
        PointEntry.objects.filter(deputy=deputy)
        .order_by("date")
        .values_list("source_id", "points")
    )
    by_month = {v.date.month: v.pk for v in visits}
    assert lines == [
        (by_month[1], Decimal("2.0")),
        (by_month[2], Decimal("2.0")),
        (by_month[3], Decimal("1.0")),
    ]
    assert total(deputy) == 5


def test_rebuild_caps_a_deduction_at_its_limit(county_a, deputy):
    """缺席 −5 each, at most 12 deducted a year."""
    rule(county_a, Fact.ACTIVITY_ABSENT, -5, 12)
    for month in (1, 2, 3, 4):
        activity(county_a, day(month, 10), {deputy: "absent"})

    points_rebuild(year=YEAR)

    assert total(deputy) == -12
    assert PointEntry.objects.filter(deputy=deputy).count() == 3


def test_rebuild_counts_no_leave_and_no_unreplied_opinion(county_a, deputy):
    """请假 is not 缺席; an opinion without a reply earns nothing."""
    rule(county_a, Fact.ACTIVITY_ABSENT, -5)
    rule(county_a, Fact.OPINION_REPLIED, 1)
    activity(county_a, day(2, 1), {deputy: ActivityParticipant.Attendance.ON_LEAVE})
    opinion_replied(deputy, None, status="received")

    points_rebuild(year=YEAR)

    assert not PointEntry.objects.exists()


def test_rebuild_needs_a_confirmation_when_the_rule_asks_for_one(
    county_a, station, deputy, staff_a
):
    """An unconfirmed fact earns nothing; once confirmed it counts at the next rebuild."""
    rule(county_a, Fact.VISIT, 2, confirm=True)
    confirmed = visit(station, day(1, 6), deputy)
    visit(station, day(2, 6), deputy)

    points_rebuild(year=YEAR)
    assert total(deputy) == 0
    assert set(
        point_facts_pending(fact=Fact.VISIT, user=staff_a, year=YEAR).values_list(
            "date", flat=True
        )
    ) == {day(1, 6), day(2, 6)}

    assert point_confirm(fact=Fact.VISIT, source_ids=[confirmed.pk], actor=staff_a)
    points_rebuild(year=YEAR)

    assert list(PointEntry.objects.values_list("source_id", flat=True)) == [
        confirmed.pk
    ]
    assert total(deputy) == 2


def test_confirm_refuses_facts_outside_the_scope_and_writes_nothing(
    county_a, county_b, township_b, station, deputy, staff_a
):
    """All or nothing: one out-of-scope id refuses the whole confirmation."""
    station_b = LiaisonStationFactory(region=township_b)
    mine = visit(station, day(1, 6), deputy)
    theirs = visit(station_b, day(1, 6), DeputyFactory(region=township_b))

    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        point_confirm(fact=Fact.VISIT, source_ids=[mine.pk, theirs.pk], actor=staff_a)
    with pytest.raises(ValidationError, match="请至少选择一条"):
        point_confirm(fact=Fact.VISIT, source_ids=[], actor=staff_a)

    from deputies.models import PointConfirmation

    assert not PointConfirmation.objects.exists()


def test_rebuild_uses_the_most_specific_active_rule(
    county_a, township_a, station, deputy
):
    """A township's own rule beats the county's; an inactive one does not count."""
    other_township = RegionFactory(
        name="六都寨镇",
        code=Region.full_code("430524101"),
        level=Region.Level.TOWNSHIP,
        parent=county_a,
    )
    village = RegionFactory(
        name="桃洪村",
        code=Region.full_code("430524100201"),
        level=Region.Level.VILLAGE,
        parent=township_a,
    )
    in_village = DeputyFactory(region=village)
    elsewhere = DeputyFactory(region=other_township)
    county_rule = rule(county_a, Fact.VISIT, 2)
    township_rule = rule(township_a, Fact.VISIT, 3)
    other_station = LiaisonStationFactory(region=other_township)
    visit(station, day(1, 6), deputy, in_village)
    visit(other_station, day(1, 6), elsewhere)

    points_rebuild(year=YEAR)
    assert total(deputy) == total(in_village) == 3
    assert total(elsewhere) == 2
    assert set(PointEntry.objects.values_list("rule_id", flat=True)) == {
        county_rule.pk,
        township_rule.pk,
    }

    township_rule.is_active = False
    township_rule.save()
    points_rebuild(year=YEAR)
    assert total(deputy) == total(in_village) == 2


def test_rebuild_of_a_region_leaves_other_regions_and_years_alone(
    county_a, county_b, township_b, station, deputy
):
    """A county rebuild touches that county's deputies of that year only."""
    rule(county_a.parent, Fact.VISIT, 2)
    deputy_b = DeputyFactory(region=township_b)
    station_b = LiaisonStationFactory(region=township_b)
    visit(station, day(1, 6), deputy)
    visit(station, day(1, 6, year=YEAR - 1), deputy)
    visit(station_b, day(1, 6), deputy_b)
    points_rebuild(year=YEAR)
    points_rebuild(year=YEAR - 1)
    before = ledger()

    PointRule.objects.update(points=Decimal("4"))
    points_rebuild(year=YEAR, region=county_a)

    assert total(deputy) == 4
    assert total(deputy, YEAR - 1) == 2
    assert total(deputy_b) == 2
    assert len(ledger()) == len(before)


def test_rebuild_command_takes_year_and_short_region_code_and_is_idempotent(
    county_a, township_b, station, deputy
):
    """``manage.py points_rebuild --year --region 430524`` rebuilds that county's
    year only, says what it wrote, writes nothing the second time; an unknown
    region code is an error that writes nothing."""
    import io

    from django.core.management import CommandError
    from django.core.management import call_command

    rule(county_a.parent, Fact.VISIT, 2)
    deputy_b = DeputyFactory(region=township_b)
    visit(station, day(1, 6), deputy)
    visit(LiaisonStationFactory(region=township_b), day(1, 6), deputy_b)

    out = io.StringIO()
    call_command("points_rebuild", year=YEAR, region="430524", stdout=out)
    assert "points 2026 隆回县: 1 entries, 0 deleted, 1 written" in out.getvalue()
    assert total(deputy) == 2 and total(deputy_b) == 0

    out = io.StringIO()
    call_command("points_rebuild", year=YEAR, region="430524", stdout=out)
    assert "0 deleted, 0 written" in out.getvalue()

    with pytest.raises(CommandError, match="unknown region 999999"):
        call_command("points_rebuild", year=YEAR, region="999999")
    assert total(deputy_b) == 0


def test_rebuild_is_set_based_same_statements_for_1_and_50_deputies(
    county_a, township_a, station, deputy
):
    """No Python loop per deputy: the rebuild sends the same statements whether
    one deputy or fifty have facts, and scores all fifty."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule(county_a, Fact.VISIT, 2)
    visit(station, day(1, 6), deputy)
    with CaptureQueriesContext(connection) as one:
        points_rebuild(year=YEAR)
    others = [DeputyFactory(region=township_a) for _ in range(49)]
    for month in (2, 3):
        visit(station, day(month, 6), deputy, *others)
    with CaptureQueriesContext(connection) as fifty:
        result = points_rebuild(year=YEAR)
    assert len(fifty.captured_queries) == len(one.captured_queries)
    assert result.written == 2 * 50
    assert all(total(other) == 4 for other in others) and total(deputy) == 6


def test_rebuild_drops_lines_whose_fact_is_gone(county_a, station, deputy):
    rule(county_a, Fact.VISIT, 2)
    gone = visit(station, day(1, 6), deputy)
    visit(station, day(2, 6), deputy)
    points_rebuild(year=YEAR)
    gone.delete()

    result = points_rebuild(year=YEAR)

    assert result.deleted == 1
    assert total(deputy) == 2


def test_rebuild_refuses_a_silly_year():
    with pytest.raises(ValidationError, match="年度不正确"):
        points_rebuild(year=1899)


def test_opinion_counts_in_the_year_of_its_local_reply_date(county_a, deputy):
    """A reply at 00:30 on 1 January in Beijing belongs to the new year."""
    rule(county_a, Fact.OPINION_REPLIED, 1)
    opinion_replied(deputy, aware(YEAR, 1, 1, hour=0))

    points_rebuild(year=YEAR - 1)
    points_rebuild(year=YEAR)

    assert list(PointEntry.objects.values_list("year", "date")) == [(YEAR, day(1, 1))]


# --- rankings ---------------------------------------------------------------------


def _seat(deputy, county, level=Level.COUNTY):
    return MandateFactory(deputy=deputy, level=level, congress_region=county)


@pytest.fixture
def ranked(county_a, township_a, station):
    """Three county deputies with 6, 4 and 4 points and a township deputy."""
    rule(county_a, Fact.VISIT, 2)
    first, second, third = (
        DeputyFactory(region=township_a, name=name) for name in ("甲", "乙", "丙")
    )
    township_only = DeputyFactory(region=township_a, name="丁")
    for deputy in (first, second, third):
        _seat(deputy, county_a)
    _seat(township_only, township_a, Level.TOWNSHIP)
    visit(station, day(1, 6), first, second, third, township_only)
    visit(station, day(2, 6), first, second, third)
    visit(station, day(3, 6), first)
    points_rebuild(year=YEAR)
    return first, second, third, township_only


def test_ranking_by_level_and_region_shares_ranks_on_equal_points(county_a, ranked):
    first, second, third, township_only = ranked

    rows = [
        (d.name, d.total, d.rank)
        for d in ranking_list(year=YEAR, level=Level.COUNTY, region=county_a)
    ]

    assert rows[0] == ("甲", Decimal("6.0"), 1)
    assert sorted(rows[1:]) == [("丙", Decimal("4.0"), 2), ("乙", Decimal("4.0"), 2)]
    township_rows = ranking_list(year=YEAR, level=Level.TOWNSHIP, region=county_a)
    assert [(d.name, d.rank) for d in township_rows] == [("丁", 1)]


def test_ranking_includes_deputies_without_points(county_a, township_a, ranked):
    idle = DeputyFactory(region=township_a, name="戊")
    _seat(idle, county_a)

    rows = list(ranking_list(year=YEAR, level=Level.COUNTY, region=county_a))

    assert (rows[-1].name, rows[-1].total, rows[-1].rank) == ("戊", Decimal("0"), 4)


def test_ranking_for_a_user_outside_the_region_is_refused(county_a, staff_b, ranked):
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        ranking_pages_for_user(
            user=staff_b, year=YEAR, level=Level.COUNTY, region=county_a, per_page=50
        )


def test_points_for_deputy_gives_totals_by_fact_and_rank(county_a, ranked):
    first, second, *_ = ranked

    mine = points_for_deputy(deputy=second, year=YEAR)

    assert mine.total == 4
    visits = next(item for item in mine.by_fact if item.fact == Fact.VISIT)
    assert (visits.count, visits.points) == (2, Decimal("4.0"))
    assert [(r.level, r.rank, r.of) for r in mine.ranks] == [(Level.COUNTY, 2, 3)]


# --- 晾晒 -----------------------------------------------------------------------------


def test_snapshot_freezes_the_ranking_and_publishes_once(county_a, staff_a, ranked):
    snapshot = ranking_snapshot_create(
        title="", region=county_a, year=YEAR, level=Level.COUNTY, actor=staff_a
    )
    assert snapshot.title == "2026年度隆回县县级人大代表履职积分排名"
    assert [row["name"] for row in snapshot.rows][0] == "甲"
    assert set(snapshot.rows[0]) == {"rank", "name", "region", "points"}

    ranking_publish(snapshot=snapshot, actor=staff_a)
    with pytest.raises(ValidationError, match="已经公布"):
        ranking_publish(snapshot=snapshot, actor=staff_a)
    snapshot.refresh_from_db()
    assert snapshot.published_at is not None and snapshot.published_by == staff_a


def test_snapshot_outside_the_scope_is_refused(county_a, staff_a, staff_b, ranked):
    with pytest.raises(PermissionDenied):
        ranking_snapshot_create(
            title="x", region=county_a, year=YEAR, level=Level.COUNTY, actor=staff_b
        )
    snapshot = ranking_snapshot_create(
        title="x", region=county_a, year=YEAR, level=Level.COUNTY, actor=staff_a
    )
    with pytest.raises(PermissionDenied):
        ranking_publish(snapshot=snapshot, actor=staff_b)
    assert RankingSnapshot.objects.get().published_at is None


def test_public_snapshot_page_shows_names_and_points_and_no_phone(
    client, county_a, staff_a, ranked
):
    snapshot = ranking_snapshot_create(
        title="晾晒", region=county_a, year=YEAR, level=Level.COUNTY, actor=staff_a
    )
    url = reverse("ranking-public", args=[snapshot.public_token])
    assert client.get(url).status_code == 404  # not published yet

    ranking_publish(snapshot=snapshot, actor=staff_a)
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "甲" in html and "6.0" in html
    assert not PHONE.search(html)
    for deputy in ranked:
        assert deputy.phone not in html

    ranking_unpublish(snapshot=snapshot, actor=staff_a)
    assert client.get(url).status_code == 404


# --- suggestions (registered by the suggestions app) -----------------------------------


def _suggestion(lead, *, status="registered", when=None, signers=()):
    from suggestions.models import Suggestion
    from suggestions.models import SuggestionSigner

    s = Suggestion.objects.create(
        title="关于修缮村道的建议",
        content="村道破损严重。",
        lead_deputy=lead,
        region=lead.region,
        status=status,
        submitted_at=when,
    )
    for deputy, confirmed in signers:
        SuggestionSigner.objects.create(
            suggestion=s,
            deputy=deputy,
            confirmed_at=aware(YEAR, 2, 1) if confirmed else None,
        )
    return s


def test_rebuild_counts_led_and_confirmed_cosigned_suggestions(
    county_a, township_a, deputy
):
    """领衔 5 cap 20 and 联名 2 for a confirmed signature; drafts and declined
    suggestions and unconfirmed signatures earn nothing."""
    rule(county_a, Fact.SUGGESTION_LEAD, 5, 20)
    rule(county_a, Fact.SUGGESTION_COSIGN, 2, 10)
    signer, unconfirmed = (
        DeputyFactory(region=township_a),
        DeputyFactory(region=township_a),
    )
    for month in range(1, 6):
        _suggestion(
            deputy,
            when=aware(YEAR, month, 10),
            signers=[(signer, True), (unconfirmed, False)],
        )
    _suggestion(deputy, status="draft")
    _suggestion(deputy, status="not_accepted", when=aware(YEAR, 7, 1))

    points_rebuild(year=YEAR)

    assert total(deputy) == 20  # five led, capped at 20
    assert total(signer) == 10
    assert total(unconfirmed) == 0


def test_ranking_pages_are_cached_until_a_rebuild_changes_the_ledger(
    county_a, station, ranked, django_capture_on_commit_callbacks
):
    """The staff ranking reads cached pages that the next changing rebuild invalidates."""
    from deputies.points import RankingPages

    first, second, third, _ = ranked

    def ranking():
        return RankingPages(year=YEAR, level=Level.COUNTY, region=county_a, per_page=2)

    before = list(ranking())
    assert len(before) == 3
    visit(station, day(4, 6), third)
    visit(station, day(5, 6), third)

    assert list(ranking()) == before
    with django_capture_on_commit_callbacks(execute=True):
        points_rebuild(year=YEAR)
    after = ranking()

    assert [(r.name, r.total, r.rank) for r in after[0:2]] == [
        ("丙", Decimal("8.0"), 1),
        ("甲", Decimal("6.0"), 2),
    ]
    assert [r.name for r in after[2:3]] == ["乙"]


def test_a_cached_ranking_page_reads_no_database(
    county_a, ranked, django_assert_num_queries
):
    from deputies.points import RankingPages
    from deputies.points import ranking_rows

    expected = ranking_rows(year=YEAR, level=Level.COUNTY, region=county_a)
    RankingPages(year=YEAR, level=Level.COUNTY, region=county_a, per_page=2)[0:2]

    with django_assert_num_queries(0):
        pages = RankingPages(year=YEAR, level=Level.COUNTY, region=county_a, per_page=2)
        assert (len(pages), pages[2:3]) == (3, expected[2:3])
        assert pages[0:2] == expected[0:2]


def test_rebuild_gives_the_same_ledger_when_postgres_plans_it_in_parallel(
    county_a, township_a, station, deputy
):
    """The rebuild lets PostgreSQL share the facts between parallel workers at city
    scale. Forced into a parallel plan on small data, it writes the very ledger a
    serial plan writes: the running sums and caps do not depend on the workers."""
    from django.db import connection

    others = [DeputyFactory(region=township_a) for _ in range(3)]
    rule(county_a, Fact.VISIT, 2, 7)
    rule(county_a, Fact.ACTIVITY_PRESENT, 3, 30)
    for month in range(1, 10):
        visit(station, day(month, 6), deputy, *others[: month % 4])
    activity(county_a, day(3, 2), {deputy: "present", others[0]: "present"})
    points_rebuild(year=YEAR)
    serial = ledger()
    PointEntry.objects.all().delete()

    plans = []

    def parallel_everywhere(execute, sql, params, many, context):
        cursor = context["cursor"]
        if "CREATE TEMP TABLE points_new" in sql:
            cursor.execute("EXPLAIN " + sql.split(" AS\n", 1)[1], params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        result = execute(sql, params, many, context)
        if "parallel_tuple_cost" in sql:  # after the rebuild's own settings
            for setting in (
                "parallel_setup_cost = 0",
                "min_parallel_table_scan_size = 0",
                "min_parallel_index_scan_size = 0",
            ):
                cursor.execute(f"SET LOCAL {setting}")
        return result

    with connection.execute_wrapper(parallel_everywhere):
        points_rebuild(year=YEAR)
    assert plans and "Gather" in plans[0], plans
    assert ledger() == serial and len(serial) > 9
