from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("代表建议")

    def ready(self) -> None:
        from congress.extensions import NavLink
        from congress.extensions import demo_builder_register
        from congress.extensions import nav_link_register
        from congress.extensions import scale_builder_register
        from congress.extensions import scale_reset_register
        from congress.reports.registry import report_kind_register
        from congress.roles import ADMIN_ROLES
        from congress.roles import Role
        from suggestions.demo import suggestions_demo_build
        from suggestions.demo import suggestions_scale_build
        from suggestions.reports import HANDLING_REPORT
        from suggestions.resets import suggestions_scale_reset

        nav_link_register(
            NavLink(
                "suggestions:portal-list", _("我的建议"), roles={Role.DEPUTY}, order=30
            )
        )
        nav_link_register(
            NavLink(
                "suggestions:unit-list",
                _("建议办理"),
                roles={Role.UNIT_LIAISON},
                order=30,
            )
        )
        nav_link_register(
            NavLink(
                "suggestions:statistics",
                _("建议统计"),
                roles=set(ADMIN_ROLES),
                order=60,
            )
        )
        nav_link_register(
            NavLink(
                "suggestions:supervisor-list",
                _("督办的建议"),
                roles={Role.LEADERSHIP},
                order=61,
            )
        )
        report_kind_register(HANDLING_REPORT)
        demo_builder_register("suggestions", suggestions_demo_build, order=40)
        scale_builder_register("suggestions", suggestions_scale_build, order=40)
        # Before the deputies' reset (10): suggestions point at deputies and opinions.
        scale_reset_register("suggestions", suggestions_scale_reset, order=40)
        # 履职积分 and 履职档案 count suggestions (deputies cannot import us).
        from suggestions import points_sources

        points_sources.register()
