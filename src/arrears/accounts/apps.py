from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "arrears.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        import arrears.bulk  # noqa: F401 - registers the `field__among=values` lookup before any query uses it
        from arrears.accounts import login_failures, sessions

        login_failures.connect()  # failed sign-ins are audit events (AUTH-4)
        user_logged_in.connect(sessions.stamp_renewal, dispatch_uid="arrears.accounts.sessions.stamp_renewal")
