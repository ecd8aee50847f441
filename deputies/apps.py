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
