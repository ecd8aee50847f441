"""Thin Celery tasks of livelihood_votes (names are stable: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from livelihood_votes.services import progress_reminders_send


@shared_task(name="livelihood_votes.progress_remind", ignore_result=True)
def progress_remind() -> int:
    """Remind units of monthly reports; escalate overdue reports and milestones.

    Idempotent (one Notification per kind, project, recipient and due date), so a
    second run the same day, or a retried job, sends nothing more.
    """
    return progress_reminders_send(today=timezone.localdate())
