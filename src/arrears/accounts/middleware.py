"""A user holding a one-time password (`User.must_change_password`) may do one thing: choose their own.

Every other request of theirs is sent to the change-password page (GET and HEAD) or refused with 403 (anything
else: a form post, an API call), so nothing is done under a password someone else has seen. Signing out stays
possible, and so are the health probes (`/healthz`, `/readyz`). Placed after `AuthenticationMiddleware`.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            change = reverse("password-change")
            allowed = (change, reverse("logout"), reverse("healthz"), reverse("readyz"))  # probes: no user's data
            if request.path_info not in allowed and not request.path_info.startswith("/static/"):
                if request.method in ("GET", "HEAD"):
                    return redirect_to_login(request.get_full_path(), change)
                return HttpResponseForbidden(
                    _("Choose your own password first: the one you were given is for the first sign-in only.")
                )
        return self.get_response(request)
