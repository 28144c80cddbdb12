"""Read a period's history once, for a what-if replay of its business dates (`replay`).

The nightly run reads the book as it stands on the night it runs (`daily.read`). A what-if runs the engine again
for dates already past, so it reads, once for the whole period, each table with the dates that say what it
was on each of those nights, and `replay` cuts the frames of one date out of them:

- loans active then: started by the date, and active now or changed by a feed after it (a loan closed by the
  feed of a later date was active before it);
- instalments due by the period's last reminder horizon and not settled before its first date, with the day
  each was settled (posting records it); what payments and posted waivers allocated to them, with their dates
  (and which were waivers); borrowers' monthly incomes where recorded (for plans, `offers`);
- holds, calls with the borrower, promises (open then: made by the date and decided on it or later, or still
  open), the payments of borrowers with such promises, letters whose follow-up call had no task yet that night
  (a follow-up made when the letter was sent existed from then on; one a nightly run added existed from the
  next night), plans in force or ended during the period (broken plans whatever their date: a broken plan
  keeps the borrower's case with the supervisors while that case is open), their instalments with the day each
  was found met, the payments on their loans, lawsuits and approved write-offs with their dates;
- each case's events before the period (opened, reopened, moved, closed): the cases as the night before the
  period's first date left them (`replay.cases_on_eve`). Only the nightly run changes a case's class, pool or
  status, so its events tell that state exactly.

What is not dated is taken as it is now: borrowers' risk level, chosen channel and consents, loan rates,
schedules changed by a later feed. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from django.db import connection, transaction

from arrears.engine.schema import SCHEMAS
from arrears.sql_frames import read_sql_frame

__all__ = ["History", "read_history"]

I64, I32, DATE, STR, BOOL = pl.Int64, pl.Int32, pl.Date, pl.String, pl.Boolean

# The instalments the period can act on: due by the last horizon, not settled before the first date.
_OPEN_IN_PERIOD = "i.due_date <= %(horizon)s AND (i.settled_on IS NULL OR i.settled_on > %(first)s)"
# Plans that matter to some night of the period: in force on one of them, or broken (see the module doc).
_PLANS_IN_PERIOD = """p.effective_on IS NOT NULL AND p.effective_on <= %(last)s
          AND (p.status IN ('active', 'broken') OR (p.ended_on IS NOT NULL AND p.ended_on >= %(first)s))"""
_PROMISES_OPEN_IN_PERIOD = "q.made_on <= %(last)s AND (q.status = 'open' OR q.decided_on >= %(first)s)"

QUERIES: dict[str, tuple[str, dict[str, pl.DataType]]] = {
    "loans": (
        """SELECT l.id, l.borrower_id, CAST(ROUND(l.annual_rate * 100000000) AS BIGINT),
                  CAST(ROUND(l.penalty_markup * 10000) AS BIGINT), l.status = 'active', l.feed_date,
                  l.start_date
           FROM portfolio_loan l WHERE l.status = 'active' OR l.feed_date > %(first)s""",
        {**SCHEMAS["loans"], "active_now": BOOL, "feed_date": DATE, "start_date": DATE},
    ),
    "borrowers": (
        """SELECT b.id, b.risk_level, b.preferred_channel, b.email <> '', b.consent_sms, b.consent_email,
                  b.consent_phone
           FROM portfolio_borrower b""",
        SCHEMAS["borrowers"],
    ),
    "instalments": (
        f"""SELECT i.loan_id, i.n, i.due_date, i.principal_fen, i.interest_fen, i.settled_on
            FROM portfolio_instalment i WHERE {_OPEN_IN_PERIOD}""",  # noqa: S608 - constant SQL, bound values
        {
            "loan_id": I64,
            "n": I32,
            "due_date": DATE,
            "principal_fen": I64,
            "interest_fen": I64,
            "settled_on": DATE,
        },
    ),
    "allocations": (
        f"""SELECT i.loan_id, i.n, p.paid_on, a.component, a.amount_fen, FALSE
            FROM portfolio_instalment i
            JOIN portfolio_paymentallocation a ON a.instalment_id = i.id
            JOIN portfolio_payment p ON p.id = a.payment_id
            WHERE {_OPEN_IN_PERIOD} AND p.paid_on <= %(last)s
            UNION ALL
            SELECT i.loan_id, i.n, w.posted_on, v.component, v.amount_fen, TRUE
            FROM portfolio_instalment i
            JOIN portfolio_waiverallocation v ON v.instalment_id = i.id
            JOIN portfolio_waiverposting w ON w.id = v.posting_id
            WHERE {_OPEN_IN_PERIOD} AND w.posted_on <= %(last)s""",  # noqa: S608 - constant SQL, bound values
        {**SCHEMAS["allocations"], "waived": BOOL},
    ),
    "incomes": (
        """SELECT b.id, b.monthly_income_fen FROM portfolio_borrower b WHERE b.monthly_income_fen IS NOT NULL""",
        {"borrower_id": I64, "monthly_income_fen": I64},
    ),
    "holds": (
        """SELECT h.borrower_id, h.loan_id, h.starts_on, h.ends_on, h.released_on
           FROM portfolio_hold h
           WHERE h.starts_on <= %(last)s AND (h.ends_on IS NULL OR h.ends_on >= %(first)s)
             AND (h.released_on IS NULL OR h.released_on >= %(first)s)""",
        {"borrower_id": I64, "loan_id": I64, "starts_on": DATE, "ends_on": DATE, "released_on": DATE},
    ),
    "case_events": (
        """SELECT e.case_id, c.borrower_id, e.business_date, e.kind, e.to_class, e.to_pool, e.id
           FROM collection_caseevent e JOIN collection_collectioncase c ON c.id = e.case_id
           WHERE e.business_date < %(first)s AND e.kind IN ('opened', 'reopened', 'moved', 'closed')""",
        {
            "case_id": I64,
            "borrower_id": I64,
            "business_date": DATE,
            "kind": STR,
            "to_class": STR,
            "to_pool": STR,
            "event_id": I64,
        },
    ),
    "calls": (
        """SELECT k.borrower_id, k.called_on, k.outcome, k.inbound
           FROM collection_call k WHERE k.called_on <= %(last)s AND k.party = 'borrower'""",
        {"borrower_id": I64, "called_on": DATE, "outcome": STR, "inbound": BOOL},
    ),
    "promises": (
        f"""SELECT q.id, q.borrower_id, q.made_on, q.due_on, q.amount_fen, q.decided_on
            FROM collection_promise q WHERE {_PROMISES_OPEN_IN_PERIOD}""",  # noqa: S608 - constant SQL
        {"promise_id": I64, "borrower_id": I64, "made_on": DATE, "due_on": DATE, "amount_fen": I64, "decided_on": DATE},
    ),
    "payments": (
        f"""SELECT l.borrower_id, p.paid_on, p.amount_fen
            FROM portfolio_payment p JOIN portfolio_loan l ON l.id = p.loan_id
            WHERE p.paid_on <= %(last)s
              AND p.paid_on >= (SELECT MIN(q.made_on) FROM collection_promise q WHERE {_PROMISES_OPEN_IN_PERIOD})
              AND l.borrower_id IN (
                  SELECT q.borrower_id FROM collection_promise q WHERE {_PROMISES_OPEN_IN_PERIOD})""",  # noqa: S608
        {"borrower_id": I64, "paid_on": DATE, "amount_fen": I64},
    ),
    "letters": (
        """SELECT t.id, t.borrower_id, t.sent_on,
                  (SELECT MIN(k.created_on) FROM collection_task k
                   WHERE k.kind = 'letter_follow_up' AND k.ref_id = t.id)
           FROM collection_letter t
           WHERE t.sent_on <= %(last)s AND NOT EXISTS (
               SELECT 1 FROM collection_task k WHERE k.kind = 'letter_follow_up' AND k.ref_id = t.id
                 AND (k.created_on < %(first)s OR k.created_on = t.sent_on))""",
        {"letter_id": I64, "borrower_id": I64, "sent_on": DATE, "follow_up_created": DATE},
    ),
    "letters_sent": (
        """SELECT t.sent_on, t.channel, COUNT(*) FROM collection_letter t
           WHERE t.sent_on >= %(first)s AND t.sent_on <= %(last)s GROUP BY t.sent_on, t.channel""",
        {"sent_on": DATE, "channel": STR, "letters": I64},
    ),
    "plans": (
        f"""SELECT p.id, p.borrower_id, p.case_id, p.status, p.starts_on, p.effective_on, p.ended_on
            FROM arrangements_plan p WHERE {_PLANS_IN_PERIOD}""",  # noqa: S608 - constant SQL
        {
            "plan_id": I64,
            "borrower_id": I64,
            "case_id": I64,
            "status_now": STR,
            "starts_on": DATE,
            "effective_on": DATE,
            "ended_on": DATE,
        },
    ),
    "plan_instalments": (
        f"""SELECT i.plan_id, p.borrower_id, i.n, i.due_on, i.cumulative_fen,
                   COALESCE((SELECT SUM(s.principal_fen + s.interest_fen)
                             FROM arrangements_plan_loans m JOIN portfolio_instalment s ON s.loan_id = m.loan_id
                             WHERE m.plan_id = p.id AND s.due_date >= p.starts_on AND s.due_date <= i.due_on), 0),
                   i.met_on
            FROM arrangements_planinstalment i JOIN arrangements_plan p ON p.id = i.plan_id
            WHERE {_PLANS_IN_PERIOD}""",  # noqa: S608 - constant SQL, bound values
        {
            "plan_id": I64,
            "borrower_id": I64,
            "n": I32,
            "due_on": DATE,
            "cumulative_fen": I64,
            "regular_fen": I64,
            "met_on": DATE,
        },
    ),
    "plan_payments": (
        f"""SELECT p.id, p.borrower_id, y.paid_on, y.amount_fen
            FROM arrangements_plan p
            JOIN arrangements_plan_loans m ON m.plan_id = p.id
            JOIN portfolio_payment y ON y.loan_id = m.loan_id
            WHERE {_PLANS_IN_PERIOD} AND y.paid_on >= p.starts_on AND y.paid_on <= %(last)s""",  # noqa: S608
        {"plan_id": I64, "borrower_id": I64, "paid_on": DATE, "amount_fen": I64},
    ),
    "lawsuits": (
        """SELECT g.borrower_id, g.opened_on, g.stage = 'closed', g.closed_on
           FROM legal_litigation g WHERE g.opened_on <= %(last)s""",
        {"borrower_id": I64, "opened_on": DATE, "closed_now": BOOL, "closed_on": DATE},
    ),
    "write_offs": (
        """SELECT w.borrower_id, w.as_of FROM legal_writeoff w
           WHERE w.status = 'approved' AND w.as_of <= %(last)s""",
        {"borrower_id": I64, "as_of": DATE},
    ),
}


@dataclass(frozen=True)
class History:
    """The period's history, one frame per `QUERIES` entry, read in one transaction."""

    first: date
    last: date
    horizon: date
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


def read_history(first: date, last: date, horizon: date) -> History:
    """The history the nights from `first` to `last` need, with due dates up to `horizon` (the last night's
    reminder horizon under either policy compared)."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it begins ({first})")
    params = {"first": first, "last": last, "horizon": max(horizon, last)}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:  # one view of every table (the first statement of the transaction)
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL jit = off")
        frames = {name: read_sql_frame(sql, params, schema) for name, (sql, schema) in QUERIES.items()}
    return History(first, last, params["horizon"], frames)
