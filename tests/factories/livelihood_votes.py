"""Factories and builders for livelihood_votes (rounds are set up through services)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from congress.models import Organization
from congress.models import Region
from congress.models import Term
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import Mandate
from livelihood_votes import services
from livelihood_votes.models import VotingRound
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.congress import voters_create


class VotingRoundFactory(factory.django.DjangoModelFactory):
    """A collecting round; move it on through the services."""

    class Meta:
        model = VotingRound

    region = factory.SubFactory("tests.factories.congress.RegionFactory")
    year = 2026
    batch = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"2026年第{n + 1}批民生实事项目票决")
    term = factory.SubFactory(TermFactory, region=factory.SelfAttribute("..region"))
    choose_count = 2


def deputies_with_users(
    count: int, *, region: Region, term: Term, prefix: str = "dep"
) -> list[User]:
    """``count`` deputies of ``term`` with accounts (bulk: fast for hundreds)."""
    users = voters_create(count, region=region, prefix=prefix)
    deputies = Deputy.objects.bulk_create(
        Deputy(
            name=f"代表{i:03d}",
            gender=Deputy.Gender.MALE,
            political_status=Deputy.PoliticalStatus.CPC,
            occupation_category=Deputy.OccupationCategory.WORKER,
            region=region,
            user=user,
            phone=f"139{i:08d}",
        )
        for i, user in enumerate(users)
    )
    Mandate.objects.bulk_create(
        Mandate(
            deputy=d,
            level=Level.COUNTY
            if region.level == Region.Level.COUNTY
            else Level.TOWNSHIP,
            congress_region=region,
            term=term,
        )
        for d in deputies
    )
    from django.contrib.auth.models import Group

    group = Group.objects.get_or_create(name=Role.DEPUTY.value)[0]
    group.user_set.add(*users)
    return users


def published_round(
    *,
    region: Region,
    staff: User,
    candidates: int = 4,
    choose: int = 2,
    unit: Organization | None = None,
    base: str = "entitled",
) -> VotingRound:
    """A round with ``candidates`` candidates, published."""
    term = TermFactory(region=region)
    round_ = services.round_create(
        region=region,
        year=2026,
        title=f"{region.name}2026年民生实事项目票决",
        term=term,
        choose_count=choose,
        user=staff,
        base=base,
    )
    services.round_screening_start(round_=round_, user=staff)
    unit = unit or OrganizationFactory(region=region)
    for i in range(candidates):
        services.candidate_create(
            round_=round_,
            title=f"候选项目{i + 1}",
            description="改善群众生活条件。",
            responsible_unit=unit,
            budget=Decimal("100.00") + i,
            target_date=datetime.date(2026, 12, 31),
            user=staff,
        )
    return services.round_candidates_publish(round_=round_, user=staff)


def liaison_for(unit: Organization, username: str = "liaison") -> User:
    return UserFactory(
        username=username,
        scope_region=unit.region,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )
