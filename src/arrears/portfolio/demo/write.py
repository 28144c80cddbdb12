"""Writing the synthetic bank to a feed directory, as CSV or Parquet, in the columns of docs/feed-format.md.

How this works: `write_feed` streams the chunks of `iter_feed` into seven files, each written under a
temporary name and moved into place when complete, so a feed directory never holds half a file. Amounts
leave as exact decimals (fen ÷ 100: `12000.00` in CSV, decimal128(18, 2) in Parquet), rates as
decimal(10, 4), dates as ISO dates (CSV) or date32 (Parquet), bools as true/false. The same inputs give
byte-identical files: nothing time-dependent is written (Parquet carries only the writer's version).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from arrears.portfolio.demo.generate import CHUNK_LOANS, FEED_TABLES, DemoFeed, iter_feed

__all__ = ["DPD_BUCKETS", "FORMATS", "FeedSummary", "feed_frame", "write_feed"]

FORMATS = ("csv", "parquet")
# DPD bands reported in the summary: (label, lowest, highest); the policy maps them to classes and tiers.
DPD_BUCKETS = (("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
_AMOUNT = pl.Decimal(18, 2)

Progress = Callable[[str], None]


@dataclass
class FeedSummary:
    """What was written: rows per table, loans by status and delinquent loans by DPD band."""

    directory: Path
    format: str
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEED_TABLES, 0))
    loans_by_status: dict[str, int] = field(default_factory=dict)
    delinquent_by_dpd: dict[str, int] = field(default_factory=lambda: {label: 0 for label, _, _ in DPD_BUCKETS})
    partial_payments: int = 0
    seconds: float = 0.0

    def add(self, chunk: DemoFeed) -> None:
        for name in FEED_TABLES:
            self.rows[name] += chunk.table(name).height
        for status, count in chunk.positions.group_by("status").len().sort("status").iter_rows():
            self.loans_by_status[status] = self.loans_by_status.get(status, 0) + count
        dpd = chunk.positions["dpd"]
        for label, low, high in DPD_BUCKETS:
            inside = dpd >= low if high is None else dpd.is_between(low, high)
            self.delinquent_by_dpd[label] += int(inside.sum())
        self.partial_payments += int(chunk.positions["partial_payment"].sum())

    @property
    def delinquent(self) -> int:
        return sum(self.delinquent_by_dpd.values())

    @property
    def paths(self) -> list[Path]:
        return [self.directory / f"{name}.{self.format}" for name in FEED_TABLES]


def feed_frame(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` of feed table `name` in the feed's documented columns: `x_fen` becomes amount `x` in yuan."""
    return frame.select(
        (pl.col(c).cast(_AMOUNT) / 100).cast(_AMOUNT).alias(c.removesuffix("_fen")) if c.endswith("_fen") else c
        for c in frame.columns
    )


class _TableWriter:
    def __init__(self, path: Path, fmt: str):
        self.path = path
        self.part = path.with_name(f".{path.name}.part")
        self.fmt = fmt
        self._csv = None
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if self.fmt == "csv":
            first = self._csv is None
            if first:
                self._csv = self.part.open("wb")
            frame.write_csv(self._csv, include_header=first)
            return
        table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
        if self._parquet is None:
            self._schema = table.schema
            self._parquet = pq.ParquetWriter(self.part, self._schema, compression="zstd")
        self._parquet.write_table(table.cast(self._schema))

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()
        os.replace(self.part, self.path)

    def abandon(self) -> None:
        for handle in (self._csv, self._parquet):
            if handle is not None:
                handle.close()
        self.part.unlink(missing_ok=True)


def write_feed(
    directory: str | os.PathLike[str],
    n_loans: int,
    *,
    seed: int,
    business_date: date,
    fmt: str = "csv",
    chunk_loans: int = CHUNK_LOANS,
    progress: Progress | None = None,
) -> FeedSummary:
    """Write the feed of `n_loans` loans to `directory` as `fmt` files, replacing any earlier demo feed there.

    Files of the other format with the same table names are removed (a feed directory holds one format).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    started = time.perf_counter()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    summary = FeedSummary(directory=out, format=fmt)
    writers = {name: _TableWriter(out / f"{name}.{fmt}", fmt) for name in FEED_TABLES}
    chunks = -(-n_loans // chunk_loans)
    try:
        for i, chunk in enumerate(
            iter_feed(n_loans, seed=seed, business_date=business_date, chunk_loans=chunk_loans), start=1
        ):
            for name, writer in writers.items():
                writer.write(feed_frame(name, chunk.table(name)))
            summary.add(chunk)
            if progress is not None:
                progress(
                    f"chunk {i}/{chunks}: {summary.rows['loans']:,} loans, "
                    f"{summary.rows['schedules']:,} schedule rows, {summary.rows['payments']:,} payments "
                    f"({time.perf_counter() - started:.1f} s)"
                )
    except BaseException:
        for writer in writers.values():
            writer.abandon()
        raise
    for writer in writers.values():
        writer.close()
    for name in FEED_TABLES:
        for other in FORMATS:
            if other != fmt:
                (out / f"{name}.{other}").unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    return summary
