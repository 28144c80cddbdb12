"""The write-off pages: the proposals with their approve and reject forms (maker–checker), the decided ones,
and the recoveries after write-off, each list with its CSV export (Clause: AUTH-3, AUTH-4). Thin: each view
checks the permission, reads a form, calls one query or action, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.home import export
from arrears.home.export import Column, export_csv, yuan
from arrears.legal.models import WriteOff, WriteOffStatus
from arrears.legal.views_escalation import REFUSED
from arrears.legal.write_off_actions import do_decide_write_off
from arrears.legal.write_off_queries import approved_on, recoveries, write_offs

PAGE_SIZE = 50

WRITE_OFF_COLUMNS = [
    Column("write_off", gettext_lazy("Write-off"), lambda w: f"#{w.pk}"),
    Column("case", gettext_lazy("Case"), lambda w: f"#{w.case_id}"),
    Column("customer", gettext_lazy("Customer number"), lambda w: w.borrower.external_id),
    Column("name", gettext_lazy("Name"), lambda w: masked("name", w.borrower.name)),
    Column("as_of", gettext_lazy("Amounts as of"), lambda w: w.as_of),
    Column("principal", gettext_lazy("Overdue principal (yuan)"), lambda w: yuan(w.principal_fen)),
    Column("interest", gettext_lazy("Overdue interest (yuan)"), lambda w: yuan(w.interest_fen)),
    Column("penalty", gettext_lazy("Penalty interest (yuan)"), lambda w: yuan(w.penalty_fen)),
    Column("compound", gettext_lazy("Compound interest (yuan)"), lambda w: yuan(w.compound_fen)),
    Column("total", gettext_lazy("Total (yuan)"), lambda w: yuan(w.total_fen)),
    Column("status", gettext_lazy("Status"), lambda w: w.get_status_display()),
    Column("proposed_by", gettext_lazy("Proposed by"), lambda w: w.proposed_by.username),
    Column("decided_by", gettext_lazy("Decided by"), lambda w: w.decided_by.username if w.decided_by_id else ""),
    Column("decided_at", gettext_lazy("Decided at"), lambda w: w.decided_at),
]

RECOVERY_COLUMNS = [
    Column("paid_on", gettext_lazy("Paid on"), lambda p: p.paid_on),
    Column("payment", gettext_lazy("Payment number"), lambda p: p.external_id),
    Column("customer", gettext_lazy("Customer number"), lambda p: p.loan.borrower.external_id),
    Column("name", gettext_lazy("Name"), lambda p: masked("name", p.loan.borrower.name)),
    Column("contract", gettext_lazy("Contract"), lambda p: p.loan.external_id),
    Column("amount", gettext_lazy("Amount (yuan)"), lambda p: yuan(p.amount_fen)),
    Column("write_off", gettext_lazy("Write-off"), lambda p: f"#{p.write_off_id}"),
    Column("written_off_on", gettext_lazy("Written off on"), lambda p: p.written_off_on),
]


def _visible(request: HttpRequest):
    return write_offs().filter(case__in=visible_cases(request.user))


@login_required
def write_off_list(request: HttpRequest) -> HttpResponse:
    """The write-offs: those awaiting a decision with their approve and reject forms, then the decided ones."""
    require(request.user, Perm.APPROVE_WRITE_OFF)
    rows = _visible(request)
    if export.wanted(request):
        return export_csv(request, "write-offs", Perm.APPROVE_WRITE_OFF, WRITE_OFF_COLUMNS, rows, {})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [(w, masked("name", w.borrower.name), approved_on(w)) for w in page]
    context = {"page": page, "rows": shown, "on": today(), "me": request.user.pk}
    return render(request, "legal/escalation_write_offs.html", context)


@login_required
@require_POST
def decide_write_off(request: HttpRequest, write_off_id: int) -> HttpResponse:
    """POST decision=approve|reject and a note (a rejection needs one): maker–checker."""
    require(request.user, Perm.APPROVE_WRITE_OFF)
    write_off = get_object_or_404(
        WriteOff.objects.select_related("case", "proposed_by").filter(case__in=visible_cases(request.user)),
        pk=write_off_id,
    )
    choice = request.POST.get("decision", "")
    if choice not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject the write-off."))
        return redirect("legal:write-offs")
    try:
        decided = do_decide_write_off(
            write_off,
            approve=choice == "approve",
            note=request.POST.get("note", ""),
            actor=request.user,
            today=today(),
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        if decided.status == WriteOffStatus.APPROVED:
            messages.success(request, _("Write-off %(id)s approved: the case is written off.") % {"id": decided.pk})
        else:
            messages.success(
                request, _("Write-off %(id)s rejected: the case is back in the escalation queue.") % {"id": decided.pk}
            )
    return redirect("legal:write-offs")


@login_required
def recoveries_page(request: HttpRequest) -> HttpResponse:
    """Payments received on written-off cases after the approval day, apart from ordinary collection: their sum
    and the list."""
    require(request.user, Perm.APPROVE_WRITE_OFF)
    found = recoveries()
    if export.wanted(request):
        return export_csv(request, "write-off-recoveries", Perm.APPROVE_WRITE_OFF, RECOVERY_COLUMNS, found.payments, {})
    page = Paginator(found.payments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, masked("name", p.loan.borrower.name)) for p in page]
    context = {"page": page, "rows": rows, "total_fen": found.total_fen, "on": today()}
    return render(request, "legal/escalation_recoveries.html", context)
