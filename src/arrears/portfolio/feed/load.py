"""Loading the valid rows: set-based upserts by key, inside the caller's transaction.

How this works
--------------
For each file, in dependency order (borrowers, contacts, loans, schedules, payments, delinquency history, holds):

1. **Stage**: the valid rows go into a staging table — PostgreSQL an unlogged one filled by `COPY … FROM STDIN`
   (psycopg 3, CSV written by polars), so that parallel workers can read it in step 2; SQLite a TEMP one filled
   by `executemany` in chunks. It is dropped when its file is merged.
2. **Delta**: one query joins the stage to the target table by key (and external keys to database ids:
   a loan's `borrower_id` becomes the borrower's id) and keeps only the rows that are new or differ in any
   column (`IS DISTINCT FROM`, NULL-safe; `IS NOT` on SQLite). Counting it gives inserted / updated, the
   rest of the stage is unchanged.
3. **Merge**: `INSERT … SELECT … FROM delta ON CONFLICT (key) DO UPDATE SET … WHERE (cols) IS DISTINCT
   FROM (excluded cols)`, so an unchanged row is never rewritten and `feed_date` ("last changed by the feed
   of") moves only when something changed.

SQL is assembled from identifiers only — table names from the models, column names from `schema.py`, never
from the feed — and every value is bound or streamed (hence the S608 exemptions below). The same SQL runs on
both databases (only the staging and the NULL-safe comparison differ), so counts and
the loans to re-post are worked out identically. No ORM object is created per row.

A first load of the schedules (a bulk load: `bulk.bulk_load`, PostgreSQL) holds its new instalments back in a
TEMP table with the ids reserved for them (`_hold_back`): posting reads them with the table's rows and writes
them into the table with their settled dates, once (`post_store.post`), instead of inserting them here and
updating most of them again.

Fed delinquency history is stored as `DelinquencyRecord` rows with `source = 'feed'` (its key includes the
source, so the nightly run's own records are never touched); fed holds are `Hold` rows keyed by the core's
hold number, placed by the importing user (set when the row is inserted, never compared), and a release
once recorded (by a feed or in arrears) is kept while the feed says nothing of one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import polars as pl
from django.db import connection

from arrears.bulk import bulk_load, loosened
from arrears.portfolio.feed.read import ROW
from arrears.portfolio.feed.schema import SPECS, Kind
from arrears.portfolio.models import Borrower, ContactPerson, DelinquencyRecord, Hold, Instalment, Loan, Payment

SQLITE_CHUNK = 10_000
COPY_CHUNK = 200_000
PENDING_INSTALMENTS = "feed_pending_instalments"  # see `_hold_back`
_LOCK_ID = 0x61727265617273  # pg_advisory_xact_lock key for "one feed import at a time"


@dataclass(frozen=True)
class Table:
    file: str
    model: type
    conflict: tuple[str, ...]  # target columns of the unique key
    values: tuple[tuple[str, str], ...]  # (target column, expression over the stage `s` and the parent `p`)
    join: str = ""  # resolves the parent's external key to its id, as `p`
    feed_date: bool = True
    insert_only: tuple[str, ...] = ()  # set when a row is added, neither compared nor updated afterwards

    @property
    def target(self) -> str:
        return self.model._meta.db_table


def _same(file: str, renames: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    renames = renames or {}
    return tuple((renames.get(c, c), f"s.{c}") for c in SPECS[file].names)


TABLES: tuple[Table, ...] = (
    Table(
        "borrowers",
        Borrower,
        ("external_id",),
        _same("borrowers", {"borrower_id": "external_id", "monthly_income": "monthly_income_fen"}),
    ),
    Table(
        "contacts",
        ContactPerson,
        ("borrower_id", "phone"),
        (("borrower_id", "p.id"), ("name", "s.name"), ("relation", "s.relation"), ("phone", "s.phone")),
        join=f"JOIN {Borrower._meta.db_table} p ON p.external_id = s.borrower_id",
    ),
    Table(
        "loans",
        Loan,
        ("external_id",),
        (
            ("external_id", "s.loan_id"),
            ("borrower_id", "p.id"),
            *_same("loans", {"principal": "principal_fen"})[2:],
        ),
        join=f"JOIN {Borrower._meta.db_table} p ON p.external_id = s.borrower_id",
    ),
    Table(
        "schedules",
        Instalment,
        ("loan_id", "n"),
        (
            ("loan_id", "p.id"),
            ("n", "s.n"),
            ("due_date", "s.due_date"),
            ("principal_fen", "s.principal"),
            ("interest_fen", "s.interest"),
        ),
        join=f"JOIN {Loan._meta.db_table} p ON p.external_id = s.loan_id",
        feed_date=False,
    ),
    Table(
        "payments",
        Payment,
        ("external_id",),
        (("external_id", "s.payment_id"), ("loan_id", "p.id"), ("paid_on", "s.paid_on"), ("amount_fen", "s.amount")),
        join=f"JOIN {Loan._meta.db_table} p ON p.external_id = s.loan_id",
    ),
    Table(
        "delinquency_history",
        DelinquencyRecord,
        ("loan_id", "business_date", "source"),
        (
            ("loan_id", "p.id"),
            ("business_date", "s.effective_on"),
            ("source", "'feed'"),
            ("dpd", "s.dpd"),
            ("delinquency_class", "s.delinquency_class"),
            ("clause", "'CLS-1'"),
        ),
        join=f"JOIN {Loan._meta.db_table} p ON p.external_id = s.loan_id",
        feed_date=False,
    ),
    Table(
        "holds",
        Hold,
        ("external_id",),
        (
            ("external_id", "s.hold_id"),
            ("borrower_id", "p.id"),
            ("loan_id", "l.id"),
            ("kind", "s.kind"),
            ("reason", "s.reason"),
            ("starts_on", "s.starts_on"),
            ("ends_on", "s.ends_on"),
            ("released_on", "COALESCE(s.released_on, t.released_on)"),  # a release once recorded stays
            ("placed_by_id", "{actor}"),
        ),
        join=(
            f"JOIN {Borrower._meta.db_table} p ON p.external_id = s.borrower_id "
            f"LEFT JOIN {Loan._meta.db_table} l ON l.external_id = s.loan_id"
        ),
        feed_date=False,
        insert_only=("placed_by_id",),
    ),
)


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadResult:
    counts: dict[str, TableCounts]
    touched_loans: list[int]  # loans whose schedule, payments or contract changed: to be re-posted
    loosened: tuple[str, ...] = ()  # tables loaded as a first load (`bulk.loosened`)
    # A first load's new instalments, held back in this TEMP table (with their ids) for posting to write with
    # their settled dates (`post_store.post`): see `_hold_back`. None when every row went into its table.
    pending: str | None = None


def _vendor() -> str:
    return connection.vendor


def _sql_type(kind: Kind) -> str:
    pg = _vendor() == "postgresql"
    return {
        Kind.AMOUNT: "bigint",
        Kind.INT: "bigint",
        Kind.RATE: "numeric" if pg else "decimal",
        Kind.DATE: "date",
        Kind.BOOL: "boolean" if pg else "bool",
    }.get(kind, "text")


def _differs(pairs: list[tuple[str, str]]) -> str:
    """NULL-safe 'any of these pairs differs'."""
    if _vendor() == "postgresql":
        left, right = zip(*pairs, strict=True)
        return f"({', '.join(left)}) IS DISTINCT FROM ({', '.join(right)})"
    return "(" + " OR ".join(f"{a} IS NOT {b}" for a, b in pairs) + ")"


def lock_imports(cursor) -> None:
    """Serialise imports: PostgreSQL by an advisory lock held to the end of the transaction (SQLite's
    IMMEDIATE transactions already admit one writer)."""
    if _vendor() == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


class Loader:
    """Loads the files one at a time, each as soon as it is validated (`actions_import`), inside the caller's
    transaction. Files come in `TABLES` order (parents first); a file not given is not loaded. `actor_id`: the
    importing user, who places the holds the feed adds."""

    def __init__(self, business_date: date, *, actor_id: int | None = None) -> None:
        self.business_date, self.actor_id = business_date, actor_id
        self.counts: dict[str, TableCounts] = {}
        self.touched: set[int] = set()
        self.loose: list[str] = []
        self.pending: list[str] = []
        self._next = 0  # index in TABLES of the next file that may come

    def load(self, file: str, frame: pl.DataFrame | Iterable[pl.DataFrame]) -> None:
        """Upsert one file's valid rows (a frame, or frames one after another: all are staged before the merge)."""
        order = [t.file for t in TABLES]
        index = order.index(file)
        if index < self._next:
            raise ValueError(
                f"{file} comes after {order[self._next - 1]} or was loaded already; files load parents first"
            )
        self._next = index + 1
        table = TABLES[index]
        stage, delta = f"feed_stage_{file}", f"feed_delta_{file}"
        with connection.cursor() as cursor:
            staged = _stage(cursor, table, [frame] if isinstance(frame, pl.DataFrame) else frame, stage)
            self.counts[file] = _merge(
                cursor,
                _bind(table, self.actor_id),
                stage,
                delta,
                self.business_date,
                staged,
                self.touched,
                (self.loose, self.pending),
            )
            cursor.execute(f"DROP TABLE {stage}")
            cursor.execute(f"DROP TABLE {delta}")

    def result(self) -> LoadResult:
        return LoadResult(
            self.counts, sorted(self.touched), tuple(self.loose), self.pending[0] if self.pending else None
        )


def _bind(table: Table, actor_id: int | None) -> Table:
    """The table with the importing user's id in place of `{actor}` (an integer from the database, never from
    the feed)."""
    if not any("{actor}" in expr for _c, expr in table.values):
        return table
    if actor_id is None:
        raise ValueError(f"loading {table.file} needs the importing user's id")
    values = tuple((c, expr.replace("{actor}", str(int(actor_id)))) for c, expr in table.values)
    return Table(table.file, table.model, table.conflict, values, table.join, table.feed_date, table.insert_only)


def _stage(cursor, table: Table, frames: Iterable[pl.DataFrame], stage: str) -> int:
    """The frames' rows in the TEMP table `stage`; returns how many."""
    spec = SPECS[table.file]
    columns = ", ".join(f"{c.name} {_sql_type(c.kind)}" for c in spec.columns)
    pg = _vendor() == "postgresql"
    if pg:
        # An unlogged table, not a TEMP one: PostgreSQL reads a TEMP table in the session's own process only, and
        # the delta of a big file is worked out by parallel workers (`_merge`). Made and dropped inside the
        # import's transaction (imports are one at a time: `lock_imports`), so a failed import leaves none.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE UNLOGGED TABLE {stage} ({columns})")
    else:
        cursor.execute(f"CREATE TEMP TABLE {stage} ({columns})")
    staged = 0
    for frame in frames:
        frame = frame.drop(ROW, strict=False)
        staged += frame.height
        if pg:
            with cursor.cursor.copy(f"COPY {stage} ({', '.join(spec.names)}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, frame.height, COPY_CHUNK):
                    buffer = io.BytesIO()
                    frame.slice(start, COPY_CHUNK).write_csv(buffer, include_header=False)
                    copy.write(buffer.getbuffer())
            continue
        # SQLite keeps dates as ISO text and booleans as 0/1, exactly as Django writes them.
        frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
        insert = f"INSERT INTO {stage} ({', '.join(spec.names)}) VALUES ({', '.join(['%s'] * len(spec.names))})"  # noqa: S608
        for start in range(0, frame.height, SQLITE_CHUNK):
            cursor.executemany(insert, frame.slice(start, SQLITE_CHUNK).rows())
    if pg:
        cursor.execute(f"ANALYZE {stage}")
    return staged


def _merge(
    cursor,
    table: Table,
    stage: str,
    delta: str,
    business_date: date,
    staged: int,
    touched: set[int],
    first_loads: tuple[list[str], list[str]],
) -> TableCounts:
    target = table.target
    on = " AND ".join(f"t.{c} = {expr}" for c, expr in table.values if c in table.conflict)
    fixed = (*table.conflict, *table.insert_only)
    compare = [(f"t.{c}", expr) for c, expr in table.values if c not in fixed]
    selected = ", ".join(f"{expr} AS {c}" for c, expr in table.values)
    old_parent = ", t.loan_id AS _old_loan" if table.file == "payments" else ""
    pg = _vendor() == "postgresql"
    if pg:
        # The planner cannot tell how few rows differ, and costs passing every staged row from the workers above
        # a plan in one process; the delta of an unchanged day is nearly empty (2.8 M instalments: 2.8 -> 1.5 s).
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
    cursor.execute(
        f"CREATE TEMP TABLE {delta} AS SELECT {selected}, t.id AS _old_id{old_parent} "  # noqa: S608
        f"FROM {stage} s {table.join} LEFT JOIN {target} t ON {on} "
        f"WHERE t.id IS NULL OR {_differs(compare)}"
    )
    if pg:
        cursor.execute("RESET parallel_tuple_cost")
    cursor.execute(f"SELECT count(*), count(_old_id) FROM {delta}")  # noqa: S608
    changed, updated = cursor.fetchone()
    columns = [c for c, _ in table.values]
    if table.feed_date:
        columns_sql = ", ".join([*columns, "feed_date"])
        select_sql = ", ".join([*columns, "%s"])
        # SQLite stores a date as ISO text (as Django does); PostgreSQL gets a typed date parameter.
        params = [business_date if pg else business_date.isoformat()]
    else:
        columns_sql = select_sql = ", ".join(columns)
        params = []
    set_sql = ", ".join(f"{c} = excluded.{c}" for c in columns_sql.split(", ") if c not in fixed)
    unequal = _differs([(f"{target}.{c}", f"excluded.{c}") for c in columns if c not in fixed])
    loose, pending = first_loads
    held_back = _hold_back(cursor, table, delta, changed - updated) if table.model is Instalment else 0
    if held_back:
        pending.append(PENDING_INSTALMENTS)
    # A first load (more new rows than the table holds) goes in without the table's foreign keys and plain
    # indexes, which are made again after it (`bulk.loosened`).
    with loosened(cursor, target, changed - updated - held_back) as first_load:
        if first_load:
            loose.append(target)
        cursor.execute(
            f"INSERT INTO {target} ({columns_sql}) SELECT {select_sql} FROM {delta} "  # noqa: S608
            f"WHERE {'_old_id IS NOT NULL' if held_back else 'true'} "
            f"ON CONFLICT ({', '.join(table.conflict)}) DO UPDATE SET {set_sql} WHERE {unequal}",
            params,
        )
        written = cursor.rowcount + held_back
    if written != changed:
        raise RuntimeError(f"{table.file}: {written} rows written where {changed} differed; rolled back")
    _collect_touched(cursor, table, delta, touched)
    return TableCounts(inserted=changed - updated, updated=updated, unchanged=staged - changed)


def _hold_back(cursor, table: Table, delta: str, new: int) -> int:
    """A first load's new instalments (a bulk load of the table, `bulk.bulk_load`) go into the TEMP table
    `PENDING_INSTALMENTS` instead, each with the id the table's sequence gives it; posting writes them into the
    table with their settled dates (`post_store.post`), so that no row is written twice — at a million loans,
    an UPDATE of the settled dates of 17 million rows just inserted took minutes. Returns how many."""
    if not bulk_load(cursor, table.target, new):
        return 0
    # The ids are reserved as one block of the table's sequence (one `nextval` per row costs more than the rest
    # of this together), with the table locked against other writers until the commit so none takes one between.
    cursor.execute(f"LOCK TABLE {table.target} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.target])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + new - 1])
    columns = [c for c, _ in table.values]
    cursor.execute(
        f"CREATE TEMP TABLE {PENDING_INSTALMENTS} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT %s + row_number() OVER (ORDER BY loan_id, n) AS id, {', '.join(columns)} "
        f"FROM {delta} WHERE _old_id IS NULL",
        [first - 1],
    )
    held = cursor.rowcount
    if held != new:
        raise RuntimeError(f"schedules: {held} new instalments held back where {new} were counted; rolled back")
    cursor.execute(f"CREATE INDEX ON {PENDING_INSTALMENTS} (loan_id)")  # posting reads it a chunk of loans at a time
    cursor.execute(f"ANALYZE {PENDING_INSTALMENTS}")
    return held


def _collect_touched(cursor, table: Table, delta: str, touched: set[int]) -> None:
    if table.file == "loans":
        cursor.execute(f"SELECT _old_id FROM {delta} WHERE _old_id IS NOT NULL")  # noqa: S608 — a changed contract
    elif table.file == "schedules":
        cursor.execute(f"SELECT DISTINCT loan_id FROM {delta}")  # noqa: S608
    elif table.file == "payments":
        cursor.execute(f"SELECT loan_id FROM {delta} UNION SELECT _old_loan FROM {delta} WHERE _old_loan IS NOT NULL")  # noqa: S608
    else:
        return
    touched.update(row[0] for row in cursor.fetchall())


def stored_keys(file: str, keys: pl.Series) -> pl.DataFrame:
    """The stored borrowers (or loans, with their start date and borrower) among `keys`: for references the feed does not
    carry itself. One query per 5,000 keys."""
    keys = keys.drop_nulls().unique().cast(pl.String)
    if file == "borrowers":
        model, fields = Borrower, ("external_id",)
        schema = {"borrower_id": pl.String}
    else:
        model, fields = Loan, ("external_id", "start_date", "borrower__external_id")
        schema = {"loan_id": pl.String, "start_date": pl.Date, "borrower_id": pl.String}
    found: list[tuple] = []
    values = keys.to_list()
    for start in range(0, len(values), 5_000):
        found.extend(model.objects.filter(external_id__in=values[start : start + 5_000]).values_list(*fields))
    return pl.DataFrame(found, schema=schema, orient="row") if found else pl.DataFrame(schema=schema)
