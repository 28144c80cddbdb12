"""The policy page (/policy/): the collection policy in force on a business date, open to everyone."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arrears.policy import PolicyError
from arrears.policy.shown import table
from arrears.portfolio.queries import business_date
from arrears.rules.calendar_watch import page_warning
from arrears.rules.queries import policy_book


def policy_in_force(request: HttpRequest) -> HttpResponse:
    error = None
    on = timezone.localdate()
    raw = request.GET.get("on")
    if raw:
        try:
            on = date.fromisoformat(raw)
        except ValueError:
            error = _("“%(value)s” is not a date; use YYYY-MM-DD, e.g. 2026-03-01.") % {"value": raw}
    try:
        version = policy_book().version_on(on)
    except PolicyError as exc:  # a broken ARREARS_POLICY_FILES entry: say so instead of a bare 500
        return render(request, "home/policy.html", {"on": on, "error": str(exc), "sections": []}, status=500)
    chinese = (get_language() or "").startswith("zh")
    context = {
        "on": on,
        "error": error,
        "version": version,
        "since": None if version.effective_from == date.min else version.effective_from,
        # Each parameter by its meaning, values and ranges in words (the policy file's keys stay in data-key).
        "sections": table(version.policy, chinese=chinese),
        # Administrators see when the working-day calendar runs out, from the business date the desk works on.
        "calendar_warning": page_warning(
            request.user, lambda: business_date() or timezone.localdate(), administrators_only=True
        ),
    }
    return render(request, "home/policy.html", context, status=400 if error else 200)
