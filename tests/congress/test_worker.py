"""A real Celery worker process delivers a notification through Redis.

Not eager, not in-process: the test sends the task message to Redis, a
``celery worker`` subprocess on the test database picks it up, and the test
reads ``sent_at`` back from PostgreSQL.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone

from congress.notify import notification_schedule
from tests.factories.congress import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("TEST_WORKER_BROKER_URL", "redis://127.0.0.1:6379/14")
WAIT_SECONDS = 60


def database_url() -> str:
    """The *test* database (test_<name>) as a URL the worker's settings can read."""
    s = connection.settings_dict
    assert s["ENGINE"].endswith("postgresql"), "the worker test needs PostgreSQL"
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


@pytest.fixture
def broker():
    """Redis database 14, emptied; a clear failure (not a skip) when Redis is down."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.fail(
            f"Redis 不可达 ({BROKER_URL}): {exc}. "
            "Start it with: docker compose up -d redis   (or: redis-server --daemonize yes)"
        )
    client.flushdb()
    yield BROKER_URL
    client.flushdb()


@pytest.fixture
def worker(broker):
    """A ``celery worker`` subprocess on queues default and reports, always stopped."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "congress.settings",
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "congress",
            "worker",
            "-Q",
            "default,reports",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def worker_output(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-4000:]


def test_worker_delivers_notification_through_redis(worker, county_a, mailoutbox):
    """The worker takes congress.deliver_notification from Redis and marks the row sent."""
    process, log = worker
    user = UserFactory(username="worker_user", email="worker@renda.test")
    # Due tomorrow: scheduling enqueues nothing here, the message below is the only one.
    notification, created = notification_schedule(
        recipient=user,
        kind="worker_test",
        obj=county_a,
        due_date=timezone.localdate() + datetime.timedelta(days=1),
        title="工作进程测试",
        channels=["in_app", "email"],
    )
    assert created and notification.sent_at is None

    sender = Celery("worker-test", broker=BROKER_URL)
    try:
        sender.send_task(
            "congress.deliver_notification", args=[notification.pk], queue="default"
        )
    finally:
        sender.close()

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.sent_at is not None:
            break
        assert process.poll() is None, (
            f"the worker exited with {process.returncode}:\n{worker_output(log)}"
        )
        time.sleep(0.25)
    assert notification.sent_at is not None, (
        f"no delivery within {WAIT_SECONDS}s; worker log:\n{worker_output(log)}"
    )
    assert notification.delivery_log["email"]["ok"] is True
    assert "congress.deliver_notification" in worker_output(log)
    assert mailoutbox == [], "the e-mail was sent by the worker, not this process"
