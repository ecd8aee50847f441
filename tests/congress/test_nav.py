"""The role navigation: kept per set of roles, yet always the user's own."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from congress.roles import Role
from tests.factories.congress import UserFactory

pytestmark = pytest.mark.django_db


def _nav(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html[html.index('class="site-nav"') : html.index("</nav>")]


def test_nav_follows_a_role_given_and_taken_away(client):
    """A role given shows its links on the next page; taken away, they go."""
    user = UserFactory(roles=[Role.DEPUTY])
    client.force_login(user, backend="congress.backends.UserBackend")
    admin = reverse("admin:index")
    assert admin not in _nav(client)
    user.groups.add(Group.objects.get_or_create(name=Role.STAFF.value)[0])
    assert admin in _nav(client)
    user.groups.remove(Group.objects.get(name=Role.STAFF.value))
    assert admin not in _nav(client)


def test_nav_labels_follow_each_requests_language(client):
    """The same kept items read in Chinese, then in English, then in Chinese."""
    client.force_login(UserFactory(roles=[Role.DEPUTY]))
    assert "首页" in _nav(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _nav(client)
    assert "Home" in english and "首页" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "首页" in _nav(client)
