from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "arrears.home"
    verbose_name = "arrears"
