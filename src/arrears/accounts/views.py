"""Sign-in and sign-out: Django's views, with the session change going through the audited actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from arrears.accounts.actions import do_log_in, do_log_out


class LoginView(auth_views.LoginView):
    """Django's login (its form, `next` checking, session key rotation) recorded as `auth.login`. Failed
    attempts are counted and locked out by django-axes, which keeps its own records."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context

    def form_valid(self, form):
        do_log_in(self.request, form.get_user())
        return HttpResponseRedirect(self.get_success_url())


class LogoutView(auth_views.LogoutView):
    """POST only (as Django's), recorded as `auth.logout`."""

    def post(self, request, *args, **kwargs):
        do_log_out(request)
        return super().post(request, *args, **kwargs)
