"""What the audit pages and the API read (Clause: AGY-3, PRV-1).

* `recent_audits` — the latest audits with their agency and their counts, in a fixed number of queries.
* `sample_rows` — an audit's sampled contacts as the auditor judges them: the contact's time, kind and channel,
  its outcome, the agent, and the borrower's name and the number dialled masked (PRV-1: never in full here).
* `agency_violations` — the register's entries against an agency, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from arrears.agencies.models_audit import AgencyAudit, AuditReport, AuditSample
from arrears.complaints.models import Violation
from arrears.compliance.masking import masked

__all__ = ["MAX_ROWS", "SampleRow", "agency_violations", "audits_with_counts", "recent_audits", "sample_rows"]

MAX_ROWS = 200  # a page's length, not a policy figure

KIND_WORDS = {"call": _("call"), "letter": _("letter")}


def audits_with_counts(audits: QuerySet[AgencyAudit]) -> QuerySet[AgencyAudit]:
    """The audits with `sampled`, `judged`, `violations_found`, `has_report` and `report_sha256` annotated (one
    query)."""
    return audits.select_related("agency", "auditor").annotate(
        sampled=Count("samples", distinct=True),
        judged=Count("samples", filter=~Q(samples__verdict=""), distinct=True),
        violations_found=Count("violations", distinct=True),
        has_report=Exists(AuditReport.objects.filter(audit=OuterRef("pk"))),
        report_sha256=Subquery(AuditReport.objects.filter(audit=OuterRef("pk")).values("sha256")[:1]),
    )


def recent_audits(limit: int = MAX_ROWS) -> list[AgencyAudit]:
    """Clause: AGY-3 — the open audits first, then the latest opened."""
    return list(audits_with_counts(AgencyAudit.objects.order_by("-status", "-opened_at", "-pk"))[:limit])


@dataclass(frozen=True)
class SampleRow:
    sample: AuditSample
    kind: str
    at: date | datetime
    channel: str
    outcome: str
    borrower: str  # masked
    number: str  # masked
    case_id: int | None
    text: str  # the call's note or the letter's addition, as the agent wrote it
    agent: str
    violation_id: int | None


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def sample_rows(audit: AgencyAudit) -> list[SampleRow]:
    """Clause: AGY-3, PRV-1 — the audit's sampled contacts in time order, personal data masked."""
    samples = (
        AuditSample.objects.filter(audit=audit)
        .select_related("call__borrower", "letter__borrower", "agent")
        .prefetch_related("violations")
        .order_by("contact_on", "pk")
    )
    rows = []
    for s in samples:
        found = next(iter(s.violations.all()), None)
        if s.call_id:
            call = s.call
            rows.append(
                SampleRow(
                    s,
                    str(KIND_WORDS["call"]),
                    call.called_at,
                    str(_("phone")),
                    call.get_outcome_display(),
                    masked("name", call.borrower.name),
                    masked("phone", call.number),
                    call.case_id,
                    call.note,
                    _person(s.agent),
                    found.violation_id if found else None,
                )
            )
        else:
            letter = s.letter
            rows.append(
                SampleRow(
                    s,
                    str(KIND_WORDS["letter"]),
                    letter.sent_on,
                    letter.get_channel_display(),
                    letter.get_status_display(),
                    masked("name", letter.borrower.name),
                    "",
                    letter.case_id,
                    letter.addition,
                    _person(s.agent),
                    found.violation_id if found else None,
                )
            )
    return rows


def agency_violations(agency_id: int, limit: int = MAX_ROWS) -> list[Violation]:
    """Clause: AGY-3, PRV-1 — the register's entries against the agency (any source), newest first."""
    return list(
        Violation.objects.filter(responsible_agency_id=agency_id)
        .select_related("responsible_user", "rectification")
        .order_by("-occurred_on", "-pk")[:limit]
    )
