from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "deputies"
    verbose_name = _("代表与联络站")

    def ready(self) -> None:
        from congress.reports.registry import report_kind_register
        from deputies.posters import DEPUTY_POSTER
        from deputies.posters import STATION_POSTER
        from deputies.reports import ROSTER

        report_kind_register(ROSTER)
        report_kind_register(STATION_POSTER)
        report_kind_register(DEPUTY_POSTER)

        from deputies import points_extensions

        points_extensions.register()

        from deputies import visit_extensions

        visit_extensions.register()
        self._opinions_ready()

        from congress.extensions import scale_reset_register
        from deputies.resets import deputies_scale_reset

        # After the apps that point at visits and opinions, before the core.
        scale_reset_register("deputies", deputies_scale_reset, order=10)

    def _opinions_ready(self) -> None:
        """民情民意: the portal link, the admin, demo and scale data."""
        from congress.extensions import NavLink
        from congress.extensions import demo_builder_register
        from congress.extensions import nav_link_register
        from congress.extensions import scale_builder_register
        from congress.roles import Role
        from deputies import opinion_admin  # noqa: F401 (registers the admin)
        from deputies.opinion_data import opinions_demo_build
        from deputies.opinion_data import opinions_scale_build

        nav_link_register(
            NavLink(
                "portal-opinion-list",
                _("群众意见"),
                roles={Role.DEPUTY, Role.STATION_MANAGER},
                order=30,
            )
        )
        demo_builder_register("deputies.opinions", opinions_demo_build, order=40)
        scale_builder_register("deputies.opinions", opinions_scale_build, order=40)
