"""The litigation queue as CSV (`?format=csv`, `arrears.home.export`), in the page's order, one line per lawsuit:
the customer number, never the borrower's name (Clause: LIT-2, PRV-1)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm
from arrears.home.export import Column, export_csv, yuan
from arrears.legal import queries_litigation
from arrears.legal.litigation_words import KINDS, STATES

COLUMNS = [
    Column("litigation", gettext_lazy("Lawsuit"), lambda r: f"#{r.litigation.pk}"),
    Column("case", gettext_lazy("Case"), lambda r: f"#{r.litigation.case_id}"),
    Column("customer", gettext_lazy("Customer number"), lambda r: r.litigation.borrower.external_id),
    Column("stage", gettext_lazy("Stage"), lambda r: r.litigation.get_stage_display()),
    Column("court", gettext_lazy("Competent court"), lambda r: r.litigation.court),
    Column("court_case_no", gettext_lazy("Case number (案号)"), lambda r: r.litigation.court_case_no),
    Column("claimed", gettext_lazy("Amount claimed (yuan)"), lambda r: yuan(r.litigation.claimed_fen)),
    Column("next_deadline", gettext_lazy("Next deadline"), lambda r: r.next.ends_on if r.next else None),
    Column("deadline_kind", gettext_lazy("Deadline for"), lambda r: KINDS[r.next.kind] if r.next else ""),
    Column("deadline_state", gettext_lazy("Deadline state"), lambda r: STATES[r.state] if r.state else ""),
]


def litigation_queue(request: HttpRequest, on: date) -> HttpResponse:
    return export_csv(
        request,
        "litigations",
        Perm.VIEW_LITIGATION,
        COLUMNS,
        lambda: queries_litigation.queue(request.user, on),
        {"on": on},
    )
