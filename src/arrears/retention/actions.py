"""`do_purge_expired`: delete or anonymise what is past its retention period on a business date, audited.

The periods are the policy's `retention` section in force on `as_of` (Clause: PRV-1, LTR-1, CALL-3, AUTH-4):

- **personal data** (PRV-1): a borrower whose loans are all closed, the last one before the period began, is
  anonymised — name, ID number, phones, email, address, employer and income; their contact persons' names and
  phones; the numbers dialled on their calls (and on the call platform's record of them, whose events as they came
  are emptied); the recipients and texts of their notices. The customer number,
  loans, schedules, payments, cases and call outcomes stay (the bank's figures, no longer about a person
  anyone can name). One `retention.anonymise_borrower` event per borrower, with the counts.
- **letters** (LTR-1): the PDF of a notice sent before the period began is deleted; the row keeps its figures,
  its SHA-256 and the day it was deleted (`pdf_purged_on`), so the history reads as before and a copy kept
  elsewhere can still be checked. Print batches likewise (their PDF and CSV manifest). One event per letter and
  per batch.
- **recordings** (CALL-3): the day directories (YYYY-MM-DD) of ARREARS_RECORDINGS_DIR before the period began
  are deleted, files and all. The ledger has no event per recording, so only the counts are recorded.
- **stored recordings** (QA-1): the audio of a recording arrears stored (`quality.Recording`) is deleted from the
  storage the day after its `retain_until`; the row keeps its SHA-256, size and the day it was deleted
  (`purged_on`), and the case page says the recording was deleted under the retention period. One
  `retention.purge_recording` event per recording.
- **audit events** (AUTH-4): never deleted. The ledger is one hash chain from its first event; cutting its
  start would need a checkpoint every verifier trusts, and the append-only triggers refuse any delete. The purge
  counts the events past `retention.audit_years` and reports them (a bank that must remove them archives the
  database and starts a new ledger — a decision for people, not for a nightly job). The sealed change records of
  the nightly run (`compliance.seals`) are part of that proof and kept with it: the purge counts those whose seal
  is past the period, likewise.

Then one `retention.purge_expired` event with the counts per kind and the cut-off day of each. All in one
transaction; a run that finds nothing past its period writes nothing (a second run of the same date changes
nothing). Recording directories and stored recordings' files are deleted last, inside the transaction, each
logged on `arrears.security` as it goes: if one cannot be deleted, the purge stops and the database changes roll
back, so the ledger never claims a deletion that did not happen; the days already deleted in that run are in the security log, and the
next run deletes and records the rest.

The periods are counted from business dates, never from the clock: a purge of a past date removes only what
was past its period then, and running a date again is harmless.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from arrears.accounts.permissions import Perm
from arrears.collection.models import Call, Letter
from arrears.compliance.actions import append_events_bulk, require
from arrears.compliance.codes import ActionCode
from arrears.notices.models import Notice, PrintBatch
from arrears.portfolio.models import Borrower
from arrears.quality.models_recording import Recording, TelephonyCall, TelephonyEvent
from arrears.retention.queries import (
    ANONYMOUS,
    CONTACT_PHONE_PREFIX,
    Cutoffs,
    audit_events_past,
    change_records_past,
    chunks,
    closed_out_borrowers,
    contacts_due,
    letters_due,
    personal_data_due,
    print_batches_due,
    recording_days_due,
    recordings_due,
)
from arrears.rules.queries import policy_book

security_log = logging.getLogger("arrears.security")


# What a purge reports per kind, in this order.
COUNTED = (
    "borrowers_anonymised",
    "contacts_anonymised",
    "call_numbers_erased",
    "notices_erased",
    "letter_pdfs_deleted",
    "print_batches_deleted",
    "recording_days_deleted",
    "recording_files_deleted",
    "recordings_deleted",
    "audit_events_past_period",
    "change_records_past_period",
)


@dataclass
class PurgeReport:
    """What a purge did (or, dry, would do) on `as_of`."""

    as_of: date
    dry_run: bool
    policy: str
    cutoffs: dict[str, str]
    borrowers_anonymised: int = 0
    contacts_anonymised: int = 0
    call_numbers_erased: int = 0
    notices_erased: int = 0
    letter_pdfs_deleted: int = 0
    print_batches_deleted: int = 0
    recording_days_deleted: int = 0
    recording_files_deleted: int = 0
    recordings_deleted: int = 0  # stored recordings' audio (QA-1)
    recordings_dir: str = ""
    audit_events_past_period: int = 0  # kept: the ledger is never cut
    change_records_past_period: int = 0  # kept: sealed by the ledger's events
    events_written: int = 0
    recording_days: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return (
            self.borrowers_anonymised
            + self.contacts_anonymised
            + self.call_numbers_erased
            + self.notices_erased
            + self.letter_pdfs_deleted
            + self.print_batches_deleted
            + self.recording_days_deleted
            + self.recordings_deleted
        )

    def counts(self) -> dict[str, int]:
        """What the purge did or found, per kind (the summary event's changes, the job's words)."""
        return {name: getattr(self, name) for name in COUNTED}

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["changed"] = self.changed
        return data


def _counts(report: PurgeReport) -> dict[str, tuple[None, int]]:
    return {name: (None, n) for name, n in report.counts().items()}


def do_purge_expired(as_of: date, *, actor: Any, basis: str = "", dry_run: bool = False) -> PurgeReport:
    """Purge what is past its retention period on business date `as_of` (permission `compliance.purge_expired`,
    checked first: a refusal changes nothing). `basis`: why it runs (recorded as the events' reason; default:
    the policy version in force). `dry_run`: count only, write and delete nothing."""
    require(actor, Perm.PURGE_EXPIRED)
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a date, not {as_of!r}")
    version = policy_book().version_on(as_of)
    cut = Cutoffs.of(as_of, version.policy.retention)
    report = PurgeReport(
        as_of=as_of,
        dry_run=dry_run,
        policy=version.name,
        cutoffs={k: v.isoformat() for k, v in asdict(cut).items()},
    )
    reason = basis.strip() or f"retention periods of the policy in force on {as_of.isoformat()} ({version.name})"
    with transaction.atomic():
        events: list[dict[str, Any]] = []
        _personal_data(cut.personal_data, as_of, report, events, reason, dry_run=dry_run)
        _letters(cut.letters, as_of, report, events, reason, dry_run=dry_run)
        stored = _recordings(as_of, report, events, reason, dry_run=dry_run)
        days = recording_days_due(cut.recordings)
        report.recording_days = [d.day.isoformat() for d in days]
        report.recording_days_deleted = len(days)
        report.recording_files_deleted = sum(d.files for d in days)
        report.recordings_dir = "" if not days else str(days[0].path.parent)
        report.audit_events_past_period = audit_events_past(cut.audit)
        report.change_records_past_period = change_records_past(cut.audit)
        if dry_run or report.changed == 0:
            return report
        events.append(
            {
                "action": ActionCode.PURGE_EXPIRED,
                "permission": Perm.PURGE_EXPIRED,
                "subject": ("retention.purge", as_of.isoformat()),
                "clause": "AUTH-4",
                "reason": reason,
                "changes": {**_counts(report), **{f"cutoff_{k}": (None, v) for k, v in report.cutoffs.items()}},
            }
        )
        report.events_written = append_events_bulk(events, actor=actor)
        for day in days:  # last: a failure rolls the database back and leaves the rest for the next run
            shutil.rmtree(day.path)
            security_log.info("retention purge %s: deleted recordings of %s (%s files)", as_of, day.day, day.files)
        for pk, path in stored:
            default_storage.delete(path)  # a file already gone is no error: the row says it is deleted
            security_log.info("retention purge %s: deleted the audio of recording %s", as_of, pk)
    return report


def _personal_data(before: date, as_of: date, report: PurgeReport, events: list, reason: str, *, dry_run: bool):
    """Clause: PRV-1 — anonymise the borrowers closed out before `before`."""
    ids = closed_out_borrowers(before)
    due = personal_data_due(ids)
    touched = sorted(set().union(*(set(per) for per in due.values())))
    report.borrowers_anonymised = len(due["borrower"])
    report.contacts_anonymised = sum(due["contacts"].values())
    report.call_numbers_erased = sum(due["calls"].values())
    report.notices_erased = sum(due["notices"].values())
    if dry_run or not touched:
        return
    for chunk in chunks(touched):
        Borrower.objects.filter(pk__in=chunk).update(**ANONYMOUS)
        contacts_due(chunk).update(
            name="", phone=Concat(Value(CONTACT_PHONE_PREFIX), Cast("pk", CharField()), output_field=CharField())
        )
        Call.objects.filter(borrower_id__in=chunk).exclude(number="").update(number="")
        # The call platform's record of their calls holds the number too, in its row and in its events as they
        # came (CALL-3): the number is erased and the events keep their kind and instant, not their JSON.
        platform = TelephonyCall.objects.filter(Q(call__borrower_id__in=chunk) | Q(case__borrower_id__in=chunk))
        platform.exclude(number="").update(number="")
        TelephonyEvent.objects.filter(telephony_call__in=platform).exclude(payload={}).update(payload={})
        Notice.objects.filter(borrower_id__in=chunk).exclude(recipient="", body="").update(recipient="", body="")
    for pk in touched:
        events.append(
            {
                "action": ActionCode.ANONYMISE_BORROWER,
                "permission": Perm.PURGE_EXPIRED,
                "subject": ("portfolio.borrower", str(pk)),
                "clause": "PRV-1",
                "reason": reason,
                "changes": {
                    **({"personal_data": ("kept", "anonymised")} if pk in due["borrower"] else {}),
                    "contacts": (None, due["contacts"].get(pk, 0)),
                    "call_numbers": (None, due["calls"].get(pk, 0)),
                    "notices": (None, due["notices"].get(pk, 0)),
                    "closed_before": (None, before),
                },
            }
        )


def _letters(before: date, as_of: date, report: PurgeReport, events: list, reason: str, *, dry_run: bool):
    """Clause: LTR-1 — delete the PDFs of letters and print batches sent before `before`; keep the rows."""
    letters = list(letters_due(before).order_by("pk").values_list("pk", "pdf_sha256", "sent_on"))
    batches = list(print_batches_due(before).order_by("pk").values_list("pk", "pdf_sha256", "business_date"))
    report.letter_pdfs_deleted, report.print_batches_deleted = len(letters), len(batches)
    if dry_run:
        return
    for chunk in chunks([pk for pk, _, _ in letters]):
        Letter.objects.filter(pk__in=chunk).update(pdf=b"", pdf_purged_on=as_of)
    for chunk in chunks([pk for pk, _, _ in batches]):
        PrintBatch.objects.filter(pk__in=chunk).update(pdf=b"", manifest="", pdf_purged_on=as_of)
    for code, label, rows in (
        (ActionCode.PURGE_LETTER_PDF, "collection.letter", letters),
        (ActionCode.PURGE_PRINT_BATCH, "notices.printbatch", batches),
    ):
        for pk, sha, sent in rows:
            events.append(
                {
                    "action": code,
                    "permission": Perm.PURGE_EXPIRED,
                    "subject": (label, str(pk)),
                    "clause": "LTR-1",
                    "reason": reason,
                    "changes": {"pdf": (f"sha256:{sha}", "deleted"), "sent_on": (None, sent)},
                }
            )


def _recordings(as_of: date, report: PurgeReport, events: list, reason: str, *, dry_run: bool) -> list:
    """Clause: QA-1 — the stored recordings past their `retain_until`: the rows marked deleted now; returns (id,
    storage path) of each, whose files the caller deletes last."""
    due = list(recordings_due(as_of).order_by("pk").values_list("pk", "path", "sha256", "call_id", "retain_until"))
    report.recordings_deleted = len(due)
    if dry_run:
        return []
    for chunk in chunks([row[0] for row in due]):
        Recording.objects.filter(pk__in=chunk, purged_on__isnull=True).update(path="", purged_on=as_of)
    for pk, _path, sha, call_id, until in due:
        events.append(
            {
                "action": ActionCode.PURGE_RECORDING,
                "permission": Perm.PURGE_EXPIRED,
                "subject": ("quality.recording", str(pk)),
                "clause": "QA-1",
                "reason": reason,
                "changes": {
                    "audio": (f"sha256:{sha}", "deleted"),
                    "call": (None, call_id),
                    "retain_until": (None, until),
                },
            }
        )
    return [(pk, path) for pk, path, _sha, _call, _until in due]
