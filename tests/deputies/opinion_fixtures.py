"""Fixtures of the opinion tests (民情民意): a station in 桃洪镇 with its manager and
two serving deputies who sign in, a unit of 隆回县 and one in 洞口县.

Imported by ``test_opinions.py`` and ``test_opinion_pages.py``
(``from tests.deputies.opinion_fixtures import *``).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from congress.roles import Role
from deputies import opinions
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory

__all__ = [
    "clear_rate_limits",
    "deputy_user",
    "manager",
    "other_deputy_user",
    "station",
    "submit",
    "unit_a",
    "unit_b",
]


@pytest.fixture(autouse=True)
def clear_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager(township_a):
    return UserFactory(
        username="manager_a", scope_region=township_a, roles=[Role.STATION_MANAGER]
    )


@pytest.fixture
def deputy_user(township_a):
    return UserFactory(
        username="deputy_li", scope_region=township_a, roles=[Role.DEPUTY]
    )


@pytest.fixture
def other_deputy_user(township_a):
    return UserFactory(
        username="deputy_zhang", scope_region=township_a, roles=[Role.DEPUTY]
    )


@pytest.fixture
def station(township_a, manager, deputy_user, other_deputy_user):
    """桃洪镇's station, managed by ``manager``, with 李建国 (leader) and 张秀兰."""
    station = LiaisonStationFactory(
        name="桃洪镇人大代表联络站", region=township_a, manager=manager
    )
    li = DeputyFactory(
        name="李建国", region=township_a, phone="13812345678", user=deputy_user
    )
    zhang = DeputyFactory(
        name="张秀兰", region=township_a, phone="15973905566", user=other_deputy_user
    )
    for deputy in (li, zhang):
        MandateFactory(deputy=deputy)
    StationAssignmentFactory(station=station, deputy=li, is_leader=True)
    StationAssignmentFactory(station=station, deputy=zhang)
    return station


@pytest.fixture
def unit_a(county_a):
    return OrganizationFactory(name="隆回县交通运输局", region=county_a)


@pytest.fixture
def unit_b(county_b):
    return OrganizationFactory(name="洞口县交通运输局", region=county_b)


@pytest.fixture
def submit(station):
    """Leave an opinion (to the station, or to ``deputy=``) through the service."""

    def _submit(**kwargs):
        values = {
            "station": station,
            "content": "村口到镇上的道路坑洼严重,雨天积水,希望尽快修缮。",
            "name": "王女士",
            "phone": "13907391234",
            "phone_consent": True,
        }
        values.update(kwargs)
        if "deputy" in kwargs and "station" not in kwargs:
            values["station"] = None
        return opinions.opinion_submit(**values)

    return _submit
