"""The Celery app and the beat schedule (exactly one beat runs: docker-compose.yml)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")

app = Celery("congress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Reminder jobs are idempotent through Notification's unique key, so a beat that
# fires twice, or a job that is retried, still sends each reminder once.
app.conf.beat_schedule = {
    "congress-dispatch-notifications": {
        "task": "congress.dispatch_notifications",
        "schedule": crontab(minute="*/5"),
    },
    "congress-purge-audit-log": {
        "task": "congress.purge_audit_log",
        "schedule": crontab(hour=3, minute=30),
    },
}
