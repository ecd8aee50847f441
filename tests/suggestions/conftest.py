"""Fixtures of the suggestions tests: deputies with accounts, units and liaisons,
and ``advance`` to bring a suggestion to a state through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from congress.models import Organization
from congress.roles import Role
from deputies.models import CitizenOpinion
from suggestions import services
from suggestions.models import HandlingStep
from suggestions.models import Review
from suggestions.models import ReviewStage
from suggestions.models import Suggestion
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory


def deputy_with_user(region, username: str, name: str):
    user = UserFactory(username=username, scope_region=region, roles=[Role.DEPUTY])
    return DeputyFactory(region=region, user=user, name=name)


@pytest.fixture
def deputy_a(township_a):
    return deputy_with_user(township_a, "deputy_a", "李建国")


@pytest.fixture
def deputy_a2(township_a):
    return deputy_with_user(township_a, "deputy_a2", "王秀英")


@pytest.fixture
def deputy_b(township_b):
    return deputy_with_user(township_b, "deputy_b", "赵志强")


@pytest.fixture
def unit_a(county_a):
    return OrganizationFactory(name="隆回县交通运输局", region=county_a)


@pytest.fixture
def unit_a2(county_a):
    return OrganizationFactory(name="隆回县住房和城乡建设局", region=county_a)


@pytest.fixture
def unit_b(county_b):
    return OrganizationFactory(name="洞口县交通运输局", region=county_b)


@pytest.fixture
def committee_a(county_a):
    return OrganizationFactory(
        name="隆回县人大常委会代表工委",
        region=county_a,
        kind=Organization.Kind.WORKING_COMMITTEE,
    )


def liaison_for(unit, username: str):
    return UserFactory(
        username=username,
        scope_region=unit.region,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )


@pytest.fixture
def liaison_a(unit_a):
    return liaison_for(unit_a, "liaison_a")


@pytest.fixture
def liaison_a2(unit_a2):
    return liaison_for(unit_a2, "liaison_a2")


@pytest.fixture
def liaison_b(unit_b):
    return liaison_for(unit_b, "liaison_b")


@pytest.fixture
def opinion_a(township_a, deputy_a):
    return CitizenOpinion.objects.create(
        region=township_a,
        deputy=deputy_a,
        content="村里的农村道路硬化工程停工半年,雨天泥泞,群众出行困难。",
        category="transport",
    )


STATES = [
    "draft",
    "reviewing",
    "registered",
    "assigned",
    "handling",
    "replied",
    "rehandling",
    "closed",
]


@pytest.fixture
def advance(staff_a, unit_a, liaison_a):
    """``advance(suggestion, "replied")`` walks the flow to that state."""

    def _advance(suggestion: Suggestion, state: str, *, result_class: str = "A"):
        target = STATES.index(state)
        deputy_user = suggestion.lead_deputy.user
        if target >= 1:
            services.suggestion_submit(suggestion=suggestion, actor=deputy_user)
        if target >= 2:
            for stage in ReviewStage.values:
                services.suggestion_review(
                    suggestion=suggestion,
                    actor=staff_a,
                    stage=stage,
                    decision=Review.Decision.PASS,
                )
        assignment = None
        if target >= 3:
            [assignment] = services.suggestion_assign(
                suggestion=suggestion, actor=staff_a, lead_unit=unit_a
            )
        if target >= 4:
            services.assignment_acknowledge(assignment=assignment, actor=liaison_a)
        if target >= 5:
            _reply(assignment, liaison_a, result_class)
        if target >= 6:
            services.evaluation_record(
                suggestion=suggestion,
                actor=deputy_user,
                deputy=suggestion.lead_deputy,
                result="unsatisfied",
                comment="路还没修好",
            )
        if target >= 7:
            _reply(assignment, liaison_a, "A")
            services.evaluation_record(
                suggestion=suggestion,
                actor=deputy_user,
                deputy=suggestion.lead_deputy,
                result="satisfied",
            )
        suggestion.refresh_from_db()
        return assignment

    return _advance


def _reply(assignment, liaison, result_class):
    services.handling_step_add(
        assignment=assignment,
        actor=liaison,
        kind=HandlingStep.Kind.CONTACT,
        date=timezone.localdate(),
        note="到代表所在村座谈,了解情况",
    )
    commitments = []
    if result_class == "B":
        commitments = [("年底前完成道路硬化", timezone.localdate().replace(year=2099))]
    return services.reply_create(
        assignment=assignment,
        actor=liaison,
        text="经研究,已安排资金完成该段道路硬化。",
        result_class=result_class,
        signer="张局长",
        commitments=commitments,
    )
