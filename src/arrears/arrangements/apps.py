from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    name = "arrears.arrangements"
    verbose_name = "Arrangements"
