"""Where the apps plug into the core: navigation, demo data and scale data.

The core must not import the apps that stand on it. Each app registers what it adds
in its ``AppConfig.ready()``:

    from congress.extensions import NavLink, nav_link_register, demo_builder_register

    nav_link_register(NavLink("portal-visits", _("进站履职"), roles={Role.DEPUTY}, order=20))
    demo_builder_register("deputies.visits", visits_demo_build, order=20)
    scale_builder_register("deputies.visits", visits_scale_build, order=20)

``seed_demo`` runs the demo builders after the core data, in ``order``; each
builder takes ``log`` and must be idempotent (running the command twice changes
nothing). ``generate_scale_data`` runs the scale builders the same way with the
keyword ``options`` (the command's parsed options) as well, and ``--reset`` first
runs the resets registered with ``scale_reset_register``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any


@dataclass(frozen=True)
class NavLink:
    """A link in the top navigation, shown to users holding one of ``roles``
    (staff-side links: the admin roles; empty ``roles``: every signed-in user)."""

    url_name: str
    label: Any
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 50

    def shown_to(self, role_names: Iterable[str], *, is_superuser: bool) -> bool:
        if not self.roles:
            return True
        return is_superuser or bool(self.roles & set(role_names))


@dataclass(frozen=True)
class Builder:
    name: str
    build: Callable[..., None]
    order: int


_NAV_LINKS: dict[str, NavLink] = {}
_DEMO_BUILDERS: dict[str, Builder] = {}
_SCALE_BUILDERS: dict[str, Builder] = {}


def nav_link_register(link: NavLink) -> None:
    """Add (or replace, by URL name) a navigation link."""
    _NAV_LINKS[link.url_name] = NavLink(
        link.url_name, link.label, frozenset(str(r) for r in link.roles), link.order
    )


def nav_links() -> list[NavLink]:
    return sorted(_NAV_LINKS.values(), key=lambda link: (link.order, link.url_name))


def demo_builder_register(
    name: str, build: Callable[..., None], *, order: int = 50
) -> None:
    """Register an idempotent demo builder ``build(*, log)``."""
    _DEMO_BUILDERS[name] = Builder(name, build, order)


def demo_builders() -> list[Builder]:
    return sorted(_DEMO_BUILDERS.values(), key=lambda b: (b.order, b.name))


def scale_builder_register(
    name: str, build: Callable[..., None], *, order: int = 50
) -> None:
    """Register an idempotent scale builder ``build(*, options, log)``."""
    _SCALE_BUILDERS[name] = Builder(name, build, order)


def scale_builders() -> list[Builder]:
    return sorted(_SCALE_BUILDERS.values(), key=lambda b: (b.order, b.name))


_SCALE_RESETS: dict[str, Builder] = {}


def scale_reset_register(
    name: str, reset: Callable[..., None], *, order: int = 50
) -> None:
    """Register ``reset(*, prefix)``: delete the app's rows within the region code
    prefix. ``generate_scale_data --reset`` runs these, highest order first,
    before it removes the core rows the apps point to."""
    _SCALE_RESETS[name] = Builder(name, reset, order)


def scale_resets() -> list[Builder]:
    return sorted(_SCALE_RESETS.values(), key=lambda b: (-b.order, b.name))


def scale_raw_delete(*querysets) -> None:
    """Delete generated rows for a reset, in the order given (children first),
    without per-row signals or history: a wipe of millions of rows."""
    for queryset in querysets:
        queryset._raw_delete(queryset.db)


def scale_polls_delete(poll_ids) -> None:
    """Delete the polls an app's reset owns, with their ballots, receipts, paper
    counts, voters and options (the congress ``Poll`` engine's tables)."""
    from congress.models import Ballot
    from congress.models import BallotChoice
    from congress.models import BallotReceipt
    from congress.models import PaperCount
    from congress.models import Poll
    from congress.models import PollOption
    from congress.models import PollVoter

    scale_raw_delete(
        BallotChoice.objects.filter(ballot__poll_id__in=poll_ids),
        Ballot.objects.filter(poll_id__in=poll_ids),
        BallotReceipt.objects.filter(poll_id__in=poll_ids),
        PaperCount.history.filter(poll_id__in=poll_ids),
        PaperCount.objects.filter(poll_id__in=poll_ids),
        PollVoter.objects.filter(poll_id__in=poll_ids),
        PollOption.objects.filter(poll_id__in=poll_ids),
        Poll.history.filter(id__in=poll_ids),
        Poll.objects.filter(pk__in=poll_ids),
    )
