"""Demo and scale data of 进站履职 and 履职活动 (registered in ``visit_extensions``).

The demo builder fills the demo stations' last three months of duty days and a few
activities per demo county. The scale builder ("deputies.visits") writes millions
of visits with set-based SQL (``INSERT … SELECT generate_series``): no Python loop
per row, no history rows, in batches that report progress. Both are idempotent:
the demo skips what exists, the scale builder tops up to the requested count.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time

from django.db import DatabaseError
from django.db import connection
from django.db import transaction
from django.utils import timezone

from congress.demo import regions as R
from congress.models import Organization
from congress.models import Region
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationAssignment
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy

SUMMARIES = (
    "接待选民,听取关于村道硬化和路灯维修的意见,已记录并转交镇人民政府。",
    "宣讲基层治理和惠民政策,解答群众关于医保缴费的疑问。",
    "与选民座谈农田灌溉水渠修缮问题,商定下次进站反馈办理进展。",
    "走访辖区困难群众,了解养老服务需求,形成民情日记。",
    "开展学习交流,学习代表法和代表履职规范。",
    "收集群众对集镇农贸市场管理的意见建议三条。",
    "视察调研村级卫生室运行情况,提出改进药品配备的建议。",
    "接待选民反映子女入学问题,已联系教育部门答复。",
)
KINDS = [k for k, _label in StationVisit.Kind.choices]
DEMO_MONTHS = 3
ACTIVITIES_PER_COUNTY = 6


# ---------------------------------------------------------------------------
# Demo.
# ---------------------------------------------------------------------------


def visits_demo_build(*, log) -> None:
    """The demo stations' visits on their duty days of the last three months, and a
    few activities with attendance in each demo county. Running twice adds nothing."""
    today = timezone.localdate()
    created = _demo_visits(today=today)
    log(f"deputies.visits: {created} demo visits")
    created = _demo_activities(today=today)
    log(f"deputies.visits: {created} demo activities")


def _duty_dates(duty_days, *, today: datetime.date, months: int) -> list[datetime.date]:
    dates = []
    year, month = today.year, today.month
    for _step in range(months + 1):
        for day in duty_days or []:
            try:
                date = datetime.date(year, month, int(day))
            except ValueError:
                continue
            if date <= today:
                dates.append(date)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(d for d in dates if (today - d).days <= months * 31)


def _featured_deputy_ids() -> set[int]:
    """Deputies with an account, and the one the demo ``deputy`` account gets
    (``congress.demo.accounts`` links it after the builders have run)."""
    from congress.demo.accounts import _demo_deputy

    ids = set(Deputy.objects.filter(user__isnull=False).values_list("pk", flat=True))
    demo = _demo_deputy()
    if demo is not None:
        ids.add(demo.pk)
    return ids


def _demo_visits(*, today: datetime.date) -> int:
    demo_codes = [
        Region.full_code(R.COUNTY_BY_NAME[name].code)[:6] for name in R.DEMO_COUNTIES
    ]
    stations = list(
        LiaisonStation.objects.filter(is_active=True)
        .exclude(kind=LiaisonStation.Kind.COLLECTION_POINT)
        .filter(region__code__regex=r"^(" + "|".join(demo_codes) + ")")
        .order_by("pk")
    )
    groups: dict[int, list[int]] = {}
    for station_id, deputy_id in (
        StationAssignment.objects.filter(station__in=stations)
        .order_by("station_id", "-is_leader", "deputy_id")
        .values_list("station_id", "deputy_id")
    ):
        groups.setdefault(station_id, []).append(deputy_id)
    existing = set(
        StationVisit.objects.filter(station__in=stations).values_list(
            "station_id", "date"
        )
    )
    # The demo deputy (and any deputy with an account) is at most of their
    # station's visits, so the portal has something to show.
    featured = _featured_deputy_ids()
    new: list[StationVisit] = []
    present: list[list[int]] = []
    for station in stations:
        group = groups.get(station.pk)
        if not group:
            continue
        rng = random.Random(station.pk)
        for date in _duty_dates(station.duty_days, today=today, months=DEMO_MONTHS):
            if (station.pk, date) in existing:
                continue
            new.append(
                StationVisit(
                    station=station,
                    region_id=station.region_id,
                    date=date,
                    kind=rng.choice(KINDS),
                    voters_received=rng.randint(0, 15),
                    summary=rng.choice(SUMMARIES),
                )
            )
            chosen = rng.sample(group, k=min(len(group), rng.randint(1, 3)))
            chosen += [
                pk
                for pk in group
                if pk in featured and pk not in chosen and rng.random() < 0.8
            ]
            present.append(chosen)
    with transaction.atomic():
        StationVisit.objects.bulk_create(new, batch_size=2000)
        StationVisitDeputy.objects.bulk_create(
            [
                StationVisitDeputy(visit_id=visit.pk, deputy_id=deputy_id)
                for visit, deputy_ids in zip(new, present, strict=True)
                for deputy_id in deputy_ids
            ],
            batch_size=5000,
        )
    return len(new)


ACTIVITY_PLAN = (
    (Activity.Kind.INSPECTION, "视察城乡供水保障工作", -75),
    (Activity.Kind.LAW_ENFORCEMENT, "《中华人民共和国食品安全法》执法检查", -52),
    (Activity.Kind.TRAINING, "代表履职能力提升培训班", -30),
    (Activity.Kind.COURT_HEARING, "旁听县人民法院庭审", -16),
    (Activity.Kind.RESEARCH, "乡村振兴产业发展专题调研", -5),
    (Activity.Kind.STANDING_COMMITTEE, "列席县人大常委会会议", 12),
)


def _demo_activities(*, today: datetime.date) -> int:
    created = 0
    for name in R.DEMO_COUNTIES:
        county = Region.objects.filter(
            code=Region.full_code(R.COUNTY_BY_NAME[name].code)
        ).first()
        if county is None:
            continue
        organizer = (
            Organization.objects.filter(
                region=county, kind=Organization.Kind.WORKING_COMMITTEE
            )
            .order_by("pk")
            .first()
        )
        featured = sorted(
            Deputy.objects.in_region(county)
            .filter(pk__in=_featured_deputy_ids())
            .values_list("pk", flat=True)
        )
        deputies = featured[:5] + list(
            Deputy.objects.in_region(county)
            .order_by("pk")
            .values_list("pk", flat=True)[:30]
        )
        deputies = list(dict.fromkeys(deputies))
        for n, (kind, title, offset) in enumerate(
            ACTIVITY_PLAN[:ACTIVITIES_PER_COUNTY]
        ):
            date = today + datetime.timedelta(days=offset)
            if Activity.objects.filter(region=county, title=title, date=date).exists():
                continue
            with transaction.atomic():
                activity = Activity.objects.create(
                    title=title,
                    kind=kind,
                    date=date,
                    region=county,
                    organizer=organizer,
                    place=f"{county.name}人大常委会",
                    description=title,
                )
                rng = random.Random(f"{county.code}-{n}")
                invited = deputies[: 12 + n]
                rows = []
                for deputy_id in invited:
                    attendance = ActivityParticipant.Attendance.INVITED
                    if date <= today:
                        attendance = rng.choices(
                            [
                                ActivityParticipant.Attendance.PRESENT,
                                ActivityParticipant.Attendance.ON_LEAVE,
                                ActivityParticipant.Attendance.ABSENT,
                            ],
                            weights=[85, 10, 5],
                        )[0]
                    rows.append(
                        ActivityParticipant(
                            activity=activity,
                            deputy_id=deputy_id,
                            attendance=attendance,
                        )
                    )
                ActivityParticipant.objects.bulk_create(rows)
            created += 1
    return created


# ---------------------------------------------------------------------------
# Scale.
# ---------------------------------------------------------------------------

SCALE_YEARS_DAYS = 5 * 365 + 1
VISIT_BATCH = 1_000_000
# From this many new rows on (and when the load at least doubles the table), the
# secondary indexes are dropped for the load and built again afterwards: one sorted
# build is faster than millions of index insertions.
REINDEX_ABOVE = 1_000_000
VISIT_TABLES = ("deputies_stationvisit", "deputies_stationvisitdeputy")
DEFAULT_ACTIVITIES = 20_000


def visits_scale_build(*, options: dict, log) -> None:
    """Top up the city's visits to ``options["visits"]`` (default 5,000,000) over
    five years, 1–3 grouped deputies each, and ``options["activities"]`` (20,000)
    activities with attendance. Set-based SQL; skipped when the count is reached."""
    target = int(options.get("visits") or 0)
    activities = int(options.get("activities") or DEFAULT_ACTIVITIES)
    today = timezone.localdate()
    prefix = R.CITY_CODE[:4]
    started = time.monotonic()
    made = _scale_visits(target=target, prefix=prefix, today=today, log=log)
    log(f"deputies.visits: {made} visits in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    made = _scale_activities(target=activities, prefix=prefix, today=today)
    log(f"deputies.visits: {made} activities in {time.monotonic() - started:.1f}s")


@contextlib.contextmanager
def _secondary_indexes_dropped(cursor, tables: tuple[str, ...], *, log):
    """Drop the plain indexes of ``tables`` (not those behind a primary key or a
    unique constraint) and build them again on exit, inside the transaction."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conindid = (quote_ident(i.schemaname) || '.'
                                || quote_ident(i.indexname))::regclass)
        """,
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    # The rows join existing stations, regions and deputies by construction, so
    # where the role allows it (a superuser, as on the bench machine) the load skips
    # the foreign-key triggers: checking fifteen million references one by one
    # takes longer than the load itself. Elsewhere they run as usual.
    replica = _replication_role_set(cursor, "replica")
    yield
    started = time.monotonic()
    if replica:
        _replication_role_set(cursor, "origin")
    # Django's foreign keys are checked at commit; PostgreSQL builds no index on
    # a table with checks pending, so run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    log(
        f"deputies.visits: {len(indexes)} indexes rebuilt in "
        f"{time.monotonic() - started:.1f}s"
    )


def _replication_role_set(cursor, role: str) -> bool:
    """``SET LOCAL session_replication_role``; False when the role may not."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL session_replication_role = {role}")
    except DatabaseError:
        return False
    return True


def _scale_visits(*, target: int, prefix: str, today: datetime.date, log) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM deputies_stationvisit v
            JOIN congress_region r ON r.id = v.region_id
            WHERE r.code LIKE %s
            """,
            [prefix + "%"],
        )
        existing = cursor.fetchone()[0]
    need = target - existing
    if need <= 0:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # Stations with at least one grouped deputy, numbered 0..n-1, and their
        # groups numbered 0..size-1 within each station.
        cursor.execute("DROP TABLE IF EXISTS _visit_station")
        cursor.execute(
            """
            CREATE TEMP TABLE _visit_station ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY s.id)) - 1 AS n, s.id, s.region_id,
                   g.size
            FROM deputies_liaisonstation s
            JOIN congress_region r ON r.id = s.region_id
            JOIN (SELECT station_id, count(*) AS size
                  FROM deputies_stationassignment GROUP BY station_id) g
              ON g.station_id = s.id
            WHERE r.code LIKE %s AND s.is_active
            """,
            [prefix + "%"],
        )
        cursor.execute("SELECT count(*) FROM _visit_station")
        stations = cursor.fetchone()[0]
        if stations == 0:
            return 0
        cursor.execute("DROP TABLE IF EXISTS _visit_group")
        cursor.execute(
            """
            CREATE TEMP TABLE _visit_group ON COMMIT DROP AS
            SELECT station_id,
                   (row_number() OVER (PARTITION BY station_id ORDER BY deputy_id)) - 1
                     AS k,
                   deputy_id
            FROM deputies_stationassignment
            WHERE station_id IN (SELECT id FROM _visit_station)
            """
        )
        cursor.execute("CREATE INDEX ON _visit_station (n)")
        cursor.execute("CREATE INDEX ON _visit_group (station_id, k)")
        cursor.execute("ANALYZE _visit_station")
        cursor.execute("ANALYZE _visit_group")
        cursor.execute("SELECT coalesce(max(id), 0) FROM deputies_stationvisit")
        floor = cursor.fetchone()[0]
        summaries = list(SUMMARIES)
        bulk = (
            _secondary_indexes_dropped(cursor, VISIT_TABLES, log=log)
            if need >= max(REINDEX_ABOVE, existing)
            and connection.vendor == "postgresql"
            else contextlib.nullcontext()
        )
        with bulk:
            _visit_batches(
                cursor,
                need=need,
                existing=existing,
                target=target,
                floor=floor,
                stations=stations,
                today=today,
                summaries=summaries,
                log=log,
            )
    return need


def _visit_batches(
    cursor, *, need, existing, target, floor, stations, today, summaries, log
) -> None:
    """Insert ``need`` visits and their deputies in batches of ``VISIT_BATCH``."""
    done = 0
    while done < need:
        batch = min(VISIT_BATCH, need - done)
        first = existing + done
        # g spreads over stations (g % n) and, through a multiplicative hash,
        # over the 1,826 days of five years ending today.
        cursor.execute(
            """
            INSERT INTO deputies_stationvisit
              (station_id, region_id, date, kind, voters_received, summary,
               logged_by_id, created_at)
            SELECT s.id, s.region_id,
                   %(today)s::date - ((g * 7919) %% %(days)s)::int,
                   (%(kinds)s::text[])[1 + (g / 7) %% %(nkinds)s],
                   ((g * 31) %% 16)::int,
                   (%(summaries)s::text[])[1 + (g / 3) %% %(nsummaries)s],
                   NULL, now()
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
            JOIN _visit_station s ON s.n = g %% %(stations)s
            """,
            {
                "today": today,
                "days": SCALE_YEARS_DAYS,
                "kinds": KINDS,
                "nkinds": len(KINDS),
                "summaries": summaries,
                "nsummaries": len(summaries),
                "first": first,
                "last": first + batch - 1,
                "stations": stations,
            },
        )
        # 1–3 deputies of the station's group per visit, counted from the batch's
        # first id (so a rebuild after --reset picks the same deputies).
        cursor.execute(
            "SELECT coalesce(min(id), 0) FROM deputies_stationvisit WHERE id > %s",
            [floor],
        )
        base = cursor.fetchone()[0] - first
        cursor.execute(
            """
            INSERT INTO deputies_stationvisitdeputy (visit_id, deputy_id)
            SELECT v.id, grp.deputy_id
            FROM deputies_stationvisit v
            JOIN _visit_station s ON s.id = v.station_id
            JOIN generate_series(0, 2) AS j
              ON j < least(1 + ((v.id - %(base)s) / 7) %% 3, s.size)
            JOIN _visit_group grp
              ON grp.station_id = v.station_id
             AND grp.k = (v.id - %(base)s + j) %% s.size
            WHERE v.id > %(floor)s
            """,
            {"floor": floor, "base": base},
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM deputies_stationvisit")
        floor = cursor.fetchone()[0]
        done += batch
        log(f"deputies.visits: {existing + done}/{target} visits")


def _scale_activities(*, target: int, prefix: str, today: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM deputies_activity a
            JOIN congress_region r ON r.id = a.region_id
            WHERE r.code LIKE %s
            """,
            [prefix + "%"],
        )
        existing = cursor.fetchone()[0]
    need = target - existing
    if need <= 0:
        return 0
    kinds = [k for k, _label in Activity.Kind.choices]
    with transaction.atomic(), connection.cursor() as cursor:
        # Activities are held by counties and townships, their deputies invited.
        cursor.execute("DROP TABLE IF EXISTS _act_region")
        cursor.execute(
            """
            CREATE TEMP TABLE _act_region ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY r.id)) - 1 AS n, r.id, r.code,
                   d.size
            FROM congress_region r
            JOIN (SELECT region_id, count(*) AS size FROM deputies_deputy
                  GROUP BY region_id) d ON d.region_id = r.id
            WHERE r.code LIKE %s
            """,
            [prefix + "%"],
        )
        cursor.execute("SELECT count(*) FROM _act_region")
        regions = cursor.fetchone()[0]
        if regions == 0:
            return 0
        cursor.execute("DROP TABLE IF EXISTS _act_deputy")
        cursor.execute(
            """
            CREATE TEMP TABLE _act_deputy ON COMMIT DROP AS
            SELECT region_id,
                   (row_number() OVER (PARTITION BY region_id ORDER BY id)) - 1 AS k,
                   id AS deputy_id
            FROM deputies_deputy
            WHERE region_id IN (SELECT id FROM _act_region)
            """
        )
        cursor.execute("CREATE INDEX ON _act_region (n)")
        cursor.execute("CREATE INDEX ON _act_deputy (region_id, k)")
        cursor.execute("SELECT coalesce(max(id), 0) FROM deputies_activity")
        floor = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO deputies_activity
              (title, kind, date, region_id, organizer_id, place, description,
               created_at)
            SELECT '履职活动' || g, (%(kinds)s::text[])[1 + g %% %(nkinds)s],
                   %(today)s::date - ((g * 7919) %% %(days)s)::int + 30,
                   r.id, NULL, '', '', now()
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
            JOIN _act_region r ON r.n = g %% %(regions)s
            """,
            {
                "kinds": kinds,
                "nkinds": len(kinds),
                "today": today,
                "days": SCALE_YEARS_DAYS,
                "first": existing,
                "last": existing + need - 1,
                "regions": regions,
            },
        )
        # 5–14 deputies of the region each; attendance present (most), on leave,
        # absent, or not yet recorded for activities still to come.
        cursor.execute(
            """
            INSERT INTO deputies_activityparticipant
              (activity_id, deputy_id, attendance, note)
            SELECT a.id, d.deputy_id,
                   CASE WHEN a.date > %(today)s THEN 'invited'
                        WHEN (a.id + j) %% 20 = 0 THEN 'absent'
                        WHEN (a.id + j) %% 10 = 0 THEN 'on_leave'
                        ELSE 'present' END,
                   ''
            FROM deputies_activity a
            JOIN _act_region r ON r.id = a.region_id
            JOIN generate_series(0, 13) AS j ON j < least(5 + a.id %% 10, r.size)
            JOIN _act_deputy d
              ON d.region_id = a.region_id AND d.k = (a.id * 7 + j) %% r.size
            WHERE a.id > %(floor)s
            """,
            {"today": today, "floor": floor},
        )
    return need
