"""Factories for the oversight app."""

import datetime

import factory

from oversight.models import Category
from oversight.models import DeliberationOpinion
from oversight.models import Expert
from oversight.models import Method
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import TopicProposal
from tests.factories.congress import RegionFactory


class OversightPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OversightPlan

    region = factory.SubFactory(RegionFactory)
    year = 2027
    title = factory.LazyAttribute(lambda p: f"{p.region.name}{p.year}年度监督工作计划")


class OversightItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OversightItem

    region = factory.SubFactory(RegionFactory)
    title = factory.Sequence(lambda n: f"监督事项{n}")
    category = Category.LIVELIHOOD
    method = Method.WORK_REPORT


class TopicProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicProposal

    region = factory.SubFactory(RegionFactory)
    year = 2027
    title = factory.Sequence(lambda n: f"议题{n}")
    category = Category.ECOLOGY
    source = TopicProposal.Source.MEMBER


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    region = factory.SubFactory(RegionFactory)
    name = factory.Faker("name", locale="zh_CN")
    field = "法学"
    affiliation = "邵阳学院"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class DeliberationOpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliberationOpinion

    item = factory.SubFactory(OversightItemFactory)
    text = "审议意见正文"
    issued_on = datetime.date(2027, 3, 1)
    report_due = datetime.date(2027, 5, 1)
