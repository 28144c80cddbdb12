"""What people (and the gateway's receipts) do to the outbox: send a dead notice again, settle an unconfirmed one,
record a delivery receipt. Each is one transaction with its audit event; refusals change nothing."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection.models import Letter, LetterStatus
from arrears.complaints import outbox as complaint_outbox
from arrears.compliance.actions import append_events_bulk, audited
from arrears.compliance.codes import ActionCode
from arrears.notices.models import (
    COMPLAINT_KINDS,
    AttemptOutcome,
    Notice,
    NoticeAttempt,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)

__all__ = ["OutboxError", "do_record_receipt", "do_requeue_notice", "do_settle_unconfirmed"]


RECEIPT_FAILED = "receipt_failed"  # a "not delivered" receipt that came before the send was recorded


class OutboxError(ValueError):
    """A refused outbox action; the message says what was wrong and what to do."""


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).select_related("letter").get(pk=notice.pk)


def do_requeue_notice(notice: Notice, *, actor, reason: str, at: datetime | None = None) -> Notice:
    """Send a dead (failed for good) or unconfirmed notice again, from now, with a fresh count of attempts
    (Perm.MANAGE_OUTBOX). For an unconfirmed email this may send it a second time: the person decides that,
    with a reason, after checking it did not arrive."""
    now = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise OutboxError(_("Give a reason for sending the notice again (it is recorded)."))
    with audited(
        actor,
        ActionCode.REQUEUE_NOTICE,
        permission=Perm.MANAGE_OUTBOX,
        subject=notice,
        reason=reason,
        clause=notice.clause,
        at=now,
    ) as record:
        locked = _locked(notice)
        if locked.status not in (NoticeStatus.DEAD, NoticeStatus.UNCONFIRMED):
            raise OutboxError(
                _("Notice %(key)s is %(status)s; only failed or unconfirmed notices can be sent again.")
                % {"key": locked.key, "status": locked.get_status_display()}
            )
        before = locked.status
        Notice.objects.filter(pk=locked.pk).update(
            status=NoticeStatus.QUEUED, not_before=now, attempts=0, lease_until=None, reason="requeued"
        )
        if locked.kind == NoticeKind.LETTER:
            Letter.objects.filter(pk=locked.letter_id).update(status=LetterStatus.QUEUED, error="")
        NoticeAttempt.objects.create(
            notice=locked,
            at=now,
            outcome=AttemptOutcome.REQUEUED,
            reason="requeued",
            detail=reason[:500],
            worker=actor.get_username(),
            channel=locked.channel,
        )
        record.change("status", before, NoticeStatus.QUEUED)
        record.change("attempts", locked.attempts, 0)
    locked.status = NoticeStatus.QUEUED
    return locked


def do_settle_unconfirmed(notice: Notice, *, actor, reason: str, at: datetime | None = None) -> Notice:
    """Record an unconfirmed notice as sent, after a person confirmed it arrived (e.g. the mail server's log
    or the borrower) (Perm.MANAGE_OUTBOX). The reason says how it was confirmed."""
    now = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise OutboxError(_("Say how you confirmed the notice was sent (it is recorded)."))
    with audited(
        actor,
        ActionCode.SETTLE_UNCONFIRMED,
        permission=Perm.MANAGE_OUTBOX,
        subject=notice,
        reason=reason,
        clause=notice.clause,
        at=now,
    ) as record:
        locked = _locked(notice)
        if locked.status != NoticeStatus.UNCONFIRMED:
            raise OutboxError(
                _("Notice %(key)s is %(status)s, not unconfirmed; nothing to settle.")
                % {"key": locked.key, "status": locked.get_status_display()}
            )
        Notice.objects.filter(pk=locked.pk).update(status=NoticeStatus.SENT, sent_at=now, reason="confirmed")
        if locked.kind == NoticeKind.LETTER and locked.channel == NoticeChannel.EMAIL:
            Letter.objects.filter(pk=locked.letter_id).update(status=LetterStatus.EMAILED, error="")
        NoticeAttempt.objects.create(
            notice=locked,
            at=now,
            outcome=AttemptOutcome.SENT,
            reason="confirmed",
            detail=reason[:500],
            worker=actor.get_username(),
            channel=locked.channel,
        )
        record.change("status", NoticeStatus.UNCONFIRMED, NoticeStatus.SENT)
        if locked.kind in COMPLAINT_KINDS:  # the complaint's response or outcome, as when the dispatcher sends it
            append_events_bulk(complaint_outbox.settle_sent(locked, now, permission=Perm.MANAGE_OUTBOX), actor=actor)
    locked.status = NoticeStatus.SENT
    return locked


def do_record_receipt(
    *, provider_id: str, reference: str, delivered: bool, at: datetime, error: str, actor
) -> Notice | None:
    """The gateway's delivery receipt for an SMS (Perm.DISPATCH; the system user records it). The notice is
    found by its key and the gateway's id; a receipt for an unknown message returns None and changes nothing;
    a repeated receipt changes nothing (idempotent)."""
    notice = Notice.objects.filter(key=reference, channel=NoticeChannel.SMS).first()
    if notice is None or (notice.provider_id and notice.provider_id != provider_id):
        return None
    status = NoticeStatus.DELIVERED if delivered else NoticeStatus.UNDELIVERED
    if notice.status == status:
        return notice
    with audited(
        actor,
        ActionCode.RECORD_RECEIPT,
        permission=Perm.DISPATCH,
        subject=notice,
        clause=notice.clause,
        at=timezone.now(),
    ) as record:
        locked = _locked(notice)
        if locked.status not in (
            NoticeStatus.SENT,
            NoticeStatus.SENDING,
            NoticeStatus.UNCONFIRMED,
            NoticeStatus.UNDELIVERED,
        ):
            return locked
        update = {"status": status, "delivered_at": at if delivered else None}
        if locked.status == NoticeStatus.SENDING:
            # The receipt came before the worker recorded the send: keep it for the worker, whose record of the
            # send then says delivered or not delivered (`Dispatcher.settle`).
            update = {"delivered_at": at} if delivered else {"reason": RECEIPT_FAILED}
            status = NoticeStatus.SENDING
        if not delivered:
            update["last_error"] = error[:500] or "not delivered"
        if not locked.provider_id:
            update["provider_id"] = provider_id
        Notice.objects.filter(pk=locked.pk).update(**update)
        NoticeAttempt.objects.create(
            notice=locked,
            at=at,
            outcome=AttemptOutcome.DELIVERED if delivered else AttemptOutcome.UNDELIVERED,
            reason="receipt",
            detail=error[:500],
            worker="gateway",
            channel=locked.channel,
        )
        if status != locked.status:
            record.change("status", locked.status, status)
        else:  # kept for the worker still recording the send
            record.change("receipt", None, "delivered" if delivered else "not delivered")
        if error:
            record.change("error", "", error[:500])
        if status == NoticeStatus.UNDELIVERED and (untold := complaint_outbox.settle_undelivered(locked, at)):
            for name, (before, after) in untold.items():
                record.change(name, before, after)
    locked.status = status
    return locked
