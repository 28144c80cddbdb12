"""Sign-in, sign-out and choosing one's password: Django's views and forms, the changes through audited actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from arrears.accounts.actions import do_change_password, do_log_in, do_log_out


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


class _ChangeForm(PasswordChangeForm):
    """Django's form checks the current password, the new one against the password rules, and that both new
    fields match; `save` is not used: the change goes through `do_change_password`."""


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Choose one's own password; the only page open to a user holding a one-time password (Issue 14)."""
    form = _ChangeForm(request.user, request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        try:
            do_change_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            update_session_auth_hash(request, request.user)  # this session stays signed in; others end
            return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "forced": request.user.must_change_password}
    return render(request, "accounts/password_change.html", context)
