"""Benchmark of the demo-bank generator: writing N loans' feed as Parquet and as CSV.

    .venv/bin/python bench/demo_feed.py                    # 1,000,000 loans, both formats
    .venv/bin/python bench/demo_feed.py --loans 200000 --format parquet --keep --out /tmp/feed

Each format runs in a fresh child process, so its peak RSS and its schedule book (each distinct
(principal, rate, term, method) schedule computed once by `arrears.finance`) are its own. Prints loans/s,
feed rows/s (all five files), bytes written and peak RSS, and a linear extrapolation to 10,000,000 loans:
an upper estimate, since the schedule book stops growing once every combination has been seen (about 62,000
combinations, some 20 s, reached well before 10M loans). Figures are printed, never asserted. The files go
to a temporary directory that is removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGET = 10_000_000
# Computing every (principal, rate, term, method) schedule the products allow (~62,000) takes about this long
# on the reference machine; a run of 10M loans sees nearly all of them. Counted whole, as an upper bound.
BOOK_SECONDS = 25.0


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000, help="loans to write (default 1,000,000)")
    parser.add_argument("--format", choices=("csv", "parquet", "both"), default="both")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--out", type=Path, help="write under this directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the files")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _child(args: argparse.Namespace) -> None:
    """Write one format and print one JSON line of figures."""
    from arrears.portfolio.demo import CHUNK_LOANS, write_feed

    started = time.perf_counter()
    marks: list[float] = []

    def progress(line: str) -> None:
        marks.append(time.perf_counter())
        print(f"  {args.format}: {line}", file=sys.stderr, flush=True)

    summary = write_feed(
        args.out, args.loans, seed=args.seed, business_date=args.business_date, fmt=args.format, progress=progress
    )
    seconds = time.perf_counter() - started
    # The last chunk's time: by then the schedule book holds most combinations, so it is close to the steady
    # cost of a chunk (only new combinations are computed).
    last_chunk = marks[-1] - marks[-2] if len(marks) > 1 else seconds
    figures = {
        "format": args.format,
        "loans": args.loans,
        "seconds": seconds,
        "last_chunk_seconds": last_chunk,
        "last_chunk_loans": args.loans - (len(marks) - 1) * CHUNK_LOANS,
        "rows": summary.rows,
        "bytes": {p.name: p.stat().st_size for p in summary.paths},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux reports KiB
        "delinquent": summary.delinquent,
        "status": summary.loans_by_status,
    }
    print(json.dumps(figures))


def _run(args: argparse.Namespace, fmt: str, out: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--loans",
        str(args.loans),
        "--format",
        fmt,
        "--seed",
        str(args.seed),
        "--business-date",
        args.business_date.isoformat(),
        "--out",
        str(out),
    ]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603 - our own script
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(f: dict) -> None:
    rows = sum(f["rows"].values())
    size = sum(f["bytes"].values())
    scale = TARGET / f["loans"]
    print(
        f"{f['format']:<8} {f['loans']:>10,} loans in {f['seconds']:7.1f} s  "
        f"{f['loans'] / f['seconds']:>9,.0f} loans/s  {rows / f['seconds']:>11,.0f} rows/s  "
        f"{size / 1e6:>8,.0f} MB  peak RSS {f['peak_rss_mb']:,.0f} MB"
    )
    print("         rows: " + ", ".join(f"{name} {count:,}" for name, count in f["rows"].items()))
    steady = f["seconds"] + (TARGET - f["loans"]) / f["last_chunk_loans"] * f["last_chunk_seconds"] + BOOK_SECONDS
    print(
        f"         10M loans: ≈ {f['seconds'] * scale / 60:.1f} min linearly (upper estimate), "
        f"≈ {steady / 60:.1f} min at the last chunk's pace plus the rest of the schedule book; "
        f"≈ {size * scale / 1e9:.1f} GB on disk; peak RSS about the same (fixed-size chunks)"
    )


def main() -> None:
    args = _args()
    if args.child:
        _child(args)
        return
    base = args.out or Path(tempfile.mkdtemp(prefix="arrears-demo-bench-"))
    formats = ("parquet", "csv") if args.format == "both" else (args.format,)
    print(f"demo feed benchmark: {args.loans:,} loans, seed {args.seed}, business date {args.business_date}")
    try:
        for fmt in formats:
            _report(_run(args, fmt, base / fmt))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
