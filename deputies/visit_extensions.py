"""Register the portal's navigation links and the visit data builders with the
core (called from ``DeputiesConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from congress.extensions import NavLink
from congress.extensions import demo_builder_register
from congress.extensions import nav_link_register
from congress.extensions import scale_builder_register
from congress.roles import Role


def register() -> None:
    from deputies import admin_visits  # noqa: F401 (registers the admin)
    from deputies.visit_data import visits_demo_build
    from deputies.visit_data import visits_scale_build

    nav_link_register(
        NavLink(
            "portal-home",
            _("我的履职"),
            roles={Role.DEPUTY, Role.STATION_MANAGER},
            order=20,
        )
    )
    nav_link_register(
        NavLink("portal-visit-log", _("登记进站"), roles={Role.DEPUTY}, order=21)
    )
    demo_builder_register("deputies.visits", visits_demo_build, order=20)
    scale_builder_register("deputies.visits", visits_scale_build, order=20)
