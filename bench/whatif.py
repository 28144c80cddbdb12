"""Benchmark of `arrears whatif`: a period of past nights replayed under a candidate policy beside the one in force.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench_whatif SECRET_KEY=x \\
        .venv/bin/python bench/whatif.py --loans 1000000 --nights 90

Steps: the synthetic book of `daily_run.py` (N loans of 12 monthly instalments started over the past year, about 12 %
behind), loaded into the empty database of `DATABASE_URL` or, with `--reuse`, taken as a previous run of this
benchmark left it; its nightly run for the business date (so the period is past); then, in the same process:

- the baseline: what the nightly run's own read and engine cost for one night, per side, timed on `--sample`
  nights of the period (`daily.read.read_inputs` and `engine.runner.decide`, the policy in force and the candidate),
  i.e. a what-if done by running the nightly read for each past date;
- the what-if: `whatif.actions.do_whatif` over the `--nights` nights ending on the business date, the candidate
  being written reminders 5 days ahead and the senior pool from DPD 21 (`tiers.junior_max_dpd = 20`).

Printed: the history's read, the replay, nights per second, loan-nights decided per second (both sides), peak RSS,
and the ratio of the baseline's estimate for the period (its seconds per night × nights) to the what-if's wall.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta

from scratch_ledger import anchor_apart

CANDIDATE = 'effective_from = 2030-01-01\nname = "bench candidate"\n[reminders]\nadvance_days = 5\n[tiers]\njunior_max_dpd = 20\n'


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--nights", type=int, default=90)
    parser.add_argument("--sample", type=int, default=3, help="nights the baseline is timed on")
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="the book and its nightly run left by an earlier run")
    return parser.parse_args()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _book(args, actor) -> bool:
    import daily_run

    from arrears.daily.actions import do_run_daily
    from arrears.daily.models import Run, RunStatus

    daily_run.BUSINESS_DATE = args.business_date
    if args.reuse and Run.objects.filter(business_date=args.business_date, status=RunStatus.DONE).exists():
        print(f"book: reusing the book and its nightly run of {args.business_date}")
        return True
    if not daily_run.prepare_book(args.loans, args.business_date, args.seed, reuse=False):
        return False
    started = time.perf_counter()
    do_run_daily(args.business_date, actor=actor)
    print(f"nightly run of {args.business_date}: {time.perf_counter() - started:.1f} s (not part of the figures)")
    return True


def _baseline(days: list[date], candidate) -> float:
    """Seconds per night of the nightly read and the engine on both sides (the mean over `days`)."""
    from arrears.daily.read import read_inputs
    from arrears.engine.params import Terms
    from arrears.engine.runner import decide
    from arrears.rules.queries import calendar, policy_book

    book, spent = policy_book(), 0.0
    for day in days:
        started = time.perf_counter()
        for policy in (book.version_on(day).policy, candidate.policy):
            terms = Terms.of(policy, day)
            decide(read_inputs(terms), terms, calendar())
        spent += time.perf_counter() - started
    return spent / len(days)


def main() -> int:
    args = _args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    anchor_apart("whatif")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.policy.versions import parse_policy_toml
    from arrears.portfolio.models import Loan
    from arrears.whatif.actions import do_whatif

    actor = User.objects.get(username=SYSTEM_USERNAME)
    if not _book(args, actor):
        return 2
    loans = Loan.objects.count()
    candidate = parse_policy_toml(CANDIDATE, "bench candidate")
    last = args.business_date
    first = last - timedelta(days=args.nights - 1)
    sample = [last - timedelta(days=args.nights * i // max(args.sample, 1)) for i in range(args.sample)]
    per_night = _baseline(sample, candidate)
    print(
        f"baseline: the nightly read and engine, both sides, {per_night:.2f} s per night "
        f"(mean of {len(sample)}); for {args.nights} nights ≈ {per_night * args.nights:,.1f} s"
    )
    started = time.perf_counter()
    result = do_whatif(candidate, first, last, actor=actor)
    wall = time.perf_counter() - started
    total = result.total
    print(
        f"what-if {first} .. {last}: {wall:,.1f} s (read {result.seconds['read']:.1f} s, replay "
        f"{result.seconds['replay']:.1f} s) = {args.nights / wall:.2f} nights/s, "
        f"{2 * loans * args.nights / wall:,.0f} loan-nights/s (both sides); peak RSS {_rss_mb():,.0f} MB; "
        f"{per_night * args.nights / wall:.1f}x the baseline's estimate"
    )
    for side in ("baseline", "candidate"):
        figures = total[side]
        print(
            f"  {side}: reminders written {figures['reminders']['written']:,} phone {figures['reminders']['phone']:,}, "
            f"calls due {figures['calls_due']:,}, legal referrals {figures['legal_referrals']:,}, "
            f"peak cases {figures['cases_by_pool']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
