"""Authentication backend of the platform."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection

from congress import db
from congress.models import Region


class UserBackend(ModelBackend):
    """Django's model backend, loading the user with their scope region and roles.

    Every scoped page needs ``user.scope_region`` (``visible_to``) and nearly every
    page the user's roles (``role_names``: the navigation, the permission rules).
    Loading both with the user saves two queries on every request. On PostgreSQL
    the three come from one fixed statement (``_user_sql``): built through the
    ORM on every request it took 0.7 ms of Python. On databases without arrays
    (the SQLite demo) the ORM reads the user and the region, and the roles are
    read when first asked for.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        user_id = user_model._meta.pk.to_python(user_id)
        if connection.vendor != "postgresql":
            users = user_model._default_manager.select_related("scope_region")
            user = users.filter(pk=user_id).first()
        else:
            user = _user_with_region_and_roles(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


def _user_with_region_and_roles(user_id):
    row = db.fetch_one(_user_sql(), [user_id])
    if row is None:
        return None
    user_model = get_user_model()
    user = db.instance(user_model, row)
    region = None
    if user.scope_region_id is not None:
        region = db.instance(Region, row, start=db.width(user_model))
    user_model.scope_region.field.set_cached_value(user, region)
    # What the cached property ``User.role_names`` would read.
    user.__dict__["role_names"] = frozenset(row[-1])
    return user


@functools.cache
def _user_sql() -> str:
    """The user, their scope region (NULLs without one) and the names of their
    groups as an array: what ``select_related("scope_region")`` and an
    ``ArraySubquery`` over ``Group`` write."""
    user_model = get_user_model()
    memberships = user_model.groups.through._meta.db_table
    return (
        f"SELECT {db.columns(user_model, 'u')}, {db.columns(Region, 'r')},"
        f" ARRAY(SELECT g.name FROM {Group._meta.db_table} g"
        f" JOIN {memberships} m ON m.group_id = g.id WHERE m.user_id = u.id)"
        f" FROM {user_model._meta.db_table} u"
        f" LEFT JOIN {Region._meta.db_table} r ON r.id = u.scope_region_id"
        " WHERE u.id = %s"
    )
