"""Auditing an agency (Clause: AGY-3, PRV-1): the only writers of `AgencyAudit`, `AuditReport`, `AuditSample` and
`AuditViolation`. Each action needs `agencies.audit` (supervisors and compliance officers; never an agency's own
users), checks its input before anything is written, and changes state and writes its audit event in one
transaction: a refusal (`AuditError`, or `AuditConflict` for the audit's state) leaves nothing changed.

* `do_open_audit` — open an audit of an agency for a period that has ended by `today`: every call and letter the
  agency's users made in the period is counted, and up to `sample_size` of them (the auditor's choice, 1–500;
  all of them when there are no more) are drawn into the audit — evenly spread over the period in time order, so
  the same period always gives the same sample. One open audit per agency.
* `do_upload_report` — the agency's periodic report for the period (PDF, JPEG or PNG, told by its first bytes;
  at most 10 MB; a PDF with web page code refused), with its SHA-256; a new upload replaces it while open.
* `do_judge_contact` — the auditor's verdict on a sampled contact (compliant, or a violation with a note saying
  what was wrong); changed while the audit is open, unless a violation was entered for it.
* `do_enter_audit_violation` — a violation into the register (`complaints.register`, source `agency_audit`)
  against the agency and its agent — the agency user who made the sampled contact, or one named, where known —
  with the rectification due on a date; for a sampled contact the verdict becomes a violation.
* `do_close_audit` — the findings, and the audit is closed: refused until the report is uploaded, every sampled
  contact is judged and every contact judged a violation is in the register. The schedule counts from it.
* `do_open_report` — reading the report is an audited read (PRV-1: an agency's report names borrowers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm
from arrears.agencies.models_audit import AgencyAudit, AuditReport, AuditSample, AuditStatus, AuditViolation, Verdict
from arrears.agencies.schedule import due_date
from arrears.arrangements.scans import carries_html
from arrears.collection.models import Call, Letter, LetterStatus
from arrears.complaints.models import Violation, ViolationSource
from arrears.complaints.register import enter_violation
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.legal.court import KINDS, MAX_DOCUMENT_BYTES

__all__ = [
    "DEFAULT_SAMPLE",
    "MAX_REPORT_BYTES",
    "MAX_SAMPLE",
    "AuditConflict",
    "AuditError",
    "Contact",
    "ReportFile",
    "contacts_in_period",
    "do_close_audit",
    "do_enter_audit_violation",
    "do_judge_contact",
    "do_open_audit",
    "do_open_report",
    "do_upload_report",
    "draw_sample",
]

# The sample is the auditor's choice on the form, within these bounds (a form's sanity bounds, not a policy
# figure: the policy sets how often agencies are audited, the auditor how deep to look).
DEFAULT_SAMPLE = 20
MAX_SAMPLE = 500
MAX_REPORT_BYTES = MAX_DOCUMENT_BYTES  # 10 MB, as a court document: within the request-size limit
MAX_TEXT = 20_000
MAX_NOTE = 2_000


class AuditError(ValueError):
    """Refused input for an agency audit; the message says what was wrong and what to do."""


class AuditConflict(AuditError):
    """Refused for the audit's state (closed, already open, not complete); the message says what must come first."""


@dataclass(frozen=True)
class ReportFile:
    """An uploaded report: its name as uploaded and its content."""

    name: str
    content: bytes


@dataclass(frozen=True, order=True)
class Contact:
    """A contact of an agency's user: its business date, its kind ("call" or "letter"), its id and the user."""

    on: date
    kind: str
    pk: int
    agent_id: int


# -- checks -----------------------------------------------------------------------------------------------------


def _text(value: Any, what: str, *, limit: int = MAX_TEXT, minimum: int = 0) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        raise AuditError(_("The %(field)s contains a NUL character; remove it.") % {"field": what})
    if len(value) > limit:
        raise AuditError(
            _("The %(field)s is longer than %(limit)s characters; shorten it.") % {"field": what, "limit": limit}
        )
    if len(value) < minimum:
        raise AuditError(
            _("Write the %(field)s (at least %(minimum)s characters); it may not be empty.")
            % {"field": what, "minimum": minimum}
        )
    return value


def _date(value: Any, what: str) -> date:
    if not isinstance(value, date):
        raise AuditError(_("Give %(what)s as a date, e.g. 2026-03-31.") % {"what": what})
    return value


def _open(audit: AgencyAudit) -> AgencyAudit:
    """The audit locked for the change, refused once closed."""
    locked = AgencyAudit.objects.select_for_update().get(pk=audit.pk)
    if locked.status != AuditStatus.OPEN:
        raise AuditConflict(
            _("Audit %(id)s is closed; nothing in it changes any more. Open a new audit for a later period.")
            % {"id": locked.pk}
        )
    return locked


def _report_kind(report: ReportFile) -> tuple[str, str, bytes]:
    """(file name, content type, content) of an acceptable report, or a refusal saying what to upload."""
    name = (str(report.name or "").replace("\x00", "").strip() or "report")[-255:]
    content = bytes(report.content or b"")
    if not content:
        raise AuditError(_("%(name)s is empty; upload the agency's report itself.") % {"name": name})
    if len(content) > MAX_REPORT_BYTES:
        raise AuditError(
            _("%(name)s is %(mb).1f MB; upload a report of at most %(max)s MB.")
            % {"name": name, "mb": len(content) / 1024 / 1024, "max": MAX_REPORT_BYTES // 1024 // 1024}
        )
    kind = next((kind for magic, kind in KINDS if content.startswith(magic)), None)
    if kind is None or (kind == "application/pdf" and carries_html(content)):
        raise AuditError(
            _("%(name)s is not a PDF, JPEG or PNG file; ask the agency for its report as a PDF, or scan it.")
            % {"name": name}
        )
    return name, kind, content


# -- sampling ---------------------------------------------------------------------------------------------------


def contacts_in_period(agency_id: int, start: date, end: date) -> list[Contact]:
    """Clause: AGY-3 — every call and every letter (not the cancelled ones) made by the agency's users on a
    business date from `start` through `end`, in time order."""
    calls = Call.objects.filter(collector__agency_id=agency_id, called_on__gte=start, called_on__lte=end).values_list(
        "called_on", "pk", "collector_id"
    )
    letters = (
        Letter.objects.filter(sent_by__agency_id=agency_id, sent_on__gte=start, sent_on__lte=end)
        .exclude(status=LetterStatus.CANCELLED)
        .values_list("sent_on", "pk", "sent_by_id")
    )
    found = [Contact(on, "call", pk, agent) for on, pk, agent in calls]
    found += [Contact(on, "letter", pk, agent) for on, pk, agent in letters]
    return sorted(found)


def draw_sample(contacts: list[Contact], size: int) -> list[Contact]:
    """Clause: AGY-3 — all the contacts when there are at most `size`; else `size` of them evenly spread over the
    time-ordered list (the i-th of `size` is number ⌊i·n/size⌋), the same for the same contacts."""
    if size < 1:
        raise ValueError("a sample holds at least one contact")
    n = len(contacts)
    if n <= size:
        return list(contacts)
    return [contacts[i * n // size] for i in range(size)]


# -- actions ----------------------------------------------------------------------------------------------------


def do_open_audit(
    agency: Agency, *, period_start: date, period_end: date, sample_size: int, today: date, actor: Any
) -> AgencyAudit:
    """Clause: AGY-3 — open an audit of `agency` for the period `period_start`…`period_end` (ended by `today`,
    the calendar day in Beijing) and draw its sample of the agency's contacts (module docstring)."""
    require(actor, Perm.AUDIT_AGENCIES)
    start = _date(period_start, _("the first day of the audited period"))
    end = _date(period_end, _("the last day of the audited period"))
    if end < start:
        raise AuditError(
            _("The audited period ends (%(end)s) before it starts (%(start)s); check the two dates.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    if end > today:
        raise AuditError(
            _("The audited period ends on %(end)s, after today (%(today)s); audit a period that has ended.")
            % {"end": end.isoformat(), "today": today.isoformat()}
        )
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or not 1 <= sample_size <= MAX_SAMPLE:
        raise AuditError(_("Give the sample size as a whole number from 1 to %(max)s.") % {"max": MAX_SAMPLE})
    with audited(
        actor, ActionCode.OPEN_AGENCY_AUDIT, permission=Perm.AUDIT_AGENCIES, subject=agency, clause="AGY-3"
    ) as record:
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        running = AgencyAudit.objects.filter(agency=locked, status=AuditStatus.OPEN).values_list("pk", flat=True)
        if running:
            raise AuditConflict(
                _("Audit %(id)s of this agency is still open; close it before opening another.") % {"id": running[0]}
            )
        contacts = contacts_in_period(locked.pk, start, end)
        sample = draw_sample(contacts, sample_size)
        audit = AgencyAudit.objects.create(
            agency=locked,
            period_start=start,
            period_end=end,
            due_on=due_date(locked.pk, today),
            sample_size=sample_size,
            contacts_in_period=len(contacts),
            auditor=actor,
            opened_at=timezone.now(),
        )
        AuditSample.objects.bulk_create(
            AuditSample(
                audit=audit,
                call_id=c.pk if c.kind == "call" else None,
                letter_id=c.pk if c.kind == "letter" else None,
                agent_id=c.agent_id,
                contact_on=c.on,
            )
            for c in sample
        )
        record.set_subject(audit)
        record.change("agency", None, locked.code)
        record.change("period", None, [start.isoformat(), end.isoformat()])
        record.change("due_on", None, audit.due_on.isoformat() if audit.due_on else None)
        record.change("contacts_in_period", None, len(contacts))
        record.change("sampled", None, [f"{c.kind}:{c.pk}" for c in sample])
    return audit


def do_upload_report(audit: AgencyAudit, *, report: ReportFile, actor: Any) -> AuditReport:
    """Clause: AGY-3 — the agency's periodic report for the audited period; replaces an earlier upload while
    the audit is open (the event keeps both hashes)."""
    require(actor, Perm.AUDIT_AGENCIES)
    name, kind, content = _report_kind(report)
    digest = hashlib.sha256(content).hexdigest()
    with audited(
        actor, ActionCode.UPLOAD_AGENCY_REPORT, permission=Perm.AUDIT_AGENCIES, subject=audit, clause="AGY-3"
    ) as record:
        locked = _open(audit)
        before = AuditReport.objects.filter(audit=locked).values_list("sha256", flat=True).first()
        row, _created = AuditReport.objects.update_or_create(
            audit=locked,
            defaults={
                "filename": name,
                "content_type": kind,
                "data": content,
                "size": len(content),
                "sha256": digest,
                "uploaded_by": actor,
                "uploaded_at": timezone.now(),
            },
        )
        record.change("report_sha256", before, digest)
        record.change("report_size", None, len(content))
    return row


def do_judge_contact(sample: AuditSample, *, verdict: str, note: str = "", actor: Any) -> AuditSample:
    """Clause: AGY-3 — the verdict on one sampled contact: `ok` (compliant) or `violation` (the note says what
    was wrong). Refused once the audit is closed, and back to compliant once a violation was entered for it."""
    require(actor, Perm.AUDIT_AGENCIES)
    if verdict not in (Verdict.OK, Verdict.VIOLATION):
        raise AuditError(_("Choose the verdict: compliant or a violation."))
    note = _text(note, _("note"), limit=MAX_NOTE, minimum=4 if verdict == Verdict.VIOLATION else 0)
    with audited(
        actor, ActionCode.JUDGE_AUDITED_CONTACT, permission=Perm.AUDIT_AGENCIES, subject=sample, clause="AGY-3"
    ) as record:
        _open(sample.audit)
        current = AuditSample.objects.select_for_update().get(pk=sample.pk)
        if verdict == Verdict.OK and AuditViolation.objects.filter(sample=current).exists():
            raise AuditConflict(
                _("A violation of this contact is already in the register; its verdict stays a violation.")
            )
        AuditSample.objects.filter(pk=current.pk).update(
            verdict=verdict, note=note, judged_by=actor, judged_at=timezone.now()
        )
        record.change("verdict", current.verdict or None, verdict)
    sample.refresh_from_db()
    return sample


def do_enter_audit_violation(
    audit: AgencyAudit,
    *,
    description: str,
    rectification: str = "",
    rectification_due: date,
    today: date,
    actor: Any,
    sample: AuditSample | None = None,
    agent: Any = None,
    occurred_on: date | None = None,
) -> Violation:
    """Clause: AGY-3, PRV-1 — enter a violation found by the audit in the register against the agency and its
    agent: for a sampled contact (`sample`) the user who made it, on the contact's day; otherwise the agency user
    named (`agent`, optional) on `occurred_on`, a day of the audited period. What must be fixed
    (`rectification`, default: the description) is due on `rectification_due`, not before `today`."""
    require(actor, Perm.AUDIT_AGENCIES)
    description = _text(description, _("description of the violation"), minimum=4)
    rect = _text(rectification or description, _("rectification"), minimum=4)
    due = _date(rectification_due, _("the rectification's due date"))
    if due < today:
        raise AuditError(
            _("The rectification is due on %(due)s, before today (%(today)s); give a day from today on.")
            % {"due": due.isoformat(), "today": today.isoformat()}
        )
    if sample is not None:
        if sample.audit_id != audit.pk:
            raise AuditError(_("That contact was not sampled in this audit; choose one of its sampled contacts."))
        if agent is not None and agent.pk != sample.agent_id:
            raise AuditError(_("The agent of a sampled contact is the user who made it; leave the agent empty."))
        agent, day = sample.agent, sample.contact_on
    else:
        day = _date(occurred_on, _("the day of the violation"))
        if not audit.period_start <= day <= audit.period_end:
            raise AuditError(
                _("%(day)s is outside the audited period (%(start)s to %(end)s); give a day within it.")
                % {"day": day.isoformat(), "start": audit.period_start.isoformat(), "end": audit.period_end.isoformat()}
            )
        if agent is not None and agent.agency_id != audit.agency_id:
            raise AuditError(_("The agent named is not a user of this agency; choose one of its users or none."))
    with audited(
        actor, ActionCode.RECORD_AUDIT_VIOLATION, permission=Perm.AUDIT_AGENCIES, subject=audit, clause="AGY-3"
    ) as record:
        locked = _open(audit)
        if sample is not None:
            current = AuditSample.objects.select_for_update().get(pk=sample.pk)
            if current.verdict == Verdict.OK:
                raise AuditConflict(_("You judged this contact compliant; change its verdict to a violation first."))
        violation = enter_violation(
            record,
            source=ViolationSource.AGENCY_AUDIT,
            occurred_on=day,
            description=description,
            rectification=rect,
            due_on=due,
            actor=actor,
            at=timezone.now(),
            responsible_user=agent,
            responsible_agency=locked.agency,
        )
        AuditViolation.objects.create(audit=locked, violation=violation, sample=sample)
        if sample is not None and current.verdict != Verdict.VIOLATION:
            AuditSample.objects.filter(pk=sample.pk).update(
                verdict=Verdict.VIOLATION,
                note=current.note or description[:MAX_NOTE],
                judged_by=actor,
                judged_at=timezone.now(),
            )
            record.change("sample_verdict", current.verdict or None, Verdict.VIOLATION.value)
        record.change("sample", None, sample.pk if sample else None)
        record.change("occurred_on", None, day.isoformat())
    return violation


def do_close_audit(audit: AgencyAudit, *, findings: str, actor: Any) -> AgencyAudit:
    """Clause: AGY-3 — record the findings and close the audit (module docstring for what must come first)."""
    require(actor, Perm.AUDIT_AGENCIES)
    findings = _text(findings, _("findings"), minimum=4)
    with audited(
        actor, ActionCode.CLOSE_AGENCY_AUDIT, permission=Perm.AUDIT_AGENCIES, subject=audit, clause="AGY-3"
    ) as record:
        locked = _open(audit)
        if not AuditReport.objects.filter(audit=locked).exists():
            raise AuditConflict(_("Upload the agency's periodic report for the period before closing the audit."))
        pending = AuditSample.objects.filter(audit=locked, verdict=Verdict.PENDING).count()
        if pending:
            raise AuditConflict(
                _("%(n)s sampled contacts have no verdict yet; judge each before closing the audit.") % {"n": pending}
            )
        unregistered = (
            AuditSample.objects.filter(audit=locked, verdict=Verdict.VIOLATION, violations__isnull=True)
            .values_list("pk", flat=True)
            .count()
        )
        if unregistered:
            raise AuditConflict(
                _(
                    "%(n)s contacts judged violations are not in the violation register yet; enter each "
                    "before closing the audit."
                )
                % {"n": unregistered}
            )
        now = timezone.now()
        AgencyAudit.objects.filter(pk=locked.pk, status=AuditStatus.OPEN).update(
            status=AuditStatus.CLOSED, findings=findings, closed_at=now, closed_by=actor
        )
        record.change("status", AuditStatus.OPEN.value, AuditStatus.CLOSED.value)
        record.change("violations", None, AuditViolation.objects.filter(audit=locked).count())
        record.change("closed_at", None, now.isoformat())
    audit.refresh_from_db()
    return audit


def do_open_report(audit: AgencyAudit, *, actor: Any) -> AuditReport:
    """Clause: AGY-3, PRV-1 — open the agency's report of an audit: an audited read (it names borrowers)."""
    require(actor, Perm.AUDIT_AGENCIES)
    report = AuditReport.objects.filter(audit=audit).first()
    if report is None:
        raise AuditError(_("No report is uploaded for this audit yet."))
    with audited(
        actor, ActionCode.VIEW_AGENCY_REPORT, permission=Perm.AUDIT_AGENCIES, subject=audit, clause="PRV-1"
    ) as record:
        record.change("report_sha256", None, report.sha256)
    return report
