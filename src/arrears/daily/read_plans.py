"""Read the instalment plans a night follows (PLAN-4) into the engine's `plans`, `plan_instalments` and
`plan_payments` frames; merged into `read.QUERIES`, so they are read in the same transaction as the rest.

- plans in force on the as-of date (`active`, in force since `effective_on`), and plans that broke while the
  borrower's case is open (broken on or after the day it (re)opened): their case stays in the supervisors'
  decision pool;
- the active plans' instalments, each with what the plan's loans fall due for under their own schedules from
  the plan's start to the instalment's due date (the plan covers what was overdue when it started; the loans'
  instalments falling due meanwhile must be paid as well), and the day an earlier run found each met;
- payments on an active plan's loans from the plan's `starts_on` to the as-of date (a plan's schedule counts
  every payment from the day it starts, signed or not yet).
"""

from __future__ import annotations

__all__ = ["PLAN_QUERIES"]

_IN_FORCE = "p.status = 'active' AND p.effective_on <= %(as_of)s"

PLAN_QUERIES: dict[str, str] = {
    "plans": f"""
        SELECT p.id, p.borrower_id, p.case_id, p.status, p.starts_on, p.ended_on
        FROM arrangements_plan p
        WHERE ({_IN_FORCE})
           OR (p.status = 'broken' AND p.ended_on <= %(as_of)s AND EXISTS (
                SELECT 1 FROM collection_collectioncase c
                WHERE c.borrower_id = p.borrower_id AND c.status = 'open'
                  AND c.opened_on <= p.ended_on))""",  # noqa: S608 - constant SQL, bound values
    "plan_instalments": f"""
        SELECT i.plan_id, p.borrower_id, i.n, i.due_on, i.cumulative_fen,
               COALESCE((SELECT SUM(s.principal_fen + s.interest_fen)
                         FROM arrangements_plan_loans m JOIN portfolio_instalment s ON s.loan_id = m.loan_id
                         WHERE m.plan_id = p.id AND s.due_date >= p.starts_on AND s.due_date <= i.due_on), 0),
               i.met_on
        FROM arrangements_planinstalment i JOIN arrangements_plan p ON p.id = i.plan_id
        WHERE {_IN_FORCE}""",  # noqa: S608 - constant SQL, bound values
    "plan_payments": f"""
        SELECT p.id, p.borrower_id, y.paid_on, y.amount_fen
        FROM arrangements_plan p
        JOIN arrangements_plan_loans m ON m.plan_id = p.id
        JOIN portfolio_payment y ON y.loan_id = m.loan_id
        WHERE {_IN_FORCE}
          AND y.paid_on >= p.starts_on AND y.paid_on <= %(as_of)s""",  # noqa: S608 - constant SQL, bound values
}
