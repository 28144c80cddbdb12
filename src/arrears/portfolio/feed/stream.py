"""Reading and validating a feed in bounded chunks: memory set by the chunk and bucket sizes, not the book.

How this works
--------------
Each file, parents before children (borrowers, contacts, loans, schedules, payments, history, holds):

1. **Field checks, chunk by chunk.** The file is read `chunk_rows` rows at a time (polars' batched reading of
   CSV and Parquet); each chunk is turned into stripped text (`read.as_text`, row numbers continuing), its
   fields checked (`validate.check_fields`, row by row), its field faults kept, and its rows (raw text,
   parsed values, bad flag) written to spill Parquet files, one per *bucket*: the hash of the row's first key
   column (a borrower's, a loan's, a payment's … id) modulo the number of buckets, which grows with the file's
   size (`bucket_bytes` of file per bucket).
2. **Checks across rows, bucket by bucket.** A bucket holds every row that shares a key with another (the
   duplicate check) and, for schedules, every instalment of a loan (a schedule's order and its all-or-nothing
   rule), so the checks of `validate` run on one bucket at a time and find exactly what they find on the
   whole file. References to the parent file are looked up in the parent's slim frame (its keys, parsed
   values and bad flags, kept in memory only for borrowers and loans) — for a file bucketed by that reference,
   only the parent's rows of the same bucket (`_parents_by_bucket`) — and, for keys not in the feed, in the
   database (`stored`). A bucket's valid rows go to a spill Parquet file for the load.
3. A file that cannot be read in chunks (a fault of the whole file: not UTF-8, a bad header, a ragged row, an
   unreadable Parquet file) is read whole by `read.read_file`, exactly as before, for its report lines.

Spill files are written once and read once, by this process (`_spill`): LZ4 and no column statistics, which
write and read faster than the default (zstd with statistics) at about 1.6× the size.

The faults and counts are those of `validate.validate_feed` on the whole feed: the test
`tests/portfolio/feed/test_import_chunked.py` imports feeds with bad rows with tiny chunks and buckets and
with one of each, and compares every table and the rejection report. The chunk and bucket sizes are
machinery (settings or arguments), not policy.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from arrears.portfolio.feed.read import BOM, FeedFile, as_text, column_faults, parquet_casts, read_file
from arrears.portfolio.feed.schema import FILES, FileSpec
from arrears.portfolio.feed.validate import (
    FAULT_SCHEMA,
    Checked,
    Stored,
    check_across,
    check_duplicates,
    check_fields,
    reject_whole,
    slim,
    v,
)

CHUNK_ROWS = 200_000  # rows read and field-checked at a time
BUCKET_BYTES = 64 << 20  # bytes of feed file per bucket of the checks across rows
_PARENTS = {spec.parent for spec in FILES if spec.parent} | {"loans"}
_SEED = 20_261_127


@dataclass
class Outcome:
    """One file after validation: counts, faults, and its valid rows as spill Parquet files (in load order)."""

    spec: FileSpec
    file: str
    rows: int = 0
    rejected: int = 0
    faults: list[pl.DataFrame] = field(default_factory=list)
    whole_file_rejected: bool = False
    parts: list[Path] = field(default_factory=list)

    def fault_frame(self) -> pl.DataFrame:
        return pl.concat([pl.DataFrame(schema=FAULT_SCHEMA), *self.faults], how="vertical_relaxed")

    def valid(self) -> Iterable[pl.DataFrame]:
        """The valid rows, a bucket at a time (each read when it is wanted)."""
        return (pl.read_parquet(path) for path in self.parts)


def validate_chunked(
    paths: dict[str, Path],
    business_date: date,
    stored: Stored,
    spill: Path,
    *,
    chunk_rows: int = CHUNK_ROWS,
    bucket_bytes: int = BUCKET_BYTES,
    step: Callable[[int], None] | None = None,
    on_file: Callable[[str, Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Check every file of the feed (`paths` keyed by logical name) in chunks, spilling to `spill`.
    `on_file(name, outcome)` is called as each file is done (parents first), before the next is read: its
    valid rows may be loaded while the next file is checked (`actions_import`)."""
    outcomes: dict[str, Outcome] = {}
    parents: dict[str, Checked] = {}
    for spec in FILES:
        if spec.name not in paths:
            continue
        path = paths[spec.name]
        directory = spill / spec.name
        directory.mkdir(parents=True, exist_ok=True)
        buckets = 1 + path.stat().st_size // max(bucket_bytes, 1)
        outcome, parent = _validate_file(spec, path, directory, buckets, chunk_rows, parents, business_date, stored)
        outcomes[spec.name] = outcome
        if spec.name in _PARENTS:
            parents[spec.name] = parent
        if on_file is not None:
            on_file(spec.name, outcome)
        if step is not None:
            step(len(outcomes))
    return outcomes


def _validate_file(
    spec: FileSpec,
    path: Path,
    directory: Path,
    buckets: int,
    chunk_rows: int,
    parents: dict[str, Checked],
    business_date: date,
    stored: Stored,
) -> tuple[Outcome, Checked]:
    outcome = Outcome(spec, path.name)
    chunks = _chunks(spec, path, chunk_rows)
    if chunks is not None:
        try:
            _field_stage(outcome, chunks, directory, buckets)
        except pl.exceptions.PolarsError:  # a fault of the whole file met midway: read it whole, as before
            chunks = None
    if chunks is None or outcome.rows == 0:
        for part in directory.glob("*.parquet"):
            part.unlink()
        outcome = Outcome(spec, path.name)
        feed_file = read_file(spec, path)
        if feed_file.frame is None:
            checked = check_fields(feed_file)
            outcome.rows, outcome.faults, outcome.whole_file_rejected = feed_file.rows, checked.faults, True
        else:
            _field_stage(outcome, [feed_file.frame.drop("_row")], directory, buckets)
    parent = parents.get(spec.parent) if spec.parent else None
    if parent is not None and parent.whole_file_rejected:
        child = Checked(spec, path.name, outcome.rows, None)
        reject_whole(child, parent)
        outcome.faults.extend(child.faults)
        outcome.whole_file_rejected = True
    if outcome.whole_file_rejected:
        for part in directory.glob("*.parquet"):
            part.unlink()
        outcome.rejected = outcome.rows
        return outcome, Checked(spec, path.name, outcome.rows, None, whole_file_rejected=True)
    kept = _across_stage(outcome, directory, buckets, parents, business_date, stored, spec.name in _PARENTS)
    return outcome, Checked(spec, path.name, outcome.rows, kept)


def _bucket(column: str, buckets: int) -> pl.Expr:
    """The bucket of a row by `column` (its first key column; a parent's key for `_parents_by_bucket`, which
    must give a child's reference and its parent's key the same bucket)."""
    return (pl.col(column).hash(_SEED) % buckets).alias("_bucket")


def _spill(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path, compression="lz4", statistics=False)


def _field_stage(outcome: Outcome, chunks: Iterable[pl.DataFrame], directory: Path, buckets: int) -> None:
    spec = outcome.spec
    bucket = _bucket(v(spec.key[0]), buckets)
    for index, chunk in enumerate(chunks):
        frame = as_text(spec, chunk, first_row=outcome.rows + 1)
        outcome.rows += chunk.height
        checked = check_fields(FeedFile(spec, Path(outcome.file), frame, chunk.height), duplicates=False)
        outcome.faults.extend(checked.faults)
        parts = checked.frame.with_columns(bucket).partition_by("_bucket", as_dict=True, include_key=False)
        for (number,), part in parts.items():
            _spill(part, directory / f"b{number}-c{index:09d}.parquet")


def _across_stage(
    outcome: Outcome,
    directory: Path,
    buckets: int,
    parents: dict[str, Checked],
    business_date: date,
    stored: Stored,
    keep: bool,
) -> pl.DataFrame | None:
    """The checks across rows, a bucket at a time; returns the file's slim frame when children need it."""
    kept: list[pl.DataFrame] = []
    parents_of = _parents_by_bucket(outcome.spec, parents, buckets)
    for number in range(buckets):
        parts = sorted(directory.glob(f"b{number}-c*.parquet"))
        if not parts:
            continue
        checked = Checked(outcome.spec, outcome.file, 0, pl.concat([pl.read_parquet(p) for p in parts]))
        for part in parts:
            part.unlink()
        check_duplicates(checked)
        check_across(checked, parents_of(number), business_date, stored)
        outcome.faults.extend(checked.faults)
        outcome.rejected += checked.rejected
        valid = checked.valid
        if valid.height:
            path = directory / f"valid-{number}.parquet"
            _spill(valid, path)
            outcome.parts.append(path)
        if keep:
            kept.append(checked.frame)
    if not keep:
        return None
    if not kept:  # no rows at all: the columns, for the children's look-ups
        empty = as_text(outcome.spec, pl.DataFrame(schema=dict.fromkeys(outcome.spec.names, pl.String)))
        checked = check_fields(FeedFile(outcome.spec, Path(outcome.file), empty, 0), duplicates=False)
        slim(checked)
        return checked.frame
    return pl.concat(kept)


def _parents_by_bucket(
    spec: FileSpec, parents: dict[str, Checked], buckets: int
) -> Callable[[int], dict[str, Checked]]:
    """The parent files as the checks of each bucket see them. A file bucketed by its reference to the parent (the
    first column of its key names the parent: contacts, schedules, delinquency history) refers from a bucket only
    to parents whose key falls in the same bucket, so each bucket is given only those rows of the parent: the
    look-ups of a bucket then no longer grow with the book (at a million loans, each of the schedules' 18 buckets
    hashed every loan's key three times). The other files see their whole parent."""
    parent = parents.get(spec.parent) if spec.parent else None
    if parent is None or parent.frame is None or spec.ref != spec.key[0]:
        return lambda _number: parents
    (key,) = parent.spec.key
    parts = parent.frame.with_columns(_bucket(v(key), buckets)).partition_by("_bucket", as_dict=True, include_key=False)
    empty = parent.frame.clear()

    def of(number: int) -> dict[str, Checked]:
        mine = Checked(parent.spec, parent.file, parent.rows, parts.get((number,), empty))
        return {**parents, spec.parent: mine}

    return of


def _chunks(spec: FileSpec, path: Path, chunk_rows: int) -> Iterable[pl.DataFrame] | None:
    """The file's rows as text, `chunk_rows` at a time; None when the file must be read whole (its header or
    its Parquet schema is at fault: `read_file` reports it)."""
    if path.suffix.lower() == ".csv":
        header = _csv_header(path)
        if header is None or column_faults(spec, path.name, header):
            return None
        lazy = pl.scan_csv(path, infer_schema=False, with_column_names=lambda _names: header)
    else:
        try:
            schema = pl.read_parquet_schema(path)
        except Exception:  # read whole, which reports why
            return None
        probe = FeedFile(spec, path)
        casts = parquet_casts(probe, schema)
        if probe.faults or column_faults(spec, path.name, list(schema)):
            return None
        lazy = pl.scan_parquet(path).select(casts)
    return lazy.collect_batches(chunk_size=max(chunk_rows, 1))


def _csv_header(path: Path) -> list[str] | None:
    """The CSV header's column names, stripped; None when it is not UTF-8, empty or names a column twice."""
    with path.open("rb") as fh:
        line = fh.readline()
    if line.startswith(BOM):
        line = line[len(BOM) :]
    try:
        first = line.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError:
        return None
    header = [name.strip() for name in next(csv.reader([first]), [])]
    if not any(header) or len(set(header)) != len(header):
        return None
    return header
