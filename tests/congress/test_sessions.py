"""The session engine reads Django's session rows with one plain statement."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress.roles import Role
from congress.sessions import SessionStore
from tests.factories.congress import UserFactory

pytestmark = pytest.mark.django_db


def test_the_platform_uses_this_engine():
    assert settings.SESSION_ENGINE == "congress.sessions"


def test_a_saved_session_loads_with_one_statement():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    again = SessionStore(store.session_key)
    with CaptureQueriesContext(connection) as ctx:
        assert again.load() == {"answer": 42}
    assert len(ctx.captured_queries) == 1
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_loads_empty_and_drops_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    assert SessionStore().load() == {}


def test_signing_in_and_out_through_the_pages(client):
    """The whole round: the login form writes the session, the next page reads it,
    logging out deletes it."""
    user = UserFactory(roles=[Role.STAFF])
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("home")).wsgi_request.user == user
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
