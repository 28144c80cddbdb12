"""Sealed change records (the format and the checks; the writer and the reads are in `sealed.py`): a bulk writer's changes on record, tamper-evident, at the cost of one ledger event per
commit (AUTH-4).

The nightly run changes tens of thousands of objects a night. Each change is recorded as a row of
`ChangeRecord` (what an audit event would hold: action, subject, clause, {field: [before, after]}, reason),
written in bulk, and the commit that writes them appends ONE ledger event, `engine.seal_changes`, whose
`changes` hold `{"sealed": [null, {"batch": B, "first": i, "last": j, "count": n, "digest": D}]}`:

- each row's `digest` is the SHA-256 (lower-case hex) of the UTF-8 bytes of
  `json.dumps([batch, seq, action, subject_type, subject_id, clause, reason], ensure_ascii=False,
  separators=(",", ":"))`, a newline, and the row's `changes` text as stored (canonical JSON: keys sorted, no
  whitespace, non-ASCII as itself; dates in ISO 8601, Decimal as its string);
- `D` is the SHA-256 of the rows' digests in `seq` order, each followed by a newline ("\\n").

The seal is a link of the hash chain, so it cannot be altered without the chain showing it; `audit verify`
recomputes every row's digest and every seal's `D` from the rows (`check_seal`), and checks that every row of a
batch is sealed (`unsealed_rows`). Hence an edited row (its digest no longer matches), an edited and re-digested
row, a deleted or reordered row (the seal's digest or count no longer matches), and an added row (sealed by no
event) are all found, as an edited event is. The seal proves the set and the content of the changes of each
commit, in order; the time, the actor and the permission of the changes are the seal's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from hashlib import sha256
from typing import Any
from uuid import UUID

import orjson
from django.db.models import Count, Max, Min

from arrears.compliance.codes import ActionCode
from arrears.compliance.models import AuditEvent, ChangeRecord

__all__ = [
    "COLUMNS",
    "SealCheck",
    "change_batches",
    "change_digest",
    "changes_text",
    "check_seal",
    "seal_of",
    "unsealed_rows",
]

COLUMNS = ("batch", "seq", "action", "subject_type", "subject_id", "clause", "changes", "reason", "digest")


def _plain(value: Any) -> Any:
    """What json cannot write itself, as `ledger.json_safe` writes it."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError(f"naive datetime {value!r}: record aware instants")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} {value!r} cannot be recorded; convert it to str, int or Decimal")


# The format is the standard library's `json.dumps` with the options of the module doc. orjson writes the same
# text for every value recorded here (tests/compliance/test_seal_text.py) about five times faster, which counts
# at tens of thousands of records a night; the standard library's encoder, made once, writes what orjson
# refuses (an integer beyond 64 bits, a key that is not text), so the text never depends on which one ran.
# Dates, times and dataclasses are passed to `_plain` as the standard library would pass them (orjson would
# write an aware datetime in its own offset and a dataclass as a mapping).
_CHANGES = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode
_HEAD = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_FAST_CHANGES = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def changes_text(changes: Mapping[str, Sequence]) -> str:
    """{field: (before, after)} as the canonical JSON text stored and hashed (pairs as lists). Floats are refused
    (as by the ledger): they do not survive a round trip exactly."""
    for name, (before, after) in changes.items():
        if before.__class__ is float or after.__class__ is float or name.__class__ is not str:
            raise TypeError(f"{name!r}: only text keys and no floats can be recorded exactly; use int fen or Decimal")
    try:
        return orjson.dumps(changes, default=_plain, option=_FAST_CHANGES).decode()
    except TypeError:  # orjson.JSONEncodeError is one: the standard library writes it, or says what is wrong
        return _CHANGES(changes)


def change_digest(
    batch: str, seq: int, action: str, subject_type: str, subject_id: str, clause: str, changes: str, reason: str
) -> str:
    """A change record's digest (see the module doc)."""
    try:
        head = orjson.dumps([batch, seq, action, subject_type, subject_id, clause, reason])
    except TypeError:
        head = _HEAD([batch, seq, action, subject_type, subject_id, clause, reason]).encode()
    return sha256(head + b"\n" + changes.encode()).hexdigest()


@dataclass(frozen=True)
class SealCheck:
    """What is wrong with one seal's rows (`problem` a key of `ledger.PROBLEMS`), or ok."""

    ok: bool
    problem: str = ""
    facts: Mapping[str, Any] | None = None


def seal_of(changes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The sealed range from a seal event's `changes`, or None when it is not one."""
    sealed = changes.get("sealed") if isinstance(changes, Mapping) else None
    if not isinstance(sealed, list | tuple) or len(sealed) != 2 or not isinstance(sealed[1], Mapping):
        return None
    return dict(sealed[1])


def check_seal(event_id: int, changes: Mapping[str, Any], batch_size: int = 5000) -> SealCheck:
    """Recompute the digests of the rows the seal event `event_id` names, and its digest over them."""
    seal = seal_of(changes)
    if seal is None:
        return SealCheck(False, "seal_malformed", {"id": event_id})
    rows = (
        ChangeRecord.objects.filter(batch=seal["batch"], seq__gte=seal["first"], seq__lte=seal["last"])
        .order_by("seq", "id")
        .values_list(*COLUMNS)
    )
    total, expected, found = hashlib.sha256(), seal["first"], 0
    for row in rows.iterator(chunk_size=batch_size):
        batch, seq, *fields, stored = row
        if seq != expected:  # a row missing (or two with one number, the constraint dropped)
            return SealCheck(False, "change_missing", {"id": event_id, "found": found, "count": seal["count"]})
        if change_digest(batch, seq, *fields) != stored:
            return SealCheck(False, "change_edited", {"id": event_id, "batch": batch, "seq": seq})
        total.update(f"{stored}\n".encode())
        expected, found = expected + 1, found + 1
    if found != seal["count"]:
        return SealCheck(False, "change_missing", {"id": event_id, "found": found, "count": seal["count"]})
    if total.hexdigest() != seal["digest"]:
        return SealCheck(False, "change_digest", {"id": event_id})
    return SealCheck(True)


def change_batches() -> dict[str, tuple[int, int, int]]:
    """Each batch of change records: (rows, lowest number, highest number)."""
    return {
        batch: (n, low, high)
        for batch, n, low, high in ChangeRecord.objects.order_by()
        .values_list("batch")
        .annotate(n=Count("id"), low=Min("seq"), high=Max("seq"))
    }


def unsealed_rows(stored: Mapping[str, tuple[int, int, int]], head_id: int) -> SealCheck:
    """Every change record of `stored` (`change_batches()`, read before the head) lies in a range sealed by an
    event up to `head_id`: rows and seal commit together, so no commit made meanwhile is mistaken for rows
    written outside arrears."""
    sealed: dict[str, int] = {}
    for (changes,) in AuditEvent.objects.filter(action=ActionCode.SEAL_CHANGES, id__lte=head_id).values_list("changes"):
        seal = seal_of(changes)
        if seal is not None:
            sealed[seal["batch"]] = max(sealed.get(seal["batch"], 0), seal["last"])
    for batch, (n, low, high) in sorted(stored.items()):
        last = sealed.get(batch, 0)
        if high > last or n > last or low < 1:
            beyond = ChangeRecord.objects.filter(batch=batch).exclude(seq__gte=1, seq__lte=last)
            first = beyond.order_by("seq").values_list("seq", flat=True).first()
            if first is None:  # as many rows as numbers, one number twice
                first = high
            return SealCheck(False, "change_unsealed", {"batch": batch, "seq": first})
    return SealCheck(True)
