"""Factories for the deputies app."""

import factory

from deputies.models import Deputy
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from tests.factories.congress import RegionFactory
from tests.factories.congress import TermFactory


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Faker("name", locale="zh_CN")
    gender = Deputy.Gender.MALE
    political_status = Deputy.PoliticalStatus.CPC
    occupation_category = Deputy.OccupationCategory.FARMER
    workplace = factory.Faker("company", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    region = factory.SubFactory(RegionFactory)


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    deputy = factory.SubFactory(DeputyFactory)
    level = Level.COUNTY
    congress_region = factory.LazyAttribute(
        lambda m: m.deputy.region.county or m.deputy.region
    )
    term = factory.SubFactory(
        TermFactory, region=factory.SelfAttribute("..congress_region")
    )


class LiaisonStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonStation

    name = factory.Sequence(lambda n: f"第{n}代表联络站")
    kind = LiaisonStation.Kind.STATION
    region = factory.SubFactory(RegionFactory)
    address = factory.Faker("street_address", locale="zh_CN")


class StationAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationAssignment

    station = factory.SubFactory(LiaisonStationFactory)
    deputy = factory.SubFactory(DeputyFactory)
