"""Thin Celery tasks of the deputies app (names are stable: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from deputies.services import duty_remind_eve
from deputies.services import duty_roster_generate_all
from deputies.services import next_month


@shared_task(name="deputies.duty_roster_generate_next_month", ignore_result=True)
def duty_roster_generate_next_month() -> int:
    """Generate next month's duty roster of every active station; return new duties.

    Idempotent (days already generated are kept), so beat runs it twice a month:
    the second run only fills in stations created in between.
    """
    year, month = next_month(timezone.localdate())
    results = duty_roster_generate_all(year=year, month=month)
    return sum(len(result.created) for result in results)


@shared_task(name="deputies.duty_remind", ignore_result=True)
def duty_remind() -> int:
    """Remind tomorrow's scheduled deputies; a second run the same day sends nothing."""
    return duty_remind_eve(today=timezone.localdate())


@shared_task(name="deputies.opinion_remind", ignore_result=True)
def opinion_remind() -> dict[str, int]:
    """Remind deputies of opinions unanswered for 7 days, escalate after 10 days.

    Idempotent (one Notification per opinion, kind and due date): a second run the
    same day sends nothing more.
    """
    from deputies.opinions import opinion_remind_overdue

    run = opinion_remind_overdue(today=timezone.localdate())
    return {"reminded": run.reminded, "escalated": run.escalated}
