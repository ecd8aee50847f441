"""`make run` on its embedded default: SQLite, Celery inline, DEBUG on.

The suite runs on PostgreSQL; this runs the demo's own steps (migrate, seed_demo)
in a subprocess with the environment `make run` gives (nothing but DEBUG=1), on a
throw-away SQLite file, then signs the demo deputy in and opens their pages. Code
that only works on PostgreSQL (raw SQL, advisory locks) breaks here first.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = """
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from congress.models import Poll
from congress.models import User

def visit(username, paths):
    client = Client(HTTP_HOST="127.0.0.1")  # make run serves 127.0.0.1:8000
    client.force_login(User.objects.get(username=username))
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (username, path, response.status_code)

poll = Poll.objects.filter(voters__user__username="deputy").order_by("pk").first()
visit("deputy", ["/", "/portal/", "/portal/votes/", f"/portal/votes/{poll.pk}/"])
# A ballot cast and one refused on SQLite, in a new round of the county that the
# demo deputy votes in (the demo's own rounds are decided already).
import datetime
from decimal import Decimal
from django.db.models import Max
from livelihood_votes import services
from livelihood_votes.models import VotingRound

demo = VotingRound.objects.get(poll=poll)
round_ = services.round_create(
    region=demo.region,
    year=demo.year,
    batch=VotingRound.objects.filter(region=demo.region, year=demo.year)
    .aggregate(m=Max("batch"))["m"] + 1,
    title="SQLite 上的票决",
    term=demo.term,
    choose_count=1,
    user=None,
)
services.round_screening_start(round_=round_, user=None)
for i in range(2):
    services.candidate_create(
        round_=round_,
        title=f"候选项目{i}",
        description="说明",
        responsible_unit=demo.candidates.first().responsible_unit,
        budget=Decimal(1),
        target_date=datetime.date(demo.year, 12, 31),
        user=None,
    )
services.round_candidates_publish(round_=round_, user=None)
round_ = services.round_voting_open(round_=round_, user=None)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="deputy"))
url = f"/portal/votes/{round_.poll.pk}/"
option_ids = list(round_.poll.options.order_by("order").values_list("pk", flat=True))
ballot = {f"option_{pk}": "yes" if pk == option_ids[0] else "no" for pk in option_ids}
refused = client.post(url, {**ballot, f"option_{option_ids[1]}": "maybe"})
assert refused.status_code == 400 and "候选项目1" in refused.content.decode()
accepted = client.post(url, ballot)
assert accepted.status_code == 200 and "投票成功" in accepted.content.decode()
assert round_.poll.receipts.filter(voter__username="deputy").exists()
# Every admin changelist as county staff: scoped querysets, filters, counts.
staff = User.objects.get(username="longhui_staff")
changelists = [
    reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
    for m in admin.site._registry
    if staff.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")
    or staff.has_perm(f"{m._meta.app_label}.change_{m._meta.model_name}")
]
assert len(changelists) > 20, changelists
visit("longhui_staff", ["/admin/", *changelists])
print(len(changelists), "changelists")
"""


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_run_demo_sets_up_on_sqlite(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    assert "RUN_ENV := DEBUG=1\n" in makefile, "make run's environment changed"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DEBUG": "1",
        # Not the developer's db.sqlite3: the same default engine in a temp file.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for step in (("migrate", "--noinput"), ("seed_demo",), ("shell", "-c", PAGES)):
        done = _manage(*step, env=env)
        assert done.returncode == 0, f"{' '.join(step)}:\n{done.stderr[-3000:]}"
