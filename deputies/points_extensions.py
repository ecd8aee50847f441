"""Where 履职积分 plugs in: report kinds, navigation, admin, task, demo and scale data.

Called once from ``DeputiesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from congress.extensions import NavLink
    from congress.extensions import demo_builder_register
    from congress.extensions import nav_link_register
    from congress.extensions import scale_builder_register
    from congress.extensions import scale_reset_register
    from congress.reports.registry import report_kind_register
    from congress.roles import ADMIN_ROLES
    from congress.roles import Role
    from deputies import points_admin  # noqa: F401 (registers the admin)
    from deputies import points_tasks  # noqa: F401 (registers the nightly task)
    from deputies.archive import BOOKLET
    from deputies.points_data import points_demo_build
    from deputies.points_data import points_scale_build
    from deputies.points_data import points_scale_reset

    report_kind_register(BOOKLET)
    nav_link_register(
        NavLink("portal-points", _("我的积分"), roles={Role.DEPUTY}, order=40)
    )
    nav_link_register(
        NavLink("points-ranking", _("积分排名"), roles=set(ADMIN_ROLES), order=60)
    )
    # After the visits, activities, opinions and suggestions the ledger counts.
    demo_builder_register("deputies.points", points_demo_build, order=90)
    scale_builder_register("deputies.points", points_scale_build, order=90)
    scale_reset_register("deputies.points", points_scale_reset, order=90)
