"""The complaint queue as CSV (`?format=csv`, `arrears.home.export`), in the page's order, one line each, no
personal data: the customer number, never the complainant's name or numbers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm
from arrears.complaints import queries
from arrears.home.export import Column, export_csv

COLUMNS = [
    Column("number", gettext_lazy("Complaint"), lambda r: f"#{r.complaint.pk}"),
    Column("marker", gettext_lazy("Marker"), lambda r: r.complaint.marker),
    Column("channel", gettext_lazy("Channel"), lambda r: r.complaint.get_channel_display()),
    Column(
        "customer",
        gettext_lazy("Customer number"),
        lambda r: r.complaint.borrower.external_id if r.complaint.borrower_id else "",
    ),
    Column("received_at", gettext_lazy("Received"), lambda r: r.complaint.received_at),
    Column("response_due", gettext_lazy("Response due"), lambda r: r.complaint.response_due),
    Column("investigation_due", gettext_lazy("Investigation due"), lambda r: r.complaint.investigation_due),
    Column("status", gettext_lazy("Status"), lambda r: r.complaint.get_status_display()),
    Column("breached", gettext_lazy("Breached"), lambda r: r.breached),
]


def complaint_queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return export_csv(request, "complaints", Perm.HANDLE_COMPLAINTS, COLUMNS, lambda: queries.queue(now), {})
