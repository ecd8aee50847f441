"""Demo and scale data of 履职积分 (registered from ``DeputiesConfig.ready``).

Both builders are idempotent: rules are inserted only where missing, 述职 records
only for deputies that have none that year, and the ledger rebuild writes nothing
when nothing changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.db import transaction
from django.utils import timezone

from congress.demo import regions as R
from congress.models import Region
from deputies.models import Level
from deputies.models import Mandate
from deputies.models import PointConfirmation
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from deputies.models import VoterReport

Fact = PointRule.Fact

# (fact, points, yearly cap): the values the demo counties use.
DEMO_RULES: tuple[tuple[str, str, str | None], ...] = (
    (Fact.VISIT, "2", "24"),
    (Fact.ACTIVITY_PRESENT, "3", "30"),
    (Fact.ACTIVITY_ABSENT, "-5", None),
    (Fact.OPINION_REPLIED, "1", "20"),
    (Fact.SUGGESTION_LEAD, "5", "20"),
    (Fact.SUGGESTION_COSIGN, "2", "10"),
    (Fact.VOTER_REPORT, "10", "10"),
)


def rules_ensure(regions: list[Region]) -> int:
    """Give each region the demo rule set where it has no rule for a fact yet."""
    present = set(
        PointRule.objects.filter(region__in=regions).values_list("region_id", "fact")
    )
    missing = [
        PointRule(
            region=region,
            fact=fact,
            points=Decimal(points),
            yearly_cap=Decimal(cap) if cap else None,
        )
        for region in regions
        for fact, points, cap in DEMO_RULES
        if (region.pk, fact) not in present
    ]
    PointRule.objects.bulk_create(missing)
    return len(missing)


def _voter_reports_ensure(region: Region, *, year: int, every: int) -> int:
    """A 述职 record this year for every ``every``-th county deputy without one."""
    day = min(timezone.localdate(), datetime.date(year, 6, 28))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO deputies_voterreport
                (deputy_id, date, place, voters_present, summary, satisfied,
                 basically_satisfied, unsatisfied, average_score)
            SELECT d.id, %(day)s, '村(社区)综合服务中心', 40 + d.id %% 30,
                   '报告一年来参加代表活动、进站接待选民和提出建议的情况。',
                   30 + d.id %% 10, 8 + d.id %% 5, d.id %% 3, 85 + d.id %% 15
            FROM deputies_deputy d
            JOIN congress_region r ON r.id = d.region_id
            WHERE r.code LIKE %(prefix)s AND d.id %% %(every)s = 0
              AND EXISTS (SELECT 1 FROM deputies_mandate m
                          WHERE m.deputy_id = d.id AND m.status = 'active'
                            AND m.level IN ('county', 'township'))
              AND NOT EXISTS (SELECT 1 FROM deputies_voterreport v
                              WHERE v.deputy_id = d.id
                                AND v.date >= %(start)s AND v.date < %(end)s)
            """,
            {
                "day": day,
                "prefix": region.prefix + "%",
                "every": every,
                "start": datetime.date(year, 1, 1),
                "end": datetime.date(year + 1, 1, 1),
            },
        )
        return cursor.rowcount


def points_demo_build(*, log: Callable[[str], None]) -> None:
    """Rules for the four demo counties, some 述职 records, this year's ledger and
    a published ranking of 隆回县's county deputies."""
    from deputies.points import points_rebuild
    from deputies.points import ranking_publish
    from deputies.points import ranking_snapshot_create

    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY, name__in=R.DEMO_COUNTIES)
    )
    if not counties:
        log("points: no demo counties, skipped")
        return
    added = rules_ensure(counties)
    year = timezone.localdate().year
    reports = sum(_voter_reports_ensure(c, year=year, every=4) for c in counties)
    if connection.vendor != "postgresql":
        log("points: the ledger needs PostgreSQL, rebuild skipped")
        return
    for county in counties:
        points_rebuild(year=year, region=county)
    longhui = next((c for c in counties if c.name == "隆回县"), None)
    published = 0
    already = RankingSnapshot.objects.filter(
        region=longhui, year=year, level=Level.COUNTY
    ).exists()
    has_seats = Mandate.objects.filter(
        level=Level.COUNTY, congress_region=longhui, status=Mandate.Status.ACTIVE
    ).exists()
    if longhui is not None and has_seats and not already:
        # The demo accounts do not exist yet: the system publishes (actor None).
        with transaction.atomic():
            snapshot = ranking_snapshot_create(
                title="", region=longhui, year=year, level=Level.COUNTY, actor=None
            )
            ranking_publish(snapshot=snapshot, actor=None)
        published = 1
    log(
        f"points: {added} rules, {reports} voter reports, ledger rebuilt, "
        f"{published} ranking published"
    )


def points_scale_build(*, options: dict, log: Callable[[str], None]) -> None:
    """Rules for the whole city (every county inherits them), 述职 records for one
    deputy in ten, and this year's ledger."""
    from deputies.points import points_rebuild

    city = Region.objects.filter(code=Region.full_code(R.CITY_CODE[:4])).first()
    if city is None:
        log("points: no city, skipped")
        return
    added = rules_ensure([city])
    year = timezone.localdate().year
    reports = _voter_reports_ensure(city, year=year, every=10)
    result = points_rebuild(year=year, region=city)
    log(
        f"points: {added} rules, {reports} voter reports, "
        f"{result.entries} ledger lines in {result.seconds:.1f} s"
    )


def points_scale_reset(*, prefix: str) -> None:
    """Remove the city's ledger, snapshots, 述职 records and rules (before the
    deputies and regions they point to)."""
    in_city = {"deputy__region__code__startswith": prefix}
    for queryset in (
        PointEntry.objects.filter(**in_city),
        VoterReport.history.filter(**in_city),
        VoterReport.objects.filter(**in_city),
        RankingSnapshot.objects.filter(region__code__startswith=prefix),
        PointRule.history.filter(region__code__startswith=prefix),
        PointEntry.objects.filter(rule__region__code__startswith=prefix),
        PointRule.objects.filter(region__code__startswith=prefix),
    ):
        queryset._raw_delete(queryset.db)
    # Confirmations name rows by id only; the facts they named are gone too.
    PointConfirmation.objects.all()._raw_delete(PointConfirmation.objects.db)
