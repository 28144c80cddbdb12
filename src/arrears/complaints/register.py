"""Entering a violation in the register with what must be fixed and by when (Clause: PRV-1, CMP-3, AGY-3).

`enter_violation` is the one writer of a `Violation` with its `Rectification`, shared by the actions that find
violations — a complaint's substantiated findings (`complaints.investigation.do_record_findings`) and an agency
audit (`agencies.audit_actions.do_enter_audit_violation`). It is called inside that action's `audited()` block,
after the action checked its input, so the rows and the action's audit event share one transaction; it records
what it wrote on the action's event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arrears.complaints.models import Complaint, Rectification, Violation
from arrears.compliance.actions import AuditRecorder

__all__ = ["enter_violation"]


def enter_violation(
    record: AuditRecorder,
    *,
    source: str,
    occurred_on: date,
    description: str,
    rectification: str,
    due_on: date,
    actor: Any,
    at: datetime,
    responsible_user: Any = None,
    responsible_agency: Any = None,
    complaint: Complaint | None = None,
) -> Violation:
    """Write the rectification (`rectification` due `due_on`) and the violation naming the user and/or agency
    responsible; the caller has checked every value. Returns the violation."""
    rect = Rectification.objects.create(description=rectification, due_on=due_on, opened_by=actor, opened_at=at)
    violation = Violation.objects.create(
        source=source,
        responsible_user=responsible_user,
        responsible_agency=responsible_agency,
        occurred_on=occurred_on,
        description=description,
        complaint=complaint,
        rectification=rect,
        recorded_by=actor,
        recorded_at=at,
    )
    record.change("responsible_user", None, responsible_user.username if responsible_user else None)
    record.change("responsible_agency", None, responsible_agency.pk if responsible_agency else None)
    record.change("rectification_due", None, due_on.isoformat())
    record.change("violation", None, violation.pk)
    return violation
