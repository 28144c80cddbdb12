from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import require
from arrears.operations.queries import job_table, recent_runs


@login_required
def job_runs(request: HttpRequest) -> HttpResponse:
    """The worker's jobs and their recent attempts: state, duration, the error of a failure."""
    require(request.user, Perm.VIEW_RUNS)
    return render(request, "operations/job_runs.html", {"jobs": job_table(), "rows": recent_runs()})
