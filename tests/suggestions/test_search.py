"""Chinese search: jieba-segmented words in a 'simple' tsvector."""

import pytest

from suggestions import services
from suggestions.models import Suggestion
from suggestions.search import search_filter
from suggestions.search import segment

pytestmark = pytest.mark.django_db


def _draft(deputy, title, content):
    return services.suggestion_create(
        deputy=deputy, actor=deputy.user, title=title, content=content
    )


def test_segment_splits_compound_words():
    assert {"农村", "道路", "硬化"} <= set(segment("农村道路硬化"))


def test_search_finds_word_inside_compound_and_not_where_absent(deputy_a):
    """道路 matches 农村道路硬化; a suggestion without 道路 is not found."""
    road = _draft(
        deputy_a, "关于加快农村道路硬化的建议", "桃洪镇部分村组尚未通硬化路。"
    )
    school = _draft(deputy_a, "关于改善乡村学校条件的建议", "部分村小缺少教师和校舍。")
    found = set(search_filter(Suggestion.objects.all(), "道路"))
    assert found == {road}
    assert set(search_filter(Suggestion.objects.all(), "学校")) == {school}
    assert not search_filter(Suggestion.objects.all(), "医院").exists()


def test_search_vector_follows_edits(deputy_a):
    """The service keeps the vector up to date when the deputy edits the draft."""
    draft = _draft(deputy_a, "关于路灯的建议", "村里晚上没有路灯,出行不便。")
    services.suggestion_update(
        suggestion=draft,
        actor=deputy_a.user,
        title="关于农村道路照明的建议",
        content="建议在农村道路两侧安装太阳能路灯。",
        category="urban",
    )
    assert search_filter(Suggestion.objects.all(), "道路").get() == draft


def test_every_query_word_must_match(deputy_a):
    _draft(deputy_a, "关于农村道路硬化的建议", "建议尽快硬化村组道路,方便群众出行。")
    assert not search_filter(Suggestion.objects.all(), "道路 学校").exists()
    assert search_filter(Suggestion.objects.all(), "农村 道路").exists()
