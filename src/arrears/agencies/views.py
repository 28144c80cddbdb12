"""The agencies page (Clause: AGY-1, AGY-3): every agency with its code, documents and eligibility today; those
whose licence expires within the policy's warning period are flagged for supervisors; each agency's violations in
the suspension window, and whether they suspend its new placements."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.queries import agencies_on, may_see_agencies
from arrears.agencies.suspension import suspensions
from arrears.compliance.actions import require
from arrears.rules.queries import policy_on


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    if not may_see_agencies(request.user):
        require(request.user, Perm.DECIDE_ESCALATION)  # refused and logged
    on = timezone.localdate()
    rows = agencies_on(on)
    standing = suspensions([row.agency.pk for row in rows], on)
    context = {
        "rows": rows,
        "on": on,
        "warning_days": policy_on(on).agency.expiry_warning_days,
        "expiring": [row for row in rows if row.status.expiring_soon],
        "can_place": has_perm(request.user, Perm.DECIDE_ESCALATION),
        "standing": [(row, standing[row.agency.pk]) for row in rows],
        "suspended": [row for row in rows if standing[row.agency.pk].suspended],
    }
    return render(request, "agencies/list.html", context)
