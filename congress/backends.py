"""Authentication backend of the platform."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef


class UserBackend(ModelBackend):
    """Django's model backend, loading the user with their scope region and roles.

    Every scoped page needs ``user.scope_region`` (``visible_to``) and nearly every
    page the user's roles (``role_names``: the navigation, the permission rules).
    Loading both with the user saves two queries on every request; on databases
    without arrays the roles are read when first asked for.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        users = user_model._default_manager.select_related("scope_region")
        postgres = connection.vendor == "postgresql"
        if postgres:
            users = users.annotate(
                _role_names=ArraySubquery(
                    Group.objects.filter(user=OuterRef("pk")).values("name")
                )
            )
        try:
            user = users.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if postgres:
            # What the cached property ``User.role_names`` would read.
            user.__dict__["role_names"] = frozenset(user.__dict__.pop("_role_names"))
        return user if self.user_can_authenticate(user) else None
