"""A complaint's own notices through the outbox: the acknowledgement (CMP-2) and the outcome (CMP-4).

* `do_send_acknowledgement` — queue the acknowledgement of a complaint still awaiting its first response, by SMS
  or email, to the complainant: the mobile or email address the complaint came with, else the matched
  borrower's registered one. An unmatched complainant who wrote from an address is answered there.
* `do_send_outcome` — queue the outcome, after the findings, the same way.

Each needs `complaints.handle` and writes the notice and its audit event in one transaction. The notice is
composed from the approved template of its purpose in the borrower's language, else Chinese (LANG-2), by the
dispatcher, which does not stop it for a hold (a complaint's own notice is not collection) but keeps the quiet
hours. The complaint moves only once the notice has left (`settle_sent`, called by the dispatcher and by a
person settling an unconfirmed email): an acknowledgement sent is the first response, at the instant it was sent
(late if after `response_due`); an outcome sent is the outcome told, which closing needs. An outcome SMS the
gateway reports as not delivered is told no longer (`settle_undelivered`): send it again or call.
A second acknowledgement or outcome may be queued only when the earlier one failed or was cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.complaints import clocks
from arrears.complaints.errors import ComplaintError
from arrears.complaints.models import Complaint, ComplaintStatus, Investigation, ResponseHow
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.notices.models import (
    COMPLAINT_KINDS,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    TemplatePurpose,
    complaint_notice_key,
)

__all__ = [
    "OUTCOME_BY_NOTICE",
    "do_send_acknowledgement",
    "do_send_outcome",
    "finding_sentence",
    "purpose_of",
    "recipient",
    "settle_sent",
    "settle_undelivered",
]

OUTCOME_BY_NOTICE = "notice"
# A notice in one of these still stands (on its way or gone): no second one of its kind is queued beside it.
STANDING = (
    NoticeStatus.QUEUED,
    NoticeStatus.SENDING,
    NoticeStatus.SENT,
    NoticeStatus.DELIVERED,
    NoticeStatus.UNCONFIRMED,
)


def purpose_of(kind: str, channel: str) -> str:
    """The template purpose of a complaint notice of `kind` by `channel`."""
    sms = channel == NoticeChannel.SMS
    if kind == NoticeKind.COMPLAINT_ACK:
        return TemplatePurpose.COMPLAINT_ACK_SMS if sms else TemplatePurpose.COMPLAINT_ACK_EMAIL
    return TemplatePurpose.COMPLAINT_OUTCOME_SMS if sms else TemplatePurpose.COMPLAINT_OUTCOME_EMAIL


def finding_sentence(substantiated: bool, language: str) -> str:
    """Clause: CMP-4 — what the outcome says was found, one of two fixed sentences in `language` (the
    template's `{finding}`); the reviewer sees both in the template's preview."""
    with translation.override("zh-hans" if language != "en" else "en"):
        if substantiated:
            return _(
                "Our investigation found that your complaint is justified. We have dealt with those responsible "
                "and put right what went wrong."
            )
        return _("Our investigation did not find that the conduct you described took place.")


def addressee(complaint: Complaint, language: str) -> str:
    """How the notice addresses the complainant: the borrower's name once matched, else the name the complaint
    came with, else a neutral word."""
    if complaint.borrower_id:
        return complaint.borrower.name
    if complaint.complainant:
        return complaint.complainant
    with translation.override("zh-hans" if language != "en" else "en"):
        return _("Customer")


def recipient(complaint: Complaint, channel: str) -> str:
    """The mobile or email address to answer on: the complaint's own, else the matched borrower's ("" if none)."""
    borrower = complaint.borrower if complaint.borrower_id else None
    if channel == NoticeChannel.SMS:
        return complaint.mobile.replace(" ", "").replace("-", "") or (borrower.mobile if borrower else "")
    if channel == NoticeChannel.EMAIL:
        return complaint.email or (borrower.email if borrower else "")
    return ""


def _queue(complaint: Complaint, kind: str, channel: str, *, actor, clause: str, code: ActionCode) -> Notice:
    if channel not in (NoticeChannel.SMS, NoticeChannel.EMAIL):
        raise ComplaintError(_("Choose SMS or email to send it by."))
    to = recipient(complaint, channel)
    if not to:
        raise ComplaintError(
            _(
                "The complaint and its borrower have no mobile number for an SMS; send an email, or call the "
                "complainant and record the call."
            )
            if channel == NoticeChannel.SMS
            else _(
                "The complaint and its borrower have no email address; send an SMS, or call the complainant and "
                "record the call."
            )
        )
    with audited(actor, code, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, clause=clause) as record:
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        earlier = Notice.objects.filter(complaint=locked, kind=kind)
        if earlier.filter(status__in=STANDING).exists():
            raise ComplaintError(
                _("One is already on its way or sent; see the complaint's notices before sending another.")
            )
        _check_state(locked, kind)
        now = timezone.now()
        notice = Notice.objects.create(
            key=complaint_notice_key(kind, locked.pk, earlier.count() + 1),
            borrower_id=locked.borrower_id,
            complaint=locked,
            kind=kind,
            channel=channel,
            amount_fen=0,
            queued_on=clocks.day_of_receipt(now),
            clause=clause,
            recipient=to,
        )
        record.change("notice", None, notice.key)
        record.change("channel", None, channel)
    return notice


def _check_state(complaint: Complaint, kind: str) -> None:
    if complaint.status == ComplaintStatus.CLOSED:
        raise ComplaintError(_("This complaint is closed."))
    if kind == NoticeKind.COMPLAINT_ACK:
        if complaint.status != ComplaintStatus.OPEN:
            raise ComplaintError(_("The first response to this complaint is already recorded."))
        return
    investigation = Investigation.objects.filter(complaint=complaint).first()
    if investigation is None or investigation.found_at is None:
        raise ComplaintError(_("Record the findings before telling the complainant the outcome."))
    if investigation.outcome_at is not None:
        raise ComplaintError(_("The outcome of this complaint was already told."))


def do_send_acknowledgement(complaint: Complaint, *, channel: str, actor) -> Notice:
    """Clause: CMP-2 — queue the acknowledgement through the outbox; it is the first response once sent."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    return _queue(
        complaint,
        NoticeKind.COMPLAINT_ACK,
        channel,
        actor=actor,
        clause="CMP-2",
        code=ActionCode.QUEUE_COMPLAINT_NOTICE,
    )


def do_send_outcome(complaint: Complaint, *, channel: str, actor) -> Notice:
    """Clause: CMP-4 — queue the outcome through the outbox, after the findings; it is told once sent."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    return _queue(
        complaint,
        NoticeKind.COMPLAINT_OUTCOME,
        channel,
        actor=actor,
        clause="CMP-4",
        code=ActionCode.QUEUE_COMPLAINT_NOTICE,
    )


def settle_sent(notice: Notice, at: datetime, *, permission: Perm) -> list[dict[str, Any]]:
    """After a complaint's notice left (in the caller's transaction): the complaint's first response, or its
    outcome told, at `at`. Returns the audit events for the caller to write (nothing when the complaint moved on
    meanwhile, e.g. a call was recorded first)."""
    if notice.kind not in COMPLAINT_KINDS or notice.complaint_id is None:
        return []
    complaint = notice.complaint  # loaded with the notice by the dispatcher's claim
    if notice.kind == NoticeKind.COMPLAINT_ACK:
        moved = Complaint.objects.filter(pk=complaint.pk, status=ComplaintStatus.OPEN).update(
            status=ComplaintStatus.RESPONDED,
            responded_at=at,
            response_how=ResponseHow.ACKNOWLEDGEMENT,
            response_note=_note(notice),
        )
        if not moved:
            return []
        changes = {
            "status": (ComplaintStatus.OPEN, ComplaintStatus.RESPONDED),
            "responded_at": (None, at.isoformat()),
            "late": (None, at > complaint.response_due),
            "notice": (None, notice.key),
        }
        code, clause = ActionCode.RECORD_COMPLAINT_RESPONSE, "CMP-2"
    else:
        moved = Investigation.objects.filter(complaint=complaint, outcome_at__isnull=True).update(
            outcome_how=OUTCOME_BY_NOTICE, outcome_at=at, outcome_note=_note(notice), outcome_notice_id=notice.pk
        )
        if not moved:
            return []
        changes = {
            "outcome_how": (None, OUTCOME_BY_NOTICE),
            "outcome_at": (None, at.isoformat()),
            "notice": (None, notice.key),
        }
        code, clause = ActionCode.TELL_COMPLAINT_OUTCOME, "CMP-4"
    return [
        {"action": code, "permission": permission, "subject": complaint, "changes": changes, "clause": clause, "at": at}
    ]


def settle_undelivered(notice: Notice, at: datetime) -> dict[str, Any] | None:
    """An outcome SMS the gateway reports as not delivered: the outcome is no longer told (closing waits for a
    new notice or a call), unless the complaint is closed already. Returns the changes for the caller's event."""
    if notice.kind != NoticeKind.COMPLAINT_OUTCOME or notice.complaint_id is None:
        return None
    untold = (
        Investigation.objects.filter(complaint_id=notice.complaint_id, outcome_notice_id=notice.pk)
        .exclude(complaint__status=ComplaintStatus.CLOSED)
        .update(outcome_how="", outcome_at=None, outcome_note="", outcome_notice_id=None)
    )
    return {"outcome_told": (True, False)} if untold else None


def _note(notice: Notice) -> str:
    """What the notice said, kept with the complaint (CMP-2: the content of the response is recorded)."""
    return "\n\n".join(part for part in (notice.subject, notice.body) if part)
