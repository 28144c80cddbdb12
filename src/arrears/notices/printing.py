"""The day's print batch (LTR-2, "printed and mailed to the actual address"): every letter queued for post, in
one PDF for the print house, with a CSV manifest that lets the print house check each letter it prints and lets
the bank check each one it was sent.

Manifest columns: seq, reference, customer_number, name, address, postcode, contracts, pages, first_page, sha256
(of the letter's PDF as issued; the batch's PDF holds the same pages). The borrower record has no postcode of its
own: `postcode` is the six-digit postal code written in the address (`postcode_of`), empty when it has none.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection.letters import letter_reference
from arrears.collection.models import Letter, LetterStatus
from arrears.collection.queries import holds_of
from arrears.compliance.actions import append_events_bulk, audited, require
from arrears.compliance.codes import ActionCode
from arrears.notices.models import (
    AttemptOutcome,
    Notice,
    NoticeAttempt,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    PrintBatch,
)

__all__ = ["MANIFEST_COLUMNS", "do_make_print_batch", "postcode_of"]

MANIFEST_COLUMNS = (
    "seq",
    "reference",
    "customer_number",
    "name",
    "address",
    "postcode",
    "contracts",
    "pages",
    "first_page",
    "sha256",
)

# A Chinese postal code is six digits, written before the address ("100080 北京市…"), after it ("…27号 100080"), or
# labelled 邮编 / 邮政编码 anywhere in it; a run of more than six digits (a phone number) is not one.
_POSTCODE = (
    re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(?<!\d)(\d{6})(?!\d)"),
    re.compile(r"^\s*[(（]?(\d{6})(?!\d)"),
    re.compile(r"(?<!\d)(\d{6})[)）]?\s*$"),
)


def postcode_of(address: str) -> str:
    """The six-digit postal code written in `address` (labelled 邮编, or at its start or end), or "" (LTR-2: the
    print house sorts the post by it)."""
    for pattern in _POSTCODE:
        found = pattern.search(address)
        if found:
            return found.group(1)
    return ""


def do_make_print_batch(business_date: date, *, actor, at: datetime | None = None) -> PrintBatch | None:
    """Put every letter queued for post into one print batch (Clause: LTR-2). Needs Perm.DISPATCH (the worker)
    or Perm.MANAGE_OUTBOX (a supervisor). Each letter is re-checked as the dispatcher does (a hold, or nothing
    overdue any more: cancelled, not printed; no address: dead). Returns the batch, or None when no letter is
    left to print.

    One transaction: the stopped letters settled, the batch (PDF + manifest), each notice sent with its batch,
    each letter printed, an audit event for the batch and one per letter. On PostgreSQL the notices are locked
    SKIP LOCKED, so a worker and a supervisor making a batch at once never print a letter twice."""
    from arrears.notices.dispatch import Dispatcher  # the dispatcher's records
    from arrears.notices.send_checks import NO_ADDRESS, letter_stop  # its re-checks

    permission = Perm.DISPATCH if has_perm(actor, Perm.DISPATCH) else Perm.MANAGE_OUTBOX
    require(actor, permission)
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    checker = Dispatcher(actor, clock=lambda: now)
    with transaction.atomic():
        waiting = Notice.objects.filter(
            status=NoticeStatus.QUEUED, channel=NoticeChannel.POST, kind=NoticeKind.LETTER
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        ids = list(waiting.values_list("pk", flat=True))
        notices = list(Notice.objects.filter(pk__in=ids).select_related("borrower", "letter").order_by("pk"))
        events, attempts, printable = [], [], []
        holds = holds_of({n.borrower_id for n in notices}, today)
        for notice in notices:
            stop = letter_stop(notice, today, holds.get(notice.borrower_id, []))
            if stop is None and not notice.borrower.address.strip():
                stop = (NO_ADDRESS, "the borrower has no address on record")
            if stop is None:
                printable.append(notice)
                continue
            reason, detail = stop
            outcome = AttemptOutcome.DEAD if reason == NO_ADDRESS else AttemptOutcome.CANCELLED
            event = checker.settle(notice, outcome, reason, detail, now, expect=NoticeStatus.QUEUED)
            if event:
                events.append(event | {"permission": permission})
                attempts.append(checker.attempt(notice, outcome, reason, detail, now))
        batch = None
        if printable:
            with audited(
                actor, ActionCode.MAKE_PRINT_BATCH, permission=permission, subject=None, clause="LTR-2", at=now
            ) as record:
                batch = _batch(business_date, printable, actor, now)
                for notice in printable:
                    Notice.objects.filter(pk=notice.pk).update(
                        status=NoticeStatus.SENT,
                        print_batch=batch,
                        sent_at=now,
                        lease_until=None,
                        reason="",
                        recipient=notice.borrower.address[:254],
                    )
                    # no detail: the notice's print batch is its own field, worded by the outbox in the reader's language
                    attempts.append(checker.attempt(notice, AttemptOutcome.SENT, "", "", now))
                    checker.tally[notice.channel, AttemptOutcome.SENT, ""] += 1
                    events.append(
                        {
                            "action": ActionCode.SEND_NOTICE,
                            "permission": permission,
                            "subject": notice,
                            "changes": {
                                "status": (NoticeStatus.QUEUED, NoticeStatus.SENT),
                                "print_batch": (None, batch.pk),
                            },
                            "clause": "LTR-2",
                            "at": now,
                        }
                    )
                Letter.objects.filter(pk__in=[n.letter_id for n in printable]).update(
                    status=LetterStatus.PRINTED, error=""
                )
                record.set_subject(batch)
                record.change("business_date", None, business_date.isoformat())
                record.change("letters", None, batch.letters)
                record.change("pages", None, batch.pages)
                record.change("pdf_sha256", None, batch.pdf_sha256)
        if attempts:
            NoticeAttempt.objects.bulk_create(attempts)
        if events:
            append_events_bulk(events, actor=actor)
    return batch


def _batch(business_date: date, notices: list[Notice], actor, now: datetime) -> PrintBatch:
    writer = PdfWriter()
    rows = []
    first_page = 1
    for seq, notice in enumerate(notices, start=1):
        letter = notice.letter
        reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
        pages = len(reader.pages)
        writer.append(reader)
        borrower = notice.borrower
        rows.append(
            {
                "seq": seq,
                "reference": letter_reference(letter),
                "customer_number": borrower.external_id,
                "name": borrower.name,
                "address": borrower.address,
                "postcode": postcode_of(borrower.address),
                "contracts": letter.contracts,
                "pages": pages,
                "first_page": first_page,
                "sha256": letter.pdf_sha256,
            }
        )
        first_page += pages
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    manifest = io.StringIO()
    writer_csv = csv.DictWriter(manifest, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer_csv.writeheader()
    writer_csv.writerows(rows)
    number = (PrintBatch.objects.filter(business_date=business_date).aggregate(n=Max("number"))["n"] or 0) + 1
    return PrintBatch.objects.create(
        business_date=business_date,
        number=number,
        created_at=now,
        created_by=actor,
        letters=len(notices),
        pages=first_page - 1,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        manifest=manifest.getvalue(),
    )
