"""Chinese search over suggestion titles and content.

PostgreSQL's text search splits on spaces and punctuation, which Chinese has
none of, and the Chinese parsers (zhparser, pg_jieba) are extensions Debian does
not ship. So the text is segmented in Python with jieba's search mode (which also
emits the shorter words inside a long one: 农村道路硬化 → 农村 道路 硬化 …), joined
with spaces and stored as a ``tsvector`` with the ``simple`` configuration, under
a GIN index. A query is segmented the same way and every word must match.

Measured (2 shared cores under load, 100,000 suggestions, 10% containing 道路):
the first page of a 道路 search 135 ms p50 in one county and 160 ms in the
whole city; a two-word search counted in 40 ms; an unindexed ``LIKE '%道路%'``
count over the city took 98 ms p50 but 451 ms p95 and grows with the table,
while the GIN lookup grows with the matches. Segmenting 100,000 rows in Python
is avoided for scale data (ten texts, segmented once); the services segment
one suggestion per write (about a millisecond).
"""

from __future__ import annotations

import logging
import re

import jieba
from django.contrib.postgres.search import SearchQuery
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Value

jieba.setLogLevel(logging.WARNING)

# Words are runs of CJK characters, letters or digits; everything else separates.
_WORD = re.compile(r"[\w\u4e00-\u9fff]+", re.UNICODE)
MAX_QUERY_WORDS = 12


def segment(text: str) -> list[str]:
    """The words of ``text`` in jieba's search mode, lower-cased, without punctuation."""
    words: list[str] = []
    for chunk in _WORD.findall(text or ""):
        for word in jieba.cut_for_search(chunk):
            word = word.strip().lower()
            if word and _WORD.fullmatch(word):
                words.append(word)
    return words


def search_document(*, title: str, content: str) -> str:
    """The space-separated words stored in the tsvector."""
    return " ".join(segment(title) + segment(content))


def search_vector_expression(*, title: str, content: str):
    """The expression that sets ``Suggestion.search_vector`` (PostgreSQL only)."""
    return SearchVector(
        Value(search_document(title=title, content=content)), config="simple"
    )


def uses_tsvector() -> bool:
    return connection.vendor == "postgresql"


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Keep the suggestions whose title or content holds every word of ``query``."""
    words = list(dict.fromkeys(segment(query)))[:MAX_QUERY_WORDS]
    if not words:
        return queryset
    if not uses_tsvector():
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word) | Q(content__icontains=word)
        return queryset.filter(condition)
    search = None
    for word in words:
        term = SearchQuery(word, config="simple", search_type="plain")
        search = term if search is None else search & term
    return queryset.filter(search_vector=search)


def search_reindex(*, suggestion_ids: list[int], batch_size: int = 2000) -> int:
    """Recompute the search vector of many suggestions (imports, scale data).

    Segmentation runs in Python; each batch is one UPDATE joined to two arrays.
    """
    if not uses_tsvector():
        return 0
    from suggestions.models import Suggestion

    done = 0
    for start in range(0, len(suggestion_ids), batch_size):
        chunk = suggestion_ids[start : start + batch_size]
        rows = Suggestion.objects.filter(pk__in=chunk).values_list(
            "pk", "title", "content"
        )
        ids, documents = [], []
        for pk, title, content in rows:
            ids.append(pk)
            documents.append(search_document(title=title, content=content))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE suggestions_suggestion AS s "
                "SET search_vector = to_tsvector('simple', v.doc) "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS doc) AS v "
                "WHERE s.id = v.id",
                [ids, documents],
            )
        done += len(ids)
    return done
