"""What a web worker does once at start instead of in its first requests.

A fresh worker builds the URL resolver's reverse lookups for each language on
its first ``{% url %}`` (the admin's namespace apart), and compiles each template
on its first use: 0.25–0.3 s of CPU in its first pages. In the 500-ballot burst
the workers that had not yet served a page paid it during the burst. Done here,
before ``gc.freeze()`` in ``congress.wsgi``, it is paid at start and the
structures it builds are frozen with the rest of the startup heap.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> None:
    reverse_lookups_build()
    templates_compile()


def reverse_lookups_build() -> None:
    """The reverse lookups of the URL resolver and its namespaces, per language."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolvers = [get_resolver()]
            while resolvers:
                resolver = resolvers.pop()
                resolver.reverse_dict  # noqa: B018 — built on first access
                resolvers.extend(
                    sub for _prefix, sub in resolver.namespace_dict.values()
                )


def templates_compile() -> list[str]:
    """Load every template of the project's template directories into the cached
    loader (about 0.1 s for all of them); return their names."""
    engine = engines["django"]
    names = []
    for directory in engine.engine.dirs:
        root = Path(directory)
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            engine.get_template(name)
            names.append(name)
    return names
