"""Agencies' commission statements on the workstation (Clause: LGL-2, KPI-2, PRV-1). Thin: check, read, answer.

URL patterns (in `arrears.agencies.urls`, app_name "agencies", under /agencies/):

    path("commissions/", views_commissions.commission_index, name="commissions"),
    path("<str:code>/commissions/<str:month>/", views_commissions.commission_statement, name="commission-statement"),
    path("<str:code>/commissions/<str:month>.<str:kind>", views_commissions.commission_file, name="commission-file"),

Who sees what is `commissions.reach_for`: supervisors every agency with the borrowers masked; readers of reports
(analysts, compliance) every agency, figures only; an agency's own users their agency only (any other code: 404),
with the borrowers of the placements in force today. A bad month (2026-13, 99999-01) is answered 400 saying how to
write it. The PDF and the CSV of a statement that shows borrowers are audited reads
(`agencies.view_commission_statement`); one of figures only is not (it carries no personal data).
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.commission_pdf import render_statement_pdf
from arrears.agencies.commissions import (
    BadMonth,
    Month,
    Reach,
    commission_costs_per_agency,
    reach_for,
    statement,
)
from arrears.agencies.exports import statement_csv
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.portfolio.queries import business_date

KINDS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
# The permission an audited opening rests on, by the reader's reach.
BASIS = {Reach.FULL: Perm.DECIDE_ESCALATION, Reach.AGENCY: Perm.VIEW_AGENCY_CASES}


def _today():
    return business_date() or timezone.localdate()


def _bad_month(request: HttpRequest, exc: BadMonth) -> HttpResponse:
    return render(request, "home/bad_request.html", {"message": str(exc)}, status=400)


@login_required
@require_GET
def commission_index(request: HttpRequest) -> HttpResponse:
    """An agency user: their agency's statement of this month. Supervisors and readers of reports: every agency
    with its commission this month (so far) and last month, each linking its statements."""
    user = request.user
    this = Month.of(_today())
    if getattr(user, "agency_id", None) is not None:
        require(user, Perm.VIEW_AGENCY_CASES)
        code = Agency.objects.values_list("code", flat=True).get(pk=user.agency_id)
        return redirect("agencies:commission-statement", code=code, month=str(this))
    if not (has_perm(user, Perm.DECIDE_ESCALATION) or has_perm(user, Perm.VIEW_REPORTS)):
        require(user, Perm.DECIDE_ESCALATION)  # refused and logged
    last = this.previous()
    now = commission_costs_per_agency(this.first, this.last)
    before = commission_costs_per_agency(last.first, last.last)
    rows = [(agency, now.get(agency.pk, 0), before.get(agency.pk, 0)) for agency in Agency.objects.order_by("name")]
    return render(request, "agencies/commissions_index.html", {"rows": rows, "this": this, "last": last})


@login_required
@require_GET
def commission_statement(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """Clause: LGL-2 — the statement page: one row per placement that covered a day of the month."""
    agency, reach = reach_for(request.user, code)
    try:
        chosen = Month.parse(month)
    except BadMonth as exc:
        return _bad_month(request, exc)
    found = statement(agency, chosen, reach, _today())
    context = {
        "s": found,
        "people": reach is not Reach.FIGURES,
        "previous": chosen.previous() if chosen.year > 1 or chosen.number > 1 else None,
        "next": chosen.next() if chosen.year < 9999 or chosen.number < 12 else None,
    }
    return render(request, "agencies/commissions.html", context)


@login_required
@require_GET
def commission_file(request: HttpRequest, code: str, month: str, kind: str) -> HttpResponse:
    """Clause: LGL-2, PRV-1 — the statement as PDF (inline) or CSV (attachment), never cached; an audited read when
    it shows borrowers."""
    if kind not in KINDS:
        raise Http404("a commission statement is downloaded as .pdf or .csv")
    agency, reach = reach_for(request.user, code)
    try:
        chosen = Month.parse(month)
    except BadMonth as exc:
        return _bad_month(request, exc)
    found = statement(agency, chosen, reach, _today())
    content = render_statement_pdf(found) if kind == "pdf" else statement_csv(found)
    if found.personal:
        with audited(
            request.user,
            ActionCode.VIEW_COMMISSION_STATEMENT,
            permission=BASIS[reach],
            subject=agency,
            clause="PRV-1",
        ) as record:
            record.change("month", None, str(chosen))
            record.change("format", None, kind)
            record.change("rows", None, len(found.rows))
            record.change("borrowers_shown", None, sum(row.shows_person for row in found.rows))
    response = HttpResponse(content, content_type=KINDS[kind])
    disposition = "inline" if kind == "pdf" else "attachment"
    name = re.sub(r"[^A-Za-z0-9-]", "", agency.code)  # the admin's validator allows no other; a header takes none
    response["Content-Disposition"] = f'{disposition}; filename="commissions-{name}-{chosen}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
