"""Demo and scale data of the suggestions work (registered in ``apps.py``)."""

from __future__ import annotations


def suggestions_demo_build(*, log) -> None:
    """Suggestions in every state for the demo counties (idempotent)."""


def suggestions_scale_build(*, options, log) -> None:
    """``options["suggestions"]`` suggestions over five years (idempotent)."""
