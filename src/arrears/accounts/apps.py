from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "arrears.accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from arrears.accounts import login_failures

        login_failures.connect()  # failed sign-ins are audit events (AUTH-4)
