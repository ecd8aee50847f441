"""履职积分: the points ledger, rankings, the published ranking (晾晒) and 向选民述职.

The ledger (``PointEntry``) is never edited by hand: :func:`points_rebuild` derives
it from the facts — station visits, attendance at activities, replies to citizens,
reports to voters and, when the suggestions app registers them, suggestions — in
one set-based statement per year and region. Every fact kind has a SQL source
(:data:`FACT_SOURCES`); an app above ``deputies`` adds its facts with
:func:`point_fact_source_register` from its ``AppConfig.ready`` so the import arrow
still points one way (DESIGN.md).

The rules that shape the ledger live here, once each:

- the rule of a deputy is the most specific active ``PointRule`` for the fact: the
  one of the deputy's own region, else of the nearest region above it (a county's
  rules apply in its townships unless a township sets its own);
- a fact whose rule needs confirmation earns points only once staff confirmed it
  (``PointConfirmation``);
- a yearly cap limits the points of one fact kind per deputy and year; the facts
  count in date order and the one that crosses the cap earns the remainder, later
  ones nothing (and leave no line in the ledger). For a deduction (negative
  points) the cap limits the total deducted.

Rebuild writes only what changed (delete lines whose fact is gone, upsert the
rest with ``IS DISTINCT FROM``), so running it twice writes nothing the second
time and leaves the same ledger.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction
from django.db.models import Count
from django.db.models import DecimalField
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models import Window
from django.db.models.functions import Coalesce
from django.db.models.functions import Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.audit import state_change_event
from congress.models import Region
from congress.models import User
from congress.rules import is_in_scope
from congress.scope import in_subtree
from congress.scope import user_sees_everything
from deputies.models import ActivityParticipant
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import Mandate
from deputies.models import PointConfirmation
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from deputies.models import StationVisit
from deputies.models import VoterReport

logger = logging.getLogger(__name__)

Fact = PointRule.Fact

# ---------------------------------------------------------------------------
# Fact sources.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FactSource:
    """Where the facts of one kind come from.

    ``sql`` selects ``deputy_id, fact_date, source_id`` for the facts dated in
    ``[%(start)s, %(end)s)`` (dates; ``%(start_ts)s``/``%(end_ts)s`` are the same
    bounds as aware timestamps for facts stored as a time). ``source_id`` is the
    primary key of the row a confirmation names.
    """

    fact: str
    sql: str


FACT_SOURCES: dict[str, FactSource] = {}


def point_fact_source_register(source: FactSource) -> None:
    """Add (or replace) the source of a fact kind; called from ``AppConfig.ready``."""
    FACT_SOURCES[source.fact] = source


# A visit earns each deputy present one fact; the visit is the source, so one
# confirmation confirms it for everyone who was there.
point_fact_source_register(
    FactSource(
        Fact.VISIT,
        """
        SELECT vd.deputy_id, v.date AS fact_date, v.id AS source_id
        FROM deputies_stationvisitdeputy vd
        JOIN deputies_stationvisit v ON v.id = vd.visit_id
        WHERE v.date >= %(start)s AND v.date < %(end)s
        """,
    )
)
point_fact_source_register(
    FactSource(
        Fact.ACTIVITY_PRESENT,
        """
        SELECT ap.deputy_id, a.date AS fact_date, ap.id AS source_id
        FROM deputies_activityparticipant ap
        JOIN deputies_activity a ON a.id = ap.activity_id
        WHERE ap.attendance = 'present' AND a.date >= %(start)s AND a.date < %(end)s
        """,
    )
)
# 请假 (on leave) is not 缺席: only an absence without leave is deducted.
point_fact_source_register(
    FactSource(
        Fact.ACTIVITY_ABSENT,
        """
        SELECT ap.deputy_id, a.date AS fact_date, ap.id AS source_id
        FROM deputies_activityparticipant ap
        JOIN deputies_activity a ON a.id = ap.activity_id
        WHERE ap.attendance = 'absent' AND a.date >= %(start)s AND a.date < %(end)s
        """,
    )
)
# An opinion counts for the deputy it was addressed to once it has a reply.
point_fact_source_register(
    FactSource(
        Fact.OPINION_REPLIED,
        """
        SELECT o.deputy_id,
               (o.replied_at AT TIME ZONE %(tz)s)::date AS fact_date,
               o.id AS source_id
        FROM deputies_citizenopinion o
        WHERE o.deputy_id IS NOT NULL
          AND o.status IN ('replied', 'closed')
          AND o.replied_at >= %(start_ts)s AND o.replied_at < %(end_ts)s
        """,
    )
)
point_fact_source_register(
    FactSource(
        Fact.VOTER_REPORT,
        """
        SELECT r.deputy_id, r.date AS fact_date, r.id AS source_id
        FROM deputies_voterreport r
        WHERE r.date >= %(start)s AND r.date < %(end)s
        """,
    )
)


# ---------------------------------------------------------------------------
# Rebuild.
# ---------------------------------------------------------------------------

# The rule of each (region, fact): the most specific active rule whose region
# contains the region. A region's prefix is its code cut to the significant digits
# of its level (congress.models.Region.PREFIX_LENGTH), so "contains" is a prefix
# match and "most specific" is the longest prefix.
_PREFIX_SQL = """
    left(g.code, CASE g.level WHEN 0 THEN 0 WHEN 1 THEN 2 WHEN 2 THEN 4
                              WHEN 3 THEN 6 WHEN 4 THEN 9 ELSE 12 END)
"""

# Step 1: the rule of each (deputy, fact) in scope, into a small temporary table
# that is analysed, so the planner knows its size before the big join (with the
# rules resolved inside one statement it guessed a handful of rows and joined
# two million facts to every rule of their kind).
_RULES_SQL = """
CREATE TEMP TABLE points_rules ON COMMIT DROP AS
WITH scope_deputies AS (
    SELECT d.id, d.region_id
    FROM deputies_deputy d
    JOIN congress_region dr ON dr.id = d.region_id
    WHERE dr.code LIKE %(scope)s
),
rules AS (
    SELECT r.id, r.fact, r.points, r.yearly_cap, r.needs_confirmation,
           {prefix} AS prefix
    FROM deputies_pointrule r
    JOIN congress_region g ON g.id = r.region_id
    WHERE r.is_active
),
region_rules AS (
    SELECT DISTINCT ON (dr.id, ru.fact)
           dr.id AS region_id, ru.fact, ru.id AS rule_id, ru.points,
           ru.yearly_cap, ru.needs_confirmation
    FROM (SELECT DISTINCT region_id FROM scope_deputies) sr
    JOIN congress_region dr ON dr.id = sr.region_id
    JOIN rules ru ON dr.code LIKE ru.prefix || '%%'
    ORDER BY dr.id, ru.fact, length(ru.prefix) DESC
)
SELECT d.id AS deputy_id, fm.fact_no, rr.fact, rr.rule_id,
       (abs(rr.points) * 10)::int AS unit, sign(rr.points)::int AS direction,
       (abs(rr.yearly_cap) * 10)::int AS cap, rr.needs_confirmation
FROM scope_deputies d
JOIN region_rules rr ON rr.region_id = d.region_id
JOIN ({fact_numbers}) AS fm (fact, fact_no) ON fm.fact = rr.fact
"""

# Step 2: score the year's facts with those rules and apply the caps. Points are
# counted in tenths (integers: the rules have one decimal place), which sums
# faster than numeric over two million rows.
_REBUILD_SQL = """
CREATE TEMP TABLE points_new ON COMMIT DROP AS
WITH facts AS (
    {facts}
),
scored AS (
    SELECT f.deputy_id, f.fact_no, f.fact_date, f.source_id,
           pr.fact, pr.rule_id, pr.unit, pr.direction, pr.cap
    FROM facts f
    JOIN points_rules pr
      ON pr.deputy_id = f.deputy_id AND pr.fact_no = f.fact_no
    WHERE NOT pr.needs_confirmation
       OR EXISTS (SELECT 1 FROM deputies_pointconfirmation c
                  WHERE c.fact = pr.fact AND c.source_id = f.source_id)
),
running AS (
    SELECT s.*,
           sum(s.unit) OVER (PARTITION BY s.deputy_id, s.fact_no
                             ORDER BY s.fact_date, s.source_id
                             ROWS UNBOUNDED PRECEDING) AS total
    FROM scored s
),
awarded AS (
    SELECT deputy_id, fact, fact_date, source_id, rule_id,
           direction * CASE WHEN cap IS NULL THEN unit
                            ELSE LEAST(unit, GREATEST(cap - (total - unit), 0))
                       END AS tenths
    FROM running
)
SELECT deputy_id, fact, fact_date, source_id, rule_id,
       (tenths / 10.0)::numeric(6, 1) AS points
FROM awarded WHERE tenths <> 0
"""

_DELETE_SQL = """
DELETE FROM deputies_pointentry e
USING deputies_deputy d, congress_region dr
WHERE e.deputy_id = d.id AND dr.id = d.region_id AND dr.code LIKE %(scope)s
  AND e.year = %(year)s
  AND NOT EXISTS (SELECT 1 FROM points_new n
                  WHERE n.deputy_id = e.deputy_id AND n.fact = e.fact
                    AND n.source_id = e.source_id)
"""

# A fact may move to another year (its date was corrected): the unique key
# (deputy, fact, source_id) then finds the old line and moves it.
_UPSERT_SQL = """
INSERT INTO deputies_pointentry (deputy_id, year, date, fact, source_id, rule_id, points)
SELECT deputy_id, %(year)s, fact_date, fact, source_id, rule_id, points
FROM points_new
ON CONFLICT (deputy_id, fact, source_id) DO UPDATE
SET year = EXCLUDED.year, date = EXCLUDED.date, rule_id = EXCLUDED.rule_id,
    points = EXCLUDED.points
WHERE (deputies_pointentry.year, deputies_pointentry.date,
       deputies_pointentry.rule_id, deputies_pointentry.points)
      IS DISTINCT FROM (EXCLUDED.year, EXCLUDED.date, EXCLUDED.rule_id,
                        EXCLUDED.points)
"""


@dataclass(frozen=True)
class RebuildResult:
    year: int
    region: str
    entries: int
    deleted: int
    written: int
    seconds: float


def _year_bounds(year: int) -> dict[str, Any]:
    tz = timezone.get_default_timezone()
    start = datetime.date(year, 1, 1)
    end = datetime.date(year + 1, 1, 1)
    return {
        "start": start,
        "end": end,
        "start_ts": datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        "end_ts": datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
        "tz": settings.TIME_ZONE,
    }


# Facts are numbered while they are sorted and joined: sorting two million rows
# by a small integer is much cheaper than by a text column with a collation.
def _fact_numbers_sql() -> str:
    return "VALUES " + ", ".join(
        f"('{fact}', {number})" for number, fact in enumerate(FACT_SOURCES)
    )


def _facts_sql() -> str:
    parts = [
        f"SELECT {number}::smallint AS fact_no, s.deputy_id, s.fact_date, "
        f"s.source_id FROM ({source.sql}) s"
        for number, source in enumerate(FACT_SOURCES.values())
    ]
    return "\nUNION ALL\n".join(parts)


@transaction.atomic
def points_rebuild(*, year: int, region: Region | None = None) -> RebuildResult:
    """Rebuild the year's ledger for the deputies of ``region`` (all when None).

    One transaction; set-based SQL (PostgreSQL). The year's lines of those deputies
    end up exactly the lines the facts and rules give; unchanged lines are not
    rewritten, so a second run writes nothing.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("points_rebuild needs PostgreSQL")
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年度不正确:%(year)s") % {"year": year})
    started = time.perf_counter()
    params = {
        **_year_bounds(year),
        "year": year,
        "scope": (region.prefix if region else "") + "%",
    }
    with connection.cursor() as cursor:
        # Serialise rebuilds of the ledger: two at once would fight over the rows.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('deputies.points'))")
        # One big sort (the running sums) in memory rather than on disk; JIT
        # compiling the statement costs more than it saves here.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        # Let the planner share the scan and join of a year's visits between
        # parallel workers: at the default costs, gathering the ~2 million fact
        # rows of a city's year looks dearer to it than scanning alone, yet on
        # two cores the rebuild of 30,000 deputies took 4.8 s instead of 6.4 s.
        # Small scopes stay serial (below min_parallel_table_scan_size).
        cursor.execute("SET LOCAL parallel_setup_cost = 10")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
        cursor.execute(
            _RULES_SQL.format(prefix=_PREFIX_SQL, fact_numbers=_fact_numbers_sql()),
            params,
        )
        cursor.execute("ANALYZE points_rules")
        cursor.execute(_REBUILD_SQL.format(facts=_facts_sql()), params)
        cursor.execute("SELECT count(*) FROM points_new")
        entries = cursor.fetchone()[0]
        cursor.execute(_DELETE_SQL, params)
        deleted = cursor.rowcount
        cursor.execute(_UPSERT_SQL, params)
        written = cursor.rowcount
        cursor.execute("DROP TABLE points_new, points_rules")
    if deleted or written:
        transaction.on_commit(_ledger_changed)
    result = RebuildResult(
        year=year,
        region=region.name if region else "",
        entries=entries,
        deleted=deleted,
        written=written,
        seconds=time.perf_counter() - started,
    )
    logger.info("points_rebuild %s", result)
    return result


# ---------------------------------------------------------------------------
# Confirmations.
# ---------------------------------------------------------------------------

# The fact rows behind each confirmable fact kind, and the path to their region
# (for the scope check). Suggestion facts are confirmed where suggestions live.
_CONFIRMABLE: dict[str, tuple[QuerySet, str]] = {
    Fact.VISIT: (StationVisit.objects.all(), "region"),
    Fact.ACTIVITY_PRESENT: (
        ActivityParticipant.objects.filter(
            attendance=ActivityParticipant.Attendance.PRESENT
        ),
        "activity__region",
    ),
    Fact.ACTIVITY_ABSENT: (
        ActivityParticipant.objects.filter(
            attendance=ActivityParticipant.Attendance.ABSENT
        ),
        "activity__region",
    ),
    Fact.OPINION_REPLIED: (
        CitizenOpinion.objects.filter(
            deputy__isnull=False,
            status__in=[CitizenOpinion.Status.REPLIED, CitizenOpinion.Status.CLOSED],
        ),
        "region",
    ),
    Fact.VOTER_REPORT: (VoterReport.objects.all(), "deputy__region"),
}


CONFIRMABLE_FACTS = list(_CONFIRMABLE)


def _facts_visible_to(*, fact: str, user: User) -> QuerySet:
    if fact not in _CONFIRMABLE:
        raise ValidationError(
            _("该履职事项不能在此确认:%(fact)s") % {"fact": Fact(fact).label}
        )
    queryset, region_field = _CONFIRMABLE[fact]
    queryset = queryset.all()
    if user_sees_everything(user):
        return queryset
    if user.scope_region is None:
        return queryset.none()
    return in_subtree(queryset, region_field, user.scope_region.prefix)


def point_facts_pending(*, fact: str, user: User, year: int) -> QuerySet:
    """Facts of one kind in the user's scope and year that nobody confirmed yet."""
    queryset = _facts_visible_to(fact=fact, user=user)
    date_field = {
        Fact.VISIT: "date",
        Fact.ACTIVITY_PRESENT: "activity__date",
        Fact.ACTIVITY_ABSENT: "activity__date",
        Fact.OPINION_REPLIED: "replied_at__date",
        Fact.VOTER_REPORT: "date",
    }[fact]
    confirmed = PointConfirmation.objects.filter(fact=fact, source_id=OuterRef("pk"))
    return queryset.filter(**{f"{date_field}__year": year}).exclude(Exists(confirmed))


@dataclass
class PendingFact:
    source_id: int
    date: Any
    text: str


def point_facts_pending_rows(
    *, fact: str, user: User, year: int, limit: int = 200
) -> list[PendingFact]:
    """The first ``limit`` pending facts, described for the confirmation page."""
    queryset = point_facts_pending(fact=fact, user=user, year=year)
    rows: list[PendingFact] = []
    if fact == Fact.VISIT:
        for visit in (
            queryset.select_related("station")
            .prefetch_related("deputies")
            .order_by("date", "pk")[:limit]
        ):
            names = "、".join(d.name for d in visit.deputies.all())
            rows.append(
                PendingFact(visit.pk, visit.date, f"{visit.station.name} · {names}")
            )
    elif fact in (Fact.ACTIVITY_PRESENT, Fact.ACTIVITY_ABSENT):
        for row in queryset.select_related("activity", "deputy").order_by(
            "activity__date", "pk"
        )[:limit]:
            rows.append(
                PendingFact(
                    row.pk,
                    row.activity.date,
                    f"{row.activity.title} · {row.deputy.name}",
                )
            )
    elif fact == Fact.OPINION_REPLIED:
        for row in queryset.select_related("deputy").order_by("replied_at", "pk")[
            :limit
        ]:
            rows.append(
                PendingFact(
                    row.pk,
                    timezone.localtime(row.replied_at).date(),
                    f"{row.deputy.name} · {row.tracking_code}",
                )
            )
    else:
        for row in queryset.select_related("deputy").order_by("date", "pk")[:limit]:
            rows.append(
                PendingFact(row.pk, row.date, f"{row.deputy.name} · {row.place}")
            )
    return rows


@transaction.atomic
def point_confirm(*, fact: str, source_ids: Iterable[int], actor: User) -> int:
    """Confirm facts so that a rule needing confirmation counts them.

    Refuses a fact outside the actor's scope (all or nothing); confirming a fact
    twice is harmless. Returns how many new confirmations were written. The
    ledger changes at the next rebuild.
    """
    try:
        ids = sorted({int(pk) for pk in source_ids})
    except (TypeError, ValueError):
        raise ValidationError(_("记录编号不正确。")) from None
    if not ids:
        raise ValidationError(_("请至少选择一条要确认的记录。"))
    visible = set(
        _facts_visible_to(fact=fact, user=actor)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise PermissionDenied(
            _("记录 %(ids)s 不存在或不在您的管辖范围内,未确认任何记录。")
            % {"ids": "、".join(str(pk) for pk in missing[:10])}
        )
    created = PointConfirmation.objects.bulk_create(
        [PointConfirmation(fact=fact, source_id=pk, confirmed_by=actor) for pk in ids],
        ignore_conflicts=True,
    )
    state_change_event(
        user=actor,
        obj=None,
        transition="points_confirm",
        detail={"fact": fact, "source_ids": ids[:200], "count": len(ids)},
    )
    return len(created)


# ---------------------------------------------------------------------------
# Rankings.
# ---------------------------------------------------------------------------


def _points_of_year(year: int):
    return Coalesce(
        Subquery(
            PointEntry.objects.filter(deputy=OuterRef("pk"), year=year)
            .values("deputy")
            .annotate(total=Sum("points"))
            .values("total"),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
        Value(Decimal("0.0")),
        output_field=DecimalField(max_digits=8, decimal_places=1),
    )


def _seat_filter(*, level: str, region: Region) -> Q:
    """Deputies with an active seat at ``level`` who live in ``region``."""
    seats = Mandate.objects.filter(
        deputy=OuterRef("pk"), level=level, status=Mandate.Status.ACTIVE
    )
    return Q(Exists(seats), region__code__startswith=region.prefix)


def ranking_list(*, year: int, level: str, region: Region) -> QuerySet[Deputy]:
    """Deputies of ``level`` in ``region`` with their points of ``year`` and rank.

    Each row has ``total`` and ``rank`` (equal totals share a rank: 1, 2, 2, 4).
    One query.
    """
    if level not in Level.values:
        raise ValidationError(_("代表层级不正确。"))
    return (
        Deputy.objects.filter(_seat_filter(level=level, region=region))
        .select_related("region")
        .annotate(total=_points_of_year(year))
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .order_by("rank", "region__code", "name", "pk")
    )


# Rankings are read from the ledger, which changes only when it is rebuilt (every
# night, or by the command): they are cached until the next rebuild that changes
# a line, and a few hours at most (a deputy added today shows up then).
RANKING_CACHE_SECONDS = 6 * 3600
LEDGER_VERSION_KEY = "deputies.points.ledger_version"


def _ledger_changed() -> None:
    cache.set(LEDGER_VERSION_KEY, uuid.uuid4().hex, None)


class RankRow(NamedTuple):
    """One line of a ranking; a tuple, so a city's cached ranking unpickles fast."""

    pk: int
    name: str
    region_name: str
    total: Decimal
    rank: int


def ranking_rows(*, year: int, level: str, region: Region) -> list[RankRow]:
    """:func:`ranking_list` as plain rows (one query, not cached)."""
    return [
        RankRow(d.pk, d.name, d.region.name, d.total, d.rank)
        for d in ranking_list(year=year, level=level, region=region)
    ]


class RankingPages(Sequence):
    """A ranking read from the cache a page at a time, for ``Paginator``.

    A whole city's ranking is tens of thousands of rows; unpickling all of them
    on every request took ~40 ms and set off full garbage collections. The
    ranking is computed once (:func:`ranking_rows`) and cached as pages of
    ``per_page`` rows plus its length, until the ledger changes; a request
    then reads the length and the one page it shows.
    """

    def __init__(self, *, year: int, level: str, region: Region, per_page: int):
        version = cache.get(LEDGER_VERSION_KEY) or "0"
        self._key = f"deputies.points.ranking:{version}:{year}:{level}:{region.pk}"
        self._args = {"year": year, "level": level, "region": region}
        self.per_page = per_page
        self._pages: dict[int, list[RankRow]] = {}
        count = cache.get(self._count_key)
        self._count = self._fill() if count is None else count

    @property
    def _count_key(self) -> str:
        return f"{self._key}:count:{self.per_page}"

    def _page_key(self, number: int) -> str:
        return f"{self._key}:page:{self.per_page}:{number}"

    def _fill(self, number: int | None = None) -> int:
        """Compute the ranking, cache every page and its length; keep one page."""
        rows = ranking_rows(**self._args)
        size = self.per_page
        pages = {i // size + 1: rows[i : i + size] for i in range(0, len(rows), size)}
        entries = {self._page_key(n): page for n, page in pages.items()}
        entries[self._count_key] = len(rows)
        cache.set_many(entries, RANKING_CACHE_SECONDS)
        if number is not None:
            self._pages[number] = pages.get(number, [])
        return len(rows)

    def __len__(self) -> int:
        return self._count

    def _page(self, number: int) -> list[RankRow]:
        if number not in self._pages:
            page = cache.get(self._page_key(number))
            if page is None:  # evicted since the length was read
                self._fill(number)
            else:
                self._pages[number] = page
        return self._pages[number]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if (
                step == 1
                and start % self.per_page == 0
                and stop - start <= self.per_page
            ):
                return self._page(start // self.per_page + 1)[: stop - start]
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        page = self._page(index // self.per_page + 1)
        return page[index % self.per_page]


def ranking_pages_for_user(
    *, user: User, year: int, level: str, region: Region, per_page: int
) -> RankingPages:
    """:class:`RankingPages` for a region the user may see; else refused."""
    if not (
        user_sees_everything(user)
        or (user.scope_region is not None and user.scope_region.contains(region))
    ):
        raise PermissionDenied(_("所选区划不在您的管辖范围内。"))
    return RankingPages(year=year, level=level, region=region, per_page=per_page)


@dataclass
class FactTotal:
    fact: str
    label: str
    count: int
    points: Decimal


@dataclass
class SeatRank:
    level: str
    level_label: str
    region: Region
    rank: int
    of: int


@dataclass
class MyPoints:
    deputy: Deputy
    year: int
    total: Decimal
    by_fact: list[FactTotal] = field(default_factory=list)
    ranks: list[SeatRank] = field(default_factory=list)


def points_for_deputy(*, deputy: Deputy, year: int) -> MyPoints:
    """My points of the year by fact and my rank in each congress I sit in.

    A fixed number of queries: one for the totals by fact, one for the seats,
    then two per seat (a deputy holds at most five).
    """
    rows = (
        PointEntry.objects.filter(deputy=deputy, year=year)
        .values("fact")
        .annotate(points=Sum("points"), count=Count("pk"))
        .order_by("fact")
    )
    totals = {row["fact"]: row for row in rows}
    by_fact = [
        FactTotal(
            fact=fact,
            label=str(label),
            count=totals.get(fact, {}).get("count", 0),
            points=totals.get(fact, {}).get("points") or Decimal("0.0"),
        )
        for fact, label in Fact.choices
        if fact in totals or fact in FACT_SOURCES
    ]
    total = sum((item.points for item in by_fact), Decimal("0.0"))
    ranks = []
    seats = (
        Mandate.objects.filter(deputy=deputy, status=Mandate.Status.ACTIVE)
        .select_related("congress_region")
        .order_by("level")
    )
    for seat in seats:
        peers = Deputy.objects.filter(
            _seat_filter(level=seat.level, region=seat.congress_region)
        ).annotate(total=_points_of_year(year))
        counts = peers.aggregate(
            of=Count("pk"),
            above=Count("pk", filter=Q(total__gt=total)),
        )
        ranks.append(
            SeatRank(
                level=seat.level,
                level_label=seat.get_level_display(),
                region=seat.congress_region,
                rank=counts["above"] + 1,
                of=counts["of"],
            )
        )
    return MyPoints(deputy=deputy, year=year, total=total, by_fact=by_fact, ranks=ranks)


# ---------------------------------------------------------------------------
# The published ranking (晾晒).
# ---------------------------------------------------------------------------

# A published ranking shows names, township and points: nothing that reaches a
# person (no phone, no workplace, no ID number).
SNAPSHOT_FIELDS = ("rank", "name", "region", "points")


@transaction.atomic
def ranking_snapshot_create(
    *, title: str, region: Region, year: int, level: str, actor: User | None
) -> RankingSnapshot:
    """Freeze the current ranking of ``level`` in ``region`` for ``year`` (unpublished).

    ``actor`` None is the system itself (``seed_demo``), never a request.
    """
    if actor is not None and not is_in_scope(actor, region):
        raise PermissionDenied(_("所选区划不在您的管辖范围内。"))
    title = (title or "").strip()
    if not title:
        title = _("%(year)s年度%(region)s%(level)s级人大代表履职积分排名") % {
            "year": year,
            "region": region.name,
            "level": Level(level).label if level in Level.values else level,
        }
    snapshot = RankingSnapshot(title=title, region=region, year=year, level=level)
    snapshot.full_clean()
    snapshot.rows = [
        {
            "rank": deputy.rank,
            "name": deputy.name,
            "region": deputy.region.name,
            "points": str(deputy.total),
        }
        for deputy in ranking_list(year=year, level=level, region=region)
    ]
    snapshot.save()
    state_change_event(
        user=actor,
        obj=snapshot,
        transition="ranking_snapshot_create",
        detail={"rows": len(snapshot.rows)},
    )
    return snapshot


@transaction.atomic
def ranking_publish(
    *, snapshot: RankingSnapshot, actor: User | None
) -> RankingSnapshot:
    """Publish a frozen ranking on its public page ``/r/<token>/`` (``actor``
    None: the system, as in :func:`ranking_snapshot_create`)."""
    snapshot = RankingSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    if actor is not None and not is_in_scope(actor, snapshot):
        raise PermissionDenied(_("该排名不在您的管辖范围内。"))
    if snapshot.published_at is not None:
        raise ValidationError(_("该排名已经公布,不能重复公布。"))
    if not snapshot.rows:
        raise ValidationError(_("该排名没有任何代表,不能公布。"))
    snapshot.published_at = timezone.now()
    snapshot.published_by = actor
    snapshot.save(update_fields=["published_at", "published_by"])
    state_change_event(
        user=actor, obj=snapshot, transition="ranking_publish", detail={}
    )
    return snapshot


@transaction.atomic
def ranking_unpublish(*, snapshot: RankingSnapshot, actor: User) -> RankingSnapshot:
    """Take a published ranking off its public page."""
    snapshot = RankingSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    if not is_in_scope(actor, snapshot):
        raise PermissionDenied(_("该排名不在您的管辖范围内。"))
    if snapshot.published_at is None:
        raise ValidationError(_("该排名尚未公布。"))
    snapshot.published_at = None
    snapshot.save(update_fields=["published_at"])
    state_change_event(
        user=actor, obj=snapshot, transition="ranking_unpublish", detail={}
    )
    return snapshot


def ranking_snapshot_public_get(*, token: str) -> RankingSnapshot | None:
    """A published snapshot by its public token, or None."""
    return (
        RankingSnapshot.objects.filter(public_token=token, published_at__isnull=False)
        .select_related("region")
        .first()
    )


# ---------------------------------------------------------------------------
# 向选民述职.
# ---------------------------------------------------------------------------


def voter_report_check(report: VoterReport) -> None:
    """Refuse a report dated in the future, with more votes than voters, or a
    score outside 0–100 (the rules a form cannot see field by field)."""
    errors: dict[str, str] = {}
    if report.date and report.date > timezone.localdate():
        errors["date"] = _("述职日期不能晚于今天。")
    votes = report.satisfied + report.basically_satisfied + report.unsatisfied
    if report.voters_present and votes > report.voters_present:
        errors["unsatisfied"] = _(
            "满意、基本满意、不满意票数合计 %(votes)s 张,超过到会选民 %(present)s 人。"
        ) % {"votes": votes, "present": report.voters_present}
    if report.average_score is not None and not (
        Decimal("0") <= report.average_score <= Decimal("100")
    ):
        errors["average_score"] = _("选民平均评分须在 0 到 100 分之间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def voter_report_record(
    *, report: VoterReport, actor: User, changed: bool = False
) -> VoterReport:
    """Record (or correct) a 向选民述职: date, voters present, votes and score.

    The report counts as a fact for the deputy's points at the next rebuild.
    """
    if not is_in_scope(actor, report.deputy):
        raise PermissionDenied(_("该代表不在您的管辖范围内。"))
    report.full_clean()
    voter_report_check(report)
    if not changed or report.recorded_by_id is None:
        report.recorded_by = actor
    report.save()
    state_change_event(
        user=actor,
        obj=report,
        transition="voter_report_update" if changed else "voter_report_record",
        detail={},
    )
    return report


def voter_report_satisfaction_rate(report: VoterReport) -> Decimal | None:
    """(满意 + 基本满意) / all votes, in percent; None without votes."""
    votes = report.satisfied + report.basically_satisfied + report.unsatisfied
    if not votes:
        return None
    share = Decimal(report.satisfied + report.basically_satisfied) * 100 / votes
    return share.quantize(Decimal("0.1"))


__all__ = [
    "FACT_SOURCES",
    "FactSource",
    "point_confirm",
    "point_fact_source_register",
    "point_facts_pending",
    "points_for_deputy",
    "points_rebuild",
    "ranking_list",
    "ranking_publish",
    "ranking_snapshot_create",
    "voter_report_record",
]
