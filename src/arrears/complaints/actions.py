"""The only writers of complaints (Clause: CMP-1, CMP-2, CMP-3).

* `do_file_complaint` — the one filing action behind all three doors (the staff form, the mailbox reader, the
  API). It marks the complaint with the policy's channel marker (催收投诉, CMP-1), works out both clocks
  (`clocks`), matches it to a borrower by contract number, ID number or mobile (in that order; a number that
  fits several borrowers matches none), and — when the policy switch `complaints.hold_on_conduct_complaint` is
  on and the complaint is about collection conduct (every complaint filed here is, unless said otherwise) —
  places a complaint hold on the matched borrower through `portfolio.actions.do_place_hold`, in the same
  transaction. A mail's Message-ID is filed once: filing it again returns the first complaint and changes nothing.
* `do_match_complaint` — triage: a staff member names the borrower of an unmatched complaint (and the hold
  follows, as at filing).
* `do_record_response` — the first response (CMP-2): a recorded call with the complainant, with what was said.
  A response after `response_due` is recorded and still counts as breached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.complaints import clocks
from arrears.complaints.errors import ComplaintError
from arrears.complaints.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintStatus,
    MatchedBy,
    ResponseHow,
)
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.portfolio.actions import do_place_hold
from arrears.portfolio.models import Borrower, HoldKind, Loan
from arrears.rules.queries import calendar, policy_on
from arrears.workdays import UnknownYearError

__all__ = ["ComplaintError", "do_file_complaint", "do_match_complaint", "do_record_response", "find_borrower"]

MAX_TEXT = 20_000
FUTURE_SLACK = timedelta(minutes=5)  # clocks of other systems (the CRM, the mail server) drift a little
MAX_ATTACHMENT = 20 * 1024 * 1024
FIELD_LIMITS = {
    "email": 254,
    "mobile": 20,
    "id_number": 18,
    "contract_no": 32,
    "subject": 200,
    "complainant": 100,
    "message_id": 255,
}


def _clean(name: str, value: str) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ComplaintError(_("The %(field)s contains a NUL character; remove it.") % {"field": name})
    limit = FIELD_LIMITS.get(name)
    if limit and len(value) > limit:
        raise ComplaintError(
            _("The %(field)s is longer than %(limit)s characters; shorten it.") % {"field": name, "limit": limit}
        )
    return value


def _email(value: str) -> str:
    """The complainant's email address to answer on, checked ("" when none was given)."""
    value = _clean("email", value)
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ComplaintError(
                _("%(email)s is not an email address; correct it or leave it empty.") % {"email": value[:100]}
            ) from exc
    return value


def _number(value: str) -> str:
    """A mobile or ID number as compared: no spaces or dashes, upper case (an ID's final X), no +86 prefix."""
    value = value.replace(" ", "").replace("-", "").upper()
    return value[3:] if value.startswith("+86") else value


def find_borrower(*, mobile: str = "", id_number: str = "", contract_no: str = "") -> tuple[Borrower | None, str]:
    """The one borrower the numbers name, and by which: the contract number first, then the ID number, then the
    mobile (also a borrower's other phone). A number that fits more than one borrower names none."""
    tries = []
    if contract_no:
        tries.append((MatchedBy.CONTRACT_NO, Q(pk__in=Loan.objects.filter(external_id=contract_no).values("borrower"))))
    if id_number:
        tries.append((MatchedBy.ID_NUMBER, Q(id_number=_number(id_number))))
    if mobile:
        tries.append((MatchedBy.MOBILE, Q(mobile=_number(mobile)) | Q(phone_alt=_number(mobile))))
    for how, condition in tries:
        found = list(Borrower.objects.filter(condition)[:2])
        if len(found) == 1:
            return found[0], how
    return None, ""


def _place_complaint_hold(complaint: Complaint, *, actor, record) -> None:
    """Clause: CMP-3 — pause collection of the matched borrower while the complaint is open (policy switch)."""
    policy = policy_on(clocks.day_of_receipt(complaint.received_at))
    if not (policy.complaints.hold_on_conduct_complaint and complaint.about_conduct and complaint.borrower_id):
        return
    hold = do_place_hold(
        complaint.borrower,
        HoldKind.COMPLAINT,
        starts_on=clocks.day_of_receipt(complaint.received_at),
        ends_on=None,
        actor=actor,
        reason=f"{complaint.marker} {complaint.pk}",
    )
    Complaint.objects.filter(pk=complaint.pk).update(hold=hold)
    complaint.hold = hold
    record.change("hold", None, hold.pk)


def do_file_complaint(
    *,
    channel: str,
    received_at: datetime,
    text: str,
    mobile: str = "",
    id_number: str = "",
    contract_no: str = "",
    subject: str = "",
    complainant: str = "",
    email: str = "",
    message_id: str = "",
    attachments: Iterable[tuple[str, str, bytes]] = (),
    about_conduct: bool = True,
    actor,
    basis: str = "",
) -> Complaint:
    """File one complaint from any door (Clause: CMP-1, CMP-2, CMP-3). Needs `complaints.file`. `received_at`
    must be aware; `basis` (optional) says where it came from, e.g. the mailbox read, and is recorded."""
    require(actor, Perm.FILE_COMPLAINT)
    if channel not in ComplaintChannel.values:
        raise ComplaintError(
            _("Unknown channel %(channel)s; use one of %(channels)s.")
            % {"channel": channel, "channels": ", ".join(ComplaintChannel.values)}
        )
    if not isinstance(received_at, datetime) or timezone.is_naive(received_at):
        raise ComplaintError(_("Give the instant of receipt with its UTC offset, e.g. 2026-09-30T16:00:00+08:00."))
    filed_at = timezone.now()
    if received_at > filed_at + FUTURE_SLACK:
        raise ComplaintError(_("The complaint cannot have been received in the future; check the date and time."))
    text = (text or "").strip()
    if not text:
        raise ComplaintError(_("Write what the complaint says; it may not be empty."))
    if "\x00" in text:
        raise ComplaintError(_("The complaint's text contains a NUL character; remove it."))
    if len(text) > MAX_TEXT:
        raise ComplaintError(_("The complaint's text is longer than %(limit)s characters.") % {"limit": MAX_TEXT})
    fields = {
        name: _clean(name, value)
        for name, value in (
            ("mobile", mobile),
            ("id_number", id_number),
            ("contract_no", contract_no),
            ("subject", subject),
            ("complainant", complainant),
            ("message_id", message_id),
        )
    }
    fields["email"] = _email(email)
    files = [(str(n)[:255], str(t)[:100], bytes(d)) for n, t, d in attachments]
    if any(len(d) > MAX_ATTACHMENT for _n, _t, d in files):
        raise ComplaintError(_("An attachment is larger than 20 MB; keep it outside and note where it is."))
    if fields["message_id"] and (known := Complaint.objects.filter(message_id=fields["message_id"]).first()):
        return known  # the same mail read again: nothing changes
    received_at = received_at.astimezone(UTC)
    day = clocks.day_of_receipt(received_at)
    policy = policy_on(day)
    try:
        investigation_due = clocks.investigation_due(
            received_at, policy.complaints.investigation_working_days, calendar()
        )
    except UnknownYearError as exc:
        raise ComplaintError(
            _(
                "The working-day calendar does not cover the dates this complaint needs (%(error)s); an administrator "
                "adds the year in the admin."
            )
            % {"error": exc}
        ) from exc
    borrower, matched_by = find_borrower(
        mobile=fields["mobile"], id_number=fields["id_number"], contract_no=fields["contract_no"]
    )
    try:
        with audited(
            actor, ActionCode.FILE_COMPLAINT, permission=Perm.FILE_COMPLAINT, subject=None, reason=basis, clause="CMP-1"
        ) as record:
            complaint = Complaint.objects.create(
                channel=channel,
                marker=policy.complaints.channel_marker,
                received_at=received_at,
                text=text,
                borrower=borrower,
                matched_by=matched_by,
                regulator=channel == ComplaintChannel.REGULATOR,
                about_conduct=about_conduct,
                response_due=clocks.response_due(received_at, policy.complaints.response_hours),
                investigation_due=investigation_due,
                filed_by=actor,
                filed_at=filed_at,
                **fields,
            )
            ComplaintAttachment.objects.bulk_create(
                ComplaintAttachment(
                    complaint=complaint,
                    filename=name,
                    content_type=kind,
                    data=data,
                    sha256=hashlib.sha256(data).hexdigest(),
                )
                for name, kind, data in files
            )
            record.set_subject(complaint)
            record.change("channel", None, channel)
            record.change("marker", None, complaint.marker)
            record.change("received_at", None, received_at.isoformat())
            record.change("borrower", None, borrower.external_id if borrower else None)
            record.change("matched_by", None, matched_by or None)
            record.change("response_due", None, complaint.response_due.isoformat())
            record.change("investigation_due", None, investigation_due.isoformat())
            if files:
                record.change("attachments", None, [hashlib.sha256(d).hexdigest() for _n, _t, d in files])
            _place_complaint_hold(complaint, actor=actor, record=record)
    except IntegrityError:
        # Two readers filed the same Message-ID at once: the other one's complaint stands.
        known = Complaint.objects.filter(message_id=fields["message_id"]).first() if fields["message_id"] else None
        if known is None:
            raise
        return known
    return complaint


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4 or "\x00" in reason:
        raise ComplaintError(_("give a reason (at least 4 characters): it is recorded with the action"))
    return reason[:1000]


def do_match_complaint(complaint: Complaint, borrower: Borrower, *, actor, reason: str) -> Complaint:
    """Triage: name the borrower of an unmatched complaint (Clause: CMP-1); the complaint hold follows as at
    filing (CMP-3). Needs `complaints.handle`; a complaint is matched once."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    reason = _reason(reason)
    with audited(
        actor, ActionCode.MATCH_COMPLAINT, permission=Perm.HANDLE_COMPLAINTS, subject=complaint, reason=reason
    ) as record:
        updated = Complaint.objects.filter(pk=complaint.pk, borrower__isnull=True).update(
            borrower=borrower, matched_by=MatchedBy.STAFF
        )
        if not updated:
            raise ComplaintError(_("This complaint is already matched to a borrower."))
        complaint.refresh_from_db()
        record.change("borrower", None, borrower.external_id)
        if complaint.status != ComplaintStatus.CLOSED:
            _place_complaint_hold(complaint, actor=actor, record=record)
    return complaint


def do_record_response(complaint: Complaint, *, how: str, at: datetime, actor, note: str) -> Complaint:
    """Record the first response to the complainant (Clause: CMP-2): a call with the complainant, at `at`
    (aware, not before receipt), with what was said in `note`. Needs `complaints.handle`. A response after
    `response_due` is recorded; the complaint still counts as breached."""
    require(actor, Perm.HANDLE_COMPLAINTS)
    if how == ResponseHow.ACKNOWLEDGEMENT:
        raise ComplaintError(
            _(
                "An acknowledgement is not recorded by hand: send it through the outbox from the complaint page; "
                "it is the first response once it has been sent."
            )
        )
    if how != ResponseHow.CALL:
        raise ComplaintError(_("Unknown kind of response %(how)s; record a call.") % {"how": how})
    if not isinstance(at, datetime) or timezone.is_naive(at):
        raise ComplaintError(_("Give the time of the call with its UTC offset."))
    if at < complaint.received_at:
        raise ComplaintError(_("The response cannot come before the complaint was received."))
    note = (note or "").strip()
    if len(note) < 4 or "\x00" in note or len(note) > MAX_TEXT:
        raise ComplaintError(_("Write what was said in the call (at least 4 characters): CMP-2 asks for it."))
    at = at.astimezone(UTC)
    with audited(
        actor,
        ActionCode.RECORD_COMPLAINT_RESPONSE,
        permission=Perm.HANDLE_COMPLAINTS,
        subject=complaint,
        clause="CMP-2",
    ) as record:
        updated = Complaint.objects.filter(pk=complaint.pk, status=ComplaintStatus.OPEN).update(
            status=ComplaintStatus.RESPONDED, responded_at=at, response_how=how, response_note=note
        )
        if not updated:
            raise ComplaintError(_("The first response to this complaint is already recorded."))
        record.change("status", ComplaintStatus.OPEN, ComplaintStatus.RESPONDED)
        record.change("responded_at", None, at.isoformat())
        record.change("late", None, at > complaint.response_due)
    complaint.refresh_from_db()
    return complaint
