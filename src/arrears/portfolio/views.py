"""Borrower and loan pages. Thin: check permission, call a query or one action, render.

What a user sees is `collection.queries.visible_borrowers` (the cases' rule, Issue 14 item 16): a collector
gets "not found" for a borrower or loan outside their pools, and lists and searches leave them out.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection.queries import open_case_id, visible_borrowers, visible_loans
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.home import export
from arrears.portfolio import exports, queries
from arrears.portfolio.actions import PortfolioError, do_search_exact, do_unmask_field
from arrears.portfolio.models import Borrower, Loan
from arrears.portfolio.views_holds import HoldForm, business_day

FULL_NUMBER = re.compile(r"^(1[3-9]\d{9}|\d{17}[\dXx])$")


@login_required
def borrower_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    text = request.GET.get("q", "").strip()
    number = request.POST.get("number", "").strip() if request.method == "POST" else ""
    context: dict = {"q": text, "exact": bool(number), "can_search_exact": has_perm(request.user, Perm.SEARCH_EXACT)}
    if number:
        # Posted, never in a URL: a full phone or ID number must not end up in access logs or browser history.
        if not FULL_NUMBER.match(number):
            context["rows"] = []
            context["denied"] = _("Enter a full 11-digit mobile number or an 18-character ID number.")
        else:
            found = do_search_exact(number, actor=request.user, within=visible_borrowers(request.user))
            context["rows"] = [(b, queries.shown_fields(b)) for b in found]
    else:
        borrowers = queries.borrowers(text).filter(pk__in=visible_borrowers(request.user).values("pk"))
        if export.wanted(request):
            return exports.borrowers(request, borrowers, text)
        page = queries.page_of(borrowers, request.GET.get("page"))
        context["page"] = page
        context["rows"] = [(b, queries.shown_fields(b)) for b in page.object_list]
    return render(request, "portfolio/borrower_list.html", context)


def _borrower_or_404(request: HttpRequest, external_id: str) -> Borrower:
    try:
        return queries.borrower_detail(external_id, within=visible_borrowers(request.user))
    except Borrower.DoesNotExist:
        raise Http404(_("No such borrower")) from None


@login_required
def borrower_detail(request: HttpRequest, external_id: str, unmasked: dict[str, str] | None = None) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    borrower = _borrower_or_404(request, external_id)
    on = business_day()
    can_hold = has_perm(request.user, Perm.MANAGE_HOLDS)
    context = {
        "borrower": borrower,
        "case_id": open_case_id(request.user, borrower.pk),
        "shown": queries.shown_fields(borrower, unmasked),
        "contacts": [(c, masked("phone", c.phone), masked("name", c.name)) for c in borrower.contacts.all()],
        "can_unmask": has_perm(request.user, Perm.UNMASK),
        "on": on,
        "holds": [(hold, hold.in_force_on(on)) for hold in borrower.holds.all()],
        "can_manage_holds": can_hold,
        "hold_form": HoldForm(borrower, initial={"starts_on": on}) if can_hold else None,
    }
    return render(request, "portfolio/borrower_detail.html", context)


@login_required
@require_POST
def unmask(request: HttpRequest, external_id: str) -> HttpResponse:
    # Both permissions before the lookup: a refused user learns nothing, not even whether the number exists.
    require(request.user, Perm.VIEW_PORTFOLIO)
    require(request.user, Perm.UNMASK)
    borrower = _borrower_or_404(request, external_id)
    field = request.POST.get("field", "")
    try:
        value = do_unmask_field(borrower, field, actor=request.user, reason=request.POST.get("reason", ""))
    except PortfolioError as exc:
        messages.error(request, str(exc))
        return redirect("portfolio:borrower", external_id=external_id)
    response = borrower_detail(request, external_id, unmasked={field: value})
    # The revealed value is on this response only (PRV-1): no browser or proxy may keep a copy of it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def loan_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    try:
        loan = queries.loan_detail(external_id, within=visible_loans(request.user))
    except Loan.DoesNotExist:
        raise Http404(_("No such loan")) from None
    as_of = queries.business_date() or timezone.localdate()
    context = {
        "loan": loan,
        "case_id": open_case_id(request.user, loan.borrower_id),
        "borrower_name": masked("name", loan.borrower.name),
        "position": queries.loan_position(loan, as_of),
        "as_of": as_of,
    }
    return render(request, "portfolio/loan_detail.html", context)
