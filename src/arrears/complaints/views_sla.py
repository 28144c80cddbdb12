"""The SLA page (Clause: CMP-2, CMP-3): open, due today and breached complaints, this month and last month, in
total, by channel and by team (`complaints.sla`), with its CSV export. `?on=YYYY-MM-DD` shows the figures as of
the end of another Beijing day; today by default."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm
from arrears.complaints import sla
from arrears.complaints.clocks import BEIJING
from arrears.compliance.actions import require
from arrears.home import export
from arrears.home.export import Column, export_csv

COLUMNS = [
    Column("period", gettext_lazy("Period"), lambda r: r.period_label),
    Column("month", gettext_lazy("Month"), lambda r: r.month),
    Column("channel", gettext_lazy("Channel or team"), lambda r: r.channel_label),
    Column("open", gettext_lazy("Open"), lambda r: r.figures.open),
    Column("due_today", gettext_lazy("Due today"), lambda r: r.figures.due_today),
    Column("breached_response", gettext_lazy("First response breached"), lambda r: r.figures.breached_response),
    Column(
        "breached_investigation", gettext_lazy("Investigation breached"), lambda r: r.figures.breached_investigation
    ),
]


def _on(request: HttpRequest) -> date:
    today = timezone.now().astimezone(BEIJING).date()
    value = request.GET.get("on", "").strip()
    if not value:
        return today
    try:
        on = date.fromisoformat(value)
    except ValueError:
        on = None
    if on is not None and sla.sensible(on):
        return on
    messages.error(request, _("Give the date as YYYY-MM-DD, e.g. 2026-03-18; today's figures are shown."))
    return today


@login_required
def sla_page(request: HttpRequest) -> HttpResponse:
    """The SLA figures this month and last month, by channel (Clause: CMP-2, CMP-3)."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    on = _on(request)
    if export.wanted(request):
        return export_csv(
            request, "complaint_sla", Perm.HANDLE_COMPLAINTS, COLUMNS, lambda: sla.rows(on) + sla.teams(on), {"on": on}
        )
    return render(request, "complaints/sla.html", {"rows": sla.rows(on), "teams": sla.teams(on), "on": on})
