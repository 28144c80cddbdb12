from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "arrears.compliance"
    verbose_name = "Compliance and audit"
