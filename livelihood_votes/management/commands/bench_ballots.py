"""``manage.py bench_ballots``: 500 deputies submit their ballots at once through
gunicorn on loopback, then the tally of 500 ballots × 20 candidates is timed.

Run it on a scratch database (it adds a 基准县 region with its own deputies; run
again, it adds a new round). Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse
from django.utils.crypto import get_random_string

from congress import voting
from congress.models import Organization
from congress.models import Region
from congress.models import Term
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import Mandate
from livelihood_votes import services

CSRF_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class Command(BaseCommand):
    help = "基准:代表同时通过 gunicorn 投票;计票时间。"

    def add_arguments(self, parser):
        parser.add_argument("--voters", type=int, default=500)
        parser.add_argument("--candidates", type=int, default=20)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, **options):
        n = options["voters"]
        round_, users = self._setup(n, options["candidates"])
        poll = round_.poll
        options_ids = list(poll.options.order_by("order").values_list("pk", flat=True))
        cookies = [self._session_cookie(u) for u in users]
        connection.close()
        server = self._gunicorn(options)
        try:
            timings, statuses, wall = self._burst(
                options["port"], poll.pk, options_ids, cookies, round_.choose_count
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        ok = sum(1 for s in statuses if s == 200)
        self.stdout.write(
            f"ballots: {ok}/{n} accepted, p50 {statistics.median(timings):.0f} ms, "
            f"p95 {_percentile(timings, 95):.0f} ms, max {max(timings):.0f} ms, "
            f"burst {wall:.2f} s"
        )
        services.round_voting_close(round_=round_, user=None)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            voting.approval_result(poll=poll, choose=round_.choose_count)
            runs.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"tally of {ok} ballots × {len(options_ids)} candidates: "
            f"median {statistics.median(runs):.1f} ms, max {max(runs):.1f} ms"
        )

    def _setup(self, n: int, candidates: int):
        code = Region.full_code("439901")
        city = Region.objects.get_or_create(
            code=Region.full_code("4399"),
            defaults={"name": "基准市", "level": Region.Level.CITY},
        )[0]
        county = Region.objects.get_or_create(
            code=code,
            defaults={"name": "基准县", "level": Region.Level.COUNTY, "parent": city},
        )[0]
        term = Term.objects.get_or_create(
            region=county, number=1, defaults={"start_date": "2021-10-01"}
        )[0]
        unit = Organization.objects.get_or_create(
            code="BENCH-UNIT",
            defaults={
                "name": "基准县住建局",
                "kind": Organization.Kind.GOVERNMENT_DEPARTMENT,
                "region": county,
            },
        )[0]
        stamp = get_random_string(6, "abcdefghjkmnpqrstuvwxyz")
        users = [
            User(username=f"bench-{stamp}-{i:04d}", scope_region=county)
            for i in range(n)
        ]
        for user in users:
            user.set_unusable_password()
        users = User.objects.bulk_create(users)
        Group.objects.get_or_create(name=Role.DEPUTY.value)[0].user_set.add(*users)
        deputies = Deputy.objects.bulk_create(
            Deputy(
                name=f"代表{i}",
                gender="M",
                political_status="cpc",
                occupation_category="worker",
                region=county,
                user=u,
            )
            for i, u in enumerate(users)
        )
        Mandate.objects.bulk_create(
            Mandate(deputy=d, level=Level.COUNTY, congress_region=county, term=term)
            for d in deputies
        )
        year = 2000 + int(time.time()) % 1000
        round_ = services.round_create(
            region=county,
            year=year,
            title=f"基准票决{stamp}",
            term=term,
            choose_count=candidates // 2,
            user=None,
        )
        services.round_screening_start(round_=round_, user=None)
        for i in range(candidates):
            services.candidate_create(
                round_=round_,
                title=f"候选项目{i + 1:02d}",
                description="基准",
                responsible_unit=unit,
                budget=Decimal(100),
                target_date="2030-12-31",
                user=None,
            )
        services.round_candidates_publish(round_=round_, user=None)
        # Only this round's deputies: others of the county term from earlier runs
        # would be in the electorate too, which is harmless.
        round_ = services.round_voting_open(round_=round_, user=None)
        return round_, users

    def _session_cookie(self, user: User) -> tuple[str, str]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "congress.backends.UserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key, get_random_string(32, CSRF_CHARS)

    def _gunicorn(self, options) -> subprocess.Popen:
        env = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "congress.wsgi:application",
                "--bind",
                f"127.0.0.1:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(
                    "127.0.0.1", options["port"], timeout=2
                )
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return server
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise RuntimeError("gunicorn did not start")

    def _burst(self, port, poll_id, option_ids, cookies, choose):
        path = reverse("portal-vote", args=[poll_id])
        barrier = threading.Barrier(len(cookies) + 1)
        finished: list[float] = []

        def vote(i: int):
            session_key, csrf = cookies[i]
            liked = {option_ids[(i + k) % len(option_ids)] for k in range(choose)}
            body = urlencode(
                {f"option_{pk}": "yes" if pk in liked else "no" for pk in option_ids}
            )
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.connect()
            barrier.wait()
            started = time.perf_counter()
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                    "Host": "127.0.0.1",
                },
            )
            response = conn.getresponse()
            text = response.read().decode()
            ended = time.perf_counter()
            finished.append(ended)
            status = response.status if "投票成功" in text else -response.status
            return (ended - started) * 1000, status

        with ThreadPoolExecutor(max_workers=len(cookies)) as pool:
            futures = [pool.submit(vote, i) for i in range(len(cookies))]
            barrier.wait()
            released = time.perf_counter()
            results = [f.result() for f in futures]
        wall = max(finished) - released
        return [r[0] for r in results], [r[1] for r in results], wall
