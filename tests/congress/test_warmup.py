"""A web worker builds its URL lookups and templates at start (congress.warmup)."""

from __future__ import annotations

from django.conf import settings
from django.template import engines
from django.urls import clear_url_caches
from django.urls import get_resolver
from django.urls import reverse
from django.utils import translation

from congress import warmup


def test_reverse_lookups_are_built_for_every_language_and_namespace():
    clear_url_caches()
    warmup.reverse_lookups_build()
    resolver = get_resolver()
    languages = {code for code, _name in settings.LANGUAGES}
    assert set(resolver._reverse_dict) >= languages
    _prefix, admin = resolver.namespace_dict["admin"]
    assert set(admin._reverse_dict) >= languages
    with translation.override("en"):
        assert reverse("admin:index") and reverse("portal-votes")


def test_every_project_template_is_compiled_into_the_cached_loader():
    names = warmup.templates_compile()
    assert {"base.html", "livelihood_votes/portal/vote_receipt.html"} <= set(names)
    (loader,) = engines["django"].engine.template_loaders
    cached = {key.split("-")[0] for key in loader.get_template_cache}
    assert set(names) <= cached
