"""The report task: thin, takes an id, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from congress.reports.services import report_generate


# acks_late + reject_on_worker_lost: if the worker dies mid-render the message is
# redelivered; report_generate skips a report that is already done, so the file
# is produced once.
@shared_task(
    name="congress.reports.generate",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def report_generate_task(report_id: int) -> None:
    """Generate the PDF of one GeneratedReport."""
    report_generate(report_id=report_id)
