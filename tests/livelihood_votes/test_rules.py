"""Who may use the presiding page: a grid of users × (view, act)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from congress.roles import Role
from livelihood_votes.models import VotingRound
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.livelihood_votes import published_round

pytestmark = pytest.mark.django_db


def _user(kind, county_a, county_b):
    if kind == "anonymous":
        return None
    if kind == "staff_a":
        return UserFactory(username="s_a", scope_region=county_a, roles=[Role.STAFF])
    if kind == "staff_b":
        return UserFactory(username="s_b", scope_region=county_b, roles=[Role.STAFF])
    if kind == "leader_a":
        return UserFactory(
            username="l_a", scope_region=county_a, roles=[Role.LEADERSHIP]
        )
    if kind == "deputy_a":
        return UserFactory(username="d_a", scope_region=county_a, roles=[Role.DEPUTY])
    if kind == "liaison_a":
        return UserFactory(
            username="u_a",
            scope_region=county_a,
            organization=OrganizationFactory(region=county_a),
            roles=[Role.UNIT_LIAISON],
        )
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "view_status", "act_status"),
    [
        ("anonymous", 302, 302),
        ("staff_a", 200, 200),
        ("staff_b", 404, 404),
        ("leader_a", 200, 403),
        ("deputy_a", 403, 403),
        ("liaison_a", 403, 403),
    ],
)
def test_presiding_page_grid(client, county_a, county_b, kind, view_status, act_status):
    """Only county A's staff may act; its leadership may look; others see nothing."""
    owner = UserFactory(username="owner", scope_region=county_a, roles=[Role.STAFF])
    round_ = published_round(region=county_a, staff=owner)
    user = _user(kind, county_a, county_b)
    if user is not None:
        client.force_login(user)
    page = client.get(reverse("livelihood-staff-round", args=[round_.pk]))
    assert page.status_code == view_status
    response = client.post(
        reverse("livelihood-staff-action", args=[round_.pk, "open"]), follow=True
    )
    if act_status == 302:
        assert "/accounts/login/" in response.redirect_chain[0][0]
    else:
        assert response.status_code == act_status
    if act_status == 200:
        # The service was reached and refused: the county has no deputies yet.
        assert "本届没有在任代表" in response.content.decode()
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.PUBLISHED
