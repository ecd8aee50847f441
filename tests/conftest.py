"""Shared fixtures: a small region tree, users per role, browser and worker helpers."""

from __future__ import annotations

import pytest

from congress.models import Region
from congress.roles import Role
from tests.factories.congress import RegionFactory
from tests.factories.congress import UserFactory

pytest_plugins = ["tests.browser"]


@pytest.fixture
def city(db) -> Region:
    return RegionFactory(
        name="邵阳市", code=Region.full_code("4305"), level=Region.Level.CITY
    )


@pytest.fixture
def county_a(city) -> Region:
    """隆回县."""
    return RegionFactory(
        name="隆回县",
        code=Region.full_code("430524"),
        level=Region.Level.COUNTY,
        parent=city,
    )


@pytest.fixture
def county_b(city) -> Region:
    """洞口县."""
    return RegionFactory(
        name="洞口县",
        code=Region.full_code("430525"),
        level=Region.Level.COUNTY,
        parent=city,
    )


@pytest.fixture
def township_a(county_a) -> Region:
    return RegionFactory(
        name="桃洪镇",
        code=Region.full_code("430524100"),
        level=Region.Level.TOWNSHIP,
        parent=county_a,
    )


@pytest.fixture
def township_b(county_b) -> Region:
    return RegionFactory(
        name="文昌街道",
        code=Region.full_code("430525001"),
        level=Region.Level.TOWNSHIP,
        parent=county_b,
    )


@pytest.fixture
def staff_a(county_a):
    """Committee staff of county A (隆回县)."""
    return UserFactory(username="staff_a", scope_region=county_a, roles=[Role.STAFF])


@pytest.fixture
def staff_b(county_b):
    """Committee staff of county B (洞口县)."""
    return UserFactory(username="staff_b", scope_region=county_b, roles=[Role.STAFF])


@pytest.fixture
def city_staff(city):
    return UserFactory(username="city_staff", scope_region=city, roles=[Role.STAFF])


@pytest.fixture
def leader_a(county_a):
    return UserFactory(
        username="leader_a", scope_region=county_a, roles=[Role.LEADERSHIP]
    )


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sysadmin", roles=[Role.SYSTEM_ADMIN])
