from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatifConfig(AppConfig):
    name = "arrears.whatif"
    verbose_name = _("Policy what-if")
