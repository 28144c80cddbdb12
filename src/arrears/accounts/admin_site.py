"""The Django admin site of arrears: who is not admitted gets an answer, never a loop.

Django's admin sends everyone it does not admit to its login page, and arrears' login page sends a signed-in
user straight back to `next` — so a signed-in collector opening `/admin/` bounced between the two forever.
Here a signed-in user whose role grants no back-office permission (`User.is_staff`) gets 403, and an anonymous
visitor goes once to the site's own `/login/` (audited, rate-limited) with `next` set.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache


class ArrearsAdminSite(AdminSite):
    # The product's name in the header and the browser's title, in the reader's language (not "Django").
    site_header = gettext_lazy("arrears administration")
    site_title = gettext_lazy("arrears administration")

    def admin_view(self, view, cacheable=False):
        admitted = super().admin_view(view, cacheable)

        def gate(request, *args, **kwargs):
            if not self.has_permission(request):
                if request.user.is_authenticated:
                    raise PermissionDenied("no back-office permission: the admin is not for this role")
                return redirect_to_login(request.get_full_path())  # settings.LOGIN_URL, the site's /login/
            return admitted(request, *args, **kwargs)

        return update_wrapper(never_cache(gate), admitted)
