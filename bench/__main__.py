"""``python -m bench`` (``make bench``): build the scale data at two sizes, measure
each page of ``bench.pages`` and write ``docs/benchmarks.md``.

Runs against its own database (the Makefile points DATABASE_URL at
``congress_bench``), creating and migrating it when needed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")

ROOT = Path(__file__).resolve().parent.parent
# The two sizes: the whole city (issue 3's figures) and a tenth of it.
SIZES = {
    "1/10": {
        "deputies": 3_000,
        "stations": 72,
        "visits": 500_000,
        "opinions": 50_000,
        "suggestions": 10_000,
    },
    "全市": {
        "deputies": 30_000,
        "stations": 720,
        "visits": 5_000_000,
        "opinions": 500_000,
        "suggestions": 100_000,
    },
}
COLUMNS = (
    ("deputies", "代表 deputies"),
    ("stations", "联络站 stations"),
    ("visits", "进站记录 visits"),
    ("opinions", "群众意见 opinions"),
    ("suggestions", "代表建议 suggestions"),
)
COUNTY = "430524"  # 隆回县


@dataclass
class Row:
    page: str
    size: str
    p50: float | None
    p95: float | None
    queries: int | None
    target_ms: int
    note: str = ""
    max_queries: int | None = None  # pages: the issues' ten queries
    why: str = ""  # why it stays over target (``why`` of the entry)


def database_ensure(*, fresh: bool = False) -> None:
    """Create the bench database when it does not exist (PostgreSQL only);
    ``fresh`` drops it first, so each size starts from an empty schema."""
    import environ
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    cfg = environ.Env.db_url_config(url)
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            print(f"created database {cfg['NAME']}")


def bench_users():
    """The users pages are fetched as, by role name (``Page.role``): county and
    city staff, a 隆回县 deputy, a liaison of a suggestions unit and of an
    oversight unit, a leader who supervises key suggestions; ``anonymous`` is
    nobody signed in."""
    from django.contrib.auth.models import Group

    from congress.models import Region
    from congress.models import User
    from congress.roles import Role

    group = Group.objects.get(name=Role.STAFF.value)
    users = {"anonymous": None}
    for key, code in (("county_staff", COUNTY), ("city_staff", "430500")):
        user, _ = User.objects.update_or_create(
            username=f"bench_{key}",
            defaults={
                "scope_region": Region.objects.get(code=Region.full_code(code)),
                "is_staff": True,
            },
        )
        user.groups.add(group)
        users[key] = User.objects.get(pk=user.pk)
    for key, make in (
        ("deputy", bench_deputy),
        ("unit", bench_suggestions_unit),
        ("oversight_unit", bench_oversight_unit),
        ("leader", bench_leader),
    ):
        user = make()
        if user is not None:
            users[key] = user
    return users


def bench_deputy():
    """A 隆回县 deputy grouped into a station, signed in for the portal pages."""
    from django.contrib.auth.models import Group

    from congress.models import Region
    from congress.models import User
    from congress.roles import Role
    from deputies.models import StationAssignment

    assignment = (
        StationAssignment.objects.filter(station__region__code__startswith=COUNTY)
        .select_related("deputy")
        .order_by("station_id", "deputy_id")
        .first()
    )
    if assignment is None:
        return None
    user, _ = User.objects.update_or_create(
        username="bench_deputy",
        defaults={"scope_region": Region.objects.get(code=Region.full_code(COUNTY))},
    )
    user.groups.add(Group.objects.get(name=Role.DEPUTY.value))
    type(assignment.deputy).objects.filter(user=user).exclude(
        pk=assignment.deputy_id
    ).update(user=None)
    type(assignment.deputy).objects.filter(pk=assignment.deputy_id).update(user=user)
    return User.objects.get(pk=user.pk)


def _role_user(username: str, role, **fields):
    from django.contrib.auth.models import Group

    from congress.models import Region
    from congress.models import User

    fields.setdefault("scope_region", Region.objects.get(code=Region.full_code(COUNTY)))
    user, _ = User.objects.update_or_create(username=username, defaults=fields)
    user.groups.add(Group.objects.get(name=role.value))
    return User.objects.get(pk=user.pk)


def bench_suggestions_unit():
    """The liaison of the 隆回县 unit with most active suggestion assignments."""
    from django.db.models import Count

    from congress.roles import Role

    try:
        from suggestions.models import Assignment
    except ImportError:
        return None
    row = (
        Assignment.objects.filter(unit__region__code__startswith=COUNTY, is_active=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
        .first()
    )
    if row is None:
        return None
    return _role_user("bench_unit", Role.UNIT_LIAISON, organization_id=row["unit_id"])


def bench_oversight_unit():
    """The liaison of the 隆回县 unit with most oversight countermeasures."""
    from django.db.models import Count

    from congress.roles import Role

    try:
        from oversight.models import Countermeasure
    except ImportError:
        return None
    row = (
        Countermeasure.objects.filter(unit__region__code__startswith=COUNTY)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
        .first()
    )
    if row is None:
        return None
    return _role_user(
        "bench_oversight_unit", Role.UNIT_LIAISON, organization_id=row["unit_id"]
    )


def bench_leader():
    """A 隆回县 leader who supervises the county's key suggestions (重点建议; the
    scale builder marks about one in a hundred as key but names no supervisor)."""
    from congress.roles import Role

    try:
        from suggestions.models import Suggestion
    except ImportError:
        return None
    user = _role_user("bench_leader", Role.LEADERSHIP, is_staff=True)
    Suggestion.objects.filter(region__code__startswith=COUNTY, is_key=True).update(
        supervising_leader=user
    )
    return user


def bench_county():
    from congress.models import Region

    return Region.objects.get(code=Region.full_code(COUNTY))


def measure_page(page, users, n: int, args: tuple) -> tuple[list[float], int, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Rate limits (the public tracking page allows 60 look-ups an hour from one
    # address) would turn the later requests into 429 pages: start each page
    # with an empty cache; the warm-up request fills what the page caches.
    cache.clear()
    client = Client(raise_request_exception=False)
    if users.get(page.role) is not None:
        client.force_login(users[page.role])
    url = _url(page, args)
    response = client.get(url)  # warm-up (caches, first compile)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)  # read now: later requests reset the log
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times, queries, response.status_code


def _url(page, args: tuple = ()) -> str:
    from django.urls import reverse

    url = reverse(page.url_name, args=args or page.args)
    return f"{url}?{page.query}" if page.query else url


def page_args(page) -> tuple | None:
    """The page's URL arguments: fixed, or picked from the data (None: no data)."""
    if not page.pick:
        return page.args
    from bench import picks

    return getattr(picks, page.pick)(county=bench_county())


def measure_render(entry, n: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congress.models import Region

    module, attr = entry.target.split(":")
    function = getattr(importlib.import_module(module), attr)
    region = Region.objects.get(code=Region.full_code(COUNTY))
    times, queries = [], 0
    for i in range(n):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            function(region=region)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries) if i == 0 else queries
    return times, queries


def available(entry, users, args: tuple = ()) -> str | None:
    """Return why an entry cannot run yet, or None."""
    from django.urls import NoReverseMatch

    from bench.pages import Measure
    from bench.pages import Render

    if isinstance(entry, (Render, Measure)):
        module, attr = entry.target.split(":")
        try:
            if hasattr(importlib.import_module(module), attr):
                for needed in entry.requires:
                    importlib.import_module(needed)
                return None
        except ImportError as exc:
            return f"{entry.target}: {exc}"
        return f"{entry.target} 尚不存在"
    if entry.role not in users:
        return f"没有“{entry.role}”用户(数据中缺少) / no {entry.role} user"
    try:
        _url(entry, args)
    except NoReverseMatch:
        return f"URL {entry.url_name} 无法解析"
    return None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def run(
    sizes: dict[str, dict[str, int]],
    n: int,
    renders: int,
    *,
    build: bool = True,
    only: str = "",
) -> tuple[list, dict, dict]:
    from django.core.management import call_command
    from django.db import connections

    from bench.pages import PAGES

    rows, build_times, build_failures = [], {}, {}
    for size, counts in sizes.items():
        print(f"== {size}: {counts}", flush=True)
        if build:
            # A fresh database per size: every app's data goes with it, and the
            # figures do not depend on what an earlier run left behind.
            connections.close_all()
            database_ensure(fresh=True)
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            build_failures[size] = scale_build(counts)
            build_times[size] = time.perf_counter() - started
        else:
            build_times[size] = None
        call_command("migrate", verbosity=0)  # role groups (roles_sync) in step
        users = bench_users()
        from django.db import connection

        settle(connection)
        # As a gunicorn worker does after loading the app (congress/wsgi.py): what
        # the bench has made so far is not walked again by every full collection.
        gc.collect()
        gc.freeze()
        for entry in PAGES:
            if only and only not in entry.name:
                continue
            rows += measure_entry(entry, size, users, n, renders)
    return rows, build_times, build_failures


def settle(connection) -> None:
    """Let the database settle after the build: vacuum and analyze every table and
    write a checkpoint, so neither autovacuum on millions of new rows nor the
    checkpoint of their WAL runs while the first pages are timed (they did:
    the first city-scale run right after the build was up to twice as slow)."""
    from django.db import DatabaseError

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:  # needs superuser or pg_checkpoint
            pass


def scale_build(counts: dict[str, int]) -> list[str]:
    """Run ``generate_scale_data`` with ``counts``; return the builders that failed.

    When one app's builder fails, the others still run (each on its own with
    ``--only``; the builders are idempotent, so the ones already done skip), and
    the pages of the failed app are measured on what it left, or skipped."""
    from django.core.management import call_command

    from congress.extensions import scale_builders

    args = []
    for key, value in counts.items():
        args += [f"--{key}", str(value)]
    try:
        call_command("generate_scale_data", *args)
        return []
    except Exception as exc:  # noqa: BLE001 - reported in the table
        print(f"  generate_scale_data failed: {exc!r}; builder by builder", flush=True)
    failures = []
    for builder in scale_builders():
        try:
            call_command("generate_scale_data", *args, "--only", builder.name)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            print(f"  builder {builder.name} failed: {exc!r}", flush=True)
            failures.append(f"{builder.name}: {type(exc).__name__}: {exc}")
    return failures


def measure_entry(entry, size: str, users: dict, n: int, renders: int) -> list[Row]:
    """Measure one entry of ``bench.pages`` and return its rows (skipped and
    failed entries get a row with the reason)."""
    from bench.pages import Measure
    from bench.pages import Page
    from bench.pages import Render

    target = getattr(entry, "target_ms", None)

    def noted(note: str, queries: int | None = None) -> list[Row]:
        print(f"  skipped {entry.name}: {note}", flush=True)
        return [Row(entry.name, size, None, None, queries, target, note, **extra)]

    extra = {
        "max_queries": getattr(entry, "max_queries", None),
        "why": getattr(entry, "why", ""),
    }

    args: tuple = ()
    if isinstance(entry, Page):
        try:
            args = page_args(entry)
        except Exception as exc:  # an app whose models are not there yet
            return noted(f"出错 error: {type(exc).__name__}: {exc}")
        if args is None:
            return noted("数据中没有可用的对象 / nothing to pick in the data")
    reason = available(entry, users, args)
    if reason:
        return noted(reason)
    if isinstance(entry, Measure):
        module, attr = entry.target.split(":")
        function = getattr(importlib.import_module(module), attr)
        try:
            measured = function(region=bench_county(), n=n)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            return noted(f"出错 error: {type(exc).__name__}: {exc}")
        rows = [Row(size=size, **m) for m in measured]
        for row in rows:
            _print(row)
        return rows
    if isinstance(entry, Render):
        try:
            times, queries = measure_render(entry, renders)
        except Exception as exc:  # a renderer still being written
            return noted(f"出错 error: {type(exc).__name__}")
    else:
        times, queries, status = measure_page(entry, users, n, args)
        if status != 200:
            # An error page is fast and says nothing about the real page.
            return noted(
                f"HTTP {status},页面出错,未计时 / error page, not timed", queries
            )
    row = Row(
        entry.name,
        size,
        statistics.median(times),
        percentile(times, 95),
        queries,
        target,
        **extra,
    )
    _print(row)
    return [row]


def _print(row: Row) -> None:
    def ms(v):
        return "—" if v is None else f"{v:.0f}"

    print(
        f"  {row.page}: p50 {ms(row.p50)} ms, p95 {ms(row.p95)} ms, "
        f"{'—' if row.queries is None else row.queries} queries "
        f"(target {row.target_ms} ms) {row.note}",
        flush=True,
    )


def write_markdown(report: dict, out: Path) -> None:
    """Write the table of ``report`` (what ``main`` measured or ``--rewrite``
    loads): sizes, build times, rows, and how it was run."""
    from bench.pages import PAGES

    rows = [Row(**r) for r in report["rows"]]
    sizes, build_times = report["sizes"], report["build_times"]
    # The reasons may be written after the run (``--rewrite``): take the current.
    whys = {entry.name: getattr(entry, "why", "") for entry in PAGES}

    def ms(v):
        return "—" if v is None else f"{v:.0f}"

    lines = [
        "# 性能基准 / Benchmarks",
        "",
        "由 `make bench`(`python -m bench`)生成,勿手工编辑。"
        " Generated by `make bench`; do not edit by hand.",
        "",
        f"- 日期 / date: {report['date']}",
        f"- 机器 / machine: {report['machine']}",
        f'- 命令 / command: `make bench` (ARGS="{report["args"]}"),'
        f" 总用时 / whole run {report['elapsed'] / 60:.0f} min",
        f"- 每页请求次数 / requests per page: {report['n']}"
        "(另有 1 次预热 / plus one warm-up),"
        " django.test.Client, 服务器端耗时 / server time in process, DEBUG=0",
        "",
        "## 数据生成 / Data generation (`generate_scale_data`, empty database)",
        "",
        "| 规模 size | "
        + " | ".join(label for _, label in COLUMNS)
        + " | 用时 time (s) | 备注 note |",
        "|---|" + "---:|" * (len(COLUMNS) + 1) + "---|",
    ]
    failures = report.get("build_failures", {})
    for size, counts in sizes.items():
        took = build_times[size]
        cells = " | ".join(f"{counts[key]:,}" for key, _ in COLUMNS)
        took_text = "—" if took is None else f"{took:.1f}"
        failed = "; ".join(
            f"**数据生成器出错 builder failed** {f}" for f in failures.get(size, [])
        )
        lines.append(f"| {size} | {cells} | {took_text} | {failed} |")
    lines += [
        "",
        "## 页面 / Pages",
        "",
        "| 页面 page | 规模 size | p50 ms | p95 ms | 查询数 queries | 目标 target ms"
        " | 备注 note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    order = {name: i for i, name in enumerate(dict.fromkeys(r.page for r in rows))}
    reasons: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: order[r.page]):
        flags = []
        if r.p95 is not None and r.p95 > r.target_ms:
            flags.append("**超出目标 over target**")
        if r.max_queries is not None and (r.queries or 0) > r.max_queries:
            flags.append(
                f"**查询超过 {r.max_queries} 条 over {r.max_queries} queries**"
            )
        why = whys.get(r.page, r.why)
        if flags and why:
            reasons.setdefault(why, len(reasons) + 1)
            flags.append(f"原因 why [{reasons[why]}]")
        note = "; ".join(x for x in (r.note, *flags) if x)
        lines.append(
            f"| {r.page} | {r.size} | {ms(r.p50)} | {ms(r.p95)} | "
            f"{'—' if r.queries is None else r.queries} | {r.target_ms:,} | {note} |"
        )
    if reasons:
        lines += ["", "## 超出目标的原因 / Why rows stay over target", ""]
        lines += [f"{i}. {why}" for why, i in reasons.items()]
    lines += [
        "",
        "## 说明 / Notes",
        "",
        "- 两种规模:1/10 与全市(12 个县市区,数量见上表),每种规模都在新建的空数据库上由"
        " `generate_scale_data` 生成。 Two sizes (counts above), each generated by"
        " `generate_scale_data` into a freshly created database.",
        "- 耗时为进程内服务器端耗时(django.test.Client,含中间件、模板渲染,不含网络);"
        "查询数为一次请求的 SQL 条数(CaptureQueriesContext)。"
        " Times are in-process server time; queries are per request.",
        "- 页面以“市级工作人员”(邵阳市)、“县级工作人员”(隆回县)、隆回县的代表、"
        "承办单位联络员、督办领导身份访问,即经过 `visible_to` 范围过滤;“公开”页面不登录。"
        " Pages are fetched as scoped users; public pages signed out.",
        "- 目标取自各 issue(全市规模):列表、门户、公开页面 p95 ≤ 100 ms 且不超过 10 条查询,"
        "搜索 ≤ 200 ms;issue 2 的核心页面保留原目标。"
        " Targets are the issues' (city scale); issue 2's core pages keep theirs.",
        "- 票决(issue 6):隆回县新开一轮票决(20 个候选项目,应选 10 个),500 名在任代表为出席"
        "代表;会话直接写入会话库;gunicorn 按生产配置(`congress.wsgi`,3 个同步 worker,"
        "缓存在 Redis)在本机回环地址上运行;500 个连接同时放行投票请求,计每张选票从发出到返回"
        "的时间和整批用时;“接受”数为数据库中的投票回执数;之后截止投票并计时"
        " `congress.voting.approval_result`。 The ballot burst: 500 concurrent POSTs"
        " through gunicorn (production settings) on loopback; see `bench/ballots.py`.",
        "- 每种规模建好后先 `VACUUM (ANALYZE)` 并 `CHECKPOINT`,再开始计时。"
        " After each build the database is vacuumed, analyzed and checkpointed.",
        "- 计时前 `gc.collect()` 并 `gc.freeze()`,与 gunicorn worker 载入应用后"
        "(`congress/wsgi.py`)一样:完整垃圾回收不再遍历启动时的对象。 Before timing,"
        " the heap is frozen as a gunicorn worker's is after loading the app.",
        "- 机器一行的“CPU 标定”是一段固定 Python 计算的用时:不同日子的同型机器相差可达"
        " 2.5 倍,比较两次结果先比较它。 The CPU calibration in the machine line is a"
        " fixed Python workload: compare it before comparing two runs.",
        "- 页面清单见 `bench/pages.py`;URL 无法解析、数据中没有可用对象或渲染函数尚不存在的"
        "条目会被跳过并注明。 Entries whose URL, data or renderer is missing are"
        " skipped and noted.",
        '- 运行 / run: `make bench`;`make bench ARGS="--small -n 5 --out /tmp/b.md"`'
        " 只跑 1/10 规模 / only the 1/10 size;`--save rows.json` 保留结果,"
        "`--rewrite rows.json` 只按其重写本文件 / keep the rows, rewrite from them.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


def cpu_calibration() -> float:
    """Milliseconds for a fixed pure-Python workload (best of five): the same
    code measures slower on a slower machine, and this says how much slower.
    The machines this runs on differ by up to ~2.5× from one day to the next."""
    doc = {f"k{i}": [i, str(i) * 3, {"v": i / 7}] for i in range(2000)}
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(20):
            json.loads(json.dumps(doc))
            sorted(str(i * 7919 % 10007) for i in range(5000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def machine() -> str:
    import django
    from django.db import connection

    connection.ensure_connection()
    return (
        f"{platform.node()}, {platform.machine()}, {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{connection.vendor} {getattr(connection, 'pg_version', '')}; "
        f"CPU 标定 / calibration {cpu_calibration():.0f} ms"
        "(固定的 Python 计算,越小越快 / a fixed Python workload, lower is faster)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("-n", type=int, default=20, help="requests per page")
    parser.add_argument("--renders", type=int, default=3, help="PDF renders")
    parser.add_argument("--small", action="store_true", help="only the 1/10 size")
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="measure the data already in the bench database (one size)",
    )
    parser.add_argument(
        "--only",
        default="",
        metavar="TEXT",
        help="measure only the entries whose name contains TEXT",
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--save", help="also keep the measured rows in this JSON file")
    parser.add_argument(
        "--rewrite",
        metavar="JSON",
        help="only rewrite --out from rows kept with --save (no measuring)",
    )
    args = parser.parse_args(argv)

    if args.rewrite:
        write_markdown(json.loads(Path(args.rewrite).read_text()), Path(args.out))
        return
    started = time.perf_counter()
    database_ensure()
    import logging

    import django

    django.setup()
    # Error pages are reported in the table; their tracebacks would bury the output,
    # as would django-axes' line for every signed-in test client.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sizes = {"1/10": SIZES["1/10"]} if args.small else SIZES
    if args.no_build:
        sizes = dict(
            [next(iter(sizes.items()))] if args.small else [list(SIZES.items())[-1]]
        )
    rows, build_times, build_failures = run(
        sizes, args.n, args.renders, build=not args.no_build, only=args.only
    )
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "args": " ".join(sys.argv[1:] if argv is None else argv),
        "n": args.n,
        "sizes": sizes,
        "build_times": build_times,
        "build_failures": build_failures,
        "rows": [dataclasses.asdict(r) for r in rows],
        "elapsed": time.perf_counter() - started,
    }
    if args.save:
        Path(args.save).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    write_markdown(report, Path(args.out))


if __name__ == "__main__":
    main()
