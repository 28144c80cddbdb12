"""`arrears dispatch`: the worker that drains the notices outbox, exactly once.

How a notice leaves
-------------------
1. **Claim.** A worker takes a batch of due rows (`queued`, `not_before` passed) and marks them `sending` with a
   lease (`lease_until`) and its name, counting the attempt. On PostgreSQL the rows are read `FOR UPDATE SKIP
   LOCKED`, so several workers never take the same row; on both databases the mark is a conditional UPDATE
   (`status = 'queued'`), so a row another worker took in between is left alone.
2. **Re-check and compose** (one transaction for the batch, audit events in bulk). At send time the reason must
   still hold — a reminder's instalment unpaid and not yet due, the loan active, consent given; a letter's
   borrower still overdue — and no hold may be in force; otherwise the notice is cancelled, never sent. The
   contact rules must allow it now (quiet hours defer it to the next allowed instant). The approved template
   in the borrower's language (else Chinese) is rendered (LANG-2: none approved, the notice waits an hour).
   What will be sent — recipient, subject, text, template version — is stored before anything is sent.
3. **Send and record** each notice through its channel (one SMTP session or HTTP keep-alive connection per
   batch), recording the outcomes `record_every` at a time in one transaction with their audit events: sent
   (with the provider's id), or failed — retried with exponential backoff, and after the last attempt moved
   to the dead-letter state with its error, shown in the outbox page.
   Just before the SMTP conversation for one email, its own "handing" moment is written and committed
   (`handed_at`, one UPDATE of that row; cleared at each claim). SMS needs no such mark (see 4).
4. **Reconcile.** A worker that dies between the channel's acceptance and the record leaves the row `sending`
   after its lease. The next worker looks at every such row: an SMS through a gateway that honours idempotency
   keys is simply sent again with the same key (the gateway answers with the first message's id, nothing
   reaches the phone twice); without keys, the gateway is asked what it has for the notice's key — found, the
   notice is recorded as sent; not found, it is queued again; no answer, it is `unconfirmed`. Email cannot be
   asked (SMTP keeps no record a client can query): an expired email whose handing moment was written may
   have reached the server, so it is `unconfirmed` — never re-sent blindly, listed for a person to settle
   (mark sent, or send again); an expired email without it never reached the server and is queued again.
   So a crash leaves at most `record_every` emails unconfirmed: those handed to the server since the last
   recorded outcomes (each really accepted, unless the server refused it and the refusal was not yet
   recorded), never the claimed emails the worker had not reached.

Letters by post are not sent one by one: the day's print batch takes them (`arrears.notices.printing`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from arrears.accounts.permissions import Perm
from arrears.bulk import update_fields
from arrears.collection.models import Letter, LetterStatus
from arrears.complaints import outbox as complaint_outbox
from arrears.compliance.actions import append_events_bulk
from arrears.compliance.codes import ActionCode
from arrears.compliance.contact import check_contact
from arrears.notices.actions import RECEIPT_FAILED
from arrears.notices.channels import EmailChannel, Outgoing, SendFailed, SmsChannel, sms_channel
from arrears.notices.compose import notice_purpose, notice_values
from arrears.notices.models import (
    COMPLAINT_KINDS,
    AttemptOutcome,
    Notice,
    NoticeAttempt,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)
from arrears.notices.send_checks import (
    CHANNEL_ERROR,
    FOUND_BY_RECONCILIATION,
    LEASE_EXPIRED,
    NO_ADDRESS,
    NO_TEMPLATE,
    QUIET_HOURS,
    BatchContext,
    complaint_notice_stop,
    letter_stop,
    load_context,
    plan_reminder_stop,
    reminder_stop,
)
from arrears.notices.templating import render

__all__ = ["DispatchSettings", "Dispatcher", "worker_name"]

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass(frozen=True)
class DispatchSettings:
    batch: int = 50
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    backoff: timedelta = timedelta(minutes=1)  # after the n-th failure wait backoff × 2^(n-1) …
    backoff_cap: timedelta = timedelta(hours=2)  # … but never longer than this
    no_template_wait: timedelta = timedelta(hours=1)
    # Outcomes are recorded this many at a time (one transaction): more is faster; a worker that dies leaves
    # at most this many accepted sends unrecorded, which reconciliation settles.
    record_every: int = 10

    @classmethod
    def from_settings(cls) -> DispatchSettings:
        return cls(
            batch=settings.ARREARS_DISPATCH_BATCH,
            lease=timedelta(seconds=settings.ARREARS_DISPATCH_LEASE_SECONDS),
            max_attempts=settings.ARREARS_DISPATCH_MAX_ATTEMPTS,
            backoff=timedelta(seconds=settings.ARREARS_DISPATCH_BACKOFF_SECONDS),
        )

    def retry_after(self, attempts: int) -> timedelta:
        return min(self.backoff * (2 ** max(attempts - 1, 0)), self.backoff_cap)


@dataclass
class _Plan:
    """What phase 2 does with one claimed notice."""

    notice: Notice
    out: Outgoing
    changes: dict[str, tuple[Any, Any]]


class Dispatcher:
    """Drains the outbox for `actor` (the system user; needs Perm.DISPATCH). `clock` gives the instant (the
    tests move it); `sms`/`email` are the channels (defaults from the settings, made on first use);
    `after_accept` is called after a channel accepted a notice and before the outcome is recorded (fault
    injection for the crash tests)."""

    def __init__(
        self,
        actor,
        *,
        sms: SmsChannel | None = None,
        email: EmailChannel | None = None,
        clock: Callable[[], datetime] = timezone.now,
        config: DispatchSettings | None = None,
        worker: str | None = None,
        after_accept: Callable[[Notice], None] | None = None,
    ) -> None:
        self.actor = actor
        self._sms = sms
        self._email = email
        self.clock = clock
        self.config = config or DispatchSettings.from_settings()
        self.worker = worker or worker_name()
        self.after_accept = after_accept
        self.tally: Counter[tuple[str, str, str]] = Counter()  # (channel, outcome, reason)
        self._follow: list[dict[str, Any]] = []  # events of what a sent notice moved (a complaint's response)

    # -- channels --------------------------------------------------------------------------------------

    def channel(self, name: str):
        if name == NoticeChannel.SMS:
            if self._sms is None:
                self._sms = sms_channel()
            return self._sms
        if self._email is None:
            self._email = EmailChannel()
        return self._email

    # -- the loop --------------------------------------------------------------------------------------

    def run_once(self, *, channels: Iterable[str] = (NoticeChannel.SMS, NoticeChannel.EMAIL)) -> Counter:
        """Reconcile expired leases, then claim and send batches until nothing is due. Returns the tally."""
        channels = tuple(channels)
        self.reconcile()
        for channel in channels:
            while batch := self.claim(channel):
                self.send_batch(channel, batch)
        return self.tally

    def serve_wait(self, *, poll: float = 30.0, stop: threading.Event | None = None) -> None:
        """Wait `poll` seconds, or less when a deferred or retried notice falls due sooner, or until `stop`."""
        nxt = (
            Notice.objects.filter(status=NoticeStatus.QUEUED, not_before__isnull=False)
            .exclude(channel=NoticeChannel.POST)
            .order_by("not_before")
            .values_list("not_before", flat=True)
            .first()
        )
        wait = poll if nxt is None else max(1.0, min(poll, (nxt - self.clock()).total_seconds()))
        (stop or threading.Event()).wait(wait)

    # -- 1. claim --------------------------------------------------------------------------------------

    def claim(self, channel: str) -> list[Notice]:
        now = self.clock()
        with transaction.atomic():
            due = (
                Notice.objects.filter(status=NoticeStatus.QUEUED, channel=channel)
                .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
                .order_by(F("not_before").asc(nulls_first=True), "pk")
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            ids = list(due.values_list("pk", flat=True)[: self.config.batch])
            if not ids:
                return []
            Notice.objects.filter(pk__in=ids, status=NoticeStatus.QUEUED).update(
                status=NoticeStatus.SENDING,
                lease_until=now + self.config.lease,
                worker=self.worker,
                attempts=F("attempts") + 1,
                handed_at=None,
            )
        return list(
            Notice.objects.filter(pk__in=ids, status=NoticeStatus.SENDING, worker=self.worker)
            .select_related("borrower", "loan", "letter", "plan", "complaint__borrower")
            .order_by("pk")
        )

    # -- 2. re-check and compose -----------------------------------------------------------------------

    def send_batch(self, channel: str, notices: list[Notice]) -> None:
        plans = self.prepare(notices)
        if not plans:
            return
        sender = self.channel(channel)
        outcomes: list[_Outcome] = []
        with sender:
            for plan in plans:
                if (outcome := self.send_one(sender, plan)) is not None:
                    outcomes.append(outcome)
                if len(outcomes) >= self.config.record_every:
                    self._record(outcomes)
                    outcomes = []
        self._record(outcomes)

    def prepare(self, notices: list[Notice]) -> list[_Plan]:
        """Decide every claimed notice: cancel, defer, dead, or send (storing what will be sent). One
        transaction for the batch; the sends come after it."""
        now = self.clock()
        plans: list[_Plan] = []
        events: list[dict[str, Any]] = []
        attempts: list[NoticeAttempt] = []
        context = load_context(notices, now)
        with transaction.atomic():
            for notice in notices:
                decision = self._decide(notice, context)
                if isinstance(decision, _Plan):
                    plans.append(decision)
                    continue
                outcome, reason, detail, not_before = decision
                event = self.settle(notice, outcome, reason, detail, now, not_before=not_before)
                if event is not None:
                    events.append(event)
                    attempts.append(self.attempt(notice, outcome, reason, detail, now))
            if plans:  # what will be sent, stored before anything is (rows this worker holds under its lease)
                _store_composed([plan.notice for plan in plans])
            if events:
                NoticeAttempt.objects.bulk_create(attempts)
                append_events_bulk(events + self._take_follow(), actor=self.actor)
        return plans

    def _decide(self, notice: Notice, context: BatchContext):
        now, today, policy = context.now, context.today, context.policy
        borrower = notice.borrower
        if notice.kind == NoticeKind.REMINDER:
            stop = reminder_stop(notice, today, context)
        elif notice.kind == NoticeKind.PLAN:
            stop = plan_reminder_stop(notice, today, context)
        elif notice.kind in COMPLAINT_KINDS:
            stop = complaint_notice_stop(notice)
        else:
            stop = letter_stop(notice, today, context.holds.get(notice.borrower_id, []))
        if stop:
            reason, detail = stop
            outcome = AttemptOutcome.DEAD if reason == NO_ADDRESS else AttemptOutcome.CANCELLED
            return outcome, reason, detail, None
        verdict = check_contact(now, policy.contact, channel=_contact_channel(notice.channel))
        if not verdict.allowed:
            return AttemptOutcome.DEFERRED, QUIET_HOURS, verdict.reason, verdict.next_allowed_at
        language = (borrower.language if borrower else "") or "zh-hans"
        purpose = notice_purpose(notice)
        template = context.template(purpose, language)
        if template is None:
            return (
                AttemptOutcome.DEFERRED,
                NO_TEMPLATE,
                f"no approved {purpose} template (LANG-2); a legal reviewer approves one",
                now + self.config.no_template_wait,
            )
        values = notice_values(notice, template.language)
        subject = render(template.subject, values) if template.subject else ""
        body = render(template.body, values)
        if notice.kind in COMPLAINT_KINDS:
            recipient = notice.recipient  # chosen when queued: where the complainant is answered
        else:
            recipient = borrower.mobile if notice.channel == NoticeChannel.SMS else borrower.email
        attachments: tuple = ()
        if notice.kind == NoticeKind.LETTER:
            reference = values["reference"]
            attachments = ((f"逾期通知书-{reference}.pdf", bytes(notice.letter.pdf), "application/pdf"),)
        changes = {
            "template": (None, f"{template.purpose} {template.language} v{template.version}"),
            "recipient": (None, recipient),
        }
        notice.recipient, notice.subject, notice.body = recipient, subject, body
        notice.template, notice.language = template, template.language
        return _Plan(
            notice, Outgoing(notice.key, notice.idempotency_key, recipient, subject, body, attachments), changes
        )

    # -- 3. send and record ----------------------------------------------------------------------------

    def send_one(self, sender, plan: _Plan) -> _Outcome | None:
        """Send one notice; its outcome, recorded with the next `record_every` (None: left to reconciliation)."""
        notice = plan.notice
        if notice.channel == NoticeChannel.EMAIL and not self._mark_handing(notice):
            return None  # no longer this worker's (its lease expired and another took it): not sent here
        try:
            provider_id = sender.send(plan.out)
        except SendFailed as exc:
            now = self.clock()
            if not exc.permanent and getattr(exc, "status", 0) is None and not getattr(sender, "idempotent", True):
                # No answer from a gateway without idempotency keys: it may have taken the message. Retrying
                # blindly could send it twice, so leave it to reconciliation (which asks the gateway first).
                Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING, worker=self.worker).update(
                    lease_until=now, last_error=str(exc)[:500]
                )
                return None
            dead = exc.permanent or notice.attempts >= self.config.max_attempts
            outcome = AttemptOutcome.DEAD if dead else AttemptOutcome.FAILED
            not_before = None if dead else now + self.config.retry_after(notice.attempts)
            return _Outcome(notice, outcome, CHANNEL_ERROR, str(exc)[:500], now, {"not_before": not_before})
        if self.after_accept is not None:
            self.after_accept(notice)
        return _Outcome(
            notice, AttemptOutcome.SENT, "", "", self.clock(), {"provider_id": provider_id, "extra": plan.changes}
        )

    def _mark_handing(self, notice: Notice) -> bool:
        """Write and commit this email's handing moment before its SMTP conversation begins, so that after a
        crash reconciliation can tell it from the claimed emails never attempted. False when the row is no
        longer this worker's."""
        return bool(
            Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING, worker=self.worker).update(
                handed_at=self.clock()
            )
        )

    def _record(self, outcomes: list[_Outcome]) -> None:
        """Outcomes in one transaction with their audit events (each only while this worker still holds the row;
        one whose lease another worker took is left to that worker)."""
        if not outcomes:
            return
        with transaction.atomic():
            events, attempts = [], []
            sent = [o for o in outcomes if o.outcome == AttemptOutcome.SENT and o.reason == ""]
            held = self._settle_sent(sent)
            for o in outcomes:
                if o in sent:
                    if o.notice.pk not in held:
                        continue
                    event = self._event(
                        o.notice,
                        o.outcome,
                        "",
                        "",
                        o.at,
                        NoticeStatus.SENDING,
                        NoticeStatus.SENT,
                        {"provider_id": ("", o.kwargs["provider_id"]), **o.kwargs.get("extra", {})},
                    )
                else:
                    event = self.settle(o.notice, o.outcome, o.reason, o.detail, o.at, **o.kwargs)
                if event is not None:
                    events.append(event)
                    attempts.append(self.attempt(o.notice, o.outcome, o.reason, o.detail, o.at))
            NoticeAttempt.objects.bulk_create(attempts)
            append_events_bulk(events + self._take_follow(), actor=self.actor)

    def _take_follow(self) -> list[dict[str, Any]]:
        follow, self._follow = self._follow, []
        return follow

    def _settle_sent(self, sent: list[_Outcome]) -> set[int]:
        """Record these sends in one statement (the common case, so not one ORM update each); returns the ids
        this worker still held. A delivery receipt that came first (`notices.actions.do_record_receipt`) makes
        the notice delivered, or not delivered, instead of sent."""
        if not sent:
            return set()
        table = Notice._meta.db_table
        adapt = connection.ops.adapt_datetimefield_value
        values = ", ".join(["(%s, %s, %s)"] * len(sent))
        params = [v for o in sent for v in (o.notice.pk, o.kwargs["provider_id"], adapt(o.at))]
        cast = "::timestamptz" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608 - our own table and constants; values bound
                f"status = CASE WHEN {table}.delivered_at IS NOT NULL THEN 'delivered' "
                f"WHEN {table}.reason = %s THEN 'undelivered' ELSE 'sent' END, "
                f"last_error = CASE WHEN {table}.reason = %s THEN {table}.last_error ELSE '' END, "
                f"reason = CASE WHEN {table}.reason = %s THEN {table}.reason ELSE '' END, "
                f"lease_until = NULL, provider_id = v.provider_id, sent_at = v.sent_at{cast} "
                "FROM (SELECT column1 AS id, column2 AS provider_id, column3 AS sent_at "
                f"FROM (VALUES {values}) AS x) AS v "
                f"WHERE {table}.id = v.id AND {table}.status = 'sending' AND {table}.worker = %s "
                f"RETURNING {table}.id",
                [RECEIPT_FAILED, RECEIPT_FAILED, RECEIPT_FAILED, *params, self.worker],
            )
            held = {row[0] for row in cursor.fetchall()}
        for o in sent:
            if o.notice.pk not in held:
                log.warning("notice %s: no longer held by %s; its send is not recorded here", o.notice.pk, self.worker)
        return held

    def settle(
        self,
        notice: Notice,
        outcome: str,
        reason: str,
        detail: str,
        now: datetime,
        *,
        not_before: datetime | None = None,
        provider_id: str = "",
        extra: dict | None = None,
        expect: str = NoticeStatus.SENDING,
    ) -> dict[str, Any] | None:
        """Move the notice (held by this worker in `expect`) to the outcome's status; returns the audit event, or
        None when the row is no longer this worker's (its lease expired and another worker took it)."""
        status = {
            AttemptOutcome.SENT: NoticeStatus.SENT,
            AttemptOutcome.CANCELLED: NoticeStatus.CANCELLED,
            AttemptOutcome.DEAD: NoticeStatus.DEAD,
            AttemptOutcome.FAILED: NoticeStatus.QUEUED,
            AttemptOutcome.DEFERRED: NoticeStatus.QUEUED,
            AttemptOutcome.UNCONFIRMED: NoticeStatus.UNCONFIRMED,
            AttemptOutcome.REQUEUED: NoticeStatus.QUEUED,
        }[outcome]
        update: dict[str, Any] = {"status": status, "lease_until": None, "reason": reason}
        if outcome in (AttemptOutcome.FAILED, AttemptOutcome.DEAD):
            update["last_error"] = detail
        if outcome in (AttemptOutcome.FAILED, AttemptOutcome.DEFERRED, AttemptOutcome.REQUEUED):
            update["not_before"] = not_before or now
        if outcome == AttemptOutcome.DEFERRED:
            update["attempts"] = F("attempts") - 1  # waiting is not an attempt
        if outcome == AttemptOutcome.SENT:  # found by reconciliation (a plain send goes through `_settle_sent`)
            update.update(sent_at=now, provider_id=provider_id, last_error="")
        mine = Notice.objects.filter(pk=notice.pk, status=expect)
        if expect == NoticeStatus.SENDING:
            mine = mine.filter(worker=self.worker)
        if not mine.update(**update):
            log.warning("notice %s: no longer held by %s; outcome %s not recorded", notice.pk, self.worker, outcome)
            return None
        changes = {}
        if "not_before" in update:
            changes["not_before"] = (None, update["not_before"].isoformat())
        if provider_id:
            changes["provider_id"] = ("", provider_id)
        changes.update(extra or {})
        return self._event(notice, outcome, reason, detail, now, expect, status, changes)

    def _event(
        self,
        notice: Notice,
        outcome: str,
        reason: str,
        detail: str,
        now: datetime,
        before: str,
        status: str,
        more: dict,
    ) -> dict[str, Any]:
        """After a notice's row moved from `before` to `status`: its letter follows, the tally counts it, and
        here is its audit event."""
        changes = {"status": (before, status)}
        if reason:
            changes["reason"] = ("", reason)
        if detail:
            changes["detail"] = ("", detail)
        changes.update(more)
        if notice.kind == NoticeKind.LETTER:
            self._settle_letter(notice, status, detail or reason)
        elif notice.kind in COMPLAINT_KINDS and status == NoticeStatus.SENT:
            self._follow += complaint_outbox.settle_sent(notice, now, permission=Perm.DISPATCH)
        self.tally[notice.channel, outcome, reason] += 1
        notice.status = status
        return {
            "action": ActionCode.SEND_NOTICE if outcome != AttemptOutcome.DEFERRED else ActionCode.DEFER_NOTICE,
            "permission": Perm.DISPATCH,
            "subject": notice,
            "changes": changes,
            "reason": reason,
            "clause": notice.clause,
            "at": now,
        }

    @staticmethod
    def _settle_letter(notice: Notice, status: str, error: str) -> None:
        letter_status = {
            NoticeStatus.SENT: LetterStatus.EMAILED if notice.channel == NoticeChannel.EMAIL else LetterStatus.PRINTED,
            NoticeStatus.DEAD: LetterStatus.EMAIL_FAILED,
            NoticeStatus.CANCELLED: LetterStatus.CANCELLED,
        }.get(status)
        if letter_status is not None:
            Letter.objects.filter(pk=notice.letter_id).update(
                status=letter_status, error="" if status == NoticeStatus.SENT else error[:300]
            )

    def attempt(self, notice: Notice, outcome: str, reason: str, detail: str, now: datetime) -> NoticeAttempt:
        return NoticeAttempt(
            notice=notice,
            at=now,
            outcome=outcome,
            reason=reason,
            detail=detail[:500],
            worker=self.worker,
            channel=notice.channel,
        )

    # -- 4. reconcile ----------------------------------------------------------------------------------

    def reconcile(self) -> list[Notice]:
        """Settle every notice whose worker's lease expired while sending (see the module doc). Returns the ones
        left `unconfirmed` for a person."""
        now = self.clock()
        unconfirmed = []
        stale = Notice.objects.filter(status=NoticeStatus.SENDING, lease_until__lt=now).select_related("borrower")
        for notice in stale:
            # Take it over (a conditional update: two reconciling workers cannot both).
            taken = Notice.objects.filter(
                pk=notice.pk, status=NoticeStatus.SENDING, lease_until=notice.lease_until
            ).update(worker=self.worker, lease_until=now + self.config.lease)
            if not taken:
                continue
            outcome, reason, detail, provider_id = self._verdict_after_crash(notice)
            self._record([_Outcome(notice, outcome, reason, detail, now, {"provider_id": provider_id})])
            if outcome == AttemptOutcome.UNCONFIRMED:
                unconfirmed.append(notice)
        return unconfirmed

    def _verdict_after_crash(self, notice: Notice) -> tuple[str, str, str, str]:
        worker = f"worker {notice.worker} stopped while sending"
        if notice.channel != NoticeChannel.SMS:
            if notice.handed_at is None:
                return (
                    AttemptOutcome.REQUEUED,
                    LEASE_EXPIRED,
                    f"{worker}, before handing it to the mail server; queued again",
                    "",
                )
            return (
                AttemptOutcome.UNCONFIRMED,
                LEASE_EXPIRED,
                f"{worker}; it was being handed to the mail server, which cannot say whether it took it",
                "",
            )
        sms = self.channel(NoticeChannel.SMS)
        if sms.idempotent:
            return AttemptOutcome.REQUEUED, LEASE_EXPIRED, f"{worker}; sent again with the same idempotency key", ""
        try:
            found = sms.lookup(notice.key)
        except SendFailed as exc:
            return AttemptOutcome.UNCONFIRMED, LEASE_EXPIRED, f"{worker}; the gateway could not be asked: {exc}", ""
        if found:
            return AttemptOutcome.SENT, FOUND_BY_RECONCILIATION, f"{worker}; the gateway has it", found[0]
        return AttemptOutcome.REQUEUED, LEASE_EXPIRED, f"{worker}; the gateway never took it", ""


@dataclass(frozen=True)
class _Outcome:
    notice: Notice
    outcome: str
    reason: str
    detail: str
    at: datetime
    kwargs: dict


def _contact_channel(channel: str) -> str:
    return "letter" if channel == NoticeChannel.POST else channel


def _store_composed(notices: list[Notice]) -> None:
    """What composing wrote into each notice, by one UPDATE statement run for every row (`bulk.update_fields`)."""
    update_fields(notices, ["recipient", "subject", "body", "template", "language", "amount_fen"])
