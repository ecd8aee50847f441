from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "deputies"
    verbose_name = _("代表与联络站")

    def ready(self) -> None:
        from congress.reports.registry import report_kind_register
        from deputies.reports import ROSTER

        report_kind_register(ROSTER)
