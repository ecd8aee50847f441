"""Factories for the deputies app."""

import datetime

import factory

from deputies.models import ChecklistItem
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment
from deputies.models import StationChecklistEntry
from deputies.models import StationDuty
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


class StationDutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationDuty
        skip_postgeneration_save = True

    station = factory.SubFactory(LiaisonStationFactory)
    date = datetime.date(2026, 10, 16)
    planned_date = factory.SelfAttribute("date")

    @factory.post_generation
    def deputies(self, create, extracted, **kwargs):
        """Schedule the given deputies (``deputies=[d1, d2]``)."""
        if create and extracted:
            self.deputies.set(extracted)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    name = factory.Sequence(lambda n: f"有测试项{n}")
    order = factory.Sequence(lambda n: 1000 + n)


class StationChecklistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationChecklistEntry

    station = factory.SubFactory(LiaisonStationFactory)
    item = factory.SubFactory(ChecklistItemFactory)
    met = True
    evidence = "站点面积120平方米,有接待室。"
    checked_on = datetime.date(2026, 10, 8)
