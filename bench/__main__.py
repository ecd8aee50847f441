"""``python -m bench`` (``make bench``): build the scale data at two sizes, measure
each page of ``bench.pages`` and write ``docs/benchmarks.md``.

Runs against its own database (the Makefile points DATABASE_URL at
``congress_bench``), creating and migrating it when needed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import sys
import time
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
        "suggestions": 2_000,
    },
    "全市": {
        "deputies": 30_000,
        "stations": 720,
        "visits": 5_000_000,
        "opinions": 500_000,
        "suggestions": 20_000,
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
    """A county staff member (隆回县) and a city staff member, with their roles."""
    from django.contrib.auth.models import Group

    from congress.models import Region
    from congress.models import User
    from congress.roles import Role

    group = Group.objects.get(name=Role.STAFF.value)
    users = {}
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
    deputy_user = bench_deputy()
    if deputy_user is not None:
        users["deputy"] = deputy_user
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


def measure_page(page, users, n: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    client.force_login(users[page.role])
    url = _url(page)
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


def _url(page) -> str:
    from django.urls import reverse

    url = reverse(page.url_name, args=page.args)
    return f"{url}?{page.query}" if page.query else url


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


def available(entry) -> str | None:
    """Return why an entry cannot run yet, or None."""
    from django.urls import NoReverseMatch

    from bench.pages import Render

    if isinstance(entry, Render):
        module, attr = entry.target.split(":")
        try:
            if hasattr(importlib.import_module(module), attr):
                for needed in entry.requires:
                    importlib.import_module(needed)
                return None
        except ImportError as exc:
            return f"{entry.target}: {exc}"
        return f"{entry.target} 尚不存在"
    try:
        _url(entry)
    except NoReverseMatch:
        return f"URL {entry.url_name} 无法解析"
    return None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def run(
    sizes: dict[str, dict[str, int]], n: int, renders: int, *, build: bool = True
) -> tuple[list, dict]:
    from django.core.management import call_command
    from django.db import connections

    from bench.pages import PAGES
    from bench.pages import Render

    rows, build_times = [], {}
    for size, counts in sizes.items():
        print(f"== {size}: {counts}", flush=True)
        if build:
            # A fresh database per size: every app's data goes with it, and the
            # figures do not depend on what an earlier run left behind.
            connections.close_all()
            database_ensure(fresh=True)
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            args = []
            for key, value in counts.items():
                args += [f"--{key}", str(value)]
            call_command("generate_scale_data", *args)
            build_times[size] = time.perf_counter() - started
        else:
            build_times[size] = None
        call_command("migrate", verbosity=0)  # role groups (roles_sync) in step
        users = bench_users()
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        for entry in PAGES:
            reason = available(entry)
            if reason:
                print(f"  skipped {entry.name}: {reason}", flush=True)
                rows.append(
                    Row(entry.name, size, None, None, None, entry.target_ms, reason)
                )
                continue
            if isinstance(entry, Render):
                try:
                    times, queries = measure_render(entry, renders)
                except Exception as exc:  # a renderer still being written
                    print(f"  failed {entry.name}: {exc!r}", flush=True)
                    rows.append(
                        Row(
                            entry.name,
                            size,
                            None,
                            None,
                            None,
                            entry.target_ms,
                            f"出错 error: {type(exc).__name__}",
                        )
                    )
                    continue
                note = ""
            else:
                times, queries, status = measure_page(entry, users, n)
                note = ""
                if status != 200:
                    # An error page is fast and says nothing about the real page.
                    note = f"HTTP {status},页面出错,未计时 / error page, not timed"
                    print(f"  failed {entry.name}: {note}", flush=True)
                    rows.append(
                        Row(
                            entry.name, size, None, None, queries, entry.target_ms, note
                        )
                    )
                    continue
            row = Row(
                entry.name,
                size,
                statistics.median(times),
                percentile(times, 95),
                queries,
                entry.target_ms,
                note,
            )
            print(
                f"  {entry.name}: p50 {row.p50:.0f} ms, p95 {row.p95:.0f} ms, "
                f"{queries} queries {note}",
                flush=True,
            )
            rows.append(row)
    return rows, build_times


def write_markdown(rows, build_times, sizes, n: int, out: Path) -> None:
    import django
    from django.db import connection

    def ms(v):
        return "—" if v is None else f"{v:.0f}"

    lines = [
        "# 性能基准 / Benchmarks",
        "",
        "由 `make bench`(`python -m bench`)生成,勿手工编辑。"
        " Generated by `make bench`; do not edit by hand.",
        "",
        f"- 日期 / date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- 机器 / machine: {platform.node()}, {platform.machine()}, "
        f"{os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {connection.vendor} "
        f"{getattr(connection, 'pg_version', '')}",
        f'- 命令 / command: `make bench` (ARGS="{" ".join(sys.argv[1:])}")',
        f"- 每页请求次数 / requests per page: {n}(另有 1 次预热 / plus one warm-up),"
        " django.test.Client, 服务器端耗时 / server time in process, DEBUG=0",
        "",
        "## 数据生成 / Data generation (`generate_scale_data`, empty database)",
        "",
        "| 规模 size | "
        + " | ".join(label for _, label in COLUMNS)
        + " | 用时 time (s) |",
        "|---|" + "---:|" * (len(COLUMNS) + 1),
    ]
    for size, counts in sizes.items():
        took = build_times[size]
        cells = " | ".join(f"{counts[key]:,}" for key, _ in COLUMNS)
        took_text = "—" if took is None else f"{took:.1f}"
        lines.append(f"| {size} | {cells} | {took_text} |")
    lines += [
        "",
        "## 页面 / Pages",
        "",
        "| 页面 page | 规模 size | p50 ms | p95 ms | 查询数 queries | 目标 target ms | 备注 note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    order = {name: i for i, name in enumerate(dict.fromkeys(r.page for r in rows))}
    for r in sorted(rows, key=lambda r: order[r.page]):
        flag = ""
        if r.p95 is not None and r.p95 > r.target_ms:
            flag = "超出目标 over target"
        note = "; ".join(x for x in (r.note, flag) if x)
        lines.append(
            f"| {r.page} | {r.size} | {ms(r.p50)} | {ms(r.p95)} | "
            f"{'—' if r.queries is None else r.queries} | {r.target_ms} | {note} |"
        )
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
        "- 页面以“市级工作人员”(邵阳市)或“县级工作人员”(隆回县)身份访问,"
        "即经过 `visible_to` 范围过滤。 Pages are fetched as scoped staff.",
        "- 页面清单见 `bench/pages.py`;URL 无法解析或渲染函数尚不存在的条目会被跳过并注明。"
        " Entries whose URL or renderer does not exist yet are skipped and noted.",
        "- 运行 / run: `make bench`(2 核约 2 分钟 / about two minutes on 2 cores);"
        '`make bench ARGS="--small -n 5"` 只跑 1/10 规模。',
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


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
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)

    database_ensure()
    import logging

    import django

    django.setup()
    # Error pages are reported in the table; their tracebacks would bury the output.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sizes = {"1/10": SIZES["1/10"]} if args.small else SIZES
    if args.no_build:
        sizes = dict(
            [next(iter(sizes.items()))] if args.small else [list(SIZES.items())[-1]]
        )
    rows, build_times = run(sizes, args.n, args.renders, build=not args.no_build)
    write_markdown(rows, build_times, sizes, args.n, Path(args.out))


if __name__ == "__main__":
    main()
