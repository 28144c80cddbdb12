from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "arrears.accounts"
    verbose_name = "Accounts and roles"
