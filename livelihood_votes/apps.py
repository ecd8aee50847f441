from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodVotesConfig(AppConfig):
    name = "livelihood_votes"
    verbose_name = _("民生实事项目票决")
