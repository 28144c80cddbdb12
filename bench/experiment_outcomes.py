"""Benchmark of a champion/challenger experiment's outcomes per arm (`arrears.whatif.outcomes`, issue 23).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench_outcomes SECRET_KEY=x \\
        .venv/bin/python bench/experiment_outcomes.py --cases 100000

Lays down, in the empty database of `DATABASE_URL` (SQLite in a scratch directory when unset), an experiment's
worth of cases: N borrowers each with one loan whose one instalment fell due before their case opened on one of
90 nights after the start, about 60 % of the cases cured within 1–80 days, a payment each (before or after the
opening), a promise on every other case (kept or broken), a complaint on one case in 50, and a completed night 120
days after the start. Then, in the same process, times:

- the baseline: reading the rows the outcomes are computed from, as the ORM gives them (the case events, the
  instalments, the allocations, the payments, the promises and the complaints of the experiment's borrowers), with
  nothing computed — the floor of any way of computing them from the book;
- the outcomes: `outcomes(experiment)` — the cases, the arms from the seed, the five measures and their intervals
  (statsmodels imported before, as a server process has it after its first page).

Printed: rows laid down, each wall, cases per second, peak RSS and the ratio of the outcomes to the baseline.
Figures are printed, never asserted. `--reuse` takes the cases an earlier run left.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

START = date(2026, 3, 2)
THROUGH = START + timedelta(days=120)
BATCH = 5_000


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--reuse", action="store_true", help="the cases an earlier run of this benchmark left")
    return parser.parse_args()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lay_down(n: int, seed: int, boss) -> None:
    from arrears.collection.models import CaseEvent, CollectionCase, Promise
    from arrears.complaints.models import Complaint
    from arrears.daily.models import Run
    from arrears.portfolio.models import Borrower, Instalment, Loan, Payment

    rng = random.Random(seed)
    feed = START - timedelta(days=1)
    for first in range(0, n, BATCH):
        ids = range(first, min(n, first + BATCH))
        borrowers = Borrower.objects.bulk_create(
            Borrower(
                external_id=f"X{i:09d}",
                name="张三",
                id_number="11010119900307123X",
                mobile=f"170{i:08d}",
                risk_level="low",
                feed_date=feed,
            )
            for i in ids
        )
        loans = Loan.objects.bulk_create(
            Loan(
                external_id=f"XL{b.pk:09d}",
                borrower=b,
                product="consumer",
                principal_fen=1_000_000,
                annual_rate="0.0435",
                term_months=12,
                method="equal-instalment",
                start_date=date(2025, 12, 1),
                status="active",
                feed_date=feed,
            )
            for b in borrowers
        )
        opened = {b.pk: START + timedelta(days=rng.randrange(90)) for b in borrowers}
        Instalment.objects.bulk_create(
            Instalment(
                loan=loan,
                n=1,
                due_date=opened[loan.borrower_id] - timedelta(days=1),
                principal_fen=90_000,
                interest_fen=3_600,
            )
            for loan in loans
        )
        Payment.objects.bulk_create(
            Payment(
                external_id=f"XP{loan.pk:09d}",
                loan=loan,
                amount_fen=rng.randrange(10_000, 120_000),
                paid_on=opened[loan.borrower_id] + timedelta(days=rng.randrange(-5, 60)),
                feed_date=feed,
            )
            for loan in loans
        )
        cured = {b.pk: opened[b.pk] + timedelta(days=rng.randrange(1, 80)) for b in borrowers if rng.random() < 0.6}
        cases = CollectionCase.objects.bulk_create(
            CollectionCase(
                borrower=b,
                status="closed" if b.pk in cured else "open",
                delinquency_class="mild",
                pool="junior",
                opened_on=opened[b.pk],
                closed_on=cured.get(b.pk),
                updated_on=THROUGH,
            )
            for b in borrowers
        )
        events = [CaseEvent(case=c, business_date=c.opened_on, kind="opened", dpd=1, clause="CLS-1") for c in cases]
        events += [
            CaseEvent(case=c, business_date=c.closed_on, kind="closed", dpd=0, clause="CLS-1")
            for c in cases
            if c.closed_on
        ]
        CaseEvent.objects.bulk_create(events)
        Promise.objects.bulk_create(
            Promise(
                borrower_id=b.pk,
                amount_fen=50_000,
                made_on=opened[b.pk] + timedelta(days=2),
                due_on=opened[b.pk] + timedelta(days=7),
                status=rng.choice(["kept", "broken"]),
            )
            for b in borrowers[::2]
        )
        at = datetime(2026, 4, 1, 2, tzinfo=UTC)
        Complaint.objects.bulk_create(
            Complaint(
                channel="phone",
                marker="催收投诉",
                received_at=at,
                text="语气粗暴",
                borrower=b,
                response_due=at + timedelta(hours=24),
                investigation_due=date(2026, 4, 15),
                filed_by=boss,
                filed_at=at,
            )
            for b in borrowers[::50]
        )
    Run.objects.create(business_date=THROUGH, status="done", started_at=datetime(2026, 6, 30, 18, tzinfo=UTC))


def _baseline(experiment) -> tuple[float, int]:
    """Seconds to read the outcomes' rows through the ORM, and how many rows."""
    from arrears.collection.models import CaseEvent, Promise
    from arrears.complaints.models import Complaint
    from arrears.portfolio.models import Instalment, Payment, PaymentAllocation

    started = time.perf_counter()
    events = CaseEvent.objects.filter(business_date__gte=experiment.started_on)
    borrowers = events.values("case__borrower_id")
    reads = [
        events.values_list("case__borrower_id", "case_id", "business_date", "kind"),
        Instalment.objects.filter(loan__borrower_id__in=borrowers).values_list(
            "id", "loan__borrower_id", "due_date", "principal_fen", "interest_fen"
        ),
        PaymentAllocation.objects.filter(instalment__loan__borrower_id__in=borrowers).values_list(
            "instalment_id", "payment__paid_on", "amount_fen"
        ),
        Payment.objects.filter(loan__borrower_id__in=borrowers).values_list(
            "loan__borrower_id", "paid_on", "amount_fen"
        ),
        Promise.objects.filter(borrower_id__in=borrowers).values_list("borrower_id", "made_on", "status"),
        Complaint.objects.filter(borrower_id__in=borrowers).values_list("borrower_id", "received_at"),
    ]
    rows = sum(len(list(query)) for query in reads)
    return time.perf_counter() - started, rows


def main() -> int:
    args = _args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["ARREARS_VAR"] = tempfile.mkdtemp(prefix="bench-outcomes-")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.collection.models import CollectionCase
    from arrears.whatif.models import Experiment
    from arrears.whatif.outcomes import outcomes

    boss, _ = User.objects.get_or_create(username="bench-supervisor")
    experiment = Experiment.objects.filter(name="bench").first()
    if experiment is None or not args.reuse:
        if CollectionCase.objects.exists():
            print("the database holds cases already: give an empty one, or --reuse", file=sys.stderr)
            return 2
        started = time.perf_counter()
        _lay_down(args.cases, args.seed, boss)
        print(f"laid down {args.cases:,} cases in {time.perf_counter() - started:.1f} s (not part of the figures)")
        experiment = Experiment.objects.create(
            name="bench",
            strategy_text="[reminders]\nadvance_days = 5\n",
            seed="bench",
            share="0.5",
            min_sample=1_000,
            started_on=START,
            started_by=boss,
        )
    started = time.perf_counter()
    import statsmodels.stats.proportion
    import statsmodels.stats.weightstats  # noqa: F401  (a server imports them once; not part of the figures)

    print(f"statsmodels imported in {time.perf_counter() - started:.2f} s (once per process; not part of the figures)")
    base, rows = _baseline(experiment)
    print(f"baseline: the outcomes' rows read through the ORM, nothing computed: {base:.2f} s ({rows:,} rows)")
    started = time.perf_counter()
    result = outcomes(experiment, THROUGH)
    wall = time.perf_counter() - started
    cases = sum(result.cases.values())
    print(
        f"outcomes: {wall:.2f} s for {cases:,} cases = {cases / wall:,.0f} cases/s; peak RSS {_rss_mb():,.0f} MB; "
        f"{wall / base:.2f}x the baseline"
    )
    for measure in result.measures:
        diff = measure.difference
        print(
            f"  {measure.key}: champion {measure.champion.value} (n={measure.champion.n:,}), challenger "
            f"{measure.challenger.value} (n={measure.challenger.n:,}), difference "
            + ("-" if diff is None else f"{diff.estimate} [{diff.low}, {diff.high}]")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
