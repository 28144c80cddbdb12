"""Read the late stage a night respects (`arrears.engine.late`) into the engine's `late_stage` and `open_tasks`
frames; merged into `read.QUERIES`, so they are read in the same transaction as the rest.

- `late_stage`: borrowers out of routine collection on the as-of date — a lawsuit decided by then and not closed
  (or closed only after that date), `litigation`; a write-off approved (its amounts as of that date or before),
  `written_off`. The records are the legal app's (`arrears.legal.models`), read here as tables;
- `open_tasks`: the open tasks of routine collection of those borrowers (the engine withdraws them).
"""

from __future__ import annotations

from arrears.engine.late import ROUTINE_TASK_KINDS

__all__ = ["LATE_QUERIES"]

_LATE = """
        SELECT g.borrower_id, 'litigation' AS stage
        FROM legal_litigation g
        WHERE g.opened_on <= %(as_of)s
          AND (g.stage <> 'closed' OR (g.closed_on IS NOT NULL AND g.closed_on > %(as_of)s))
        UNION ALL
        SELECT w.borrower_id, 'written_off' AS stage
        FROM legal_writeoff w
        WHERE w.status = 'approved' AND w.as_of <= %(as_of)s"""
_KINDS = ", ".join(f"'{kind}'" for kind in ROUTINE_TASK_KINDS)

LATE_QUERIES: dict[str, str] = {
    "late_stage": _LATE,
    "open_tasks": f"""
        SELECT t.id, t.borrower_id, t.kind
        FROM collection_task t
        WHERE t.status = 'open' AND t.kind IN ({_KINDS})
          AND t.borrower_id IN (SELECT z.borrower_id FROM ({_LATE}) z)""",  # noqa: S608 - constant SQL, bound values
}
