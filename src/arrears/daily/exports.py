"""The nightly runs' list as CSV (`?format=csv`, `arrears.home.export`): every run, newest first, with the
figures the page shows (no personal data)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm
from arrears.daily.models import Run
from arrears.home.export import Column, export_csv, yuan

COLUMNS = [
    Column("business_date", _("Business date"), lambda run: run.business_date),
    Column("status", _("Status"), lambda run: run.get_status_display()),
    Column("loans", _("Loans"), lambda run: run.summary.get("loans")),
    Column("delinquent", _("Delinquent"), lambda run: run.summary.get("delinquent")),
    Column("overdue", _("Overdue (yuan)"), lambda run: yuan(run.summary.get("overdue_total_fen"))),
    Column("errors", _("Errors"), lambda run: run.summary.get("errors")),
    Column("attempts", _("Attempts"), lambda run: run.attempts),
    Column("finished", _("Finished"), lambda run: run.finished_at),
]


def runs(request: HttpRequest) -> HttpResponse:
    """Every run (the page shows the newest 60)."""
    return export_csv(request, "runs", Perm.VIEW_RUNS, COLUMNS, Run.objects.order_by("-business_date"), {})
