from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("监督工作")

    def ready(self) -> None:
        from congress.extensions import NavLink
        from congress.extensions import demo_builder_register
        from congress.extensions import nav_link_register
        from congress.extensions import scale_builder_register
        from congress.extensions import scale_reset_register
        from congress.reports.registry import report_kind_register
        from congress.roles import Role
        from oversight import rules  # noqa: F401 (registers the object rules)
        from oversight.demo import oversight_demo_build
        from oversight.reports import FOUR_LISTS
        from oversight.reports import PLAN
        from oversight.reports import SUMMARY
        from oversight.resets import oversight_scale_reset
        from oversight.scale import oversight_scale_build

        demo_builder_register("oversight", oversight_demo_build, order=60)
        scale_builder_register("oversight", oversight_scale_build, order=60)
        # Before the deputies' reset (10): topics point at deputies and opinions.
        scale_reset_register("oversight", oversight_scale_reset, order=60)
        report_kind_register(FOUR_LISTS)
        report_kind_register(PLAN)
        report_kind_register(SUMMARY)

        nav_link_register(
            NavLink("portal-topics", _("监督议题"), roles={Role.DEPUTY}, order=40)
        )
        nav_link_register(
            NavLink("portal-evaluations", _("监督测评"), roles={Role.DEPUTY}, order=41)
        )
        nav_link_register(
            NavLink(
                "portal-oversight",
                _("监督任务"),
                roles={Role.UNIT_LIAISON, Role.EXPERT},
                order=40,
            )
        )
