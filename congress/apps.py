from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = _("人大常委会")

    def ready(self) -> None:
        # The calendar connects the signals that clear its cache on edits.
        from congress import calendar  # noqa: F401
        from congress import signals  # noqa: F401
