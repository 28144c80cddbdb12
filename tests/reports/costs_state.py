"""What a refused cost must leave as it was: every cost entry (every column) and the ledger's events other than
the records of API calls made with a token."""

from __future__ import annotations

from arrears.compliance.models import AuditEvent
from arrears.reports.models import CostEntry


def costs_state() -> dict:
    return {
        "entries": list(CostEntry.objects.order_by("pk").values()),
        "events": list(AuditEvent.objects.exclude(action="api.call").order_by("pk").values_list("pk", "action")),
    }
