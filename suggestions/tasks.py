"""Celery tasks of the suggestions work: thin, idempotent (see ``reminders``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from suggestions.reminders import suggestion_reminders_send


@shared_task(
    name="suggestions.reminders_send", acks_late=True, reject_on_worker_lost=True
)
def suggestion_reminders_send_task() -> int:
    """Send today's suggestion reminders; running twice sends each once."""
    return suggestion_reminders_send(today=timezone.localdate())
