"""Posting's reads and writes: set-based, a chunk of loans at a time, for the kernel in `post_kernel`.

How this works
--------------
For each chunk of loans (their ids in a TEMP table, so no statement carries a list of ids):

1. **Read** the loans' rates, their schedules (with the settled dates stored so far), payments and posted
   waivers into polars frames — PostgreSQL by `COPY (SELECT …) TO STDOUT`, SQLite by one query each.
2. **Compute** with `post_kernel.allocate`: due dates rolled to the next working day where the policy says
   so (only up to a month past the loan's last receipt or the business date, as `posting.effective_due_date`),
   the penalty rate of each loan as an exact integer (annual rate × (1 + markup) in units of 1e-12).
3. **Write**: the loans' old allocation rows are deleted before the first chunk (one statement per table), each
   chunk inserts its new ones (COPY on PostgreSQL, `executemany` on SQLite) and gathers the instalments whose
   settled date changed, and one `UPDATE … FROM` that TEMP table of (id, settled_on) sets
   `Instalment.settled_on` after the last chunk — never one statement per instalment, nor per chunk.

A loan whose contract rate or markup has more decimals than the kernel holds exactly (8 and 4, the database's
own) is returned to the caller, who posts it by the replay.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.db import connection

from arrears.bulk import loosened
from arrears.finance.account import PAYMENT, WAIVER
from arrears.portfolio.models import Instalment, Loan, Payment, PaymentAllocation, WaiverAllocation, WaiverPosting
from arrears.portfolio.post_kernel import allocate
from arrears.rules.queries import calendar
from arrears.sql_frames import read_sql_frame

CHUNK = 20_000  # loans per round: bounds memory, not policy
ROLL_REACH = timedelta(days=31)  # as `posting.ROLL_REACH`: a due date further than this past as-of is not rolled
_IDS = "post_ids"
_SETTLED = "post_settled"
_SETTLED_NEW = "post_settled_new"  # of the instalments a first load held back (`pending`)

log = logging.getLogger(__name__)


def post(
    ids: list[int], business_date: date, policy, chunk: int, *, loosen: bool = False, pending: str | None = None
) -> tuple[int, list[int]]:
    """Post these loans (sorted ids) a chunk at a time; returns (allocation rows written, the ids of loans
    left for the replay). `loosen`: a first load's posting (see below). `pending`: the TEMP table of a first
    load's new instalments not yet in their table (`feed.load.LoadResult.pending`), read with the table's and
    written into it, with their settled dates, after the last chunk."""
    written, left = 0, []
    with connection.cursor() as cursor:
        _temp(cursor, _IDS, "id bigint PRIMARY KEY", [(i,) for i in ids])
        payments, instalments = (_count(cursor, Payment), _count(cursor, Instalment, pending)) if loosen else (0, 0)
        with (
            loosened(cursor, PaymentAllocation._meta.db_table, payments, indexes=False),
            loosened(cursor, Instalment._meta.db_table, instalments, share=2),
        ):
            # The old allocations of every loan are deleted first, and the settled dates of every chunk gathered
            # and written by one UPDATE after the last: one pass over each table whatever the number of chunks (a
            # statement per chunk could scan the whole table once per chunk). Only for a first load (a loosened
            # table is locked against every other session to the commit): its allocations are written without
            # the table's foreign keys, checked again in one join each when re-added (`bulk.loosened`), keeping
            # the indexes the DELETE reads by; its instalments (`pending`) and settled dates without the
            # instalments' foreign keys and plain indexes (the unique key on loan and number, which the reads
            # use, stays).
            _delete_allocations(cursor)
            _temp(cursor, _SETTLED, "id bigint PRIMARY KEY, settled_on date", [])
            _temp(cursor, _SETTLED_NEW, "id bigint PRIMARY KEY, settled_on date", [])
            for start in range(0, len(ids), chunk):
                rows, rest = _post_chunk(ids[start : start + chunk], business_date, policy, pending)
                written += rows
                left += rest
            _write_settled(cursor, pending)
    return written, left


def _count(cursor, model, pending: str | None = None) -> int:
    """How many payments (each makes at least one allocation row) or instalments the loans in `_IDS` have, with
    the instalments held back in `pending` (as ANALYZE counted them: the figure only decides whether to loosen);
    0 on SQLite, which is never loosened."""
    if not _pg():
        return 0
    table = model._meta.db_table
    cursor.execute(f"SELECT count(*) FROM {table} t JOIN {_IDS} k ON k.id = t.loan_id")  # noqa: S608
    found = cursor.fetchone()[0]
    if pending:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [pending])
        found += max(cursor.fetchone()[0], 0)
    return found


def _pg() -> bool:
    return connection.vendor == "postgresql"


_INSTALMENT = {"loan_id": pl.Int64, "id": pl.Int64, "n": pl.Int64, "due_date": pl.Date} | {
    "principal_fen": pl.Int64,
    "interest_fen": pl.Int64,
    "settled_on": pl.Date,
}


def _instalments_sql(table: str, settled: str) -> str:
    return (
        f"SELECT i.loan_id, i.id, i.n, i.due_date, i.principal_fen, i.interest_fen, {settled} "  # noqa: S608
        f"FROM {table} i JOIN {_IDS} k ON k.id = i.loan_id"
    )


def _post_chunk(ids: list[int], business_date: date, policy, pending: str | None) -> tuple[int, list[int]]:
    with connection.cursor() as cursor:
        _temp(cursor, _IDS, "id bigint PRIMARY KEY", [(i,) for i in ids])
        rates, left = _rates(ids, policy)
        if left:
            cursor.execute(f"DELETE FROM {_IDS} WHERE id IN ({', '.join(str(int(i)) for i in left)})")  # noqa: S608
        instalments = read_sql_frame(
            _instalments_sql(Instalment._meta.db_table, "i.settled_on"), {}, _INSTALMENT
        ).with_columns(new=pl.lit(False))
        if pending:
            held = read_sql_frame(_instalments_sql(pending, "NULL::date"), {}, _INSTALMENT)
            instalments = pl.concat([instalments, held.with_columns(new=pl.lit(True))])
        receipts = pl.concat(
            [
                read_sql_frame(
                    _receipts_sql(Payment._meta.db_table, "external_id", "paid_on"), {}, _RECEIPT
                ).with_columns(kind=pl.lit(PAYMENT)),
                read_sql_frame(
                    _receipts_sql(WaiverPosting._meta.db_table, "key", "posted_on"), {}, _RECEIPT
                ).with_columns(kind=pl.lit(WAIVER)),
            ]
        )
        allocations, settled = allocate(
            _effective(instalments, receipts, business_date, policy),
            receipts,
            rates,
            order=tuple(policy.allocation.order),
            day_basis=policy.penalty.day_basis,
            compound=bool(policy.penalty.compound_on_interest),
        )
        written = _write_allocations(cursor, allocations, instalments)
        _gather_settled(cursor, settled, instalments)
        cursor.execute(f"DROP TABLE {_IDS}")
    return written, left


_RECEIPT = {"loan_id": pl.Int64, "rid": pl.Int64, "key": pl.String, "paid_on": pl.Date, "amount_fen": pl.Int64}


def _receipts_sql(table: str, key: str, on: str) -> str:
    return f"SELECT r.loan_id, r.id, r.{key}, r.{on}, r.amount_fen FROM {table} r JOIN {_IDS} k ON k.id = r.loan_id"  # noqa: S608


def _rates(ids: list[int], policy) -> tuple[pl.DataFrame, list[int]]:
    """Each loan's penalty rate in units of 1e-12, and the loans whose rates it cannot hold exactly."""
    rows, left = [], []
    default = policy.penalty.markup
    for start in range(0, len(ids), 5_000):
        for pk, rate, markup in Loan.objects.filter(pk__in=ids[start : start + 5_000]).values_list(
            "pk", "annual_rate", "penalty_markup"
        ):
            rate_e8 = Decimal(rate) * 10**8
            markup_e4 = Decimal(default if markup is None else markup) * 10_000
            if rate_e8 != rate_e8.to_integral_value() or markup_e4 != markup_e4.to_integral_value():
                left.append(pk)
            else:
                rows.append((pk, int(rate_e8) * (10_000 + int(markup_e4))))
    return pl.DataFrame(rows, schema={"loan_id": pl.Int64, "rate_e12": pl.Int64}, orient="row"), left


def _effective(instalments: pl.DataFrame, receipts: pl.DataFrame, business_date: date, policy) -> pl.DataFrame:
    """The schedule with the due dates the accounts count from (`posting.effective_due_date`): rolled to the
    next working day where the policy says so, up to a month past the loan's as-of date (the business date or
    its last receipt, whichever is later)."""
    frame = instalments.select("loan_id", "n", "principal_fen", "interest_fen", due=pl.col("due_date"))
    if not policy.schedule.roll_non_working_due_date or frame.is_empty():
        return frame
    last = receipts.group_by("loan_id").agg(last=pl.col("paid_on").max())
    as_of = pl.max_horizontal(pl.col("last").fill_null(business_date), pl.lit(business_date))
    frame = frame.join(last, on="loan_id", how="left").with_columns(rolls=pl.col("due") <= as_of + ROLL_REACH)
    days = calendar()
    unique = frame.filter("rolls")["due"].unique().to_list()
    rolled = pl.DataFrame(
        {"due": unique, "rolled": [days.next_working_day(d) for d in unique]},
        schema={"due": pl.Date, "rolled": pl.Date},
    )
    return (
        frame.join(rolled, on="due", how="left")
        .with_columns(due=pl.when("rolls").then("rolled").otherwise("due"))
        .drop("last", "rolls", "rolled")
    )


def _delete_allocations(cursor) -> None:
    """Remove the allocation rows of the loans in `_IDS` (all those posted: the replay rewrites its own)."""
    for model, parent in ((PaymentAllocation, Payment), (WaiverAllocation, WaiverPosting)):
        fk = model._meta.get_field("payment" if model is PaymentAllocation else "posting").column
        cursor.execute(
            f"DELETE FROM {model._meta.db_table} WHERE {fk} IN "  # noqa: S608
            f"(SELECT r.id FROM {parent._meta.db_table} r JOIN {_IDS} k ON k.id = r.loan_id)"
        )


def _write_allocations(cursor, allocations: pl.DataFrame, instalments: pl.DataFrame) -> int:
    with_ids = allocations.join(instalments.select("loan_id", "n", instalment_id="id"), on=["loan_id", "n"], how="left")
    payments = with_ids.filter(pl.col("kind") == PAYMENT).select(
        payment_id="rid", instalment_id="instalment_id", component="component", amount_fen="amount_fen"
    )
    waivers = with_ids.filter(pl.col("kind") == WAIVER)
    for row in waivers.filter(pl.col("component") == "unapplied").iter_rows(named=True):
        # As the replay: a waiver settles no more than is owed; the rest has no row (see `posting._waiver_rows`).
        log.warning(
            "waiver posting %s on loan %s: %s fen finds no penalty or compound interest owed",
            row["rid"],
            row["loan_id"],
            row["amount_fen"],
        )
    waivers = waivers.filter(pl.col("component") != "unapplied").select(
        posting_id="rid", instalment_id="instalment_id", component="component", amount_fen="amount_fen"
    )
    _insert(cursor, PaymentAllocation._meta.db_table, payments)
    _insert(cursor, WaiverAllocation._meta.db_table, waivers)
    return payments.height + waivers.height


def _gather_settled(cursor, settled: pl.DataFrame, instalments: pl.DataFrame) -> None:
    """Add the chunk's instalments whose settled date changed to the table `_write_settled` writes from (those
    held back by a first load to their own)."""
    changed = (
        instalments.select("loan_id", "n", "id", "new", before="settled_on")
        .join(settled, on=["loan_id", "n"], how="left")
        .filter(pl.col("before").ne_missing(pl.col("settled_on")))
    )
    _insert(cursor, _SETTLED, changed.filter(~pl.col("new")).select("id", "settled_on"))
    _insert(cursor, _SETTLED_NEW, changed.filter("new").select("id", "settled_on"))


def _write_settled(cursor, pending: str | None) -> None:
    """Set `Instalment.settled_on` from the gathered rows, by one `UPDATE … FROM`; write the held-back
    instalments into their table with theirs, by one `INSERT … SELECT`."""
    if _pg():
        cursor.execute(f"ANALYZE {_SETTLED}")
    table = Instalment._meta.db_table
    cursor.execute(
        f"UPDATE {table} SET settled_on = s.settled_on FROM {_SETTLED} s WHERE {table}.id = s.id"  # noqa: S608
    )
    if pending:
        columns = "id, loan_id, n, due_date, principal_fen, interest_fen"
        cursor.execute(
            f"INSERT INTO {table} ({columns}, settled_on) "  # noqa: S608
            f"SELECT {', '.join(f'p.{c}' for c in columns.split(', '))}, s.settled_on "
            f"FROM {pending} p LEFT JOIN {_SETTLED_NEW} s ON s.id = p.id ORDER BY p.id"
        )
        cursor.execute(f"DROP TABLE {pending}")
    cursor.execute(f"DROP TABLE {_SETTLED}")
    cursor.execute(f"DROP TABLE {_SETTLED_NEW}")


def _temp(cursor, name: str, columns: str, rows) -> None:
    """A TEMP table `name` holding `rows` (a frame, or a list of tuples)."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, orient="row")
    _insert(cursor, name, frame, names=[c.split()[0] for c in columns.split(", ")])
    if _pg():
        cursor.execute(f"ANALYZE {name}")


def _insert(cursor, table: str, frame: pl.DataFrame, names: list[str] | None = None) -> None:
    if frame.is_empty():
        return
    names = names or frame.columns
    if _pg():
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    for start in range(0, frame.height, 10_000):
        cursor.executemany(sql, frame.slice(start, 10_000).rows())
