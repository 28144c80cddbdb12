"""Allocation of open cases to collectors within their pool (TEAM-1, TEAM-2, TEAM-3).

The nightly run decides each case's pool (junior collectors for DPD 1–60, senior collectors for 61–90 and for
high-risk borrowers at any DPD, the supervisors' decision pool above that). Here each open case gets an owner:

- **Sticky.** A case keeps its collector while it stays in its pool: the nightly run clears the owner only when
  the case moves to another pool. A case is taken back only from an owner who can no longer hold it — the
  account is inactive, or the owner's tier is below the pool's (a junior collector never holds a senior case).
  A supervisor may give a case to a collector of a higher tier than its pool; that stays until the case moves.
- **Balanced.** Unowned cases are dealt largest overdue amount first, each to the collector of the pool with
  the fewest open cases, ties to the smaller overdue total, then the lower user id: case counts end within
  one of each other among those who receive cases, and the large amounts are spread instead of piling up.
- **Audited.** Every allocation writes an `Assignment` row and an audit event (clause TEAM-3) in the same
  transaction as the owner change; a pool with no active collector leaves its cases unowned and says so.

`allocate` is the pure rule; `do_allocate_cases` (the nightly run, or a supervisor on demand) and
`do_reassign_cases` (a supervisor, one case or a filtered batch) are the actions.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from arrears.accounts.models import User
from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.roles import RoleCode
from arrears.bulk import insert_rows
from arrears.collection.errors import CollectionError
from arrears.collection.models import Assignment, AssignmentKind, CaseStatus, CollectionCase, Pool
from arrears.compliance.actions import append_events_bulk, require
from arrears.compliance.codes import ActionCode

__all__ = [
    "POOL_OF_ROLE",
    "Allocation",
    "Collector",
    "Unowned",
    "allocate",
    "collectors",
    "do_allocate_cases",
    "do_reassign_cases",
    "tier",
]

# The pool each collecting role works, and the order of the tiers (a higher tier may hold a lower pool's case).
POOL_OF_ROLE: dict[str, Pool] = {
    RoleCode.JUNIOR_COLLECTOR.value: Pool.JUNIOR,
    RoleCode.SENIOR_COLLECTOR.value: Pool.SENIOR,
    RoleCode.SUPERVISOR.value: Pool.SUPERVISOR,
}
UPDATE_BATCH = 5_000
_TIER = {Pool.JUNIOR.value: 1, Pool.SENIOR.value: 2, Pool.SUPERVISOR.value: 3}


def tier(pool_or_role: str | None) -> int:
    """1 junior, 2 senior, 3 supervisor; 0 for a role that holds no cases (or no pool)."""
    if pool_or_role in POOL_OF_ROLE:
        pool_or_role = POOL_OF_ROLE[pool_or_role]
    return _TIER.get(str(pool_or_role or ""), 0)


@dataclass(frozen=True)
class Collector:
    """A collector who can receive cases of `pool`, and what they hold now."""

    user_id: int
    pool: str
    open_cases: int = 0
    overdue_fen: int = 0


@dataclass(frozen=True)
class Unowned:
    case_id: int
    pool: str
    overdue_fen: int


def allocate(cases: Iterable[Unowned], collectors: Iterable[Collector]) -> dict[int, int]:
    """Case id → user id for every case whose pool has a collector (see the module docstring for the rule).
    Pure and deterministic: the same cases and loads give the same answer."""
    heaps: dict[str, list[tuple[int, int, int]]] = {}
    for c in collectors:
        heaps.setdefault(c.pool, []).append((c.open_cases, c.overdue_fen, c.user_id))
    for heap in heaps.values():
        heapq.heapify(heap)
    owners: dict[int, int] = {}
    for case in sorted(cases, key=lambda c: (-c.overdue_fen, c.case_id)):
        heap = heaps.get(case.pool)
        if not heap:
            continue
        count, amount, user_id = heapq.heappop(heap)
        owners[case.case_id] = user_id
        heapq.heappush(heap, (count + 1, amount + case.overdue_fen, user_id))
    return owners


@dataclass
class Allocation:
    """What an allocation did: cases given an owner (by pool), and cases left unowned for want of a collector."""

    allocated: Counter[str]
    unowned: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.allocated.values())


def collectors() -> QuerySet[User]:
    """The users who can hold cases now: active, with a collecting role."""
    return User.objects.filter(is_active=True, role_id__in=list(POOL_OF_ROLE))


def _allocation_permission(actor: Any) -> Perm:
    # The nightly run allocates under its own permission; on demand, a supervisor's.
    if has_perm(actor, Perm.RUN_DAILY):
        return Perm.RUN_DAILY
    require(actor, Perm.REASSIGN)
    return Perm.REASSIGN


def do_allocate_cases(*, actor: Any, as_of: date, at: datetime | None = None) -> Allocation:
    """Give every open case without a fit owner a collector of its pool (TEAM-3), in one transaction."""
    permission = _allocation_permission(actor)
    at = at or timezone.now()
    with transaction.atomic():
        available = list(collectors().order_by("pk"))
        tier_of = {u.pk: tier(u.role_id) for u in available}
        open_cases = CollectionCase.objects.filter(status=CaseStatus.OPEN).exclude(pool="")
        # One pass over the open cases: those owned by someone who can still hold them (active, a collecting
        # role, a tier not below the pool) count towards that collector's load; the others are placed.
        to_place: list[_OpenCase] = []
        counts: Counter[int] = Counter()
        amounts: Counter[int] = Counter()
        # Plain rows, not model instances: every open case of the book is read each night.
        rows = open_cases.select_for_update().order_by("pk").values_list("pk", "pool", "owner_id", "overdue_fen")
        for pk, pool, owner_id, overdue_fen in rows:
            if owner_id is None or tier_of.get(owner_id, 0) < tier(pool):
                to_place.append(_OpenCase(pk, pool, owner_id, overdue_fen))
            else:
                counts[owner_id] += 1
                amounts[owner_id] += overdue_fen
        allocation = Allocation(Counter(), Counter())
        if not to_place:
            return allocation
        owners = allocate(
            [Unowned(c.pk, c.pool, c.overdue_fen) for c in to_place],
            [Collector(u.pk, POOL_OF_ROLE[u.role_id], counts[u.pk], amounts[u.pk]) for u in available],
        )
        placed = [c for c in to_place if c.pk in owners]
        _assign(placed, owners, AssignmentKind.ALLOCATED, actor=actor, permission=permission, as_of=as_of, at=at)
        for case in to_place:
            (allocation.allocated if case.pk in owners else allocation.unowned)[case.pool] += 1
    return allocation


@dataclass
class _OpenCase:
    """What allocation needs of an open case (`_assign` takes these or model instances alike)."""

    pk: int
    pool: str
    owner_id: int | None
    overdue_fen: int
    assigned_on: date | None = None


def _assign(
    cases: Sequence[CollectionCase | _OpenCase],
    owners: dict[int, int],
    kind: AssignmentKind,
    *,
    actor: Any,
    permission: Perm,
    as_of: date,
    at: datetime,
    reason: str = "",
) -> None:
    """Set the owners, and write one `Assignment` and one audit event per case (inside the caller's transaction)."""
    before = {c.pk: c.owner_id for c in cases}
    by_owner: dict[int, list[int]] = {}
    for case in cases:
        case.owner_id, case.assigned_on = owners[case.pk], as_of
        by_owner.setdefault(case.owner_id, []).append(case.pk)
    # One UPDATE per collector (a few dozen), not a CASE over every case.
    for owner_id, ids in by_owner.items():
        CollectionCase.objects.filter(pk__among=ids).update(owner_id=owner_id, assigned_on=as_of)
    insert_rows(
        Assignment,
        ["case", "kind", "from_owner", "to_owner", "pool", "business_date", "at", "by", "reason", "clause"],
        ((c.pk, kind, before[c.pk], owners[c.pk], c.pool, as_of, at, actor.pk, reason[:200], "TEAM-3") for c in cases),
    )
    code = ActionCode.ALLOCATE_CASE if kind == AssignmentKind.ALLOCATED else ActionCode.REASSIGN_CASE
    append_events_bulk(
        (
            {
                "action": code,
                "permission": permission,
                "subject": ("collection.collectioncase", c.pk),
                "clause": "TEAM-3",
                "changes": {"owner": (before[c.pk], owners[c.pk]), "pool": (None, c.pool)},
                "reason": reason,
            }
            for c in cases
        ),
        actor=actor,
    )


def do_reassign_cases(
    cases: QuerySet[CollectionCase] | Sequence[CollectionCase],
    to_user: User,
    *,
    actor: Any,
    reason: str,
    as_of: date,
    at: datetime | None = None,
) -> int:
    """A supervisor gives one case, or a filtered batch, to `to_user` (TEAM-3, AUTH-3). Refused as a whole —
    nothing changes — when a case is closed or the collector's tier is below a case's pool."""
    require(actor, Perm.REASSIGN)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise CollectionError("give a reason for the reassignment (at least 4 characters): it is recorded")
    if not to_user.is_active or tier(to_user.role_id) == 0:
        raise CollectionError(f"{to_user.get_username()} is not an active collector; choose a collector")
    with transaction.atomic():
        ids = [c.pk for c in cases]
        chosen = [
            case
            for start in range(0, len(ids), UPDATE_BATCH)
            for case in CollectionCase.objects.select_for_update()
            .filter(pk__in=ids[start : start + UPDATE_BATCH])
            .order_by("pk")
        ]
        closed = [c.pk for c in chosen if c.status != CaseStatus.OPEN]
        if closed:
            raise CollectionError(f"case(s) {', '.join(map(str, closed))} are closed; reassign open cases only")
        too_high = [c.pk for c in chosen if tier(c.pool) > tier(to_user.role_id)]
        if too_high:
            raise CollectionError(
                f"case(s) {', '.join(map(str, too_high))} belong to a higher pool than "
                f"{to_user.get_username()}'s tier (TEAM-3); choose a collector of that pool"
            )
        moving = [c for c in chosen if c.owner_id != to_user.pk]
        _assign(
            moving,
            {c.pk: to_user.pk for c in moving},
            AssignmentKind.REASSIGNED,
            actor=actor,
            permission=Perm.REASSIGN,
            as_of=as_of,
            at=at or timezone.now(),
            reason=reason,
        )
    return len(moving)


def unowned_cases() -> QuerySet[CollectionCase]:
    """Open cases waiting for a collector (their pool has none, or none active)."""
    return CollectionCase.objects.filter(Q(status=CaseStatus.OPEN) & Q(owner__isnull=True)).exclude(pool="")
