"""`GET /api/v1/agencies/{code}/audits`: one agency's audits, its next audit's due date and its suspension standing
(Clause: AGY-3). Needs `agencies.audit` (supervisors and compliance officers; never an agency's own users)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm
from arrears.agencies.audit_queries import audits_with_counts
from arrears.agencies.schedule import days_overdue, due_date
from arrears.agencies.suspension import suspension
from arrears.api.errors import REFUSALS
from arrears.compliance.actions import require

router = Router(tags=["agencies"])


class AuditOut(Schema):
    id: int
    period_start: date
    period_end: date
    due_on: date | None = Field(description="the day the schedule had this audit due when it was opened")
    status: str = Field(description="open | closed")
    opened_at: datetime
    closed_at: datetime | None
    sampled: int = Field(description="contacts of the agency's users drawn into the audit")
    judged: int
    violations: int = Field(description="violations the audit entered in the register")
    contacts_in_period: int
    report_sha256: str | None = Field(description="SHA-256 of the agency's uploaded report, or null")


class AgencyAuditsOut(Schema):
    agency: str
    next_due_on: date | None = Field(description="AGY-3: the next audit's due date (null: never placed)")
    overdue_days: int
    violations_in_window: int
    suspended: bool = Field(description="AGY-3: too many violations in the window — no new placement")
    items: list[AuditOut]
    count: int


@router.get("/agencies/{code}/audits", response={200: AgencyAuditsOut, **REFUSALS})
def agency_audits(request: HttpRequest, code: str):
    """One agency's audits, newest period first, with its schedule and suspension standing today in Beijing
    (Clause: AGY-3)."""
    require(request.user, Perm.AUDIT_AGENCIES)
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise HttpError(404, _("No agency has that code."))
    on = timezone.localdate()
    audits = audits_with_counts(agency.audits.order_by("-period_end", "-pk"))
    standing = suspension(agency.pk, on)
    due = due_date(agency.pk, on)
    items = [
        {
            "id": a.pk,
            "period_start": a.period_start,
            "period_end": a.period_end,
            "due_on": a.due_on,
            "status": a.status,
            "opened_at": a.opened_at,
            "closed_at": a.closed_at,
            "sampled": a.sampled,
            "judged": a.judged,
            "violations": a.violations_found,
            "contacts_in_period": a.contacts_in_period,
            "report_sha256": a.report_sha256,
        }
        for a in audits
    ]
    return {
        "agency": agency.code,
        "next_due_on": due,
        "overdue_days": days_overdue(due, on),
        "violations_in_window": standing.violations,
        "suspended": standing.suspended,
        "items": items,
        "count": len(items),
    }
