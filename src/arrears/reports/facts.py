"""The month's facts, kept by the nightly run of a month's last day (Clause: KPI-1; `docs/kpi.md`).

`do_keep_month_facts(day, actor=…)` runs in the transaction that completes the nightly run of `day`. When `day`
is a month's last day it closes that month (`MonthOutcome` for each loan of its opening, `MonthClose`) and opens
the next (`OpeningPosition` from the positions the night just wrote, `OpeningBook`), each with one audit event; on
any other day it does nothing. Both steps are `INSERT … SELECT` statements, so a book of millions of loans is
copied inside the database, never through Python. A night run again (or resumed) finds its month closed and
changes nothing.

A payment belongs to the month of the feed that delivered it (`Payment.feed_date`): a payment that reached the
bank after its month closed counts in the month it arrived, and a closed month never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from arrears.accounts.models import User
from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import Month
from arrears.agencies.models import Placement
from arrears.collection.models import CaseStatus, CollectionCase
from arrears.compliance.actions import append_events_bulk
from arrears.compliance.codes import ActionCode
from arrears.legal.models import WriteOff, WriteOffStatus
from arrears.portfolio.models import Loan, LoanPosition, LoanStatus, Payment
from arrears.reports.models import EndState, MonthClose, MonthOutcome, OpeningBook, OpeningPosition

__all__ = ["EVER", "MonthFacts", "do_keep_month_facts", "paid_after", "paid_sql"]

EVER = date(1, 1, 1)  # no payment is older


@dataclass(frozen=True)
class MonthFacts:
    closed: str | None  # "2026-11" when the night closed a month
    closed_loans: int
    opened: str | None
    opened_loans: int


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def paid_sql() -> str:
    """SQL of a derived table (loan_id, paid_fen): the payments the feeds of business dates %s through %s
    delivered, per loan, made after %s (three parameters: the first and last day, and `paid_after`). The month
    under way (`kpi.recovery`) reads the same payments, joined to its opening's loans before they are summed."""
    table = _t(Payment)
    return (
        f"SELECT loan_id, SUM(amount_fen) AS paid_fen FROM {table} "  # noqa: S608
        "WHERE feed_date >= %s AND feed_date <= %s AND paid_on > %s GROUP BY loan_id"
    )


def paid_after(month: Month) -> date:
    """The day after which a payment made counts in `month`: any day, unless the month's opening was reconstructed
    from the history, which already holds every payment made by its eve (`MonthClose.reconstructed`)."""
    eve = month.previous()
    if MonthClose.objects.filter(month=eve.first, reconstructed=True).exists():
        return eve.last
    return EVER


def _close(month: Month, day: date) -> int:
    """The outcomes of `month`'s opening loans at the end of `day` (the month's last day)."""
    sql = f"""
        INSERT INTO {_t(MonthOutcome)} (month, loan_id, paid_fen, end_state, end_bucket, end_dpd)
        SELECT o.month, o.loan_id, COALESCE(pay.paid_fen, 0),
            CASE
                WHEN l.status = %s OR EXISTS (
                    SELECT 1 FROM {_t(WriteOff)} w
                    WHERE w.borrower_id = o.borrower_id AND w.status = %s AND w.decided_on <= %s
                ) THEN %s
                WHEN p.loan_id IS NOT NULL THEN %s
                WHEN l.status = %s THEN %s
                ELSE %s
            END,
            COALESCE(p.bucket, ''), COALESCE(p.dpd, 0)
        FROM {_t(OpeningPosition)} o
        JOIN {_t(Loan)} l ON l.id = o.loan_id
        LEFT JOIN {_t(LoanPosition)} p ON p.loan_id = o.loan_id
        LEFT JOIN ({paid_sql()}) pay ON pay.loan_id = o.loan_id
        WHERE o.month = %s
    """  # noqa: S608 (names from the models, values as parameters)
    params = [
        LoanStatus.WRITTEN_OFF,
        WriteOffStatus.APPROVED,
        day,
        EndState.WRITTEN_OFF,
        EndState.DELINQUENT,
        LoanStatus.CLOSED,
        EndState.CLOSED,
        EndState.CURRENT,
        month.first,
        day,
        paid_after(month),
        month.first,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _open(month: Month, day: date) -> int:
    """`month`'s opening: the delinquent loans' positions at the end of `day` (the day before it begins), with
    the open case of the borrower, its collector and their team, and the agency it is placed with on `day`."""
    agency = f"""(
        SELECT pl.agency_id FROM {_t(Placement)} pl
        WHERE pl.case_id = c.id AND pl.ended_at IS NULL AND pl.placed_on <= %s AND pl.last_day >= %s
        ORDER BY pl.id DESC LIMIT 1
    )"""  # noqa: S608
    sql = f"""
        INSERT INTO {_t(OpeningPosition)} (
            month, loan_id, borrower_id, product, delinquency_class, bucket, dpd, overdue_principal_fen,
            overdue_interest_fen, penalty_fen, compound_fen, overdue_fen, case_id, collector_id, team_id, agency_id
        )
        SELECT %s, p.loan_id, p.borrower_id, l.product, p.delinquency_class, p.bucket, p.dpd,
            p.overdue_principal_fen, p.overdue_interest_fen, p.penalty_fen, p.compound_fen,
            p.overdue_principal_fen + p.overdue_interest_fen + p.penalty_fen + p.compound_fen,
            c.id, c.owner_id, u.team_id, {agency}
        FROM {_t(LoanPosition)} p
        JOIN {_t(Loan)} l ON l.id = p.loan_id
        LEFT JOIN {_t(CollectionCase)} c ON c.borrower_id = p.borrower_id AND c.status = %s
        LEFT JOIN {_t(User)} u ON u.id = c.owner_id
        WHERE p.dpd > 0
    """  # noqa: S608
    book = f"""
        INSERT INTO {_t(OpeningBook)} (month, product, active_loans)
        SELECT %s, product, COUNT(*) FROM {_t(Loan)} WHERE status = %s GROUP BY product
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [month.first, day, day, CaseStatus.OPEN])
        opened = cursor.rowcount
        cursor.execute(book, [month.first, LoanStatus.ACTIVE])
    return opened


def do_keep_month_facts(day: date, *, actor: Any) -> MonthFacts:
    """Clause: KPI-1, KPI-2 — on a month's last day, close it and open the next (module docstring); call inside
    the nightly run's completing transaction. Idempotent: a closed month is not closed again."""
    if (day + timedelta(days=1)).day != 1:
        return MonthFacts(None, 0, None, 0)
    month = Month.of(day)
    following = month.next()
    if MonthClose.objects.filter(month=month.first).exists():
        return MonthFacts(None, 0, None, 0)
    closed = _close(month, day)
    opened = _open(following, day)
    record = MonthClose.objects.create(
        month=month.first,
        closed_on=day,
        closed_at=timezone.now(),
        opening_loans=closed,
        next_opening_loans=opened,
    )
    append_events_bulk(
        [
            {
                "action": ActionCode.KEEP_MONTH_FACTS,
                "permission": Perm.RUN_DAILY,
                "subject": record,
                "clause": "KPI-1",
                "changes": {"closed": (None, str(month)), "opened": (None, str(following))},
                "reason": f"month {month} closed with {closed} loans; {following} opened with {opened}",
            }
        ],
        actor=actor,
    )
    return MonthFacts(str(month), closed, str(following), opened)
