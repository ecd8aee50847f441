"""Thin Celery tasks of the oversight app (names are stable: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from oversight.services import countermeasure_remind


@shared_task(name="oversight.countermeasure_remind", ignore_result=True)
def countermeasure_remind_task() -> int:
    """Remind units of due and overdue countermeasures and escalate; idempotent."""
    return countermeasure_remind(today=timezone.localdate())
