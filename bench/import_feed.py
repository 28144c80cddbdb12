"""Benchmark of `arrears import`: a synthetic feed of N loans loaded into the database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench SECRET_KEY=x \\
        .venv/bin/python bench/import_feed.py --loans 1000000

Steps: write the demo bank's feed (`arrears.portfolio.demo`, CSV by default) unless `--feed-dir` already
holds one; migrate; import it as the nightly run (timed by phase and by table); import the same files again
as the next business date (every row unchanged: the steady nightly case); then, in the same process, insert
a 50,000-loan demo feed with Django's `bulk_create` inside a transaction that is rolled back, as a baseline.
Figures are printed, never asserted. The database must hold no loans yet: use a scratch database.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from scratch_ledger import anchor_apart


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000, help="loans in the feed (default 1,000,000)")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--feed-dir", type=Path, help="reuse (or keep) the feed here instead of a temp dir")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--baseline-loans", type=int, default=50_000, help="bulk_create slice (0: skip)")
    parser.add_argument("--no-second-day", action="store_true", help="skip the unchanged re-import")
    parser.add_argument(
        "--validate-only", action="store_true", help="only read and validate the feed (no database writes)"
    )
    parser.add_argument(
        "--skip-post",
        action="store_true",
        help="leave out the posting step (allocate_payments) in the imports and time it on a sample instead",
    )
    return parser.parse_args()


def _rss_mb() -> float:
    """Peak resident set size of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _write_feed(args: argparse.Namespace, directory: Path) -> dict[str, int]:
    import polars as pl

    from arrears.portfolio.demo import write_feed

    names = ("borrowers", "contacts", "loans", "schedules", "payments")
    if all((directory / f"{n}.{args.format}").exists() for n in names):
        print(f"feed: reusing {directory}")
        scan = pl.scan_csv if args.format == "csv" else pl.scan_parquet
        return {n: scan(directory / f"{n}.{args.format}").select(pl.len()).collect().item() for n in names}
    started = time.perf_counter()
    # In a child process, so that the peak RSS printed below is the import's alone.
    child = multiprocessing.get_context("fork").Process(
        target=write_feed,
        args=(directory, args.loans),
        kwargs={"seed": args.seed, "business_date": args.business_date, "fmt": args.format},
    )
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"writing the feed failed (exit code {child.exitcode})")
    print(f"feed: {args.loans:,} loans written to {directory} in {time.perf_counter() - started:.1f} s")
    scan = pl.scan_csv if args.format == "csv" else pl.scan_parquet
    return {n: scan(directory / f"{n}.{args.format}").select(pl.len()).collect().item() for n in names}


def _validate_only(directory: Path, business_date: date) -> None:
    """Read and validate the feed in chunks (`feed.stream`), writing nothing to the database."""
    from arrears.portfolio.feed import load, read, stream

    paths, _strays = read.discover(directory)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="arrears-bench-spill-") as spill:
        outcomes = stream.validate_chunked(paths, business_date, load.stored_keys, Path(spill))
        seconds = time.perf_counter() - started
    rows = sum(o.rows for o in outcomes.values())
    rejected = sum(o.rejected for o in outcomes.values())
    print(
        f"read and validate only: {rows:,} rows ({rejected:,} rejected) in {seconds:.1f} s = {rows / seconds:,.0f} "
        f"rows/s, peak RSS {_rss_mb():,.0f} MB"
    )


def _copy_floor(directory: Path) -> tuple[int, float] | None:
    """The floor: the feed's rows COPY'd as they are into tables without an index, a key or a constraint
    (typed columns), in one transaction that is rolled back. PostgreSQL only; returns (rows, seconds)."""
    import polars as pl
    from django.db import connection, transaction

    from arrears.portfolio.feed.schema import SPECS, Kind

    if connection.vendor != "postgresql":
        return None
    types = {Kind.AMOUNT: "numeric", Kind.RATE: "numeric", Kind.INT: "bigint", Kind.DATE: "date", Kind.BOOL: "boolean"}
    rows, seconds = 0, 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for name, spec in SPECS.items():
            path = next(iter(sorted(directory.glob(f"{name}.*"))), None)
            if path is None:
                continue
            columns = ", ".join(f"{c.name} {types.get(c.kind, 'text')}" for c in spec.columns)
            cursor.execute(f"CREATE TEMP TABLE floor_{name} ({columns})")
            frame = pl.scan_csv(path, infer_schema=False) if path.suffix == ".csv" else pl.scan_parquet(path)
            started = time.perf_counter()
            for batch in frame.collect_batches(chunk_size=500_000):
                buffer = io.BytesIO()
                batch.write_csv(buffer, include_header=False)
                with cursor.cursor.copy(
                    f"COPY floor_{name} ({', '.join(batch.columns)}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(buffer.getbuffer())
                rows += batch.height
            seconds += time.perf_counter() - started
        transaction.set_rollback(True)
    return rows, seconds


TABLES = ("borrowers", "contacts", "loans", "schedules", "payments", "delinquency_history", "holds")  # load order


def _import(directory: Path, business_date: date, actor, label: str):
    """Run the import; returns the result, seconds per loaded table, and the wall time (commit included)."""
    from arrears.portfolio.actions_import import do_import_feed
    from arrears.portfolio.feed import load

    # Each table's staging and merge, timed around `Loader.load` (the loads run while later files are checked,
    # so the progress steps no longer time them).
    per_table: dict[str, float] = {}
    real_load = load.Loader.load

    def timed(self, file, frame):
        started = time.perf_counter()
        real_load(self, file, frame)
        per_table[file] = time.perf_counter() - started

    load.Loader.load = timed
    started = time.perf_counter()
    try:
        result = do_import_feed(directory, business_date, actor=actor)
    finally:
        load.Loader.load = real_load
    wall = time.perf_counter() - started
    print(f"\n{label}: {wall:.1f} s wall (commit included), phases {result.seconds}, peak RSS {_rss_mb():,.0f} MB")
    total = sum(f.read for f in result.files.values())
    print(f"  {result.files['loans'].read / wall:,.0f} loans/s and {total / wall:,.0f} rows/s end to end")
    for name, f in result.files.items():
        seconds = per_table.get(name, 0.0)
        rate = f"{f.read / seconds:>10,.0f} rows/s" if seconds else ""
        print(
            f"  {name:<10}{f.read:>12,} rows  new {f.inserted:>11,}  updated {f.updated:>7,}  "
            f"unchanged {f.unchanged:>11,}  rejected {f.rejected:>5,}  staged+merged in {seconds:6.1f} s {rate}"
        )
    print(f"  loans to re-post {result.posted_loans:,}, allocation rows written {result.allocations:,}")
    return result, wall


def _baseline(n_loans: int, seed: int, business_date: date) -> tuple[int, float]:
    """Django bulk_create of a demo feed of n_loans (rolled back); returns (rows, seconds)."""
    from django.db import connection, transaction

    from arrears.portfolio.demo import generate_feed
    from arrears.portfolio.models import Borrower, ContactPerson, Instalment, Loan, Payment

    feed = generate_feed(n_loans, seed=seed + 1, business_date=business_date)
    rows = sum(feed.table(n).height for n in ("borrowers", "contacts", "loans", "schedules", "payments"))

    class _Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            borrowers = [
                Borrower(
                    external_id="BULK" + r.pop("borrower_id"),
                    monthly_income_fen=r.pop("monthly_income_fen"),
                    feed_date=business_date,
                    **{k: v if v is not None else "" for k, v in r.items()},
                )
                for r in feed.borrowers.to_dicts()
            ]
            Borrower.objects.bulk_create(borrowers, batch_size=5_000)
            borrower_pk = {b.external_id[4:]: b.pk for b in borrowers}
            ContactPerson.objects.bulk_create(
                (
                    ContactPerson(borrower_id=borrower_pk[r["borrower_id"]], name=r["name"], relation=r["relation"],
                                  phone=r["phone"], feed_date=business_date)
                    for r in feed.contacts.iter_rows(named=True)
                ),
                batch_size=5_000,
            )  # fmt: skip
            loans = [
                Loan(
                    external_id="BULK" + r["loan_id"],
                    borrower_id=borrower_pk[r["borrower_id"]],
                    product=r["product"],
                    principal_fen=r["principal_fen"],
                    annual_rate=r["annual_rate"],
                    penalty_markup=r["penalty_markup"],
                    term_months=r["term_months"],
                    method=r["method"],
                    start_date=r["start_date"],
                    status=r["status"],
                    feed_date=business_date,
                )
                for r in feed.loans.iter_rows(named=True)
            ]
            Loan.objects.bulk_create(loans, batch_size=5_000)
            loan_pk = {loan.external_id[4:]: loan.pk for loan in loans}
            Instalment.objects.bulk_create(
                (
                    Instalment(loan_id=loan_pk[r["loan_id"]], n=r["n"], due_date=r["due_date"],
                               principal_fen=r["principal_fen"], interest_fen=r["interest_fen"])
                    for r in feed.schedules.iter_rows(named=True)
                ),
                batch_size=5_000,
            )  # fmt: skip
            Payment.objects.bulk_create(
                (
                    Payment(external_id="BULK" + r["payment_id"], loan_id=loan_pk[r["loan_id"]],
                            paid_on=r["paid_on"], amount_fen=r["amount_fen"], feed_date=business_date)
                    for r in feed.payments.iter_rows(named=True)
                ),
                batch_size=5_000,
            )  # fmt: skip
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # the deferred foreign-key checks a commit would run
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return rows, seconds


def _time_posting(sample: int, business_date: date) -> None:
    """allocate_payments on the first `sample` loans with payments, rolled back: posting's own throughput."""
    from django.db import transaction

    from arrears.portfolio import posting
    from arrears.portfolio.models import Payment

    ids = list(Payment.objects.order_by("loan_id").values_list("loan_id", flat=True).distinct()[:sample])
    started = time.perf_counter()
    with transaction.atomic():
        rows = posting.allocate_payments(ids, business_date=business_date)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    print(f"\nposting alone (allocate_payments, rolled back): {len(ids):,} loans, {rows:,} allocation rows in "
          f"{seconds:.1f} s = {len(ids) / seconds:,.0f} loans/s")  # fmt: skip


def main() -> int:
    args = _args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    anchor_apart("import-feed")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.portfolio.models import Loan

    if Loan.objects.exists():
        print("bench: the database already holds loans; point DATABASE_URL at a scratch database", file=sys.stderr)
        return 2
    actor = User.objects.get(username=SYSTEM_USERNAME)
    if args.skip_post:
        from arrears.portfolio import posting

        real_post, posting.allocate_payments = posting.allocate_payments, lambda loan_ids, *, business_date: 0

    with tempfile.TemporaryDirectory(prefix="arrears-bench-") as tmp:
        directory = args.feed_dir or Path(tmp) / "feed"
        rows = _write_feed(args, directory)
        print(f"feed rows: {rows}")
        if args.validate_only:
            _validate_only(directory, args.business_date)
            return 0
        first, first_wall = _import(directory, args.business_date, actor, "first import (every row new)")
        second_wall = None
        if not args.no_second_day:
            _, second_wall = _import(
                directory, args.business_date + timedelta(days=1), actor, "next day, same files (all unchanged)"
            )
        floor = _copy_floor(directory)
    if floor is not None:
        floor_rows, floor_seconds = floor
        print(
            f"\nCOPY floor: the same {floor_rows:,} rows COPY'd into unindexed typed tables in {floor_seconds:.1f} s "
            f"= {floor_rows / floor_seconds:,.0f} rows/s (rolled back)"
        )
        print(f"  first import {first_wall / floor_seconds:.1f}x the floor", end="")
        print(f", next day {second_wall / floor_seconds:.1f}x the floor" if second_wall else "")
    if args.skip_post:
        posting.allocate_payments = real_post
        _time_posting(2_000, args.business_date)
    if args.baseline_loans:
        base_rows, base_seconds = _baseline(args.baseline_loans, args.seed, args.business_date)
        base_rate = base_rows / base_seconds
        print(
            f"\nbaseline: Django bulk_create of a {args.baseline_loans:,}-loan demo feed: {base_rows:,} rows in "
            f"{base_seconds:.1f} s = {base_rate:,.0f} rows/s (rolled back; PostgreSQL checks its deferred foreign keys first)"
        )
        loaded = sum(f.inserted for f in first.files.values())
        print(
            f"  first import, load phase (stage + merge): {loaded / first.seconds['load'] / base_rate:.1f}x bulk_create"
        )
        print(
            f"  first import, end to end (read, validate, load, post, commit): {loaded / first_wall / base_rate:.1f}x"
        )
    print(f"peak RSS {_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
