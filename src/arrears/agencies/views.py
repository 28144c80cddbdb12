"""The agencies page (Clause: AGY-1): every agency with its code, documents and eligibility today; those whose
licence expires within the policy's warning period are flagged for supervisors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.queries import agencies_on, may_see_agencies
from arrears.compliance.actions import require
from arrears.rules.queries import policy_on


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    if not may_see_agencies(request.user):
        require(request.user, Perm.DECIDE_ESCALATION)  # refused and logged
    on = timezone.localdate()
    rows = agencies_on(on)
    context = {
        "rows": rows,
        "on": on,
        "warning_days": policy_on(on).agency.expiry_warning_days,
        "expiring": [row for row in rows if row.status.expiring_soon],
        "can_place": has_perm(request.user, Perm.DECIDE_ESCALATION),
    }
    return render(request, "agencies/list.html", context)
