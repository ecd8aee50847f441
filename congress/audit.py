"""The one place that writes the audit log (one function per kind of event)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db import transaction
from django.http import HttpRequest

from congress.models import AuditEvent

# 《网络安全法》第二十一条: network logs are kept no less than six months.
MINIMUM_RETENTION_DAYS = 180


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        return get_client_ip_address(request) or None
    except Exception:  # pragma: no cover - a request without META
        return request.META.get("REMOTE_ADDR")


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


def audit_record(
    *,
    kind: str,
    user=None,
    username: str = "",
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user else ""),
        ip_address=_client_ip(request),
        success=success,
        detail=detail or {},
        **_object_fields(obj),
    )


def personal_data_viewed_event(
    *, user, obj: models.Model, fields: list[str], request=None
):
    """Record that a user saw unmasked personal data of ``obj``."""
    return audit_record(
        kind=AuditEvent.Kind.PERSONAL_DATA_VIEW,
        user=user,
        request=request,
        obj=obj,
        detail={"fields": fields},
    )


def export_event(
    *, user, model_label: str, rows: int, unmasked: bool, request=None, fmt: str = ""
):
    """Record a data export: what, how many rows, and whether it was unmasked."""
    return audit_record(
        kind=AuditEvent.Kind.EXPORT,
        user=user,
        request=request,
        detail={
            "model": model_label,
            "rows": rows,
            "unmasked": unmasked,
            "format": fmt,
        },
    )


def state_change_event(
    *, user, obj: models.Model, transition: str, detail=None, success=True
):
    """Record a workflow state change made (or refused) by a service."""
    return audit_record(
        kind=AuditEvent.Kind.STATE_CHANGE,
        user=user,
        obj=obj,
        success=success,
        detail={"transition": transition, **(detail or {})},
    )


def audit_retention_days() -> int:
    """Days the audit log is kept: the setting, never below 180 (six months)."""
    from django.conf import settings

    return max(MINIMUM_RETENTION_DAYS, int(settings.AUDIT_RETENTION_DAYS))


@transaction.atomic
def audit_purge(*, now: datetime.datetime) -> int:
    """Delete the audit events older than the retention period; return how many.

    The only way rows leave the log: a queryset delete (``AuditEvent.delete`` on an
    instance is refused), and on PostgreSQL a trigger refuses any younger row.
    """
    cutoff = now - datetime.timedelta(days=audit_retention_days())
    deleted, _ = AuditEvent.objects.filter(time__lt=cutoff).delete()
    return deleted
