"""Factories for the suggestions app; the flow itself is driven through services."""

import factory

from suggestions.models import Category
from suggestions.models import Suggestion
from tests.factories.deputies import DeputyFactory


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A draft; move it along with ``suggestions.services``."""

    class Meta:
        model = Suggestion

    title = factory.Sequence(lambda n: f"关于第{n}件事项的建议")
    content = "建议有关部门尽快研究解决群众反映强烈的问题,具体意见如下。"
    category = Category.OTHER
    lead_deputy = factory.SubFactory(DeputyFactory)
    region = factory.LazyAttribute(
        lambda s: s.lead_deputy.region.county or s.lead_deputy.region
    )
