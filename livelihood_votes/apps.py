from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodVotesConfig(AppConfig):
    name = "livelihood_votes"
    verbose_name = _("民生实事项目票决")

    def ready(self) -> None:
        from congress.extensions import NavLink
        from congress.extensions import demo_builder_register
        from congress.extensions import nav_link_register
        from congress.extensions import scale_builder_register
        from congress.extensions import scale_reset_register
        from congress.reports.registry import report_kind_register
        from congress.roles import Role
        from livelihood_votes import rules  # noqa: F401 (registers object rules)
        from livelihood_votes.demo import livelihood_demo_build
        from livelihood_votes.demo import livelihood_scale_build
        from livelihood_votes.demo import livelihood_scale_reset
        from livelihood_votes.reports import ANNUAL
        from livelihood_votes.reports import RESULT

        report_kind_register(RESULT)
        report_kind_register(ANNUAL)

        nav_link_register(
            NavLink("portal-votes", _("票决"), roles={Role.DEPUTY}, order=40)
        )
        nav_link_register(
            NavLink(
                "livelihood-portal-supervision",
                _("项目督查"),
                roles={Role.DEPUTY},
                order=41,
            )
        )
        nav_link_register(
            NavLink(
                "livelihood-portal-deputy-proposals",
                _("提项目建议"),
                roles={Role.DEPUTY},
                order=42,
            )
        )
        nav_link_register(
            NavLink(
                "livelihood-portal-unit-proposals",
                _("项目建议"),
                roles={Role.UNIT_LIAISON},
                order=46,
            )
        )
        nav_link_register(
            NavLink(
                "livelihood-portal-projects",
                _("民生实事"),
                roles={Role.UNIT_LIAISON, Role.STAFF, Role.LEADERSHIP},
                order=45,
            )
        )
        # After the deputies, opinions and suggestions the rounds draw on.
        demo_builder_register("livelihood_votes", livelihood_demo_build, order=70)
        scale_builder_register("livelihood_votes", livelihood_scale_build, order=70)
        # Before the deputies' reset (10) and the core one: rounds point at both.
        scale_reset_register("livelihood_votes", livelihood_scale_reset, order=70)
