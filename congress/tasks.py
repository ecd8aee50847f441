"""Thin Celery tasks of the core app: they take ids and call services.

Names are stable (the beat schedule and queued messages refer to them). Only
named transient errors are retried, with backoff capped well under the broker's
visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS).
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from congress.notify import Delivery
from congress.notify import notification_deliver
from congress.notify import notification_dispatch_due

# Retry delays grow 60 s, 120 s, 240 s … and never exceed this (< visibility timeout).
RETRY_BACKOFF_MAX = 15 * 60
TRANSIENT_ERRORS = (
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    KombuOperationalError,
)
DISPATCH_BATCH_SIZE = 200


class DeliveryRetry(Exception):
    """A channel failed transiently; raised so that autoretry schedules another try."""


# acks_late + reject_on_worker_lost: delivery is idempotent (the row is locked
# and a sent row is skipped), so a message redelivered after a crash is safe.
@shared_task(
    name="congress.deliver_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(*TRANSIENT_ERRORS, DeliveryRetry),
    retry_backoff=60,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> str:
    """Deliver one Notification on its channels."""
    outcome = notification_deliver(notification_id=notification_id)
    if outcome == Delivery.RETRY:
        raise DeliveryRetry(notification_id)
    return str(outcome)


@shared_task(name="congress.dispatch_notifications", ignore_result=True)
def dispatch_notifications() -> int:
    """Enqueue the unsent notifications that are due, one bounded batch per run."""
    return notification_dispatch_due(
        today=timezone.localdate(), batch_size=DISPATCH_BATCH_SIZE
    )


@shared_task(name="congress.purge_audit_log", ignore_result=True)
def purge_audit_log() -> int:
    """Delete audit events older than the retention period (at least 180 days)."""
    from congress.audit import audit_purge

    return audit_purge(now=timezone.now())
