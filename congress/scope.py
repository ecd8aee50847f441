"""Region scope: a user sees the records of their region and everything below it.

Every scoped model's queryset inherits :class:`ScopedQuerySet` and names the path to
its region in ``region_field``. ``visible_to(user)`` is the one place the rule lives;
the admin, portals, exports, autocomplete and reports all call it.

Statistical codes are hierarchical (GB/T 2260 and the 统计用区划代码): a region's
descendants are exactly the codes that start with its significant digits, so a
subtree is one indexed prefix match, not a recursive query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from congress.models import User


def user_sees_everything(user: User) -> bool:
    """Superusers and system admins without a scope region see all regions."""
    return bool(user.is_superuser) or (
        getattr(user, "is_system_admin", False) and user.scope_region_id is None
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to a Region."""

    region_field: str = "region"

    def visible_to(self, user) -> ScopedQuerySet:
        """Return the rows within the user's scope region (none if unscoped)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user_sees_everything(user):
            return self
        region = user.scope_region
        if region is None:
            return self.none()
        return self.filter(**{f"{self.region_field}__code__startswith": region.prefix})

    def in_region(self, region) -> ScopedQuerySet:
        """Return the rows in a region's subtree."""
        return self.filter(**{f"{self.region_field}__code__startswith": region.prefix})
