"""群众提 in the portals: a deputy proposes in the deputy portal and a unit liaison
in the unit portal, through ``services.proposal_submit``: only to a collecting
round of their region, each seeing their own proposals and their status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from livelihood_votes import services
from livelihood_votes.models import ProjectProposal
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import TermFactory
from tests.factories.livelihood_votes import VotingRoundFactory
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import liaison_for

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "村道安装路灯", "content": "夜间出行不安全。", "place": "石桥村"}


@pytest.fixture
def rounds(county_a, county_b, township_a):
    """A collecting round of county A, a township batch of 桃洪镇 and a round of
    county B."""
    return {
        "county": VotingRoundFactory(region=county_a, title="隆回县2026年票决"),
        "township": VotingRoundFactory(region=township_a, title="桃洪镇2026年第1批"),
        "other": VotingRoundFactory(region=county_b, title="洞口县2026年票决"),
    }


@pytest.fixture
def deputy_user(township_a):
    """A deputy living in 桃洪镇 (seat in the township congress)."""
    return deputies_with_users(
        1, region=township_a, term=TermFactory(region=township_a)
    )[0]


def test_deputy_sees_collecting_rounds_of_their_county_and_township(
    client, rounds, deputy_user
):
    client.force_login(deputy_user)
    page = client.get(reverse("livelihood-portal-deputy-proposals")).content.decode()
    assert "隆回县2026年票决" in page and "桃洪镇2026年第1批" in page
    assert "洞口县2026年票决" not in page
    assert (
        reverse("livelihood-portal-deputy-propose", args=[rounds["township"].pk])
        in page
    )


def test_deputy_proposes_and_sees_it_with_its_status(
    client, rounds, deputy_user, staff_a
):
    client.force_login(deputy_user)
    response = client.post(
        reverse("livelihood-portal-deputy-propose", args=[rounds["county"].pk]),
        PROPOSAL,
    )
    assert response.status_code == 302
    proposal = ProjectProposal.objects.get()
    assert proposal.source == ProjectProposal.Source.DEPUTY
    assert proposal.deputy == deputy_user.deputy
    assert proposal.proposer_name == deputy_user.deputy.name
    assert proposal.round == rounds["county"]
    services.proposal_decline(
        proposal=proposal, note="已列入部门年度计划。", user=staff_a
    )
    page = client.get(reverse("livelihood-portal-deputy-proposals")).content.decode()
    assert (
        "村道安装路灯" in page and "未采纳" in page and "已列入部门年度计划。" in page
    )


def test_deputy_out_of_scope_round_refused_and_nothing_changes(
    client, rounds, deputy_user
):
    client.force_login(deputy_user)
    response = client.post(
        reverse("livelihood-portal-deputy-propose", args=[rounds["other"].pk]),
        PROPOSAL,
    )
    assert response.status_code == 400
    assert "不是代表所在区划的票决批次" in response.content.decode()
    assert not ProjectProposal.objects.exists()


def test_deputy_round_not_collecting_refused_and_nothing_changes(
    client, rounds, deputy_user, staff_a
):
    services.round_screening_start(round_=rounds["county"], user=staff_a)
    client.force_login(deputy_user)
    page = client.get(reverse("livelihood-portal-deputy-proposals")).content.decode()
    assert "隆回县2026年票决" not in page, "a screening round is not offered"
    response = client.post(
        reverse("livelihood-portal-deputy-propose", args=[rounds["county"].pk]),
        PROPOSAL,
    )
    assert response.status_code == 400
    assert "征集已经结束" in response.content.decode()
    assert not ProjectProposal.objects.exists()


def test_unit_liaison_proposes_in_the_unit_portal(client, rounds, county_a, staff_a):
    unit = OrganizationFactory(region=county_a, name="县交通运输局")
    client.force_login(liaison_for(unit))
    page = client.get(reverse("livelihood-portal-unit-proposals")).content.decode()
    assert "隆回县2026年票决" in page
    assert "桃洪镇2026年第1批" not in page and "洞口县2026年票决" not in page
    response = client.post(
        reverse("livelihood-portal-unit-propose", args=[rounds["county"].pk]), PROPOSAL
    )
    assert response.status_code == 302
    proposal = ProjectProposal.objects.get()
    assert (proposal.source, proposal.organization) == (
        ProjectProposal.Source.UNIT,
        unit,
    )
    page = client.get(reverse("livelihood-portal-unit-proposals")).content.decode()
    assert "村道安装路灯" in page and "已提交" in page


def test_unit_liaison_refused_out_of_scope_and_when_closed(
    client, rounds, county_a, staff_a
):
    client.force_login(liaison_for(OrganizationFactory(region=county_a)))
    refused = client.post(
        reverse("livelihood-portal-unit-propose", args=[rounds["other"].pk]), PROPOSAL
    )
    assert refused.status_code == 400
    assert "不是本单位所在区划的票决批次" in refused.content.decode()
    services.round_screening_start(round_=rounds["county"], user=staff_a)
    closed = client.post(
        reverse("livelihood-portal-unit-propose", args=[rounds["county"].pk]), PROPOSAL
    )
    assert closed.status_code == 400
    assert "征集已经结束" in closed.content.decode()
    assert not ProjectProposal.objects.exists()


def test_others_cannot_use_the_proposal_portals(client, rounds, staff_a, deputy_user):
    client.force_login(staff_a)
    assert client.get(reverse("livelihood-portal-deputy-proposals")).status_code == 403
    assert client.get(reverse("livelihood-portal-unit-proposals")).status_code == 403
    client.force_login(deputy_user)
    response = client.post(
        reverse("livelihood-portal-unit-propose", args=[rounds["county"].pk]), PROPOSAL
    )
    assert response.status_code == 403
    assert not ProjectProposal.objects.exists()


def test_nav_links_shown_to_deputies_and_liaisons(
    client, rounds, deputy_user, county_a
):
    client.force_login(deputy_user)
    page = client.get(reverse("livelihood-portal-deputy-proposals")).content.decode()
    assert 'href="/portal/votes/proposals/"' in page
    client.force_login(liaison_for(OrganizationFactory(region=county_a)))
    page = client.get(reverse("livelihood-portal-unit-proposals")).content.decode()
    assert 'href="/portal/livelihood/proposals/"' in page
    assert 'href="/portal/votes/proposals/"' not in page


def test_service_refuses_a_deputy_of_another_county(rounds, county_b):
    deputy = deputies_with_users(1, region=county_b, term=TermFactory(region=county_b))[
        0
    ].deputy
    with pytest.raises(Exception, match="不是代表所在区划"):
        services.proposal_submit(
            round_=rounds["county"],
            source=ProjectProposal.Source.DEPUTY,
            title="x",
            content="y",
            deputy=deputy,
        )
    assert not ProjectProposal.objects.exists()
