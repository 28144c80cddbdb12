"""How the ledger's hash chain is formed, and how to check it.

Each event's `hash` is the SHA-256 (lower-case hex) of the UTF-8 bytes of this JSON object:

    {"action": <str>, "actor_id": <int>, "actor_role": <str, "" when none>, "actor_username": <str>,
     "at": <str>, "basis": {"approval": <str|null>, "clause": <str|null>, "permission": <str>},
     "changes": {<field>: [<before>, <after>], …}, "id": <int>, "prev_hash": <str>, "reason": <str>,
     "subject_id": <str>, "subject_type": <str>}

written with keys sorted (at every level), no whitespace (separators "," and ":"), non-ASCII characters as
themselves (not \\u escapes), and Python's `json.dumps` escaping otherwise — i.e.
`json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. `at` is the UTC instant as
`YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (always six fraction digits). `prev_hash` is the previous event's hash;
the first event's is 64 zeros. Values in `changes` are JSON-safe when recorded (`json_safe`): Decimal as its
string, dates and times in ISO 8601, sets as sorted lists; floats are refused (they do not survive a
database round trip exactly). So an auditor recomputes any hash from the row's stored columns alone.

Ids are 1, 2, 3 … in chain order. `verify_chain` streams the events in id order in constant memory and stops
at the first broken link:
- a gap in the ids, or a `prev_hash` that is not the previous event's hash: an event was deleted, or events
  were reordered (or an event was edited and re-hashed);
- a stored `hash` that is not the hash of the row: the row was edited;
- the chain ending before the ledger head says: the last events were deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from django.db import models

from arrears.compliance.models import GENESIS_HASH, AuditEvent, LedgerHead

HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "subject_type",
    "subject_id",
    "basis",
    "changes",
    "reason",
    "prev_hash",
)


def json_safe(value: Any) -> Any:
    """`value` as plain JSON data that reads back identically from the database (see the module docstring)."""
    if value is None or (isinstance(value, bool | int) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        raise TypeError(f"float {value!r} cannot be recorded exactly; use Decimal or a string")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError(f"naive datetime {value!r}: record aware instants")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"mapping key {key!r} is not a string")
            out[str(key)] = json_safe(item)
        return out
    if isinstance(value, set | frozenset):
        return sorted((json_safe(item) for item in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    raise TypeError(f"{type(value).__name__} {value!r} cannot be recorded; convert it to str, int or Decimal")


def instant_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The exact bytes that are hashed, from an event's fields (`HASHED_FIELDS`, `at` as a datetime)."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = instant_text(payload["at"])
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def event_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000, progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Recompute the chain up to the ledger head (read first, so events appended meanwhile are left for the
    next check). Stops at the first broken link. `progress(checked, total)` is called every 100,000 events."""
    head = LedgerHead.objects.filter(pk=1).values_list("last_id", "last_hash").first() or (0, GENESIS_HASH)
    head_id, head_hash = head
    rows = (AuditEvent.objects.filter(id__lte=head_id).order_by("id").values_list(*HASHED_FIELDS, "hash")).iterator(
        chunk_size=batch_size
    )
    prev_id, prev_hash, checked = 0, GENESIS_HASH, 0
    for row in rows:
        fields = dict(zip(HASHED_FIELDS, row, strict=False))
        stored = row[-1]
        event_id = fields["id"]
        if event_id != prev_id + 1:
            missing = f"#{prev_id + 1}" if event_id == prev_id + 2 else f"#{prev_id + 1}–#{event_id - 1}"
            return VerifyResult(False, checked, event_id, f"event {missing} is missing before #{event_id}: deleted")
        if fields["prev_hash"] != prev_hash:
            return VerifyResult(
                False,
                checked,
                event_id,
                f"event #{event_id}'s prev_hash does not match the hash of the event before it: "
                "an event was deleted or events were reordered (or the previous event was edited and re-hashed)",
            )
        if event_hash(fields) != stored:
            return VerifyResult(
                False, checked, event_id, f"event #{event_id}'s hash does not match its contents: it was edited"
            )
        prev_id, prev_hash = event_id, stored
        checked += 1
        if progress is not None and checked % 100_000 == 0:
            progress(checked, head_id)
    if prev_id != head_id:
        return VerifyResult(
            False,
            checked,
            prev_id + 1,
            f"the chain ends at #{prev_id} but the ledger head records #{head_id}: the last events were deleted",
        )
    if prev_hash != head_hash:
        return VerifyResult(
            False, checked, head_id, f"event #{head_id}'s hash differs from the one the ledger head records"
        )
    return VerifyResult(True, checked)
