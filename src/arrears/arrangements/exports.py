"""The approvals queue as CSV (`?format=csv`, `arrears.home.export`): the plans awaiting a decision, then the
waivers, oldest first as on the page, one line each with what the page shows of it (no personal data: the
customer number, never the name)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm
from arrears.arrangements import queries
from arrears.arrangements.models import Plan
from arrears.home.export import Column, export_csv, yuan


def _is_plan(row) -> bool:
    return isinstance(row, Plan)


COLUMNS = [
    Column("kind", gettext_lazy("Kind"), lambda r: _("Plan") if _is_plan(r) else _("Waiver")),
    Column("number", gettext_lazy("Reference"), lambda r: f"#{r.pk}"),
    Column("case", gettext_lazy("Case"), lambda r: f"#{r.case_id}"),
    Column("customer", gettext_lazy("Customer number"), lambda r: r.borrower.external_id),
    Column("contracts", gettext_lazy("Contracts"), lambda r: r.contracts if _is_plan(r) else r.loan.external_id),
    Column("amount", gettext_lazy("Amount (yuan)"), lambda r: yuan(r.amount_fen)),
    Column(
        "instalments",
        gettext_lazy("Instalments"),
        lambda r: f"{r.instalment_count} × {yuan(r.payment_fen)}" if _is_plan(r) else "",
    ),
    Column("affordable", gettext_lazy("Affordable (yuan)"), lambda r: yuan(r.max_payment_fen) if _is_plan(r) else ""),
    Column("cap", gettext_lazy("Cap (yuan)"), lambda r: "" if _is_plan(r) else yuan(r.max_fen)),
    Column("dpd", "DPD", lambda r: "" if _is_plan(r) else r.dpd),
    Column(
        "penalty_accrued",
        gettext_lazy("Penalty accrued (yuan)"),
        lambda r: "" if _is_plan(r) else yuan(r.penalty_accrued_fen),
    ),
    Column(
        "first_delinquency", gettext_lazy("first delinquency"), lambda r: None if _is_plan(r) else r.first_delinquency
    ),
    Column("proposed_by", gettext_lazy("Proposed by"), lambda r: r.proposed_by.username),
    Column("proposed_at", gettext_lazy("Proposed"), lambda r: r.proposed_at),
    Column("note", gettext_lazy("Note"), lambda r: "" if _is_plan(r) else r.note),
]


def approvals(request: HttpRequest) -> HttpResponse:
    rows = lambda: [*queries.pending_plans(), *queries.pending_waivers()]  # noqa: E731
    return export_csv(request, "approvals", Perm.APPROVE, COLUMNS, rows, {})
