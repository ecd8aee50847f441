"""Writes of the core app."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission
from django.db import transaction

from congress.roles import ROLE_EXTRA_PERMISSIONS
from congress.roles import ROLE_PERMISSIONS
from congress.roles import Role


@transaction.atomic
def roles_sync() -> None:
    """Create the role groups and give each exactly the permissions roles.py lists."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted: list[tuple[str, str]] = []
        for label, actions in ROLE_PERMISSIONS.get(role, {}).items():
            app_label, model_name = label.split(".")
            try:
                apps.get_model(app_label, model_name)
            except LookupError:
                continue
            wanted += [(app_label, f"{action}_{model_name}") for action in actions]
        for perm in ROLE_EXTRA_PERMISSIONS.get(role, ()):
            app_label, codename = perm.split(".")
            wanted.append((app_label, codename))
        perms = [
            p
            for p in Permission.objects.filter(
                codename__in=[c for _, c in wanted]
            ).select_related("content_type")
            if (p.content_type.app_label, p.codename) in set(wanted)
        ]
        group.permissions.set(perms)
