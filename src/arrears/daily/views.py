"""The run ledger pages for supervisors and administrators: recent runs and one run's report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import require
from arrears.daily import exports
from arrears.daily.labels import PROBLEMS, worded
from arrears.daily.models import Run
from arrears.home import export
from arrears.portfolio.queries import business_date
from arrears.rules.calendar_watch import page_warning

RECENT = 60


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_RUNS)
    if export.wanted(request):
        return exports.runs(request)
    runs = list(Run.objects.order_by("-business_date")[:RECENT])
    warning = page_warning(request.user, lambda: business_date() or timezone.localdate(), administrators_only=False)
    return render(request, "daily/run_list.html", {"runs": runs, "calendar_warning": warning})


@login_required
def run_detail(request: HttpRequest, business_date: str) -> HttpResponse:
    require(request.user, Perm.VIEW_RUNS)
    try:  # ASCII digits only: parse_date reads full-width ones; a well-formed impossible date is a ValueError
        day = parse_date(business_date) if business_date.isascii() else None
    except ValueError:
        day = None
    run = Run.objects.filter(business_date=day).first() if day else None
    if run is None:
        raise Http404(_("No run for that date"))
    problems = run.problems.select_related("loan").order_by("loan__external_id")[:200]
    return render(
        request,
        "daily/run_detail.html",
        {
            "run": run,
            "problems": problems,
            "problem_words": PROBLEMS,
            "problem_count": run.problems.count(),
            "changes": worded(dict(sorted(run.changes.items()))),
            "by_class": worded(run.summary.get("by_class", {})),
            "by_bucket": list(run.summary.get("by_bucket", {}).items()),  # M0–M3+: the bank's own terms
            "case_decisions": worded(run.summary.get("case_decisions", {})),
            "tasks_due": worded(run.summary.get("tasks_due", {})),
            "reminders": worded(run.summary.get("reminders", {})),
            "seconds": worded(run.seconds or {}),
        },
    )
