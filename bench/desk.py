"""Benchmark of the collector's desk on a large book: allocation, the queue page and the case page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_desk SECRET_KEY=x \\
        .venv/bin/python bench/desk.py --loans 1000000

Steps: migrate; load the synthetic book of `bench/daily_run.py` (or `--reuse` one loaded before) and record its
feed; create the collectors (`--juniors`, `--seniors`, `--supervisors`); run the nightly batch, whose last step
allocates every new case (timed by phase). Then, timed in this process:

- allocation from scratch: every open case unowned, then `do_allocate_cases` (one transaction), cases/s;
- the baseline for it: a per-case loop that asks the database for each collector's load before placing each
  case (the obvious way to write it), on the first `--baseline-cases` cases, rolled back;
- the queue page (`/cases/`, 25 rows) for a junior collector, and a supervisor's view of every open case (the
  sort over all of them), median of `--repeat` requests through Django's test client, and its query count;
- the baseline for the queue: the same rows with a query per row for DPD, amount, attempts and what is due;
- the case page of a borrower with several loans.

Figures are printed, never asserted. The database must hold no loans yet unless `--reuse`: use a scratch one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import daily_run
from scratch_ledger import anchor_apart


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--juniors", type=int, default=40)
    parser.add_argument("--seniors", type=int, default=12)
    parser.add_argument("--supervisors", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-cases", type=int, default=2_000)
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the book already loaded (never run)")
    return parser.parse_args()


def _median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _collectors(args) -> dict[str, list]:
    from arrears.accounts.models import Role, User

    made = {}
    for role, n in (
        ("junior_collector", args.juniors),
        ("senior_collector", args.seniors),
        ("supervisor", args.supervisors),
    ):
        made[role] = [
            User.objects.create_user(f"bench-{role}-{i}", password=None, role=Role.objects.get(code=role))
            for i in range(n)
        ]
    return made


class _Counted:
    """Counts the SQL statements run on the default connection while active (works across requests, unlike
    the debug query log, which each request resets)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrap = connection.execute_wrapper(self)
        self._wrap.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrap.__exit__(*exc)

    def __len__(self) -> int:
        return self.n


def _baseline_allocation(case_ids: list[int], as_of: date) -> float:
    """Per case: read every collector's open cases and overdue total, place the case, save it (rolled back)."""
    from django.db import transaction
    from django.db.models import Sum

    from arrears.accounts.models import User
    from arrears.collection.allocation import POOL_OF_ROLE
    from arrears.collection.models import CollectionCase
    from arrears.portfolio.models import LoanPosition

    started = time.perf_counter()
    with transaction.atomic():
        collectors = list(User.objects.filter(is_active=True, role_id__in=list(POOL_OF_ROLE)))
        for case in CollectionCase.objects.filter(pk__in=case_ids):
            best = None
            for user in collectors:
                if POOL_OF_ROLE[user.role_id] != case.pool:
                    continue
                owned = CollectionCase.objects.filter(owner=user, status="open")
                amount = (
                    LoanPosition.objects.filter(borrower__in=owned.values("borrower")).aggregate(
                        s=Sum("overdue_principal_fen")
                    )["s"]
                    or 0
                )
                key = (owned.count(), amount, user.pk)
                best = key if best is None or key < best else best
            if best is not None:
                case.owner_id, case.assigned_on = best[2], as_of
                case.save(update_fields=["owner", "assigned_on"])
        transaction.set_rollback(True)
    return time.perf_counter() - started


def _baseline_queue(user, on: date) -> int:
    """The first 25 of a user's cases with a query per row for what the page shows; returns the query count."""
    from django.db.models import Max, Sum

    from arrears.collection.models import Call, CollectionCase, Promise, Task
    from arrears.portfolio.models import LoanPosition

    with _Counted() as queries:
        rows = []
        for case in CollectionCase.objects.filter(owner=user, status="open").select_related("borrower"):
            positions = LoanPosition.objects.filter(borrower=case.borrower_id)
            dpd = positions.aggregate(m=Max("dpd"))["m"] or 0
            amount = positions.aggregate(s=Sum("overdue_principal_fen"))["s"] or 0
            attempts = Call.objects.filter(case=case).count()
            promise = Promise.objects.filter(borrower=case.borrower_id, status="open", due_on=on).exists()
            due = Task.objects.filter(borrower=case.borrower_id, status="open", due_on__lte=on).exists()
            rows.append(((not promise, not due, -dpd, -amount, case.pk), attempts))
        rows.sort()
        rows[:25]
    return len(queries)


def main() -> int:
    args = _args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    anchor_apart("desk")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.collection.allocation import do_allocate_cases
    from arrears.collection.models import CollectionCase
    from arrears.daily.actions import do_run_daily
    from arrears.portfolio.models import FeedLoad

    actor = User.objects.get(username=SYSTEM_USERNAME)
    day = args.business_date
    if not daily_run.prepare_book(args.loans, day, args.seed, reuse=args.reuse):
        return 2
    FeedLoad.objects.get_or_create(
        business_date=day,
        defaults={"digest": "0" * 64, "started_at": timezone.now(), "status": "done", "imported_by": actor},
    )
    users = _collectors(args)
    print(f"collectors: {args.juniors} junior, {args.seniors} senior, {args.supervisors} supervisors")

    started = time.perf_counter()
    (report,) = do_run_daily(day, actor=actor)
    seconds = time.perf_counter() - started
    phases = ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items())
    allocated = sum(v for k, v in report.changes.items() if k.startswith("cases_allocated_"))
    print(f"nightly run with allocation: {seconds:.1f} s ({phases}); {allocated:,} cases allocated")

    from arrears.portfolio.queries import business_date

    if (newest := business_date()) > day:
        # The desk works on the newest feed's date; its nightly run stores the queue's urgency of that date, as
        # in production, where the run follows each feed.
        started = time.perf_counter()
        reports = do_run_daily(newest, actor=actor)
        print(f"nightly runs through {newest} (the newest feed): {time.perf_counter() - started:.1f} s, {len(reports)}")
    open_cases = CollectionCase.objects.filter(status="open")
    n_open = open_cases.count()
    open_cases.update(owner=None, assigned_on=None)
    started = time.perf_counter()
    result = do_allocate_cases(actor=actor, as_of=day)
    allocation_s = time.perf_counter() - started
    rate = result.total / allocation_s
    print(
        f"allocation from scratch: {result.total:,} of {n_open:,} open cases in {allocation_s:.2f} s = {rate:,.0f} cases/s"
    )
    sample = list(open_cases.order_by("pk").values_list("pk", flat=True)[: args.baseline_cases])
    if sample:
        base_s = _baseline_allocation(sample, day)
        base_rate = len(sample) / base_s
        print(
            f"baseline: per-case loop asking each collector's load, {len(sample):,} cases in {base_s:.1f} s = "
            f"{base_rate:,.0f} cases/s (rolled back); allocation is {rate / base_rate:,.0f}x that"
        )

    junior = users["junior_collector"][0]
    supervisor = users["supervisor"][0]
    owned = CollectionCase.objects.filter(owner=junior, status="open").count()
    client = Client(HTTP_HOST="localhost")
    for label, user, params in (
        (f"queue page of a junior collector ({owned:,} cases)", junior, {}),
        (f"supervisor's queue, every open case ({n_open:,})", supervisor, {"owner": "all"}),
        ("supervisor's queue, what is due now", supervisor, {"owner": "all", "due": "now"}),
    ):
        client.force_login(user)
        with _Counted() as counted:
            assert client.get("/cases/", params).status_code == 200  # noqa: S101 - a broken page is no figure
        ms = _median_ms(lambda u=user, p=params: client.get("/cases/", p), args.repeat)
        print(f"{label}: {ms:,.0f} ms median, {len(counted)} queries")
    with _Counted() as counted:
        naive_queries = _baseline_queue(junior, day)
    naive_ms = _median_ms(lambda: _baseline_queue(junior, day), args.repeat)
    client.force_login(junior)
    page_ms = _median_ms(lambda: client.get("/cases/"), args.repeat)
    print(
        f"baseline: the junior's queue with a query per row: {naive_ms:,.0f} ms, {naive_queries:,} queries "
        f"(the page: {page_ms:,.0f} ms, {naive_ms / page_ms:,.1f}x faster)"
    )
    busiest = (
        CollectionCase.objects.filter(status="open", owner__isnull=False)
        .order_by("-borrower__loans__id")
        .values_list("pk", "owner_id")
        .first()
    )
    if busiest:
        client.force_login(User.objects.get(pk=busiest[1]))
        with _Counted() as counted:
            client.get(f"/cases/{busiest[0]}/")
        ms = _median_ms(lambda: client.get(f"/cases/{busiest[0]}/"), args.repeat)
        print(f"case page: {ms:,.0f} ms median, {len(counted)} queries")
    print(f"peak RSS {daily_run._rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
