"""The collection costs administrators enter (Clause: KPI-2): the only writers of `CostEntry`.

* `do_enter_cost` — one cost: a month, a team (None: the whole department), a kind (staff, telephony, other), an
  amount in fen (0 or more) and a note. A month, team and kind that already has a live entry gets a new entry
  replacing it (`replaced_by`): the old one is kept, and the audit event names both with their amounts. The same
  amount and note again change nothing and record nothing.
* `do_import_costs` — a file of them (`cost_input.read_cost_file`): the whole file or nothing. Every bad line is
  reported with its number and what is wrong (`CostFileRefused`), and then nothing is stored; otherwise each line
  is entered as above, in one transaction with one audit event listing every figure that changed. A line equal
  to the live entry changes nothing, so importing the same file again changes nothing (and records nothing).
  A month, team and kind the file does not name keeps its entry: a file adds and corrects, it never removes (an
  amount of 0 takes a figure back).

Both need `reports.enter_costs` (administrators; the nightly run's identity for a scheduled import). The month
may not be after the month of `today` (the business date). A second live entry for the same month, team and kind
is impossible (the database's unique constraints); two people entering the first one at the same moment get
`CostConflict` for the second, nothing stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import Month
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.reports.cost_input import (
    CostConflict,
    CostError,
    CostFileRefused,
    CostLine,
    check_cost,
    check_rows,
    read_cost_file,
)
from arrears.reports.models import CostEntry

__all__ = [
    "CostConflict",
    "CostError",
    "CostFileRefused",
    "CostImport",
    "Entered",
    "do_enter_cost",
    "do_import_costs",
]


@dataclass(frozen=True)
class Entered:
    """What `do_enter_cost` did: `entry` is the live entry now; `replaced` the one it replaced (None for a first
    figure); `changed` False when the same amount and note were live already (nothing stored)."""

    entry: CostEntry
    replaced: CostEntry | None
    changed: bool


@dataclass(frozen=True)
class CostImport:
    sha256: str
    rows: int
    created: int  # a first figure for its month, team and kind
    replaced: int
    unchanged: int

    def as_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "rows": self.rows,
            "created": self.created,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
        }


def do_enter_cost(
    *,
    month: Month,
    team: Team | None,
    kind: str,
    amount_fen: int,
    note: str = "",
    actor: Any,
    today: date,
) -> Entered:
    """Clause: KPI-2 — enter (or replace) the cost of `kind` for `team` (None: the whole department) in `month`."""
    require(actor, Perm.ENTER_COSTS)
    line = check_cost(CostLine(month, team, kind, amount_fen, note), Month.of(today))
    try:
        with transaction.atomic():
            live = _live(line)
            if live is not None and _same(live, line):
                return Entered(live, None, False)
            with audited(
                actor, ActionCode.ENTER_COST, permission=Perm.ENTER_COSTS, subject=None, clause="KPI-2"
            ) as record:
                entry = _enter(line, live, actor, timezone.now())
                record.set_subject(entry)
                record.change("month", None, str(line.month))
                record.change("team", None, line.team.pk if line.team else None)
                record.change("kind", None, line.kind)
                record.change("amount_fen", live.amount_fen if live else None, line.amount_fen)
                record.change("note", live.note if live else None, line.note)
                record.change("entry", live.pk if live else None, entry.pk)
    except IntegrityError:
        raise _conflict() from None
    return Entered(entry, live, True)


def do_import_costs(data: bytes | str, *, actor: Any, today: date) -> CostImport:
    """Clause: KPI-2 — enter every cost of a file, or none: `CostFileRefused` lists each bad line."""
    require(actor, Perm.ENTER_COSTS)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    digest = hashlib.sha256(raw).hexdigest()
    rows = read_cost_file(raw)
    teams = {team.name: team for team in Team.objects.all()}
    lines, problems = check_rows(rows, teams, Month.of(today))
    if problems:
        raise CostFileRefused(problems)
    try:
        with transaction.atomic():
            live = _live_of(lines)
            changed = [line for line in lines if live[line.key] is None or not _same(live[line.key], line)]
            if changed:
                with audited(
                    actor,
                    ActionCode.IMPORT_COSTS,
                    permission=Perm.ENTER_COSTS,
                    subject=("cost_file", digest[:12]),
                    clause="KPI-2",
                ) as record:
                    now = timezone.now()
                    record.change("sha256", None, digest)
                    record.change("rows", None, len(lines))
                    for line in changed:
                        before = live[line.key]
                        entry = _enter(line, before, actor, now)
                        month, team, kind = line.key
                        record.change(
                            f"{month}/{team or 'department'}/{kind}",
                            None if before is None else [before.pk, before.amount_fen],
                            [entry.pk, entry.amount_fen],
                        )
    except IntegrityError:
        raise _conflict() from None
    replaced = sum(1 for line in changed if live[line.key] is not None)
    return CostImport(digest, len(lines), len(changed) - replaced, replaced, len(lines) - len(changed))


def _live(line: CostLine) -> CostEntry | None:
    """The live entry of the line's month, team and kind, locked until the transaction ends (PostgreSQL)."""
    return (
        CostEntry.objects.select_for_update()
        .filter(month=line.month.first, team=line.team, kind=line.kind, replaced_by__isnull=True)
        .first()
    )


def _live_of(lines: list[CostLine]) -> dict[tuple, CostEntry | None]:
    """The live entry of each line's month, team and kind (None where there is none), in one locking query."""
    found = {
        (str(Month.of(entry.month)), entry.team_id, entry.kind): entry
        for entry in CostEntry.objects.select_for_update().filter(
            month__in={line.month.first for line in lines}, replaced_by__isnull=True
        )
    }
    return {line.key: found.get(line.key) for line in lines}


def _same(entry: CostEntry, line: CostLine) -> bool:
    return (entry.amount_fen, entry.note) == (line.amount_fen, line.note)


def _enter(line: CostLine, live: CostEntry | None, actor: Any, now) -> CostEntry:
    # The old entry leaves the live ones before its replacement joins them, so that the unique constraints hold
    # after every statement: it points at itself for a moment, then at the entry replacing it. Conditional, so an
    # entry someone else replaced meanwhile is not replaced twice.
    if live is not None and _claim(live) != 1:
        raise _conflict()
    entry = CostEntry.objects.create(
        month=line.month.first,
        team=line.team,
        kind=line.kind,
        amount_fen=line.amount_fen,
        note=line.note,
        entered_by=actor,
        entered_at=now,
    )
    if live is not None:
        CostEntry.objects.filter(pk=live.pk).update(replaced_by=entry)
    return entry


def _claim(live: CostEntry) -> int:
    return CostEntry.objects.filter(pk=live.pk, replaced_by__isnull=True).update(replaced_by_id=F("pk"))


def _conflict() -> CostConflict:
    return CostConflict(
        _("Someone entered this cost at the same moment; nothing was stored. Look at the month's costs again.")
    )
