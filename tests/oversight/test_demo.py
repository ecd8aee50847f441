"""The oversight demo builder: the whole loop of every method, idempotent."""

import pytest

from congress.demo.units import COUNTY_UNITS
from congress.models import Organization
from congress.models import Region
from oversight.demo import oversight_demo_build
from oversight.models import DeliberationOpinion
from oversight.models import OversightItem
from oversight.models import RandomDraw
from oversight.models import TopicProposal
from oversight.services import draw_verify
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import RegionFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_every_method_and_runs_twice(county_a):
    for i in range(6):
        RegionFactory(
            name=f"乡镇{i}",
            code=Region.full_code(f"430524{100 + i}"),
            level=Region.Level.TOWNSHIP,
            parent=county_a,
        )
    for i, (name, kind) in enumerate(COUNTY_UNITS):
        OrganizationFactory(
            name=f"隆回县{name}",
            code=f"430524-U{i + 1:03d}",
            kind=kind,
            region=county_a,
        )
    lines = []
    oversight_demo_build(log=lines.append)
    methods = set(OversightItem.objects.values_list("method", flat=True))
    assert {
        "work_report",
        "inspection",
        "inquiry",
        "department_review",
        "case_review",
        "project",
    } <= methods
    assert OversightItem.objects.filter(parent__isnull=False).count() == 2
    assert TopicProposal.objects.filter(status="adopted").count() == 4
    drawn = RandomDraw.objects.filter(status="drawn")
    assert drawn.count() == 2
    assert all(draw_verify(draw=d).result_ok for d in drawn)
    assert DeliberationOpinion.objects.filter(follow_ups__isnull=False).exists()
    counts = (
        OversightItem.objects.count(),
        TopicProposal.objects.count(),
        Organization.objects.count(),
    )
    oversight_demo_build(log=lines.append)
    assert counts == (
        OversightItem.objects.count(),
        TopicProposal.objects.count(),
        Organization.objects.count(),
    )
    assert "already present" in lines[-1]
