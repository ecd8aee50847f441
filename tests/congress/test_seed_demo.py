"""The demo (seed_demo), seeded once for the module.

seed_demo takes seconds; the tests below only read what it made, so it runs once,
in a transaction rolled back when the module ends. Each test runs in a savepoint
inside it (pytest-django's ``db``), so what a test writes is undone as before.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count

from congress.demo.accounts import DEMO_ACCOUNTS
from congress.demo.accounts import DEMO_PASSWORD
from congress.models import Organization
from congress.models import Region
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from tests.congress.test_seed import _counts
from tests.congress.test_seed import _seed

pytestmark = pytest.mark.django_db

LONGHUI, DONGKOU, WUGANG, DAXIANG = "430524", "430525", "430581", "430503"


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def test_seed_demo_twice_changes_nothing(seeded):
    """A second run finds every row by its natural key and inserts nothing."""
    before = _counts()
    _seed()
    after = _counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"second seed_demo changed row counts: {changed}"
    assert before["deputies.Deputy"] > 0, "the demo must contain deputies"


def test_seed_demo_city_has_all_twelve_counties(seeded):
    """邵阳市 (430500) holds its twelve county-level divisions with their codes."""
    city = Region.objects.get(code="430500000000")
    counties = dict(Region.objects.filter(parent=city).values_list("code", "name"))
    assert len(counties) == 12, f"expected 12 counties, got {sorted(counties.values())}"
    assert counties["430524000000"] == "隆回县"
    assert counties["430581000000"] == "武冈市"


def test_seed_demo_longhui_has_25_townships(seeded):
    """隆回县 has its 25 township-level divisions, 桃洪镇 first."""
    townships = Region.objects.filter(
        parent__code="430524000000", level=Region.Level.TOWNSHIP
    )
    assert townships.count() == 25, f"隆回县 has {townships.count()} townships"
    assert townships.get(code="430524100000").name == "桃洪镇"


def test_seed_demo_wugang_has_58_stations_and_a_democracy_base(seeded):
    """武冈市: 58 代表联络站 and one 民主实践基地, as the seed reports."""
    kinds = dict(
        LiaisonStation.objects.filter(region__code__startswith=WUGANG)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    assert kinds == {
        LiaisonStation.Kind.STATION: 58,
        LiaisonStation.Kind.DEMOCRACY_BASE: 1,
    }, f"武冈市 stations by kind: {kinds}"


def test_seed_demo_daxiang_has_351_deputies_of_five_levels(seeded):
    """大祥区: 351 deputies, every one of the five levels present, and people
    holding several mandates (四级/五级代表)."""
    deputies = Deputy.objects.filter(region__code__startswith=DAXIANG)
    assert deputies.count() == 351, f"大祥区 has {deputies.count()} deputies"
    mandates = Mandate.objects.filter(deputy__in=deputies)
    levels = set(mandates.values_list("level", flat=True))
    assert levels == set(Level.values), f"levels present in 大祥区: {levels}"
    several = deputies.annotate(n=Count("mandates")).filter(n__gt=1).count()
    assert several > 0, "somebody in 大祥区 must hold several mandates"
    assert not deputies.annotate(n=Count("mandates")).filter(n=0).exists(), (
        "every deputy holds at least one mandate"
    )


def test_seed_demo_upper_mandates_belong_to_their_own_congress(seeded):
    """National and provincial deputies are elected by 全国 and 湖南省 congresses,
    not the city's, so a person can also hold a city or county seat."""
    national = Mandate.objects.filter(level=Level.NATIONAL).select_related(
        "congress_region", "term__region"
    )
    provincial = Mandate.objects.filter(level=Level.PROVINCIAL).select_related(
        "congress_region"
    )
    assert national.exists() and provincial.exists()
    assert {m.congress_region.name for m in national} == {"全国"}
    assert {m.term.region.name for m in national} == {"全国"}
    assert {m.congress_region.name for m in provincial} == {"湖南省"}
    holder = national.first().deputy
    assert holder.mandates.exclude(level=Level.NATIONAL).exists(), (
        "the national deputy also holds a local seat"
    )


def test_seed_demo_dongkou_has_286_village_collection_points(seeded):
    """洞口县: 286 民情民意收集点, each in a village, plus the township stations."""
    points = LiaisonStation.objects.filter(
        region__code__startswith=DONGKOU,
        kind=LiaisonStation.Kind.COLLECTION_POINT,
    )
    assert points.count() == 286, f"洞口县 has {points.count()} collection points"
    assert not points.exclude(region__level=Region.Level.VILLAGE).exists(), (
        "every collection point must sit in a village"
    )
    assert LiaisonStation.objects.filter(
        region__code__startswith=DONGKOU, kind=LiaisonStation.Kind.STATION
    ).exists(), "洞口县 must also have liaison stations"


@pytest.mark.parametrize("county", [LONGHUI, DONGKOU, WUGANG, DAXIANG])
def test_seed_demo_filled_county_has_at_least_40_units(seeded, county):
    """Each filled county has 40+ units, including a court, a procuratorate, a
    supervisory commission, special committees and township bodies."""
    units = Organization.objects.filter(region__code__startswith=county)
    assert units.count() >= 40, f"{county} has {units.count()} units"
    kinds = set(units.values_list("kind", flat=True))
    for kind in (
        Organization.Kind.COURT,
        Organization.Kind.PROCURATORATE,
        Organization.Kind.SUPERVISORY_COMMISSION,
        Organization.Kind.SPECIAL_COMMITTEE,
        Organization.Kind.WORKING_COMMITTEE,
        Organization.Kind.TOWNSHIP_GOVERNMENT,
    ):
        assert kind in kinds, f"{county} has no unit of kind {kind}"


def test_seed_demo_groups_deputies_into_stations_with_duty_days(seeded):
    """Every deputy of a filled county is grouped into a station, which has the
    duty days 6/16/26 (逢六进站)."""
    ungrouped = Deputy.objects.filter(stationassignment__isnull=True)
    assert not ungrouped.exists(), f"{ungrouped.count()} deputies are in no station"
    station = StationAssignment.objects.first().station
    assert station.duty_days == [6, 16, 26]


def test_seed_demo_term_is_current_with_sessions(seeded):
    """隆回县's current term is 第十八届, with congress, standing-committee and
    chairpersons' sessions."""
    county = Region.objects.get(code="430524000000")
    term = county.term_set.get(number=18)
    assert term.is_current, "the county's 18th term must be current on the demo date"
    kinds = set(term.sessions.values_list("kind", flat=True))
    assert kinds == {"congress", "standing_committee", "chairpersons"}, kinds


def test_seed_demo_creates_one_account_per_role_with_scope(seeded):
    """Every role has a demo account with the demo password and a fitting scope."""
    users = {a.username: User.objects.get(username=a.username) for a in DEMO_ACCOUNTS}
    roles = {role for u in users.values() for role in u.role_names}
    assert roles == set(Role.values), f"roles with a demo account: {roles}"
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD), f"{user} has another password"
    assert users["admin"].is_system_admin and users["admin"].scope_region is None
    assert users["longhui_staff"].scope_region.name == "隆回县"
    assert users["longhui_staff"].works_in_admin
    assert users["city_staff"].scope_region.name == "邵阳市"
    deputy_user = users["deputy"]
    assert deputy_user.deputy.region == deputy_user.scope_region
    assert deputy_user.deputy.mandates.count() >= 2
    assert users["unit_liaison"].organization.region.name == "隆回县"
    manager = users["station_manager"]
    assert manager.managed_stations.exists(), "the station manager manages no station"
    assert all(
        manager.scope_region.contains(s.region) for s in manager.managed_stations.all()
    )
    assert not users["deputy"].works_in_admin, "deputies do not work in the admin"


def test_seed_demo_stores_phones_encrypted_with_digest(seeded):
    """Phones are encrypted at rest and findable by their digest."""
    from django.db import connection

    from congress import crypto

    deputy = Deputy.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM deputies_deputy WHERE id = %s", [deputy.pk])
        raw = cursor.fetchone()[0]
    assert deputy.phone.isdigit() and len(deputy.phone) == 11, deputy.phone
    assert deputy.phone not in raw, "the phone must not be stored in clear"
    assert deputy.phone_digest == crypto.digest(deputy.phone)
