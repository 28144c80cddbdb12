"""Writing sealed change records, and reading an object's trail through both the ledger and them (AUTH-4).

The format and how `audit verify` checks it: `seals.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max

from arrears.accounts.permissions import Perm
from arrears.bulk import insert_rows
from arrears.compliance.actions import _subject_key, append_events_bulk, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.models import AuditEvent, ChangeRecord
from arrears.compliance.seals import COLUMNS, change_digest, changes_text, seal_of

__all__ = ["SealedChange", "object_trail", "record_sealed", "sealed_changes"]


def record_sealed(
    batch: str,
    events: Iterable[Mapping[str, Any]],
    *,
    actor: Any,
    permission: Perm,
    subject: Any,
    reason: str = "",
) -> int:
    """Write `events` (mappings as for `append_events_bulk`: action, subject, clause, changes, reason; all under
    `permission`) as the next change records of `batch`, and seal them with one ledger event on `subject`, in
    the caller's transaction. Returns how many changes were recorded (no seal when none)."""
    require(actor, permission)
    last = ChangeRecord.objects.filter(batch=batch).aggregate(last=Max("seq"))["last"] or 0
    rows, seal = [], hashlib.sha256()
    for seq, event in enumerate(events, start=last + 1):  # tens of thousands a night: one pass, few calls
        subject = event.get("subject")
        subject_type, subject_id = (subject[0], str(subject[1])) if type(subject) is tuple else _subject_key(subject)
        action, clause, why = str(event["action"]), event.get("clause") or "", str(event.get("reason") or "")
        text = changes_text(event.get("changes", {}))
        digest = change_digest(batch, seq, action, subject_type, subject_id, clause, text, why)
        seal.update(f"{digest}\n".encode())
        rows.append((batch, seq, action, subject_type, subject_id, clause, text, why, digest))
    if not rows:
        return 0
    insert_rows(ChangeRecord, COLUMNS, rows)
    sealed = {"batch": batch, "first": last + 1, "last": last + len(rows), "count": len(rows)}
    append_events_bulk(
        [
            {
                "action": ActionCode.SEAL_CHANGES,
                "permission": permission,
                "subject": subject,
                "changes": {"sealed": (None, {**sealed, "digest": seal.hexdigest()})},
                "reason": reason,
            }
        ],
        actor=actor,
    )
    return len(rows)


@dataclass(frozen=True)
class SealedChange:
    """A change record read with its seal: what an audit event of it would show (the seal's time, actor and
    permission; the record's clause)."""

    id: int
    batch: str
    seq: int
    action: str
    subject_type: str
    subject_id: str
    basis: dict[str, Any]
    changes: dict[str, list]
    reason: str
    seal: int | None  # the ledger event sealing it
    at: datetime | None
    actor_id: int | None
    actor_username: str


def _seals(batches: set[str]) -> dict[str, list[tuple]]:
    """The seal events of `batches`: batch → [(first, last, event id, at, actor id, actor username, basis)]."""
    seals: dict[str, list[tuple]] = {}
    rows = AuditEvent.objects.filter(action=ActionCode.SEAL_CHANGES).values_list(
        "id", "at", "actor_id", "actor_username", "basis", "changes"
    )
    for event_id, at, actor_id, username, basis, changes in rows:
        seal = seal_of(changes)
        if seal is not None and seal["batch"] in batches:
            seals.setdefault(seal["batch"], []).append(
                (seal["first"], seal["last"], event_id, at, actor_id, username, basis)
            )
    return seals


def sealed_changes(**filters: Any) -> list[SealedChange]:
    """The change records matching `filters` (ChangeRecord fields), in the order written, each with its seal."""
    records = list(ChangeRecord.objects.filter(**filters).order_by("id"))
    seals = _seals({record.batch for record in records})
    found = []
    for r in records:
        seal = next((s for s in seals.get(r.batch, ()) if s[0] <= r.seq <= s[1]), None)
        event_id, at, actor_id, username, basis = seal[2:] if seal else (None, None, None, "", {})
        found.append(
            SealedChange(
                r.id,
                r.batch,
                r.seq,
                r.action,
                r.subject_type,
                r.subject_id,
                {**basis, "clause": r.clause or None},
                json.loads(r.changes),
                r.reason,
                event_id,
                at,
                actor_id,
                username,
            )
        )
    return found


def object_trail(subject_type: str, subject_id: Any) -> list[dict[str, Any]]:
    """Everything on record about one object, in the order recorded: its ledger events and its sealed changes
    (with the time and actor of their seal), each as {at, actor, action, clause, changes, reason, event}."""
    subject_id = str(subject_id)
    trail = [
        {
            "at": e.at,
            "actor": e.actor_username,
            "action": e.action,
            "clause": e.basis.get("clause") or "",
            "changes": e.changes,
            "reason": e.reason,
            "event": e.id,
        }
        for e in AuditEvent.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("id")
    ]
    trail.extend(
        {
            "at": c.at,
            "actor": c.actor_username,
            "action": c.action,
            "clause": c.basis["clause"] or "",
            "changes": c.changes,
            "reason": c.reason,
            "event": c.seal,
        }
        for c in sealed_changes(subject_type=subject_type, subject_id=subject_id)
    )
    return sorted(trail, key=lambda entry: entry["event"] or 0)
