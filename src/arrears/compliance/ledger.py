"""How the ledger's hash chain is formed, and how to check it.

Each event's `hash` is the SHA-256 (lower-case hex) of the UTF-8 bytes of this JSON object:

    {"action": <str>, "actor_id": <int>, "actor_role": <str, "" when none>, "actor_username": <str>,
     "at": <str>, "basis": {"approval": <str|null>, "clause": <str|null>, "permission": <str>[, "agency": <str>]},
     "changes": {<field>: [<before>, <after>], …}, "id": <int>, "prev_hash": <str>, "reason": <str>,
     "subject_id": <str>, "subject_type": <str>}

written with keys sorted (at every level), no whitespace (separators "," and ":"), non-ASCII characters as
themselves (not \\u escapes), and Python's `json.dumps` escaping otherwise — i.e.
`json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. `at` is the UTC instant as
`YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (always six fraction digits). `prev_hash` is the previous event's hash;
the first event's is 64 zeros. `basis` names the `agency` (its code) only in the events of an agency's user (an
agency's action, AGY-3). Values in `changes` are JSON-safe when recorded (`json_safe`): Decimal as its
string, dates and times in ISO 8601, sets as sorted lists; floats are refused (they do not survive a
database round trip exactly). So an auditor recomputes any hash from the row's stored columns alone.

Ids are 1, 2, 3 … in chain order. `verify_chain` streams the events in id order in constant memory and stops
at the first broken link:
- a gap in the ids, or a `prev_hash` that is not the previous event's hash: an event was deleted, or events
  were reordered (or an event was edited and re-hashed);
- a stored `hash` that is not the hash of the row: the row was edited;
- the chain ending before the ledger head says, or the head's hash not the last event's: the last events were
  deleted, or the head rewritten;
- an event beyond the ledger head (the database refuses one, `append_only.py`, unless its triggers were
  dropped): it was written outside arrears;
- a seal event (`engine.seal_changes`) whose change records no longer give its digest, are fewer than it
  sealed, or were edited; or a change record no seal covers (`seals.py`): change records edited, deleted or
  written outside arrears;
- an anchor — a head published outside the database, signed with a key the database does not hold
  (`anchors.py`) — whose event is no longer in the chain with the anchored hash, or lies beyond the chain's
  end: the chain was rewritten consistently (re-hashed), or its tail deleted and the head rewritten to match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from django.db import models
from django.utils.translation import gettext, gettext_noop

from arrears.compliance.codes import ActionCode
from arrears.compliance.models import GENESIS_HASH, AuditEvent, LedgerHead
from arrears.compliance.seals import change_batches, check_seal, unsealed_rows

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


# What `verify_chain` can find, as translatable sentences over the result's facts (the command line prints them
# in English, the verification page in the reader's language).
PROBLEMS = {
    "out_of_order": gettext_noop(
        "event #%(id)s has an id outside the chain's order (ids run 1, 2, 3 …): it was written outside arrears"
    ),
    "missing": gettext_noop("event %(missing)s is missing before #%(id)s: deleted"),
    "prev_hash": gettext_noop(
        "event #%(id)s's prev_hash does not match the hash of the event before it: an event was deleted or events "
        "were reordered (or the previous event was edited and re-hashed)"
    ),
    "edited": gettext_noop("event #%(id)s's hash does not match its contents: it was edited"),
    "anchor_hash": gettext_noop(
        "event #%(id)s's hash differs from the one %(anchor)s recorded: the chain was rewritten since (events "
        "edited, deleted or inserted, and re-hashed)"
    ),
    "anchor_missing": gettext_noop(
        "event #%(id)s, which %(anchor)s recorded, is not in the chain: events were deleted or the chain rewritten"
    ),
    "tail_deleted": gettext_noop(
        "the chain ends at #%(end)s but the ledger head records #%(head)s: the last events were deleted"
    ),
    "head_hash": gettext_noop("event #%(id)s's hash differs from the one the ledger head records"),
    "head_missing": gettext_noop("the ledger head row is missing: it was deleted"),
    "beyond_head": gettext_noop(
        "event #%(id)s lies beyond the ledger head (#%(head)s): it was written into the database directly, "
        "not appended by arrears"
    ),
    "anchor_beyond": gettext_noop(
        "the chain ends at #%(end)s but %(anchor)s recorded event #%(id)s: events after #%(end)s were deleted and "
        "the ledger head rewritten"
    ),
    # the change records a seal event vouches for (seals.py)
    "seal_malformed": gettext_noop("event #%(id)s is a seal whose range cannot be read: it was forged"),
    "change_edited": gettext_noop(
        "sealed change %(batch)s #%(seq)s (sealed by event #%(id)s) does not match its digest: it was edited"
    ),
    "change_missing": gettext_noop(
        "event #%(id)s sealed %(count)s changes but %(found)s are there in order: change records were deleted"
    ),
    "change_digest": gettext_noop(
        "the changes sealed by event #%(id)s do not give the digest it records: a change record was edited and "
        "re-digested, or replaced"
    ),
    "change_unsealed": gettext_noop(
        "sealed change %(batch)s #%(seq)s is sealed by no event: it was written into the database directly, not "
        "recorded by arrears"
    ),
    # the anchor file itself (anchors.py)
    "anchor_malformed": gettext_noop("%(file)s line %(line)s is not a well-formed anchor: the file was altered"),
    "anchor_forged": gettext_noop(
        "%(anchor)s has a bad signature: it was forged or altered, or signed with another key"
    ),
    "anchor_no_key": gettext_noop(
        "%(file)s holds %(count)s anchors but no anchor key is configured to check them: set "
        "ARREARS_LEDGER_ANCHOR_KEY or restore the key file"
    ),
}


@dataclass(frozen=True)
class Anchor:
    """A ledger head published outside the database, its signature already checked (`anchors.py`): the chain
    must still hold an event with this id and this hash."""

    head_id: int
    head_hash: str
    at: str
    file: str
    line: int

    def label(self) -> str:
        return gettext("the anchor of %(at)s (%(file)s line %(line)s)") % {
            "at": self.at,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken: int | None = None
    problem: str = ""  # a key of PROBLEMS; empty when intact
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)
    anchors: int = field(default=0, compare=False)  # anchors the chain was checked against
    head: tuple[int, str] | None = field(default=None, compare=False)  # the head checked up to

    @property
    def reason(self) -> str:
        """What is wrong, in the active language (empty when intact)."""
        if not self.problem:
            return ""
        facts = {k: v.label() if isinstance(v, Anchor) else v for k, v in self.facts.items()}
        return gettext(PROBLEMS[self.problem]) % facts


def _head() -> tuple[int, str] | None:
    return LedgerHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()


def verify_chain(
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    *,
    anchors: Sequence[Anchor] = (),
    since: Anchor | None = None,
    changes: bool = True,
) -> VerifyResult:
    """Recompute the chain up to the ledger head (read first, so events appended meanwhile are left for the
    next check), and check it against `anchors` (read before the head). Stops at the first broken link.
    `since`: start after this anchored event, once it is found with its hash (a check of what was appended
    since the newest anchor). `changes=False`: the seals' change records are not read (`seals.py`; the seals
    themselves are links checked like any event). `progress(checked, total)` is called every 100,000 events."""

    def broken(first: int | None, problem: str, **facts: Any) -> VerifyResult:
        return VerifyResult(False, checked, first, problem, facts, len(anchors), head)

    checked = 0
    batches = change_batches() if changes else {}  # before the head: rows committed by then are sealed by it
    head = _head()
    if head is None:
        if AuditEvent.objects.exists():
            return broken(None, "head_missing")
        head = (0, GENESIS_HASH)
    head_id, head_hash = head
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.head_id, []).append(anchor)
    prev_id, prev_hash = 0, GENESIS_HASH
    if since is not None and since.head_id > 0:
        found = AuditEvent.objects.filter(id=since.head_id).values_list("hash", flat=True).first()
        if found is None:
            return broken(since.head_id, "anchor_missing", id=since.head_id, anchor=since)
        if found != since.head_hash:
            return broken(since.head_id, "anchor_hash", id=since.head_id, anchor=since)
        prev_id, prev_hash = since.head_id, found
    rows = AuditEvent.objects.filter(id__lte=head_id)  # from the lowest id: one below 1 is found too
    if since is not None:
        rows = rows.filter(id__gt=prev_id)
    rows = rows.order_by("id").values_list(*HASHED_FIELDS, "hash")
    for row in rows.iterator(chunk_size=batch_size):
        fields = dict(zip(HASHED_FIELDS, row, strict=False))
        stored = row[-1]
        event_id = fields["id"]
        if event_id <= prev_id:
            return broken(event_id, "out_of_order", id=event_id)
        if event_id != prev_id + 1:
            missing = f"#{prev_id + 1}" if event_id == prev_id + 2 else f"#{prev_id + 1}–#{event_id - 1}"
            return broken(event_id, "missing", id=event_id, missing=missing)
        if fields["prev_hash"] != prev_hash:
            return broken(event_id, "prev_hash", id=event_id)
        if event_hash(fields) != stored:
            return broken(event_id, "edited", id=event_id)
        if changes and fields["action"] == ActionCode.SEAL_CHANGES:
            seal = check_seal(event_id, fields["changes"])
            if not seal.ok:
                return broken(event_id, seal.problem, **seal.facts)
        for anchor in anchored.get(event_id, ()):
            if anchor.head_hash != stored:
                return broken(event_id, "anchor_hash", id=event_id, anchor=anchor)
        prev_id, prev_hash = event_id, stored
        checked += 1
        if progress is not None and checked % 100_000 == 0:
            progress(checked, head_id)
    if prev_id != head_id:
        return broken(prev_id + 1, "tail_deleted", end=prev_id, head=head_id)
    if prev_hash != head_hash:
        return broken(head_id, "head_hash", id=head_id)
    # An event past the head: read the newest event first, then the head again, so an append committed
    # meanwhile (events and head together) is not mistaken for one.
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is not None and newest > head_id:
        now = _head()
        now_id = 0 if now is None else now[0]
        if newest > now_id:
            first = AuditEvent.objects.filter(id__gt=now_id).order_by("id").values_list("id", flat=True).first()
            return broken(first, "beyond_head", id=first, head=now_id)
    rows = unsealed_rows(batches, head_id)
    if not rows.ok:
        return broken(None, rows.problem, **rows.facts)
    beyond = [anchor for anchor in anchors if anchor.head_id > head_id]
    if beyond:
        anchor = min(beyond, key=lambda a: (a.head_id, a.line))
        return broken(head_id + 1, "anchor_beyond", end=head_id, id=anchor.head_id, anchor=anchor)
    return VerifyResult(True, checked, anchors=len(anchors), head=head)
