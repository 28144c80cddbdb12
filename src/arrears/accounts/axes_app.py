"""django-axes (failed sign-ins, lockouts) under a name in the reader's language: axes calls itself "Axes"."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Sign-in attempts")
