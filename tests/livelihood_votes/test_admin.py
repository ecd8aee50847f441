"""Admin of livelihood_votes: scoped lists, read-only results, the presiding link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from livelihood_votes import services
from livelihood_votes.models import VotingRound
from tests.factories.livelihood_votes import published_round

pytestmark = pytest.mark.django_db

ADMIN_LISTS = [
    "admin:livelihood_votes_votinground_changelist",
    "admin:livelihood_votes_projectproposal_changelist",
    "admin:livelihood_votes_candidateproject_changelist",
    "admin:livelihood_votes_livelihoodproject_changelist",
    "admin:livelihood_votes_progressreport_changelist",
    "admin:livelihood_votes_supervisionvisit_changelist",
]


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_admin_lists_open_for_staff(client, staff_a, url_name):
    client.force_login(staff_a)
    assert client.get(reverse(url_name)).status_code == 200


def test_round_list_is_scoped(client, county_a, staff_a, staff_b):
    round_ = published_round(region=county_a, staff=staff_a)
    client.force_login(staff_b)
    page = client.get(reverse("admin:livelihood_votes_votinground_changelist"))
    assert round_.title not in page.content.decode()
    change = reverse("admin:livelihood_votes_votinground_change", args=[round_.pk])
    assert client.get(change).status_code == 404
    client.force_login(staff_a)
    page = client.get(reverse("admin:livelihood_votes_votinground_changelist"))
    text = page.content.decode()
    assert round_.title in text
    assert reverse("livelihood-staff-round", args=[round_.pk]) in text
    assert client.get(change).status_code == 200


def test_candidates_cannot_be_changed_after_publication(client, county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a)
    assert round_.status == VotingRound.Status.PUBLISHED
    candidate = round_.candidates.first()
    client.force_login(staff_a)
    url = reverse("admin:livelihood_votes_candidateproject_change", args=[candidate.pk])
    response = client.post(url, {"title": "改名", "budget": "1"})
    candidate.refresh_from_db()
    assert candidate.title != "改名"
    assert response.status_code in (200, 403)


def _proposal_post(round_, **extra) -> dict:
    return {
        "round": round_.pk,
        "source": "deputy",
        "title": "村级文化广场",
        "content": "建设村级文化广场,方便群众活动。",
        "place": "",
        "estimated_cost": "",
        "proposer_name": "",
        "deputy": "",
        "organization": "",
        **extra,
    }


def test_deputy_and_unit_proposals_entered_in_the_admin_go_through_the_service(
    client, county_a, staff_a
):
    """Staff enter a deputy's or a unit's proposal while the round collects; a
    deputy's names the deputy, a unit's the unit; after collection nothing is taken."""
    from tests.factories.congress import OrganizationFactory
    from tests.factories.deputies import DeputyFactory
    from tests.factories.livelihood_votes import VotingRoundFactory

    round_ = VotingRoundFactory(region=county_a)
    deputy = DeputyFactory(region=county_a)
    unit = OrganizationFactory(region=county_a)
    client.force_login(staff_a)
    url = reverse("admin:livelihood_votes_projectproposal_add")

    response = client.post(url, _proposal_post(round_))
    assert response.status_code == 200
    assert "请选择提议代表" in response.content.decode()
    response = client.post(url, _proposal_post(round_, source="unit"))
    assert "请选择提议单位" in response.content.decode()
    assert not round_.proposals.exists()

    response = client.post(url, _proposal_post(round_, deputy=deputy.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        url, _proposal_post(round_, source="unit", organization=unit.pk)
    )
    assert response.status_code == 302
    assert sorted(
        round_.proposals.values_list("source", "deputy_id", "organization_id")
    ) == sorted([("deputy", deputy.pk, None), ("unit", None, unit.pk)])

    services.round_screening_start(round_=round_, user=staff_a)
    response = client.post(url, _proposal_post(round_, deputy=deputy.pk))
    assert "征集已经结束" in response.content.decode()
    assert round_.proposals.count() == 2
