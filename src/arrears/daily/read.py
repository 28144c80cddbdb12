"""Read the portfolio into the engine's frames (`arrears.engine.schema`) for one as-of date.

Only what the date needs: active loans with an instalment not settled by the date and due by the reminder
horizon (posting records when each instalment was settled), or with a position the last run stored (it may be
cured now); those instalments and what payments and posted penalty waivers up to the date allocated to them;
the loans' borrowers and borrowers with a case; holds that may be in force, each borrower's cases, calls to
borrowers with a case (not to their contact persons: those neither reach the borrower nor count as attempts on
them), open promises and the payments that can keep them, letters whose follow-up has no task yet, the borrowers
in the late stage and their open routine tasks (`read_late`). A loan that is current with nothing due soon has
nothing to decide, so a night reads a small part of a large book.

PostgreSQL streams each query with `COPY (…) TO STDOUT` into polars; SQLite fetches rows. Rates become exact
integers in SQL (8 decimals for the contract rate, 4 for the markup; the columns hold no more).
"""

from __future__ import annotations

import polars as pl
from django.db import connection, transaction

from arrears.engine.params import Terms
from arrears.engine.schema import SCHEMAS, Inputs
from arrears.sql_frames import read_sql_frame

__all__ = ["active_loans", "read_inputs"]

# Two work tables, filled first in the read's transaction, analysed, then joined: the planner sees their real
# size (a few hundred thousand open instalments in a book of tens of millions) and picks index lookups.
OPEN_INSTALMENTS = "arrears_run_open"
DECIDED_LOANS = "arrears_run_loans"
PREPARE = (
    f"""CREATE TEMP TABLE {OPEN_INSTALMENTS} AS
        SELECT i.id, i.loan_id, i.n, i.due_date, i.principal_fen, i.interest_fen
        FROM portfolio_instalment i JOIN portfolio_loan l ON l.id = i.loan_id
        WHERE l.status = 'active' AND i.due_date <= %(horizon)s
          AND (i.settled_on IS NULL OR i.settled_on > %(as_of)s)""",  # noqa: S608 - constant SQL, bound values
    # The loans a night decides on: something open by the horizon, or a position stored before (maybe cured).
    f"""CREATE TEMP TABLE {DECIDED_LOANS} AS
        SELECT l.id, l.borrower_id, l.annual_rate, l.penalty_markup
        FROM portfolio_loan l
        JOIN (SELECT o.loan_id FROM {OPEN_INSTALMENTS} o UNION SELECT p.loan_id FROM portfolio_loanposition p) d
          ON d.loan_id = l.id
        WHERE l.status = 'active'""",  # noqa: S608 - constant SQL
)
# SQLite has no statistics of the instalments' dates: for the join above it walks every active loan and looks up all
# its instalments (0.58 s at 100k loans on a busy box). Led by the open instalments' own indexes — those due by the
# horizon and not settled (a partial index), and those settled after the date — it reads only the open ones (0.18 s).
SQLITE_OPEN_INSTALMENTS = f"""CREATE TEMP TABLE {OPEN_INSTALMENTS} AS
    SELECT i.id, i.loan_id, i.n, i.due_date, i.principal_fen, i.interest_fen
    FROM portfolio_instalment i INDEXED BY instalment_unsettled_idx CROSS JOIN portfolio_loan l
    WHERE l.id = i.loan_id AND l.status = 'active' AND i.due_date <= %(horizon)s AND i.settled_on IS NULL
    UNION ALL
    SELECT i.id, i.loan_id, i.n, i.due_date, i.principal_fen, i.interest_fen
    FROM portfolio_instalment i INDEXED BY instalment_settled_idx CROSS JOIN portfolio_loan l
    WHERE l.id = i.loan_id AND l.status = 'active' AND i.due_date <= %(horizon)s AND i.settled_on > %(as_of)s"""  # noqa: S608 - constant SQL, bound values

QUERIES: dict[str, str] = {
    "loans": f"""
        SELECT d.id, d.borrower_id, CAST(ROUND(d.annual_rate * 100000000) AS BIGINT),
               CAST(ROUND(d.penalty_markup * 10000) AS BIGINT)
        FROM {DECIDED_LOANS} d""",  # noqa: S608 - constant SQL
    "borrowers": f"""
        SELECT b.id, b.risk_level, b.preferred_channel, b.email <> '', b.consent_sms, b.consent_email,
               b.consent_phone
        FROM portfolio_borrower b JOIN (
            SELECT d.borrower_id AS id FROM {DECIDED_LOANS} d
            UNION SELECT c.borrower_id FROM collection_collectioncase c
        ) w ON w.id = b.id""",  # noqa: S608 - constant SQL
    "instalments": f"""
        SELECT o.loan_id, o.n, o.due_date, o.principal_fen, o.interest_fen
        FROM {OPEN_INSTALMENTS} o""",  # noqa: S608 - constant SQL
    # What payments and posted waivers (penalty and compound interest only, WVR-2) settled of each open
    # instalment: the engine subtracts both alike, as the finance core's replay does.
    "allocations": f"""
        SELECT o.loan_id, o.n, p.paid_on, a.component, a.amount_fen
        FROM {OPEN_INSTALMENTS} o
        JOIN portfolio_paymentallocation a ON a.instalment_id = o.id
        JOIN portfolio_payment p ON p.id = a.payment_id
        WHERE p.paid_on <= %(as_of)s
        UNION ALL
        SELECT o.loan_id, o.n, w.posted_on, v.component, v.amount_fen
        FROM {OPEN_INSTALMENTS} o
        JOIN portfolio_waiverallocation v ON v.instalment_id = o.id
        JOIN portfolio_waiverposting w ON w.id = v.posting_id
        WHERE w.posted_on <= %(as_of)s""",  # noqa: S608 - constant SQL, bound values
    "holds": """
        SELECT h.borrower_id, h.loan_id, h.starts_on,
               CASE WHEN h.released_on IS NOT NULL AND (h.ends_on IS NULL OR h.released_on < h.ends_on)
                    THEN h.released_on ELSE h.ends_on END
        FROM portfolio_hold h
        WHERE h.starts_on <= %(as_of)s
          AND (h.ends_on IS NULL OR h.ends_on >= %(as_of)s)
          AND (h.released_on IS NULL OR h.released_on >= %(as_of)s)""",
    "cases": """
        SELECT c.id, c.borrower_id, c.status, c.delinquency_class, c.pool, c.opened_on
        FROM collection_collectioncase c""",
    "calls": """
        SELECT k.borrower_id, k.called_on, k.outcome, k.inbound
        FROM collection_call k
        WHERE k.called_on <= %(as_of)s AND k.party = 'borrower'
          AND k.borrower_id IN (SELECT c.borrower_id FROM collection_collectioncase c WHERE c.status = 'open')""",
    "promises": """
        SELECT p.id, p.borrower_id, p.made_on, p.due_on, p.amount_fen
        FROM collection_promise p WHERE p.status = 'open' AND p.made_on <= %(as_of)s""",
    "payments": """
        SELECT l.borrower_id, p.paid_on, p.amount_fen
        FROM portfolio_payment p JOIN portfolio_loan l ON l.id = p.loan_id
        WHERE p.paid_on <= %(as_of)s
          AND p.paid_on >= (SELECT MIN(q.made_on) FROM collection_promise q WHERE q.status = 'open')
          AND l.borrower_id IN (SELECT q.borrower_id FROM collection_promise q WHERE q.status = 'open')""",
    "letters": """
        SELECT t.id, t.borrower_id, t.sent_on
        FROM collection_letter t
        WHERE t.sent_on <= %(as_of)s
          AND NOT EXISTS (SELECT 1 FROM collection_task k WHERE k.kind = 'letter_follow_up' AND k.ref_id = t.id)""",
}
from arrears.daily.read_late import LATE_QUERIES  # noqa: E402 - the late stage's queries, kept apart
from arrears.daily.read_plans import PLAN_QUERIES  # noqa: E402 - the plans' queries (PLAN-4), kept apart

QUERIES.update(PLAN_QUERIES)
QUERIES.update(LATE_QUERIES)


def read_frame(name: str, terms: Terms) -> pl.DataFrame:
    params = {"as_of": terms.as_of, "horizon": terms.horizon}
    return read_sql_frame(QUERIES[name], params, SCHEMAS[name])


def active_loans() -> int:
    """How many loans are active (the run reports the book's size; most need no decision)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portfolio_loan WHERE status = 'active'")
        return cursor.fetchone()[0]


def read_inputs(terms: Terms, progress=None) -> Inputs:
    """Every frame the engine needs for `terms.as_of`, read in one transaction (a consistent view); `progress(name)`
    is called after each frame."""
    params = {"as_of": terms.as_of, "horizon": terms.horizon}
    frames = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling these plans costs more than running them
        for table in (OPEN_INSTALMENTS, DECIDED_LOANS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        prepare = PREPARE if connection.vendor != "sqlite" else (SQLITE_OPEN_INSTALMENTS, *PREPARE[1:])
        for sql, table in zip(prepare, (OPEN_INSTALMENTS, DECIDED_LOANS), strict=True):
            cursor.execute(sql, params)
            cursor.execute(f"CREATE INDEX {table}_id ON {table} (id)")
            cursor.execute(f"ANALYZE {table}")
        for name in SCHEMAS:
            if name == "allocations" and connection.vendor == "postgresql":
                # Few open instalments have payments; the planner cannot know that and would scan every
                # allocation of the book. Index lookups per open instalment are what this query needs.
                cursor.execute("SET LOCAL enable_hashjoin = off")
                cursor.execute("SET LOCAL enable_mergejoin = off")
            frames[name] = read_frame(name, terms)
            if name == "allocations" and connection.vendor == "postgresql":
                cursor.execute("RESET enable_hashjoin")
                cursor.execute("RESET enable_mergejoin")
            if progress is not None:
                progress(name)
        for table in (OPEN_INSTALMENTS, DECIDED_LOANS):
            cursor.execute(f"DROP TABLE {table}")
    return Inputs.of(**frames)
