"""The investigation of a complaint, the violation register and telling the complainant (Clause: CMP-3, CMP-4,
PRV-1). The writers of `Investigation`, `Rectification` and `Violation` (the register's rows through
`complaints.register`, which an agency audit uses too); each action needs `complaints.handle`, checks its input
before anything is written, and changes state and writes its audit event in one transaction (a refusal leaves
nothing changed).

* `do_take_complaint` — a compliance officer takes a complaint for investigation (status → investigating).
* `do_record_findings` — the findings, once: substantiated or not. A substantiated complaint names the user or
  the agency responsible, opens a rectification due on a given date and adds a violation to the register; an
  agency found responsible loses the complainant's case at once (its standing placement ends, AGY-2).
* `do_close_rectification` — the evidence that what was wrong is fixed.
* `do_record_violation` — a staff privacy violation (PRV-1) recorded directly in the register.
* `do_tell_outcome` — the outcome told to the complainant (CMP-4), by a recorded call or a notice through the
  outbox (`complaints.outbox`), told once the notice has been sent.
* `do_close_complaint` — refused until the findings are recorded and the outcome told; lifts the complaint hold
  the complaint placed (`portfolio.actions.do_lift_hold`) and sets `closed_at`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.agencies.placement import end_on_complaint
from arrears.complaints import clocks
from arrears.complaints.errors import ComplaintError
from arrears.complaints.models import (
    Complaint,
    ComplaintStatus,
    Investigation,
    Rectification,
    Violation,
    ViolationSource,
)
from arrears.complaints.outbox import do_send_outcome
from arrears.complaints.register import enter_violation
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.portfolio.actions import do_lift_hold
from arrears.portfolio.queries import business_date

__all__ = [
    "OutcomeHow",
    "do_close_complaint",
    "do_close_rectification",
    "do_record_findings",
    "do_record_violation",
    "do_take_complaint",
    "do_tell_outcome",
]

MAX_TEXT = 20_000


class OutcomeHow:
    CALL = "call"
    NOTICE = "notice"


def _text(value: str, *, what: str, minimum: int = 4) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ComplaintError(_("The %(field)s contains a NUL character; remove it.") % {"field": what})
    if len(value) < minimum:
        raise ComplaintError(
            _("Write the %(field)s (at least %(minimum)s characters); it may not be empty.")
            % {"field": what, "minimum": minimum}
        )
    if len(value) > MAX_TEXT:
        raise ComplaintError(
            _("The %(field)s is longer than %(limit)s characters; shorten it.") % {"field": what, "limit": MAX_TEXT}
        )
    return value


def _responsible(user, agency) -> None:
    if user is None and agency is None:
        raise ComplaintError(
            _("Name the person or the agency responsible: a substantiated violation must name someone.")
        )
    if user is not None and agency is not None:
        raise ComplaintError(_("Name either the person or the agency responsible, not both."))


def _investigation(complaint: Complaint) -> Investigation:
    found = Investigation.objects.select_for_update().filter(complaint=complaint).first()
    if found is None:
        raise ComplaintError(_("Take the complaint for investigation first."))
    return found


def do_take_complaint(complaint: Complaint, *, actor) -> Investigation:
    """Clause: CMP-3 — take a complaint for investigation. Needs `complaints.handle`; a matched complaint not
    yet closed, taken once."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    if complaint.borrower_id is None:
        raise ComplaintError(_("Match the complaint to a borrower before it is investigated."))
    with audited(
        actor, ActionCode.TAKE_COMPLAINT, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, clause="CMP-3"
    ) as record:
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status == ComplaintStatus.CLOSED:
            raise ComplaintError(_("This complaint is closed."))
        if Investigation.objects.filter(complaint=locked).exists():
            raise ComplaintError(_("This complaint is already taken for investigation."))
        investigation = Investigation.objects.create(complaint=locked, taken_by=actor, taken_at=timezone.now())
        Complaint.objects.filter(pk=locked.pk).update(status=ComplaintStatus.INVESTIGATING)
        record.change("status", locked.status, ComplaintStatus.INVESTIGATING)
        record.change("taken_by", None, actor.username)
    complaint.refresh_from_db()
    return investigation


def do_record_findings(
    complaint: Complaint,
    *,
    substantiated: bool,
    findings: str,
    responsible_user=None,
    responsible_agency=None,
    rectification: str = "",
    rectification_due: date | None = None,
    actor,
) -> Investigation:
    """Clause: CMP-3 — record the findings once. A substantiated complaint names the user or agency responsible,
    says what must be fixed (`rectification`, default: the findings) by `rectification_due` (a date not before
    the day of receipt; default the investigation's due date), and adds a violation to the register."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    if not isinstance(substantiated, bool):
        raise ComplaintError(_("Say whether the complaint is substantiated."))
    findings = _text(findings, what=_("findings"))
    rect = None
    if substantiated:
        _responsible(responsible_user, responsible_agency)
        rect = _text(rectification or findings, what=_("rectification"))
        due = rectification_due or complaint.investigation_due
        if not isinstance(due, date) or due < clocks.day_of_receipt(complaint.received_at):
            raise ComplaintError(_("The rectification cannot be due before the complaint was received."))
    elif responsible_user is not None or responsible_agency is not None:
        raise ComplaintError(_("An unsubstantiated complaint names no one responsible."))
    now = timezone.now()
    with audited(
        actor, ActionCode.RECORD_FINDINGS, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, clause="CMP-3"
    ) as record:
        investigation = _investigation(complaint)
        if investigation.found_at is not None:
            raise ComplaintError(_("The findings of this complaint are already recorded."))
        investigation.substantiated = substantiated
        investigation.findings = findings
        investigation.found_at = now
        investigation.responsible_user = responsible_user
        investigation.responsible_agency = responsible_agency
        investigation.save()
        record.change("substantiated", None, substantiated)
        if substantiated:
            enter_violation(
                record,
                source=ViolationSource.COMPLAINT,
                occurred_on=clocks.day_of_receipt(complaint.received_at),
                description=findings,
                rectification=rect,
                due_on=due,
                actor=actor,
                at=now,
                responsible_user=responsible_user,
                responsible_agency=responsible_agency,
                complaint=complaint,
            )
            # The agency found responsible loses the complainant's case at once (AGY-2).
            end_on_complaint(
                complaint.borrower_id,
                responsible_agency,
                record,
                actor=actor,
                on=business_date() or timezone.localdate(),
                at=now,
            )
    return investigation


def do_close_rectification(rect: Rectification, *, evidence: str, actor) -> Rectification:
    """Clause: CMP-3 — close a rectification with the evidence that what was wrong is fixed; closed once."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    evidence = _text(evidence, what=_("closing evidence"))
    with audited(
        actor, ActionCode.CLOSE_RECTIFICATION, permission=Perm.HANDLE_COMPLAINTS, subject=rect, clause="CMP-3"
    ) as record:
        updated = Rectification.objects.filter(pk=rect.pk, closed_at__isnull=True).update(
            evidence=evidence, closed_at=timezone.now(), closed_by=actor
        )
        if not updated:
            raise ComplaintError(_("This rectification is already closed."))
        record.change("closed", False, True)
    rect.refresh_from_db()
    return rect


def do_record_violation(
    *,
    occurred_on: date,
    description: str,
    responsible_user=None,
    responsible_agency=None,
    source: str = ViolationSource.PRIVACY,
    actor,
) -> Violation:
    """Clause: PRV-1 — record a staff privacy violation directly in the register (compliance officers)."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    if source != ViolationSource.PRIVACY:
        raise ComplaintError(_("Only a staff privacy violation is recorded directly here."))
    _responsible(responsible_user, responsible_agency)
    description = _text(description, what=_("description"))
    if not isinstance(occurred_on, date) or occurred_on > clocks.day_of_receipt(timezone.now()):
        raise ComplaintError(_("Give the date of the violation; it cannot be in the future."))
    with audited(
        actor, ActionCode.RECORD_VIOLATION, permission=Perm.HANDLE_COMPLAINTS, subject=None, clause="PRV-1"
    ) as record:
        violation = Violation.objects.create(
            source=source,
            responsible_user=responsible_user,
            responsible_agency=responsible_agency,
            occurred_on=occurred_on,
            description=description,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record.set_subject(violation)
        record.change("source", None, source)
        record.change("occurred_on", None, occurred_on.isoformat())
        record.change("responsible_user", None, responsible_user.username if responsible_user else None)
        record.change("responsible_agency", None, responsible_agency.pk if responsible_agency else None)
    return violation


def do_tell_outcome(
    complaint: Complaint, *, how: str, actor, note: str = "", at: datetime | None = None, channel: str = ""
):
    """Clause: CMP-4 — tell the complainant the outcome, after the findings: a recorded call (`note` says what
    was said, `at` when; default now; returns the investigation), or a notice through the outbox by `channel`
    (`complaints.outbox.do_send_outcome`; returns the notice, the outcome is told once it is sent). Told once."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    if how == OutcomeHow.NOTICE:
        return do_send_outcome(complaint, channel=channel, actor=actor)
    if how != OutcomeHow.CALL:
        raise ComplaintError(
            _("Unknown way of telling the outcome %(how)s; record a call or send a notice.") % {"how": how}
        )
    note = _text(note, what=_("note of the call"))
    at = at or timezone.now()
    if not isinstance(at, datetime) or timezone.is_naive(at):
        raise ComplaintError(_("Give the time of the call with its UTC offset."))
    if at < complaint.received_at or at > timezone.now():
        raise ComplaintError(_("The call cannot be before the complaint was received or in the future."))
    with audited(
        actor, ActionCode.TELL_COMPLAINT_OUTCOME, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, clause="CMP-4"
    ) as record:
        investigation = _investigation(complaint)
        if investigation.found_at is None:
            raise ComplaintError(_("Record the findings before telling the complainant the outcome."))
        if investigation.outcome_at is not None:
            raise ComplaintError(_("The outcome of this complaint was already told."))
        investigation.outcome_how = how
        investigation.outcome_note = note
        investigation.outcome_at = at.astimezone(UTC)
        investigation.save(update_fields=["outcome_how", "outcome_note", "outcome_at"])
        record.change("outcome_how", None, how)
        record.change("outcome_at", None, investigation.outcome_at.isoformat())
    return investigation


def do_close_complaint(complaint: Complaint, *, actor) -> Complaint:
    """Clause: CMP-3, CMP-4 — close a complaint: refused unless its findings are recorded and the outcome was
    told (the call recorded, or the outcome notice sent). Lifts the complaint hold the complaint placed, as of today in Beijing (the actor
    needs `portfolio.manage_holds` for that too), and sets `closed_at`."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    with audited(
        actor, ActionCode.CLOSE_COMPLAINT, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, clause="CMP-4"
    ) as record:
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status == ComplaintStatus.CLOSED:
            raise ComplaintError(_("This complaint is already closed."))
        investigation = Investigation.objects.filter(complaint=locked).first()
        if investigation is None or investigation.found_at is None:
            raise ComplaintError(_("A complaint closes only after the investigation's findings are recorded."))
        if investigation.outcome_at is None:
            raise ComplaintError(
                _(
                    "A complaint closes only once the outcome was told to the complainant (CMP-4): record the call, "
                    "or send the outcome through the outbox and wait until it has been sent."
                )
            )
        now = timezone.now()
        if locked.hold_id is not None and locked.hold.released_on is None:
            do_lift_hold(
                locked.hold,
                on=max(clocks.day_of_receipt(now), locked.hold.starts_on),
                actor=actor,
                reason=_("complaint %(id)s closed") % {"id": locked.pk},
            )
            record.change("hold_lifted", None, locked.hold_id)
        Complaint.objects.filter(pk=locked.pk).update(status=ComplaintStatus.CLOSED, closed_at=now)
        record.change("status", locked.status, ComplaintStatus.CLOSED)
        record.change("closed_at", None, now.isoformat())
    complaint.refresh_from_db()
    return complaint
