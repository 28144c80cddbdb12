from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "arrears.portfolio"
    verbose_name = "Portfolio"
