from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "arrears.rules"
    verbose_name = "Policy versions and working-day calendar"
