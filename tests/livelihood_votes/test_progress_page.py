"""The public page with every project's progress of a county (and its townships'
batches), across rounds and years: filter by year, pages, no personal data, a
constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from livelihood_votes import services
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import VotingRound
from tests.factories.congress import OrganizationFactory
from tests.factories.livelihood_votes import VotingRoundFactory
from tests.factories.livelihood_votes import liaison_for

pytestmark = pytest.mark.django_db


def _projects(region, count, *, year=2026, unit=None, prefix="项目"):
    """``count`` decided projects of an implementing round (bulk: set-up only)."""
    round_ = VotingRoundFactory(
        region=region,
        year=year,
        title=f"{region.name}{year}年民生实事",
        status=VotingRound.Status.IMPLEMENTING,
    )
    unit = unit or OrganizationFactory(region=region)
    candidates = CandidateProject.objects.bulk_create(
        CandidateProject(
            round=round_,
            order=i,
            title=f"{prefix}{i:02d}",
            description="改善群众生活条件。",
            responsible_unit=unit,
            budget=Decimal("10"),
            target_date=datetime.date(year, 12, 31),
            rank=i + 1,
            outcome="chosen",
        )
        for i in range(count)
    )
    return LivelihoodProject.objects.bulk_create(
        LivelihoodProject(
            round=round_,
            candidate=c,
            region=region,
            title=c.title,
            description=c.description,
            responsible_unit=unit,
            leading_official="王副县长",
            budget=c.budget,
            target_date=c.target_date,
        )
        for c in candidates
    )


def _url(county, **query):
    url = reverse("livelihood-progress", args=[county.code[:6]])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_lists_county_and_township_projects_with_progress(
    client, county_a, township_a, county_b
):
    unit = OrganizationFactory(region=county_a, name="县水利局")
    county_project = _projects(county_a, 1, unit=unit, prefix="县级安全饮水")[0]
    _projects(township_a, 1, year=2025, prefix="桃洪镇路灯")
    _projects(county_b, 1, prefix="洞口县项目")
    liaison = liaison_for(unit)
    services.progress_report_submit(
        project=county_project,
        month=datetime.date.today(),  # noqa: DTZ011 (a month, any zone)
        percent=45,
        funds_spent=Decimal("3"),
        narrative="管网铺设近半。",
        user=liaison,
    )
    response = client.get(_url(county_a))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    page = response.content.decode()
    assert "县级安全饮水00" in page and "桃洪镇路灯00" in page
    assert "洞口县项目" not in page
    assert "县水利局" in page and "隆回县2026年民生实事" in page
    assert 'value="45"' in page and "45%" in page
    assert datetime.date.today().strftime("%Y-%m-%d") in page  # noqa: DTZ011
    assert "未报送" in page, "the township project has no report yet"
    assert "实施中" in page and "未开工" in page
    assert reverse("livelihood-project", args=[county_project.pk]) in page
    # No personal data: neither the leading official nor the reporting liaison.
    assert "王副县长" not in page and liaison.username not in page
    # Nothing loaded from another host.
    assert "http://" not in page and "https://" not in page and 'src="//' not in page


def test_filter_by_year(client, county_a, township_a):
    _projects(county_a, 2, year=2026, prefix="今年项目")
    _projects(township_a, 2, year=2025, prefix="去年项目")
    page = client.get(_url(county_a, year=2025)).content.decode()
    assert "去年项目00" in page and "今年项目" not in page
    page = client.get(_url(county_a)).content.decode()
    assert "去年项目00" in page and "今年项目00" in page
    assert 'href="?year=2026"' in page and 'href="?year=2025"' in page


def test_paginated(client, county_a):
    _projects(county_a, 25)
    first = client.get(_url(county_a)).content.decode()
    assert first.count("<tr>") == 1 + 20
    assert "page=2" in first
    second = client.get(_url(county_a, page=2)).content.decode()
    assert second.count("<tr>") == 1 + 5
    assert "项目24" in second and "项目24" not in first


def test_unknown_county_is_404(client, county_a):
    assert (
        client.get(reverse("livelihood-progress", args=["999999"])).status_code == 404
    )


def test_linked_from_the_public_round_pages(client, county_a, township_a):
    project = _projects(township_a, 1)[0]
    url = _url(county_a)
    assert (
        url
        in client.get(
            reverse("livelihood-round", args=[project.round_id])
        ).content.decode()
    )
    assert url in client.get(reverse("livelihood-rounds")).content.decode()


@pytest.mark.parametrize("size", [5, 50])
def test_queries_do_not_grow(
    client, county_a, township_a, size, django_assert_max_num_queries
):
    """county (1) + years (1) + count (1) + page (1), whatever the number of projects."""
    _projects(county_a, size)
    _projects(township_a, size, year=2025)
    with django_assert_max_num_queries(4):
        response = client.get(_url(county_a))
    assert response.status_code == 200


def test_same_query_count_for_5_and_50(client, county_a, city):
    counts = []
    for size, county_code in ((5, "430601"), (50, "430602")):
        from congress.models import Region
        from tests.factories.congress import RegionFactory

        county = RegionFactory(
            name=f"县{size}",
            code=Region.full_code(county_code),
            level=Region.Level.COUNTY,
            parent=city,
        )
        _projects(county, size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(county)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
