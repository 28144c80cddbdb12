"""What is past its retention period on a business date (reads only; `actions.py` purges).

Every query is set-based: one query per kind, plus one per 1,000 borrowers for their contact persons, calls and
notices; nothing is read row by row. What has already been purged is not selected again, so a second purge of
the same date finds nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q

from arrears.collection.models import Call, Letter
from arrears.compliance.codes import ActionCode
from arrears.compliance.models import AuditEvent
from arrears.compliance.seals import seal_of
from arrears.notices.models import Notice, PrintBatch
from arrears.policy.model import Retention
from arrears.portfolio.models import Borrower, ContactPerson, LoanStatus
from arrears.quality.models_recording import Recording
from arrears.retention.periods import cutoff

CHUNK = 1000
# What an anonymised borrower holds: the customer number (the core-banking key) and the figures, nothing that
# names or reaches the person.
ANONYMOUS_NAME = "已匿名"
ANONYMOUS = {
    "name": ANONYMOUS_NAME,
    "id_number": "",
    "mobile": "",
    "phone_alt": "",
    "email": "",
    "address": "",
    "employer": "",
    "monthly_income_fen": None,
}
CONTACT_PHONE_PREFIX = "#"  # an anonymised contact person's phone is "#<its id>" (unique per borrower, no number)


@dataclass(frozen=True)
class Cutoffs:
    """The first day still kept, per kind, on a business date."""

    personal_data: date
    letters: date
    recordings: date
    audit: date

    @classmethod
    def of(cls, as_of: date, retention: Retention) -> Cutoffs:
        return cls(
            cutoff(as_of, retention.personal_data_years),
            cutoff(as_of, retention.letters_years),
            cutoff(as_of, retention.recordings_years),
            cutoff(as_of, retention.audit_years),
        )


def closed_out_borrowers(before: date) -> list[int]:
    """Borrowers (ids, ascending) with at least one loan, every loan closed, and the last of them closed before
    `before`. A loan's closing day is the business date of the feed that last changed it (`feed_date`): at or
    after the day it closed, never earlier, so the period never ends early. A written-off loan is not closed
    (账销案存: the bank's claim stands), nor is an active one."""
    return list(
        Borrower.objects.annotate(
            not_closed=Count("loans", filter=~Q(loans__status=LoanStatus.CLOSED)), last_change=Max("loans__feed_date")
        )
        .filter(not_closed=0, last_change__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _anonymous() -> Q:
    return Q(**ANONYMOUS)


def chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def personal_data_due(ids: list[int]) -> dict[str, dict[int, int]]:
    """For the borrowers `ids`, what still holds personal data, per borrower: {"borrower": {id: 1}, "contacts":
    {id: n}, "calls": {id: n}, "notices": {id: n}}. Empty dicts when all is anonymised already."""
    due: dict[str, dict[int, int]] = {"borrower": {}, "contacts": {}, "calls": {}, "notices": {}}
    for chunk in chunks(ids):
        for pk in Borrower.objects.filter(pk__in=chunk).exclude(_anonymous()).values_list("pk", flat=True):
            due["borrower"][pk] = 1
        for kind, rows in (
            ("contacts", contacts_due(chunk)),
            ("calls", Call.objects.filter(borrower_id__in=chunk).exclude(number="")),
            ("notices", Notice.objects.filter(borrower_id__in=chunk).exclude(recipient="", body="")),
        ):
            for borrower_id, n in rows.values("borrower_id").annotate(n=Count("pk")).values_list("borrower_id", "n"):
                due[kind][borrower_id] = n
    return due


def contacts_due(borrower_ids: list[int]):
    return ContactPerson.objects.filter(borrower_id__in=borrower_ids).exclude(
        name="", phone__startswith=CONTACT_PHONE_PREFIX
    )


def letters_due(before: date):
    """Letters sent before `before` whose PDF is still stored."""
    return Letter.objects.filter(sent_on__lt=before, pdf_purged_on__isnull=True).exclude(pdf=b"")


def print_batches_due(before: date):
    return PrintBatch.objects.filter(business_date__lt=before, pdf_purged_on__isnull=True)


@dataclass(frozen=True)
class RecordingDay:
    day: date
    path: Path
    files: int


def recordings_root() -> Path | None:
    configured = settings.ARREARS_RECORDINGS_DIR
    return Path(configured) if configured else None


def recording_days_due(before: date) -> list[RecordingDay]:
    """The day directories (YYYY-MM-DD) of the recordings store dated before `before`, with their file counts.
    Entries not named as a date are left alone (never guessed at)."""
    root = recordings_root()
    if root is None or not root.is_dir():
        return []
    days = []
    for entry in sorted(root.iterdir()):
        try:
            day = date.fromisoformat(entry.name)
        except ValueError:
            continue
        if entry.is_dir() and not entry.is_symlink() and day < before and len(entry.name) == 10:
            files = sum(len(names) for _, _, names in os.walk(entry))
            days.append(RecordingDay(day, entry, files))
    return days


def recordings_due(as_of: date):
    """QA-1: the recordings whose audio is still stored and whose `retain_until` is before `as_of` (kept through
    that day, deleted from the day after)."""
    return Recording.objects.filter(purged_on__isnull=True, retain_until__lt=as_of)


def _local_start(before: date) -> datetime:
    return datetime.combine(before, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def audit_events_past(before: date) -> int:
    """Events recorded before `before` began in local time (Asia/Shanghai): past the audit period, but kept."""
    return AuditEvent.objects.filter(at__lt=_local_start(before)).count()


def change_records_past(before: date) -> int:
    """Sealed change records (`compliance.seals`) whose seal was recorded before `before` began in local time: past
    the audit period, kept like the ledger events that seal them. The count each seal carries: the records of a seal
    are exactly its range, and none can be deleted."""
    seals = AuditEvent.objects.filter(action=ActionCode.SEAL_CHANGES, at__lt=_local_start(before))
    return sum(int(seal["count"]) for changes in seals.values_list("changes", flat=True) if (seal := seal_of(changes)))
