"""Template context shared by every page: the role-dependent navigation and the
unread-notification badge."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.urls import get_script_prefix
from django.urls import get_urlconf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congress import notify
from congress.extensions import nav_links


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    name: str


def _nav_items(user) -> tuple[NavItem, ...]:
    return _nav_items_for(
        user.role_names,
        user.is_superuser,
        user.works_in_admin,
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@functools.lru_cache(maxsize=256)
def _nav_items_for(
    roles: frozenset[str], is_superuser: bool, works_in_admin: bool, prefix, urlconf
) -> tuple[NavItem, ...]:
    """The items for a set of roles, kept per process: they depend on nothing
    else (the labels are lazy, so each request shows its own language), and
    reversing a dozen URLs took a quarter of a millisecond of every page. The
    script prefix and URLconf are part of the key because ``reverse`` uses them."""
    items = [NavItem(_("首页"), reverse("home"), "home")]
    items.append(NavItem(_("消息"), reverse("notification-list"), "notification-list"))
    for link in nav_links():
        if link.shown_to(roles, is_superuser=is_superuser):
            items.append(NavItem(link.label, reverse(link.url_name), link.url_name))
    if works_in_admin:
        try:
            items.append(NavItem(_("报表"), reverse("report-list"), "report-list"))
        except NoReverseMatch:
            pass
        items.append(NavItem(_("管理后台"), reverse("admin:index"), "admin-index"))
    return tuple(items)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Give templates ``nav_items`` and ``unread_count`` for the signed-in user.

    Both are cached callables (templates call them): a page that does not show
    the navigation runs no query for it, and one that shows it twice runs one.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_count": 0}
    return {
        "nav_items": functools.cache(lambda: _nav_items(user)),
        "unread_count": functools.cache(
            lambda: notify.notification_unread_count(user=user)
        ),
    }
