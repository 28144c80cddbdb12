"""Validating a whole feed: every row of every file, with polars expressions only (no row loops).

How this works
--------------
1. Field checks (`checks.py`) give each column a reason (or null) and a parsed value.
2. Duplicate keys within a file reject every row carrying the key (which one would be right is unknowable).
3. References: a contact or loan needs its borrower, a schedule row or payment its loan — valid in this feed
   or already stored (`stored` answers for the keys the feed does not carry). A row whose parent row was
   rejected in this feed is rejected too ("borrower B1 was rejected"), even when the parent is stored: the
   bank meant to change it. A file whose parent file was rejected as a whole is rejected as a whole.
4. Dates: a schedule's due dates are on or after the loan's start and increase with `n`; a payment falls
   between the loan's start and the business date.
5. A loan's schedule loads whole or not at all: one bad instalment rejects the loan's other rows in the file.
6. Delinquency history (WVR-1): a row lies after the loan's start and before the business date (what happened
   before; the nightly run records the rest), its DPD reaches no further back than the loan's start, and
   `current` goes with DPD 0, a delinquent class with DPD 1 or more.
7. Holds: the loan a hold names (if any) must be known and the hold's borrower's; it ends and is released
   on or after it starts, and is not released after the business date.

Every fault is a row of the `faults` frame (file, row, key, field, value, reason, seq); a row with any fault
is not loaded. Nothing here touches the database: `stored` is a callable the caller supplies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from arrears.portfolio.feed.checks import column_checks
from arrears.portfolio.feed.read import ROW, Fault, FeedFile
from arrears.portfolio.feed.schema import FILES, SPECS, FileSpec

FAULT_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "key": pl.String,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "seq": pl.Int32,
}
KEY = "_key"
BAD = "_bad"
START = "_start"
SINGULAR = {"borrowers": "borrower", "loans": "loan"}
OWNER = "_owner"
# Order of a row's faults in the report: field checks in column order first, then the cross-row checks.
SEQ_DUPLICATE, SEQ_REFERENCE, SEQ_DATES, SEQ_CASCADE = 100, 200, 300, 400

# stored(file name, keys not in the feed) -> the stored ones: loans also with their `start_date` (and, where the
# caller knows it, their `borrower_id`, which the holds check).
Stored = Callable[[str, pl.Series], pl.DataFrame]


def v(name: str) -> str:
    """Column holding the parsed value of `name`."""
    return f"_v_{name}"


@dataclass
class Checked:
    """One file after validation."""

    spec: FileSpec
    file: str
    rows: int
    frame: pl.DataFrame | None  # raw + parsed columns and BAD; None when the file was rejected as a whole
    faults: list[pl.DataFrame] = field(default_factory=list)
    whole_file_rejected: bool = False

    def add(self, cond: pl.Expr, column: str, reason: pl.Expr, seq: int, value: pl.Expr | None = None) -> None:
        """Reject the rows where `cond` holds, with `reason` for `column`."""
        if self.frame is None:
            return
        if not self.frame.select(cond.fill_null(False).any()).item():  # the usual case: no row breaks the rule
            return
        flagged = self.frame.with_columns(pl.when(cond).then(reason).alias("_reason"))
        self.faults.append(
            self.fault_rows(flagged.filter(pl.col("_reason").is_not_null()), column, "_reason", seq, value)
        )
        self.frame = flagged.with_columns(pl.col(BAD) | pl.col("_reason").is_not_null()).drop("_reason")

    def fault_rows(
        self, rows: pl.DataFrame, column: str, reason: str, seq: int, value: pl.Expr | None = None
    ) -> pl.DataFrame:
        """The report lines of `rows` (those at fault), their reason in the column `reason`."""
        return rows.select(
            pl.lit(self.file).alias("file"),
            pl.col(ROW).alias("row"),
            pl.col(KEY).alias("key"),
            pl.lit(column).alias("field"),
            (pl.col(column) if value is None else value).cast(pl.String).alias("value"),
            pl.col(reason).alias("reason"),
            pl.lit(seq, dtype=pl.Int32).alias("seq"),
        )

    @property
    def valid(self) -> pl.DataFrame:
        """The rows to load: parsed values under the spec's column names, plus `_row`."""
        if self.frame is None:
            return pl.DataFrame()
        return self.frame.filter(~pl.col(BAD)).select(ROW, *(pl.col(v(n)).alias(n) for n in self.spec.names))

    @property
    def rejected(self) -> int:
        if self.frame is None:
            return self.rows
        return int(self.frame.get_column(BAD).sum())

    def fault_frame(self) -> pl.DataFrame:
        return pl.concat([pl.DataFrame(schema=FAULT_SCHEMA), *self.faults], how="vertical_relaxed")

    def keys(self, *, bad: bool) -> pl.Series:
        """Parsed keys of the valid (bad=False) or rejected (bad=True) rows; single-column keys only."""
        (column,) = self.spec.key
        rows = self.frame.filter(pl.col(BAD) == bad) if self.frame is not None else pl.DataFrame({v(column): []})
        return rows.get_column(v(column)).drop_nulls().unique().cast(pl.String)


def check_fields(feed_file: FeedFile, *, duplicates: bool = True) -> Checked:
    """The field checks of every row (and, unless `duplicates` is False, the duplicate keys)."""
    spec, frame = feed_file.spec, feed_file.frame
    checked = Checked(spec, feed_file.name, feed_file.rows, None)
    if feed_file.faults:
        checked.faults.append(fault_rows(feed_file.faults))
    if frame is None:
        checked.whole_file_rejected = True
        return checked
    reasons, parsed = zip(*(column_checks(c) for c in spec.columns), strict=True)
    marks = [f"_r_{c.name}" for c in spec.columns]
    frame = frame.with_columns(
        *(r.alias(mark) for r, mark in zip(reasons, marks, strict=True)),
        *(p.alias(v(c.name)) for p, c in zip(parsed, spec.columns, strict=True)),
        pl.concat_str([pl.col(k) for k in spec.key], separator="/").fill_null("").alias(KEY),
    ).with_columns(pl.any_horizontal(pl.col(mark).is_not_null() for mark in marks).alias(BAD))
    # The report lines come from the rows at fault only (few): one pass over the file's rows, not one per column.
    faulty = frame.filter(pl.col(BAD))
    for seq, (column, mark) in enumerate(zip(spec.columns, marks, strict=True)):
        checked.faults.append(checked.fault_rows(faulty.filter(pl.col(mark).is_not_null()), column.name, mark, seq))
    checked.frame = frame.drop(marks)
    if duplicates:
        check_duplicates(checked)
    return checked


def check_duplicates(checked: Checked) -> None:
    key = [v(k) for k in checked.spec.key]
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    duplicated = checked.frame.filter(complete & (pl.len().over(key) > 1))
    if duplicated.is_empty():
        return
    rows = duplicated.group_by(key).agg(pl.col(ROW).sort().cast(pl.String).str.join(", ").alias("_dup_rows"))
    checked.frame = checked.frame.join(rows, on=key, how="left", maintain_order="left")
    checked.add(
        pl.col("_dup_rows").is_not_null(),
        "+".join(checked.spec.key),
        pl.format("duplicate key: on rows {} of this file; none of them is loaded", pl.col("_dup_rows")),
        SEQ_DUPLICATE,
        value=pl.col(KEY),
    )
    checked.frame = checked.frame.drop("_dup_rows")


def _references(child: Checked, parent: Checked, stored: Stored) -> pl.DataFrame:
    """Reject rows whose parent is rejected or unknown; returns the known parents (stored ones included)."""
    ref = child.spec.ref
    (parent_key,) = parent.spec.key
    noun = SINGULAR[parent.spec.name]
    refs = child.frame.get_column(v(ref)).drop_nulls().unique()
    in_feed = parent.frame.get_column(v(parent_key)).drop_nulls()
    found = stored(parent.spec.name, refs.filter(~refs.is_in(in_feed.implode())))
    rejected = parent.keys(bad=True)
    known = pl.concat([parent.keys(bad=False), found.get_column(parent_key)])
    x = pl.col(v(ref))
    child.add(x.is_in(rejected.implode()), ref, pl.format(f"{noun} {{}} was rejected", x), SEQ_REFERENCE)
    child.add(
        x.is_not_null() & ~x.is_in(rejected.implode()) & ~x.is_in(known.implode()),
        ref,
        pl.format(f"unknown {noun} {{}}: not in this feed and not stored", x),
        SEQ_REFERENCE,
    )
    return found


def _with_start(child: Checked, loans: Checked, stored_loans: pl.DataFrame) -> None:
    starts = pl.concat(
        [
            loans.valid.select(pl.col("loan_id"), pl.col("start_date").alias(START)),
            stored_loans.select(pl.col("loan_id"), pl.col("start_date").cast(pl.Date).alias(START)),
        ]
    )
    child.frame = child.frame.join(
        starts.rename({"loan_id": v("loan_id")}), on=v("loan_id"), how="left", maintain_order="left"
    )


def _schedule_dates(schedules: Checked) -> None:
    due, start = pl.col(v("due_date")), pl.col(START)
    schedules.add(due < start, "due_date", pl.format("due on {}, before the loan started ({})", due, start), SEQ_DATES)
    # Sorted by loan and number, the instalment before is the row before when it is of the same loan (no grouping).
    same_loan = pl.col(v("loan_id")) == pl.col(v("loan_id")).shift(1)
    ordered = (
        schedules.frame.filter(~pl.col(BAD))
        .select(ROW, v("loan_id"), v("n"), v("due_date"))
        .sort(v("loan_id"), v("n"))
        .select(
            ROW,
            pl.when(same_loan).then(pl.col(v("n")).shift(1)).alias("_prev_n"),
            pl.when(same_loan).then(pl.col(v("due_date")).shift(1)).alias("_prev_due"),
        )
    )
    schedules.frame = schedules.frame.join(ordered, on=ROW, how="left", maintain_order="left")
    schedules.add(
        due <= pl.col("_prev_due"),
        "due_date",
        pl.format("due on {}, not after instalment {} (due {})", due, pl.col("_prev_n"), pl.col("_prev_due")),
        SEQ_DATES,
    )
    # A loan's schedule loads whole or not at all.
    broken = (
        schedules.frame.filter(pl.col(BAD) & pl.col(v("loan_id")).is_not_null())
        .group_by(v("loan_id"))
        .agg(pl.col(ROW).sort().cast(pl.String).str.join(", ").alias("_broken"))
    )
    schedules.frame = schedules.frame.join(broken, on=v("loan_id"), how="left", maintain_order="left")
    schedules.add(
        pl.col("_broken").is_not_null() & ~pl.col(BAD),
        "loan_id",
        pl.format(
            "the schedule of loan {} loads whole or not at all: row {} rejected",
            pl.col(v("loan_id")),
            pl.col("_broken"),
        ),
        SEQ_CASCADE,
    )


def _payment_dates(payments: Checked, business_date: date) -> None:
    paid, start = pl.col(v("paid_on")), pl.col(START)
    payments.add(paid < start, "paid_on", pl.format("paid on {}, before the loan started ({})", paid, start), SEQ_DATES)
    payments.add(
        paid > pl.lit(business_date),
        "paid_on",
        pl.format(f"paid on {{}}, after the business date ({business_date.isoformat()})", paid),
        SEQ_DATES,
    )


def _history_dates(history: Checked, business_date: date) -> None:
    """Clause: WVR-1 — the fed history is what happened before the business date, on a loan that existed."""
    on, start, dpd, klass = pl.col(v("effective_on")), pl.col(START), pl.col(v("dpd")), pl.col(v("delinquency_class"))
    history.add(on < start, "effective_on", pl.format("on {}, before the loan started ({})", on, start), SEQ_DATES)
    history.add(
        on >= pl.lit(business_date),
        "effective_on",
        pl.format(
            f"on {{}}, not before the business date ({business_date.isoformat()}): the history is what happened "
            "before; the nightly run records the rest",
            on,
        ),
        SEQ_DATES,
    )
    history.add(
        (klass == "current") & (dpd != 0),
        "dpd",
        pl.format("DPD {} with class current: a current loan has DPD 0", dpd),
        SEQ_DATES,
    )
    history.add(
        (klass != "current") & (dpd == 0),
        "dpd",
        pl.format("DPD 0 with class {}: a delinquent loan has DPD 1 or more", klass),
        SEQ_DATES,
    )
    history.add(
        (on >= start) & (dpd > (on - start).dt.total_days()),
        "dpd",
        pl.format("DPD {} on {} counts from before the loan started ({})", dpd, on, start),
        SEQ_DATES,
    )


def _hold_loans(holds: Checked, loans: Checked | None, stored: Stored) -> None:
    """A hold's loan (optional) must be a known loan of the hold's own borrower."""
    loan = pl.col(v("loan_id"))
    if loans is None or loans.whole_file_rejected:
        holds.add(
            loan.is_not_null(),
            "loan_id",
            pl.format("loan {}: the loans file was rejected", loan),
            SEQ_REFERENCE,
        )
        return
    refs = holds.frame.get_column(v("loan_id")).drop_nulls().unique()
    in_feed = loans.frame.get_column(v("loan_id")).drop_nulls()
    found = stored("loans", refs.filter(~refs.is_in(in_feed.implode())))
    if "borrower_id" not in found.columns:
        found = found.with_columns(pl.lit(None, dtype=pl.String).alias("borrower_id"))
    owners = pl.concat(
        [
            loans.valid.select(pl.col("loan_id").cast(pl.String), pl.col("borrower_id").cast(pl.String)),
            found.select(pl.col("loan_id").cast(pl.String), pl.col("borrower_id").cast(pl.String)),
        ]
    ).rename({"loan_id": v("loan_id"), "borrower_id": OWNER})
    holds.frame = holds.frame.join(owners, on=v("loan_id"), how="left", maintain_order="left")
    rejected = loans.keys(bad=True)
    owner, borrower = pl.col(OWNER), pl.col(v("borrower_id"))
    holds.add(loan.is_in(rejected.implode()), "loan_id", pl.format("loan {} was rejected", loan), SEQ_REFERENCE)
    holds.add(
        loan.is_not_null()
        & ~loan.is_in(rejected.implode())
        & owner.is_null()
        & ~loan.is_in(found["loan_id"].implode()),
        "loan_id",
        pl.format("unknown loan {}: not in this feed and not stored", loan),
        SEQ_REFERENCE,
    )
    holds.add(
        owner.is_not_null() & borrower.is_not_null() & (owner != borrower),
        "loan_id",
        pl.format("loan {} is borrower {}'s, not borrower {}'s", loan, owner, borrower),
        SEQ_REFERENCE,
    )


def _hold_dates(holds: Checked, business_date: date) -> None:
    start, ends, released = pl.col(v("starts_on")), pl.col(v("ends_on")), pl.col(v("released_on"))
    holds.add(ends < start, "ends_on", pl.format("ends on {}, before it starts ({})", ends, start), SEQ_DATES)
    holds.add(
        released < start, "released_on", pl.format("released on {}, before it starts ({})", released, start), SEQ_DATES
    )
    holds.add(
        released > pl.lit(business_date),
        "released_on",
        pl.format(f"released on {{}}, after the business date ({business_date.isoformat()})", released),
        SEQ_DATES,
    )


def validate_feed(
    files: dict[str, FeedFile], business_date: date, stored: Stored, step: Callable[[int], None] | None = None
) -> dict[str, Checked]:
    """Check every file of the feed; `files` is keyed by logical name (borrowers, loans, …). `step(n)` is
    called after the n-th file."""
    checked: dict[str, Checked] = {}
    for spec in FILES:  # parents before children
        if spec.name not in files:
            continue
        checked[spec.name] = _check_file(files[spec.name], checked, business_date, stored)
        if step is not None:
            step(len(checked))
    return checked


def _check_file(feed_file: FeedFile, checked: dict[str, Checked], business_date: date, stored: Stored) -> Checked:
    return check_across(check_fields(feed_file), checked, business_date, stored)


def check_across(result: Checked, checked: dict[str, Checked], business_date: date, stored: Stored) -> Checked:
    """The checks across rows and files of a file whose fields are checked: references to its parent file (in
    `checked`) or to stored rows, dates against the loan's start, a schedule's order and wholeness, holds'
    loans. Rows that share a key, or a schedule's loan, must be in the same `result`."""
    spec = result.spec
    parent = checked.get(spec.parent) if spec.parent else None
    if parent is not None and parent.whole_file_rejected:
        reject_whole(result, parent)
        return result
    if result.frame is None or parent is None:
        slim(result)
        return result
    found = _references(result, parent, stored)
    if spec.name == "schedules":
        _with_start(result, parent, found)
        _schedule_dates(result)
    elif spec.name == "payments":
        _with_start(result, parent, found)
        _payment_dates(result, business_date)
    elif spec.name == "delinquency_history":
        _with_start(result, parent, found)
        _history_dates(result, business_date)
    elif spec.name == "holds":
        _hold_loans(result, checked.get("loans"), stored)
        _hold_dates(result, business_date)
    slim(result)
    return result


def slim(checked: Checked) -> None:
    """Once a file's faults are listed, keep only what loading and the files after it need (memory: a
    million-loan feed has tens of millions of schedule rows)."""
    if checked.frame is not None:
        columns = [ROW, BAD, *(v(n) for n in checked.spec.names)]
        checked.frame = checked.frame.select(columns)


def reject_whole(child: Checked, parent: Checked) -> None:
    child.whole_file_rejected = True
    child.frame = None
    child.faults.append(
        pl.DataFrame(
            {
                "file": [child.file],
                "row": [None],
                "key": [""],
                "field": [""],
                "value": [""],
                "reason": [f"not loaded: its rows depend on {parent.file}, which was rejected"],
                "seq": [SEQ_CASCADE],
            },
            schema=FAULT_SCHEMA,
        )
    )


def fault_rows(faults: list[Fault]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f.file, f.row, f.key, f.field, f.value, f.reason, 0) for f in faults], schema=FAULT_SCHEMA, orient="row"
    )


def all_faults(checked: dict[str, Checked], extra: list[Fault] = ()) -> pl.DataFrame:
    """Every fault of the feed in report order: file order, row, then the order the checks ran."""
    order = {spec.name: i for i, spec in enumerate(FILES)}
    frames = [c.fault_frame().with_columns(pl.lit(order[name]).alias("_file")) for name, c in checked.items()]
    if extra:
        frames.append(fault_rows(list(extra)).with_columns(pl.lit(len(FILES)).alias("_file")))
    if not frames:
        return pl.DataFrame(schema=FAULT_SCHEMA)
    return (
        pl.concat(frames, how="vertical_relaxed")
        .sort("_file", "row", "seq", nulls_last=False, maintain_order=True)
        .drop("_file")
    )


__all__ = [
    "FAULT_SCHEMA",
    "SPECS",
    "Checked",
    "Stored",
    "all_faults",
    "check_across",
    "check_duplicates",
    "check_fields",
    "reject_whole",
    "slim",
    "validate_feed",
]
