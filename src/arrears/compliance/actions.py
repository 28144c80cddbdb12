"""The one way to record what was done: `audited()` around an action, `append_events_bulk()` for batches.

Every action follows the same shape (DESIGN: actions are the only writers; AUTH-4: every action records its
authorization basis):

    def do_place_hold(borrower, …, *, actor, reason):
        with audited(actor, ActionCode.PLACE_HOLD, permission=Perm.MANAGE_HOLDS, subject=borrower,
                     reason=reason) as record:
            hold = Hold.objects.create(…)
            record.change("kind", None, hold.kind)

The permission is checked before anything happens: a refusal raises `ActionDenied`, is logged on the
`arrears.security` logger at WARNING, and writes nothing (not even an audit event, so "nothing changed" holds).
The action's writes and its event share one transaction: an exception inside the block rolls back both.

Appending takes a lock on the single `LedgerHead` row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite transactions
are already serialised, `BEGIN IMMEDIATE`), checks it names the last event (else `LedgerBroken`), reads the
previous id and hash, moves the head and writes the event(s) with the next ids up to it — so two transactions appending at once chain one after the other instead of forking.
The lock is held until the surrounding transaction commits; keep long work before the block ends, not after.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext

from arrears.accounts.permissions import Perm, has_perm
from arrears.bulk import insert_rows
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import HASHED_FIELDS, event_hash, json_safe
from arrears.compliance.models import GENESIS_HASH, AuditEvent, LedgerHead

security_log = logging.getLogger("arrears.security")

BULK_BATCH = 1000

Subject = models.Model | tuple[str, str] | None


@dataclass(frozen=True)
class Basis:
    """Why an actor was allowed to act (AUTH-4): the permission their role granted, and where relevant the
    policy clause and the approval the action rests on."""

    permission: Perm
    clause: str | None = None
    approval: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "permission": str(Perm(self.permission)),
            "clause": None if self.clause is None else str(self.clause),
            "approval": None if self.approval is None else str(self.approval),
        }


class ActionDenied(PermissionDenied):
    """The actor's role does not grant the permission the action needs. The message names both."""

    def __init__(self, message: str = "", *, permission: Perm | None = None, role: str = "", username: str = ""):
        super().__init__(message)
        self.permission = permission
        self.role = role
        self.username = username

    @classmethod
    def for_actor(cls, actor: Any, permission: Perm) -> ActionDenied:
        permission, role, username = Perm(permission), _role_of(actor), _username_of(actor)
        message = gettext("Permission %(perm)s (%(what)s) is not granted to %(user)s (role: %(role)s).") % {
            "perm": permission.value,
            "what": permission.text(),
            "user": username or gettext("an anonymous visitor"),
            "role": role or gettext("none"),
        }
        return cls(message, permission=permission, role=role, username=username)


def _role_of(actor: Any) -> str:
    return str(getattr(actor, "role_id", None) or "")


def _username_of(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def require(actor: Any, permission: Perm) -> None:
    """Raise `ActionDenied` unless `actor` may use `permission` (read-only checks in views, and the first step
    of every action). A refusal is logged, never written to the ledger."""
    if has_perm(actor, permission):
        return
    denied = ActionDenied.for_actor(actor, permission)
    security_log.warning(
        "denied: %s (role %s, active %s) lacks %s",
        denied.username or "anonymous",
        denied.role or "none",
        getattr(actor, "is_active", None),
        denied.permission,
    )
    raise denied


def _subject_key(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, "" if subject.pk is None else str(subject.pk)
    kind, ident = subject
    return str(kind), str(ident)


class AuditRecorder:
    """What the block inside `audited()` reports: the changes made, and the subject once it has an id."""

    def __init__(self, subject: Subject) -> None:
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.event: AuditEvent | None = None
        self._subject = subject

    def change(self, field: str, before: Any, after: Any) -> None:
        """Record `field` going from `before` to `after` (converted to JSON-safe values now, so a value that
        cannot be recorded fails inside the transaction)."""
        self.changes[str(field)] = (json_safe(before), json_safe(after))

    def set_subject(self, subject: Subject) -> None:
        """Name the subject, e.g. a row created inside the block (its id is read when the event is written)."""
        self._subject = subject

    @property
    def subject(self) -> Subject:
        return self._subject


@contextmanager
def audited(
    actor: Any,
    code: ActionCode,
    *,
    permission: Perm,
    subject: Subject,
    reason: str = "",
    clause: str | None = None,
    approval: str | None = None,
    at: datetime | None = None,
) -> Iterator[AuditRecorder]:
    """Check `permission` before anything happens (raise `ActionDenied`; nothing written), open
    `transaction.atomic()`, yield a recorder; on normal exit append the event in the same transaction; on an
    exception nothing is written."""
    code = ActionCode(code)
    basis = Basis(Perm(permission), clause, approval)
    require(actor, basis.permission)
    recorder = AuditRecorder(subject)
    with transaction.atomic():
        yield recorder
        subject_type, subject_id = _subject_key(recorder.subject)
        (recorder.event,) = _append(
            actor,
            [
                {
                    "action": code,
                    "basis": basis,
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "changes": recorder.changes,
                    "reason": reason,
                    "at": at,
                }
            ],
        )


def append_events_bulk(events: Iterable[Mapping[str, Any]], *, actor: Any) -> int:
    """Append many events for one actor (the nightly run, the importer), chained in order, in the caller's
    transaction (call inside `transaction.atomic()`). Returns how many were written.

    Each event is a mapping with `action` (an ActionCode; `code` is accepted too), `permission` (a Perm),
    and optionally `subject` (a model instance or a (type, id) pair), `changes` ({field: (before, after)}),
    `reason`, `clause`, `approval`, `at` (aware; default now). Each permission is checked for the actor before
    the first event needing it is written; a refusal raises `ActionDenied` and the caller's transaction rolls
    back. Events are consumed in batches, so a generator of millions uses constant memory.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("append_events_bulk must run inside the caller's transaction.atomic()")
    allowed: set[Perm] = set()
    written = 0
    iterator = iter(events)
    while batch := list(islice(iterator, BULK_BATCH)):
        prepared = []
        for event in batch:
            basis = Basis(Perm(event["permission"]), event.get("clause"), event.get("approval"))
            if basis.permission not in allowed:
                require(actor, basis.permission)
                allowed.add(basis.permission)
            subject_type, subject_id = _subject_key(event.get("subject"))
            prepared.append(
                {
                    "action": ActionCode(event.get("action", event.get("code"))),
                    "basis": basis,
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "changes": {str(k): (json_safe(b), json_safe(a)) for k, (b, a) in event.get("changes", {}).items()},
                    "reason": event.get("reason", ""),
                    "at": event.get("at"),
                }
            )
        written += len(_append(actor, prepared, instances=False))
    return written


class LedgerBroken(RuntimeError):
    """The ledger head does not match the chain's last event: a row was written or removed outside arrears.
    Nothing is appended until the database is restored; the message says so and names `arrears audit verify`."""


def _lock_head() -> LedgerHead:
    """Lock the head and check it names the chain's last event (AUTH-4). An event written past the head (or a
    head rewritten) would otherwise make every later append fail on a duplicate id, or chain onto a forgery."""
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if head is None and last is None:  # a database emptied by a test flush; migration 0002 creates it otherwise
        head = LedgerHead.objects.create(pk=1, last_id=0, last_hash=GENESIS_HASH)
    if head is None or (head.last_id, head.last_hash) != (last or (0, GENESIS_HASH)):
        security_log.error("audit ledger head %s does not match its last event %s", head, last)
        raise LedgerBroken(
            "the audit ledger's head ({head}) does not match its last event ({last}): an event was written or "
            "removed outside arrears. Nothing was recorded and no audited action can run until the database is "
            "restored; run `arrears audit verify` to see what is wrong.".format(
                head="missing" if head is None else f"#{head.last_id}",
                last="none" if last is None else f"#{last[0]}",
            )
        )
    return head


_COLUMNS = (*HASHED_FIELDS, "hash")  # what a ledger row holds: the hashed fields and the hash


def _agency_of(actor: Any) -> str | None:
    """The code of the agency an agency's user acts for; None for the bank's own staff and the system."""
    if getattr(actor, "agency_id", None) is None:
        return None
    return str(actor.agency.code)


def _with_agency(basis: dict[str, Any], agency: str | None) -> dict[str, Any]:
    """Clause: AUTH-4, AGY-3 — an agency's user's action is recorded as the agency's: its basis names the agency
    (`"agency": code`), so the bank answers for, and audits, what each agency did. The bank's staff's basis is
    unchanged."""
    return basis if agency is None else {**basis, "agency": agency}


def _append(actor: Any, events: list[dict[str, Any]], *, instances: bool = True) -> list:
    """Write `events` after the current head, inside the current transaction (caller holds atomic). Returns the
    events as model instances, or (in bulk, `instances=False`) as their field dicts."""
    head = _lock_head()
    now = timezone.now()  # after the lock: a later event in the chain never has an earlier time
    last_id, last_hash = head.last_id, head.last_hash
    agency = _agency_of(actor)
    rows = []
    for event in events:
        at = event["at"] or now
        if timezone.is_naive(at):
            raise ValueError(f"audit event time {at!r} is naive; pass an aware datetime")
        fields = {
            "id": last_id + 1,
            "at": at,
            "actor_id": actor.pk,
            "actor_username": actor.get_username(),
            "actor_role": _role_of(actor),
            "action": str(event["action"]),
            "subject_type": event["subject_type"],
            "subject_id": event["subject_id"],
            "basis": _with_agency(event["basis"].as_json(), agency),
            "changes": {field: [before, after] for field, (before, after) in event["changes"].items()},
            "reason": str(event["reason"] or ""),
            "prev_hash": last_hash,
        }
        fields["hash"] = event_hash(fields)
        rows.append(fields)
        last_id, last_hash = fields["id"], fields["hash"]
    # The head moves first, then the events up to it are written: the database accepts an event only as the
    # next link after the head (append_only.py), so nothing can be inserted past it.
    LedgerHead.objects.filter(pk=1).update(last_id=last_id, last_hash=last_hash)
    insert_rows(
        AuditEvent, ["actor" if c == "actor_id" else c for c in _COLUMNS], ([r[c] for c in _COLUMNS] for r in rows)
    )
    return [AuditEvent(**fields) for fields in rows] if instances else rows


def system_actor() -> Any | None:
    """The system user (the nightly run, `accounts.roles.SYSTEM_USERNAME`), or None in a database without it."""
    from django.contrib.auth import get_user_model

    from arrears.accounts.roles import SYSTEM_USERNAME

    return get_user_model().objects.filter(username=SYSTEM_USERNAME).first()


def record_system_event(
    code: ActionCode,
    *,
    permission: Perm,
    subject: Subject,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str = "",
    clause: str | None = None,
) -> AuditEvent | None:
    """Record something that happened to the system rather than an action someone was allowed to take — e.g. a
    failed sign-in, whose would-be actor is not authenticated (Clause: AUTH-4). The actor is the system user
    (the convention for events no signed-in person caused); the basis names the permission that was sought
    (`permission`), which the system user need not hold, so no permission is checked. Appended in a transaction
    of its own (a savepoint when called inside one). Returns the event, or None — logged at ERROR on
    `arrears.security` — when the database has no system user."""
    actor = system_actor()
    if actor is None:
        security_log.error("no system user: %s on %s not recorded in the ledger", code, _subject_key(subject))
        return None
    subject_type, subject_id = _subject_key(subject)
    with transaction.atomic():
        (event,) = _append(
            actor,
            [
                {
                    "action": ActionCode(code),
                    "basis": Basis(Perm(permission), clause),
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "changes": {str(k): (json_safe(b), json_safe(a)) for k, (b, a) in changes.items()},
                    "reason": reason,
                    "at": None,
                }
            ],
        )
    return event
