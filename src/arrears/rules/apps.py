from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "arrears.rules"
    verbose_name = _("Policy versions and working-day calendar")
