"""Object rules of the deputies app (package ``rules``)."""

from __future__ import annotations

import secrets

import factory
import pytest

from congress.roles import Role
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory

pytestmark = pytest.mark.django_db

TOKEN = factory.LazyFunction(lambda: secrets.token_urlsafe(16))


@pytest.fixture
def deputy_a(township_a):
    return DeputyFactory(name="隆回甲代表", region=township_a, public_token=TOKEN)


@pytest.fixture
def deputy_b(township_b):
    return DeputyFactory(name="洞口乙代表", region=township_b, public_token=TOKEN)


def test_staff_view_and_change_deputy_in_scope_only(staff_a, deputy_a, deputy_b):
    """County staff may view and change their county's deputies, not others'."""
    assert staff_a.has_perm("deputies.view_deputy", deputy_a)
    assert staff_a.has_perm("deputies.change_deputy", deputy_a)
    assert not staff_a.has_perm("deputies.view_deputy", deputy_b), "scope leak"
    assert not staff_a.has_perm("deputies.change_deputy", deputy_b), "scope leak"
    assert not staff_a.has_perm("deputies.delete_deputy", deputy_b), "scope leak"


def test_city_staff_reach_both_counties(city_staff, deputy_a, deputy_b):
    """A city user's scope region contains both counties."""
    assert city_staff.has_perm("deputies.change_deputy", deputy_a)
    assert city_staff.has_perm("deputies.change_deputy", deputy_b)


def test_leadership_reads_but_does_not_change(leader_a, deputy_a):
    """Leadership holds view, not change, on deputies of its county."""
    assert leader_a.has_perm("deputies.view_deputy", deputy_a)
    assert not leader_a.has_perm("deputies.change_deputy", deputy_a)


def test_deputy_sees_own_record_only(county_a, deputy_a, township_a):
    """A deputy sees their own record and mandates, not a colleague's."""
    user = UserFactory(
        username="deputy_self", scope_region=county_a, roles=[Role.DEPUTY]
    )
    deputy_a.user = user
    deputy_a.save()
    colleague = DeputyFactory(region=township_a, public_token=TOKEN)
    mandate = MandateFactory(deputy=deputy_a)
    assert user.has_perm("deputies.view_deputy", deputy_a)
    assert user.has_perm("deputies.view_mandate", mandate)
    assert not user.has_perm("deputies.view_deputy", colleague), "not their record"
    assert not user.has_perm("deputies.change_deputy", deputy_a), "view only"
    assert not user.has_perm("deputies.view_deputy"), "no model-wide permission"


def test_station_manager_sees_their_stations_and_grouped_deputies(
    county_a, township_a, deputy_a
):
    """A station manager sees and edits their station and sees its deputies."""
    manager = UserFactory(
        username="manager_a", scope_region=county_a, roles=[Role.STATION_MANAGER]
    )
    station = LiaisonStationFactory(
        region=township_a, manager=manager, public_token=TOKEN
    )
    other = LiaisonStationFactory(region=township_a, public_token=TOKEN)
    StationAssignmentFactory(station=station, deputy=deputy_a)
    stranger = DeputyFactory(region=township_a, public_token=TOKEN)
    StationAssignmentFactory(station=other, deputy=stranger)
    assert manager.has_perm("deputies.view_liaisonstation", station)
    assert manager.has_perm("deputies.change_liaisonstation", station)
    assert not manager.has_perm("deputies.view_liaisonstation", other)
    assert manager.has_perm("deputies.view_deputy", deputy_a)
    assert not manager.has_perm("deputies.view_deputy", stranger)
    assert not manager.has_perm("deputies.delete_liaisonstation", station)


def test_station_rules_follow_scope_for_staff(staff_b, township_a, township_b):
    """Staff reach stations by region, not by being their manager."""
    in_scope = LiaisonStationFactory(region=township_b, public_token=TOKEN)
    out_of_scope = LiaisonStationFactory(region=township_a, public_token=TOKEN)
    assert staff_b.has_perm("deputies.change_liaisonstation", in_scope)
    assert not staff_b.has_perm("deputies.change_liaisonstation", out_of_scope)


def test_inactive_user_has_no_object_permissions(staff_a, deputy_a):
    """A deactivated account loses every object permission at once."""
    staff_a.is_active = False
    staff_a.save()
    assert not staff_a.has_perm("deputies.view_deputy", deputy_a)


def test_scope_predicate_follows_region_path(staff_a, deputy_a, deputy_b):
    """is_in_scope walks a model's region path (mandate → deputy → region)."""
    from congress.rules import is_in_scope

    assert is_in_scope(staff_a, MandateFactory(deputy=deputy_a))
    assert not is_in_scope(staff_a, MandateFactory(deputy=deputy_b))
