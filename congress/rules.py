"""Object rules of the core app (package ``rules``).

``congress/roles.py`` says which admin screens a role may use (model permissions);
this module says which *records* a user may touch. An object check is always
"holds the model permission" AND "the record is in the user's scope region".

The model-permission half reads ``user.get_all_permissions()`` (the ModelBackend's
answer) rather than ``user.has_perm``: asking ``has_perm`` from inside a rule would
ask this very rule again.
"""

from __future__ import annotations

from functools import reduce

import rules
from django.db import models

from congress.roles import Role
from congress.scope import user_sees_everything


def _role_predicate(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"has_role_{role.value}")
    def has_role(user) -> bool:
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.has_role(role)
        )

    return has_role


has_role_system_admin = _role_predicate(Role.SYSTEM_ADMIN)
has_role_staff = _role_predicate(Role.STAFF)
has_role_leadership = _role_predicate(Role.LEADERSHIP)
has_role_deputy = _role_predicate(Role.DEPUTY)
has_role_unit_liaison = _role_predicate(Role.UNIT_LIAISON)
has_role_station_manager = _role_predicate(Role.STATION_MANAGER)
has_role_expert = _role_predicate(Role.EXPERT)


def region_of(obj: models.Model | None):
    """Follow the model's ``region_field`` path (``term__region``) to its Region.

    A Region is its own region; a User's region is their scope region.
    """
    from congress.models import Region
    from congress.models import User

    if obj is None:
        return None
    if isinstance(obj, Region):
        return obj
    if isinstance(obj, User):
        return obj.scope_region
    queryset = type(obj)._default_manager.all()
    path = getattr(queryset, "region_field", None)
    if path is None:
        return None
    return reduce(
        lambda current, attr: getattr(current, attr, None) if current else None,
        path.split("__"),
        obj,
    )


@rules.predicate
def is_in_scope(user, obj) -> bool:
    """The object's region is the user's scope region or below it."""
    if obj is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    if user_sees_everything(user):
        return True
    scope = user.scope_region
    return scope is not None and scope.contains(region_of(obj))


def has_model_perm(action: str) -> rules.Predicate:
    """A predicate: the user holds ``<app>.<action>_<model>`` for the object's model."""

    @rules.predicate(name=f"has_model_perm_{action}")
    def check(user, obj) -> bool:
        if obj is None or not getattr(user, "is_authenticated", False):
            return False
        if user.is_superuser:
            return user.is_active
        opts = obj._meta
        return f"{opts.app_label}.{action}_{opts.model_name}" in (
            user.get_all_permissions()
        )

    return check


def scoped_rule(action: str) -> rules.Predicate:
    """Model permission for the action AND the object in the user's scope."""
    return has_model_perm(action) & is_in_scope


SCOPED_MODELS = ("organization", "term", "session", "generatedreport")
for _model in SCOPED_MODELS:
    for _action in ("view", "change", "delete"):
        rules.add_perm(f"congress.{_action}_{_model}", scoped_rule(_action))


@rules.predicate
def is_requester(user, report) -> bool:
    return report is not None and report.requester_id == getattr(user, "pk", None)


# A requester always sees the report they asked for.
rules.set_perm("congress.view_generatedreport", scoped_rule("view") | is_requester)

# Users: a user is "in scope" when their scope region is within the actor's.
for _action in ("view", "change", "delete"):
    rules.add_perm(f"congress.{_action}_user", scoped_rule(_action))

# Regions are reference data: anyone who may view them sees those in scope.
rules.add_perm("congress.view_region", scoped_rule("view"))

# The voting engine (congress/voting.py): polls and paper counts within scope.
for _model in ("poll", "papercount"):
    for _action in ("view", "change", "delete"):
        rules.add_perm(f"congress.{_action}_{_model}", scoped_rule(_action))
