"""The suggestions demo builder: the demo deputy's suggestions in every state,
walked through the services; 洞口's key suggestions and 武冈's fund; idempotent."""

import pytest

from congress.models import Organization
from congress.models import Region
from congress.roles import Role
from suggestions.demo import suggestions_demo_build
from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent
from suggestions.search import search_filter
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import RegionFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.suggestions.conftest import deputy_with_user
from tests.suggestions.conftest import liaison_for

pytestmark = pytest.mark.django_db

S = Suggestion.Status


@pytest.fixture
def demo_world(county_a, county_b, township_a, township_b, city):
    """The accounts and organisations the builder looks for, as seed_demo makes them."""
    deputy = deputy_with_user(township_a, "deputy", "李建国")
    DeputyFactory(region=township_a, name="王秀英")  # the invited co-signer
    unit = OrganizationFactory(name="隆回县交通运输局", code="U-LH-1", region=county_a)
    OrganizationFactory(name="隆回县住房和城乡建设局", code="U-LH-2", region=county_a)
    OrganizationFactory(
        name="隆回县人大常委会代表工作委员会",
        code="U-LH-9",
        region=county_a,
        kind=Organization.Kind.WORKING_COMMITTEE,
    )
    liaison_for(unit, "unit_liaison")
    UserFactory(username="longhui_staff", scope_region=county_a, roles=[Role.STAFF])
    UserFactory(
        username="longhui_leader", scope_region=county_a, roles=[Role.LEADERSHIP]
    )
    for i in range(6):
        DeputyFactory(region=township_b, name=f"洞口代表{i}")
    for i in range(2):
        OrganizationFactory(name=f"洞口县第{i}局", code=f"U-DK-{i}", region=county_b)
    for i, name in enumerate(["农业农村委员会", "代表工作委员会"]):
        OrganizationFactory(
            name=f"洞口县人大常委会{name}",
            code=f"U-DK-C{i}",
            region=county_b,
            kind=Organization.Kind.SPECIAL_COMMITTEE,
        )
    wugang = RegionFactory(
        name="武冈市",
        code=Region.full_code("430581"),
        level=Region.Level.COUNTY,
        parent=city,
    )
    for i in range(5):
        DeputyFactory(region=wugang, name=f"武冈代表{i}")
    OrganizationFactory(name="武冈市教育局", code="U-WG-1", region=wugang)
    return deputy


def test_demo_builds_every_state_and_runs_twice(demo_world, county_b):
    lines: list[str] = []
    suggestions_demo_build(log=lines.append)
    deputy = demo_world
    own = Suggestion.objects.filter(lead_deputy=deputy)
    assert set(own.values_list("status", flat=True)) == {
        S.DRAFT,
        S.REVIEWING,
        S.RETURNED,
        S.REGISTERED,
        S.ASSIGNED,
        S.HANDLING,
        S.REPLIED,
        S.REHANDLING,
        S.CLOSED,
    }
    # Walked through the services: the chain has real steps.
    closed = own.filter(status=S.CLOSED, rehandling_rounds=1).first()
    assert closed is not None and closed.replies.count() == 2
    assert own.filter(signers__isnull=False).exists()
    assert own.filter(is_key=True, fund_amount=80).exists()
    # 洞口: key suggestions followed by the committees; 武冈: the fund and guidance.
    dongkou = Suggestion.objects.filter(region=county_b)
    key = dongkou.filter(is_key=True)
    assert key.count() == 3
    assert all(s.following_committee and s.coordinating_committee for s in key)
    wugang = Suggestion.objects.filter(region__code__startswith="430581")
    assert wugang.filter(fund_amount__gt=0).count() == 4
    assert SuggestionEvent.objects.filter(
        suggestion__in=wugang, kind=SuggestionEvent.Kind.GUIDANCE
    ).exists()
    assert search_filter(dongkou, "道路").exists()
    counts = (Suggestion.objects.count(), SuggestionEvent.objects.count())
    suggestions_demo_build(log=lines.append)
    assert (Suggestion.objects.count(), SuggestionEvent.objects.count()) == counts
