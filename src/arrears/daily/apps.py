from django.apps import AppConfig


class DailyConfig(AppConfig):
    name = "arrears.daily"
    verbose_name = "Daily run"
