"""The report registry: apps declare their report kinds from ``AppConfig.ready``.

``congress`` imports no app; an app that has a report registers a
:class:`ReportKind` here, and the request service, the task and the pages find it
by its ``kind`` string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ReportKind:
    """One kind of PDF report.

    ``build_context(region=..., params=...)`` is a selector: it reads, never writes.
    ``can_request(user)`` says whether a role may ask for the report at all; the
    region is checked against the user's scope separately.
    """

    kind: str
    title: Any  # a lazy translation string
    template_name: str
    build_context: Callable[..., dict[str, Any]]
    can_request: Callable[[Any], bool]

    def title_for(self, *, region) -> str:
        """The title of one report of this kind: the region's name and the kind."""
        return _("%(region)s%(title)s") % {"region": region.name, "title": self.title}


_REGISTRY: dict[str, ReportKind] = {}


def report_kind_register(report_kind: ReportKind) -> ReportKind:
    """Register a report kind; registering the same kind again replaces it.

    Called from an ``AppConfig.ready``. It also imports the report task module, so
    every process that has a report kind (web and the reports worker) knows the
    task "congress.reports.generate" without the Celery app listing it.
    """
    from congress.reports import tasks  # noqa: F401

    _REGISTRY[report_kind.kind] = report_kind
    return report_kind


def report_kind_get(kind: str) -> ReportKind | None:
    """Return the registered kind, or None if no app registered it."""
    return _REGISTRY.get(kind)


def report_kind_list() -> list[ReportKind]:
    """Every registered kind, in registration order."""
    return list(_REGISTRY.values())
