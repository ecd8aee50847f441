"""Signal handlers of the core app: role groups after migrate, login auditing."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_logged_out
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from congress.models import AuditEvent


@receiver(post_migrate)
def sync_role_groups(sender, app_config=None, **kwargs) -> None:
    """Keep the role groups and their permissions in step with congress/roles.py."""
    from django.apps import apps

    from congress.services import roles_sync

    # Run once, after the last app: by then every app's permissions exist.
    if app_config is list(apps.get_app_configs())[-1]:
        roles_sync()


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    from congress.audit import audit_record

    audit_record(kind=AuditEvent.Kind.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    from congress.audit import audit_record

    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from congress.audit import audit_record

    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
        success=False,
    )


@receiver(user_locked_out)
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    from congress.audit import audit_record

    audit_record(
        kind=AuditEvent.Kind.LOCKED_OUT,
        username=str(username or "")[:150],
        request=request,
        success=False,
    )
