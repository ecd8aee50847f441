"""Signal handlers of the core app: role groups after migrate, login auditing."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_logged_out
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from congress.models import AuditEvent
from congress.models import User
from congress.roles import ADMIN_ROLES


@receiver(post_migrate)
def sync_role_groups(sender, app_config=None, **kwargs) -> None:
    """Keep the role groups and their permissions in step with congress/roles.py."""
    from django.apps import apps

    from congress.services import roles_sync

    # Run once, after the last app. Its own permissions are created by a receiver
    # connected after this one (django.contrib.auth's), so create them first:
    # otherwise the last app's models never reach the role groups.
    if app_config is list(apps.get_app_configs())[-1]:
        from django.contrib.auth.management import create_permissions

        create_permissions(
            app_config, verbosity=0, using=kwargs.get("using", "default")
        )
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


@receiver(m2m_changed, sender=User.groups.through)
def sync_is_staff_with_roles(
    sender, instance, action, reverse, model, pk_set, **kwargs
) -> None:
    """Keep ``is_staff`` in step with the admin roles (congress/roles.py).

    Whoever changes a user's groups — the admin, a service, the shell — the user
    works in the admin exactly when they hold an admin role (or are a superuser).
    """
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:
        # group.user_set.add(...): the users are in pk_set (all of them on clear).
        user_ids = list(pk_set or ()) if action != "post_clear" else None
        if user_ids is None:
            return
    else:
        user_ids = [instance.pk]
    admin_roles = [str(role) for role in ADMIN_ROLES]
    users = User.objects.filter(pk__in=user_ids)
    users.filter(
        Q(is_superuser=True) | Q(groups__name__in=admin_roles)
    ).distinct().exclude(is_staff=True).update(is_staff=True)
    users.filter(is_superuser=False, is_staff=True).exclude(
        groups__name__in=admin_roles
    ).update(is_staff=False)
    if not reverse:
        instance.__dict__.pop("role_names", None)
        instance.is_staff = User.objects.values_list("is_staff", flat=True).get(
            pk=instance.pk
        )


@receiver(user_logged_in)
def mark_session_fresh(sender, request, user, **kwargs) -> None:
    """A login has just saved the session: the idle renewal can wait a minute."""
    import time

    from congress.middleware import IdleSessionMiddleware

    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionMiddleware.KEY] = int(time.time())
