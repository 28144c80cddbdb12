"""Django authentication backend: passwords as usual, permissions from the user's role only.

- Only an active user whose role grants `accounts.sign_in` may sign in, and a session ends on the next request
  once that stops being true (Django re-checks `user_can_authenticate` when it loads the session's user).
- A service account (`is_service_account`) never signs in, nor keeps a session: it uses API tokens.
- `user.has_perm("portfolio.unmask")` answers from the role, like `has_perm(user, Perm.UNMASK)`.
- Django's model permissions (`accounts.change_user` …), which the admin asks for, are granted in full for each
  model listed in `ADMIN_MODEL_GRANTS` when the role has the permission named there; each ModelAdmin may still
  refuse add, change or delete. Django groups, per-user permissions and superusers grant nothing.

Listed after `axes.backends.AxesStandaloneBackend`, which refuses locked-out logins first.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from arrears.accounts.permissions import ADMIN_MODEL_GRANTS, Perm, granted_permissions

_MODEL_ACTIONS = ("view", "add", "change", "delete")
User = get_user_model()


def django_permissions(grants: frozenset[Perm]) -> set[str]:
    """Every permission string a user with these grants holds: the codes themselves and the model rights."""
    perms = {str(p) for p in grants}
    for label, perm in ADMIN_MODEL_GRANTS.items():
        if perm in grants:
            app_label, model = label.split(".")
            perms.update(f"{app_label}.{action}_{model}" for action in _MODEL_ACTIONS)
    return perms


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        """The session's user with their role, team and agency in the same query (every page names the role)."""
        try:
            user = User._default_manager.select_related("role", "team", "agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_service_account", False):
            return False  # a service account calls the API with a token, never signs in (Issue 16)
        return super().user_can_authenticate(user) and Perm.SIGN_IN in granted_permissions(user)

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None:
            return set()
        return django_permissions(granted_permissions(user_obj))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        grants = granted_permissions(user_obj)
        return any(label.split(".")[0] == app_label and perm in grants for label, perm in ADMIN_MODEL_GRANTS.items())

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        raise NotImplementedError("ask which roles grant a Perm (RolePermission) instead of Django permissions")
