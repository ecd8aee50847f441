"""The authentication backend loads what every request asks of the user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.backends import UserBackend
from congress.models import User
from congress.roles import Role
from tests.factories.congress import UserFactory

pytestmark = pytest.mark.django_db


def test_get_user_reads_roles_and_scope_with_the_user(django_assert_num_queries):
    """One query gives the user, the scope region and the roles: asking for them
    afterwards reads nothing more."""
    user = UserFactory(roles=[Role.STAFF, Role.DEPUTY])
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert loaded.role_names == {Role.STAFF.value, Role.DEPUTY.value}
        assert loaded.works_in_admin
        assert loaded.scope_region_id == user.scope_region_id


def test_get_user_sees_a_role_taken_away_on_the_next_request():
    """The roles are read per request, never kept from an earlier one."""
    user = UserFactory(roles=[Role.STAFF, Role.DEPUTY])
    assert Role.STAFF.value in UserBackend().get_user(user.pk).role_names
    user.groups.remove(Group.objects.get(name=Role.STAFF.value))
    assert UserBackend().get_user(user.pk).role_names == {Role.DEPUTY.value}


def test_get_user_without_roles_and_inactive_user():
    """No role gives an empty set; an inactive account is not signed in."""
    plain = UserFactory()
    assert UserBackend().get_user(plain.pk).role_names == frozenset()
    inactive = UserFactory(is_active=False)
    assert UserBackend().get_user(inactive.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_signed_in_page_uses_the_roles_read_with_the_user(client):
    """A page that shows the role navigation does not query the groups again."""
    user = UserFactory(roles=[Role.STAFF])
    client.force_login(user, backend="congress.backends.UserBackend")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "管理后台" in response.content.decode()
    reads = [q["sql"] for q in ctx.captured_queries]
    assert not [sql for sql in reads if sql.startswith('SELECT "auth_group"')], reads


def _field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_get_user_gives_what_the_orm_gives(county_a, django_assert_num_queries):
    """Every field as the ORM reads it: the phone decrypted, times with their
    zone; the scope region a whole Region; a user without one reads no region."""
    user = UserFactory(scope_region=county_a, phone="13812345678", roles=[Role.STAFF])
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(str(user.pk))
        region = loaded.scope_region
    orm = User.objects.select_related("scope_region").get(pk=user.pk)
    assert _field_values(loaded) == _field_values(orm)
    assert loaded.phone == "13812345678" and loaded.last_login == orm.last_login
    assert _field_values(region) == _field_values(orm.scope_region)
    assert not loaded._state.adding and loaded._state.db == "default"
    assert loaded.check_password("correct-horse-battery")
    nowhere = UserFactory(scope_region=None)
    with django_assert_num_queries(1):
        assert UserBackend().get_user(nowhere.pk).scope_region is None
