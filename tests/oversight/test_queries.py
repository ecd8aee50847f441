"""Query counts of the pages and changelists at 5 and at 50 rows: no N+1."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.roles import Role
from oversight import services
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.oversight import OversightItemFactory
from tests.factories.oversight import TopicProposalFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _countermeasures(county, unit, staff, n):
    item = OversightItemFactory(region=county)
    opinion = services.opinion_issue(
        item=item,
        text="意见",
        issued_on=datetime.date(2027, 3, 1),
        report_due=datetime.date(2027, 5, 1),
        user=staff,
    )
    for i in range(n):
        problem = services.problem_add(
            opinion=opinion, description=f"问题{i}", user=staff
        )
        measure = services.countermeasure_add(
            problem=problem,
            unit=unit,
            measure=f"对策{i}",
            deadline=datetime.date(2027, 6, 1),
            user=staff,
        )
        services.rectification_report(
            countermeasure=measure, done="推进中", completed=False, user=staff
        )


def test_unit_portal_queries_same_for_5_and_50(client, county_a, staff_a):
    unit = OrganizationFactory(region=county_a)
    liaison = UserFactory(
        username="liaison",
        scope_region=county_a,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )
    client.force_login(liaison)
    _countermeasures(county_a, unit, staff_a, 5)
    small = _count(client, reverse("portal-oversight"))
    _countermeasures(county_a, unit, staff_a, 45)
    big = _count(client, reverse("portal-oversight"))
    assert small == big <= 12


def test_public_results_queries_same_for_5_and_50(client, county_a, staff_a):
    def publish(n):
        for i in range(n):
            item = OversightItemFactory(region=county_a, title=f"事项{i}")
            services.item_publish(item=item, user=staff_a, summary="结果")

    publish(5)
    small = _count(client, reverse("oversight-results"))
    publish(45)
    assert _count(client, reverse("oversight-results")) == small <= 3


@pytest.mark.parametrize(
    "model", ["oversightitem", "topicproposal", "countermeasure", "problem"]
)
def test_admin_changelists_queries_do_not_grow(client, county_a, staff_a, model):
    unit = OrganizationFactory(region=county_a)
    client.force_login(staff_a)
    url = reverse(f"admin:oversight_{model}_changelist")

    def grow(n):
        _countermeasures(county_a, unit, staff_a, n)
        for _ in range(n):
            OversightItemFactory(region=county_a)
            TopicProposalFactory(region=county_a)

    grow(5)
    small = _count(client, url)
    grow(45)
    big = _count(client, url)
    assert small == big <= 12, (small, big)
