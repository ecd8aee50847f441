"""The nightly points rebuild (beat: ``deputies.points_rebuild``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from deputies.points import points_rebuild


@shared_task(name="deputies.points_rebuild", ignore_result=True)
def points_rebuild_task(year: int | None = None) -> int:
    """Rebuild the points ledger of ``year`` (default: this year) for every region.

    Idempotent: a second run writes nothing. In the first days of January the
    previous year is rebuilt as well, for facts recorded late.
    """
    today = timezone.localdate()
    years = [year] if year else [today.year]
    if not year and today.month == 1 and today.day <= 15:
        years.insert(0, today.year - 1)
    written = 0
    for each in years:
        written += points_rebuild(year=each).written
    return written
