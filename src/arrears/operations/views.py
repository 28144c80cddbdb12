from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from arrears.accounts.permissions import Perm
from arrears.accounts.roles import RoleCode
from arrears.compliance.actions import require
from arrears.operations.queries import job_table, recent_runs


@login_required
def job_runs(request: HttpRequest) -> HttpResponse:
    """The worker's jobs and their recent attempts: state, duration, what each did in words; a failure's error
    text (English, a technical detail) only for administrators."""
    require(request.user, Perm.VIEW_RUNS)
    context = {
        "jobs": job_table(),
        "rows": recent_runs(),
        "show_errors": request.user.role_id == RoleCode.ADMINISTRATOR,
    }
    return render(request, "operations/job_runs.html", context)
