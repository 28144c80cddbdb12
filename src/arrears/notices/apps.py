from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "arrears.notices"
    verbose_name = "Notices"
