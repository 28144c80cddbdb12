"""Benchmark of `arrears run-daily`: read, compute, apply for a synthetic book of N loans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench SECRET_KEY=x \\
        .venv/bin/python bench/daily_run.py --loans 1000000

Steps: migrate; load a synthetic book straight into the tables (COPY on PostgreSQL, executemany on SQLite;
not timed as part of the run): N loans of 12 monthly instalments started over the past year, about 0.77
borrowers per loan, instalments paid on time marked settled with their payments and allocations, about 12 %
of loans behind by 1–11 instalments, some of them partly paid; then run the nightly batch for the business
date (every case new: the first run), and for the next day (the steady state: positions move, few cases do),
timed by phase. In the same process, on the first `--orm-loans` loans, a straightforward per-loan ORM loop
(load the loan's schedule and payments, replay it with the finance core, write its position, its class change
and its case) in a transaction that is rolled back, as the baseline. With `--plan-share F`, after those two
runs a share F of the open cases get an instalment plan in force (PLAN-4: six monthly instalments covering the
overdue amount, half of them with the first one due on the second day and nothing paid, so they break on
the third; the others followed), and the third day is run as a dry run (every write made, then rolled back)
without the plans and again with them. Figures are printed, never asserted. The database must hold no loans yet: use a scratch
database.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
from scratch_ledger import anchor_apart


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--orm-loans", type=int, default=10_000, help="loans in the ORM-loop baseline (0: skip)")
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chunk", type=int, default=None, help="borrowers per transaction (default: the run's)")
    parser.add_argument("--load-only", action="store_true", help="load the book and stop (to copy it as a template)")
    parser.add_argument("--reuse", action="store_true", help="use the book already loaded (never run) in the database")
    parser.add_argument(
        "--experiment",
        type=str,
        default=None,
        help="a champion/challenger experiment of this share (e.g. 0.5) running from the business date: written "
        "reminders 5 days ahead for the challenger's borrowers",
    )
    parser.add_argument(
        "--plan-share", type=float, default=0.0, help="share of open cases given a plan before a third day (0: none)"
    )
    return parser.parse_args()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """datetime64[D] plus whole months, the day of month kept (all synthetic start days are ≤ 28)."""
    ym = days.astype("datetime64[M]")
    dom = (days - ym.astype("datetime64[D]")).astype(np.int64)
    return (ym + months.astype("timedelta64[M]")).astype("datetime64[D]") + dom.astype("timedelta64[D]")


def synthesize(n: int, as_of: date, seed: int) -> dict:
    """The book as polars frames named after their tables, ids from 1."""
    import polars as pl

    rng = np.random.default_rng(seed)
    n_borrowers = max(1, int(n * 0.77))
    loan_id = np.arange(1, n + 1, dtype=np.int64)
    borrower_of = np.concatenate([np.arange(1, n_borrowers + 1), rng.integers(1, n_borrowers + 1, n - n_borrowers)])
    rng.shuffle(borrower_of)
    principal = rng.integers(200_000, 20_000_000, n, dtype=np.int64)
    rate_index = rng.integers(0, 3, n)
    rate_e8 = np.array([4_350_000, 7_990_000, 15_000_000])[rate_index]
    as_of64 = np.datetime64(as_of, "D")
    start = _add_months(
        np.full(n, as_of64).astype("datetime64[M]").astype("datetime64[D]"), -rng.integers(0, 12, n)
    ) + rng.integers(0, 28, n).astype("timedelta64[D]")
    # Instalments: 12 each, equal principal (remainder on the last), interest 1/12 of a year on the principal.
    k = np.tile(np.arange(1, 13, dtype=np.int64), n)
    owner = np.repeat(loan_id, 12)
    due = _add_months(np.repeat(start, 12), k)
    base = np.repeat(principal // 12, 12)
    last = k == 12
    inst_principal = np.where(last, np.repeat(principal - 11 * (principal // 12), 12), base)
    inst_interest = (np.repeat(principal, 12) * np.repeat(rate_e8, 12) // 1_200_000_000).astype(np.int64)
    # Behaviour: 88 % pay on time; 12 % stop after a few paid instalments; 3 % of those paid one part-way.
    behind = rng.random(n) < 0.2
    stop_after = np.where(behind, rng.integers(0, 12, n), 99)
    partial = behind & (rng.random(n) < 0.25)
    due_by = due <= as_of64
    paid_full = due_by & (k <= np.repeat(stop_after, 12))
    paid_part = due_by & np.repeat(partial, 12) & (k == np.repeat(stop_after, 12) + 1)
    settled_on = np.where(paid_full, due, np.datetime64("NaT"))
    inst_id = np.arange(1, len(k) + 1, dtype=np.int64)
    instalments = pl.DataFrame(
        {
            "id": inst_id,
            "loan_id": owner,
            "n": k.astype(np.int32),
            "due_date": due,
            "principal_fen": inst_principal,
            "interest_fen": inst_interest,
            "settled_on": settled_on,
        }
    )
    # Payments: one per paid instalment, on its due date; a part payment is half the instalment.
    paid = paid_full | paid_part
    pay_amount = np.where(paid_part, (inst_principal + inst_interest) // 2, inst_principal + inst_interest)[paid]
    pay_loan, pay_day, pay_inst = owner[paid], due[paid], inst_id[paid]
    pay_id = np.arange(1, len(pay_loan) + 1, dtype=np.int64)
    payments = pl.DataFrame(
        {
            "id": pay_id,
            "external_id": pl.Series(["P"] * len(pay_id)) + pl.Series(pay_id).cast(pl.String),
            "loan_id": pay_loan,
            "paid_on": pay_day,
            "amount_fen": pay_amount,
            "feed_date": np.full(len(pay_id), as_of64),
        }
    )
    interest_part = np.minimum(inst_interest[paid], pay_amount)
    principal_part = pay_amount - interest_part
    allocations = pl.DataFrame(
        {
            "payment_id": np.concatenate([pay_id, pay_id]),
            "instalment_id": np.concatenate([pay_inst, pay_inst]),
            "component": ["interest"] * len(pay_id) + ["principal"] * len(pay_id),
            "amount_fen": np.concatenate([interest_part, principal_part]),
        }
    ).filter(pl.col("amount_fen") > 0)
    allocations = allocations.with_columns(id=pl.int_range(1, allocations.height + 1, dtype=pl.Int64))
    b_ids = np.arange(1, n_borrowers + 1, dtype=np.int64)
    borrowers = pl.DataFrame(
        {
            "id": b_ids,
            "external_id": pl.Series(["C"] * n_borrowers) + pl.Series(b_ids).cast(pl.String),
            "name": ["张三"] * n_borrowers,
            "id_number": ["11010119900307123X"] * n_borrowers,
            "mobile": pl.Series(["170"] * n_borrowers) + pl.Series(b_ids % 100_000_000).cast(pl.String).str.zfill(8),
            "phone_alt": [""] * n_borrowers,
            "email": np.where(rng.random(n_borrowers) < 0.5, "b@example.com", ""),
            "address": [""] * n_borrowers,
            "employer": [""] * n_borrowers,
            "risk_level": rng.choice(np.array(["low", "low", "medium", "high"]), n_borrowers),
            "preferred_channel": rng.choice(np.array(["sms", "sms", "email"]), n_borrowers),
            "consent_sms": rng.random(n_borrowers) < 0.95,
            "consent_email": rng.random(n_borrowers) < 0.6,
            "consent_phone": rng.random(n_borrowers) < 0.9,
            "language": ["zh-hans"] * n_borrowers,
            "feed_date": np.full(n_borrowers, as_of64),
        }
    )
    loans = pl.DataFrame(
        {
            "id": loan_id,
            "external_id": pl.Series(["L"] * n) + pl.Series(loan_id).cast(pl.String),
            "borrower_id": borrower_of.astype(np.int64),
            "product": ["consumer"] * n,
            "principal_fen": principal,
            "annual_rate": np.array(["0.04350000", "0.07990000", "0.15000000"])[rate_index],
            "term_months": np.full(n, 12, dtype=np.int32),
            "method": ["equal-principal"] * n,
            "start_date": start,
            "status": ["active"] * n,
            "feed_date": np.full(n, as_of64),
        }
    )
    return {
        "portfolio_borrower": borrowers,
        "portfolio_loan": loans,
        "portfolio_instalment": instalments,
        "portfolio_payment": payments,
        "portfolio_paymentallocation": allocations,
    }


def load(tables: dict) -> None:
    import polars as pl
    from django.db import connection, transaction

    with transaction.atomic():
        for table, frame in tables.items():
            started = time.perf_counter()
            columns = ", ".join(frame.columns)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                        for offset in range(0, frame.height, 500_000):
                            buffer = io.BytesIO()
                            frame.slice(offset, 500_000).write_csv(buffer, include_header=False)
                            copy.write(buffer.getvalue())
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {frame.height})")
            else:
                marks = ", ".join(["%s"] * len(frame.columns))
                text = frame.with_columns(pl.col(pl.Decimal).cast(pl.String), pl.col(pl.Date).cast(pl.String))
                with connection.cursor() as cursor:
                    for offset in range(0, text.height, 200_000):
                        cursor.executemany(
                            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our own names
                            text.slice(offset, 200_000).rows(),
                        )
            print(f"  loaded {table}: {frame.height:,} rows in {time.perf_counter() - started:.1f} s")
        from arrears.accounts.models import User
        from arrears.accounts.roles import SYSTEM_USERNAME
        from arrears.portfolio.models import FeedLoad

        FeedLoad.objects.create(  # the third day's too (the plans' night, --plan-share)
            business_date=BUSINESS_DATE + timedelta(days=2),
            digest="bench",
            started_at="2026-01-01T00:00:00Z",
            finished_at="2026-01-01T00:00:00Z",
            status="done",
            imported_by=User.objects.get(username=SYSTEM_USERNAME),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


BUSINESS_DATE = date(2026, 11, 27)


def _run(day: date, actor, label: str, n: int, chunk: int | None, *, dry_run: bool = False):
    from arrears.daily.actions import do_run_daily  # imported by main() before any run is timed
    from arrears.daily.apply import CHUNK_BORROWERS

    started = time.perf_counter()
    (report,) = do_run_daily(day, actor=actor, chunk_borrowers=chunk or CHUNK_BORROWERS, dry_run=dry_run)
    wall = time.perf_counter() - started
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    changed = sum(v for k, v in report.changes.items() if k != "audit_events")
    print(
        f"{label}: {wall:.2f} s = {n / wall:,.0f} loans/s ({phases}); delinquent {report.summary['delinquent']:,}, "
        f"cases {report.summary['case_decisions']}, rows written {changed:,}, "
        f"audit events {report.changes.get('audit_events', 0):,}; peak RSS {_rss_mb():,.0f} MB"
    )
    return wall


def orm_loop(loan_ids: list[int], as_of: date) -> float:
    """The straightforward version: one loan at a time through the ORM and the finance core (rolled back)."""
    from django.db import transaction

    from arrears.collection.models import CaseEvent, CollectionCase
    from arrears.finance import from_fen, to_fen
    from arrears.finance.account import Receipt, ScheduledInstalment, replay
    from arrears.portfolio.models import DelinquencyRecord, Loan, LoanPosition
    from arrears.portfolio.posting import account_terms
    from arrears.rules.queries import policy_on

    policy = policy_on(as_of)
    started = time.perf_counter()
    with transaction.atomic():
        for loan in Loan.objects.filter(pk__in=loan_ids).select_related("borrower").iterator():
            position = replay(
                [
                    ScheduledInstalment(i.n, i.due_date, from_fen(i.principal_fen), from_fen(i.interest_fen))
                    for i in loan.instalments.all()
                ],
                [Receipt(p.external_id, p.paid_on, from_fen(p.amount_fen)) for p in loan.payments.all()],
                as_of=as_of,
                **account_terms(loan, policy),
            )
            dpd = position.dpd
            klass = "current" if dpd == 0 else "mild" if dpd <= 30 else "moderate" if dpd <= 90 else "severe"
            old = LoanPosition.objects.filter(loan=loan).first()
            if dpd:
                LoanPosition.objects.update_or_create(
                    loan=loan,
                    defaults={
                        "borrower_id": loan.borrower_id,
                        "as_of": as_of,
                        "dpd": dpd,
                        "delinquency_class": klass,
                        "bucket": "M1",
                        "earliest_unpaid_due": as_of - timedelta(days=dpd),
                        "overdue_principal_fen": to_fen(position.overdue_principal),
                        "overdue_interest_fen": to_fen(position.overdue_interest),
                        "penalty_fen": to_fen(position.penalty_interest),
                        "compound_fen": to_fen(position.compound_interest),
                    },
                )
            elif old:
                old.delete()
            if (old.delinquency_class if old else "current") != klass:
                DelinquencyRecord.objects.create(loan=loan, business_date=as_of, dpd=dpd, delinquency_class=klass)
                if dpd and not CollectionCase.objects.filter(borrower=loan.borrower, status="open").exists():
                    case = CollectionCase.objects.create(
                        borrower=loan.borrower,
                        status="open",
                        delinquency_class=klass,
                        pool="junior",
                        opened_on=as_of,
                        updated_on=as_of,
                    )
                    CaseEvent.objects.create(
                        case=case, business_date=as_of, kind="opened", to_class=klass, dpd=dpd, clause="CLS-1"
                    )
        transaction.set_rollback(True)
    return time.perf_counter() - started


def add_plans(share: float, day: date) -> int:
    """Give `share` of the open cases an instalment plan in force from `day` (signed, approved by another user):
    six monthly instalments of the borrower's overdue total; every other plan's first instalment is due on
    `day` itself (missed the night after), the rest a month later. Returns how many plans were written."""
    from django.db import transaction

    from arrears.accounts.models import Role, User
    from arrears.arrangements.models import Plan, PlanInstalment
    from arrears.collection.models import CollectionCase
    from arrears.finance.schedule import add_months
    from arrears.portfolio.models import LoanPosition

    senior = User.objects.create_user("bench-senior", role=Role.objects.get(code="senior_collector"))
    boss = User.objects.create_user("bench-supervisor", role=Role.objects.get(code="supervisor"))
    cases = list(CollectionCase.objects.filter(status="open").order_by("pk").values_list("pk", "borrower_id"))
    chosen = cases[:: max(1, round(1 / share))] if share > 0 else []
    owed: dict[int, list[tuple[int, int]]] = {}
    for loan_id, borrower_id, principal, interest, penalty, compound in LoanPosition.objects.filter(
        borrower_id__in=[b for _c, b in chosen]
    ).values_list(
        "loan_id", "borrower_id", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "compound_fen"
    ):
        owed.setdefault(borrower_id, []).append((loan_id, principal + interest + penalty + compound))
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    with transaction.atomic():
        plans = Plan.objects.bulk_create(
            Plan(
                case_id=case_id,
                borrower_id=borrower_id,
                contracts=f"bench-{case_id}",
                status="active",
                income_fen=10**9,
                expenses_fen=0,
                debts_fen=0,
                max_payment_fen=3 * 10**8,
                amount_fen=sum(f for _l, f in owed[borrower_id]),
                includes_penalty=True,
                instalment_count=6,
                payment_fen=-(-sum(f for _l, f in owed[borrower_id]) // 6),
                starts_on=day,
                proposed_by=senior,
                proposed_at=at,
                decided_by=boss,
                decided_at=at,
                signed_on=day,
                signature_recorded_by=senior,
                effective_on=day,
            )
            for case_id, borrower_id in chosen
            if owed.get(borrower_id)
        )
        links, rows = [], []
        for i, plan in enumerate(plans):
            first = day if i % 2 == 0 else add_months(day, 1)
            amount = plan.amount_fen
            payment = plan.payment_fen
            links.extend(Plan.loans.through(plan_id=plan.pk, loan_id=loan_id) for loan_id, _f in owed[plan.borrower_id])
            for n in range(1, 7):
                part = payment if n < 6 else amount - payment * 5
                rows.append(
                    PlanInstalment(
                        plan=plan,
                        n=n,
                        due_on=add_months(first, n - 1),
                        amount_fen=max(part, 1),
                        cumulative_fen=min(payment * n, amount),
                    )
                )
        Plan.loans.through.objects.bulk_create(links, batch_size=5_000)
        PlanInstalment.objects.bulk_create(rows, batch_size=5_000)
    return len(plans)


def prepare_book(loans: int, day: date, seed: int, *, reuse: bool) -> bool:
    """Load the synthetic book into the (empty) database, or with `reuse` accept one loaded before and never
    run; False (said on stderr) when the database holds other loans."""
    from arrears.daily.models import Run
    from arrears.portfolio.models import Loan

    if reuse and Loan.objects.count() == loans and not Run.objects.exists():
        print(f"book: reusing the {loans:,} loans loaded before")
        return True
    if Loan.objects.exists():
        print("bench: the database already holds loans; point DATABASE_URL at a scratch database", file=sys.stderr)
        return False
    started = time.perf_counter()
    tables = synthesize(loans, day, seed)
    print(
        f"book: {loans:,} loans, "
        + ", ".join(f"{name.split('_', 1)[1]} {frame.height:,}" for name, frame in tables.items())
        + f"; synthesized in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    load(tables)
    del tables
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    return True


def main() -> int:
    args = _args()
    global BUSINESS_DATE
    BUSINESS_DATE = args.business_date
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    anchor_apart("daily-run")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME

    actor = User.objects.get(username=SYSTEM_USERNAME)
    # The run's modules are imported here, not inside the first timed run: a worker or `arrears run-daily`
    # imports them once per process, not once per business date.
    import arrears.daily.actions  # noqa: F401

    if not prepare_book(args.loans, args.business_date, args.seed, reuse=args.reuse):
        return 2
    if args.load_only:
        return 0
    if args.experiment:
        from arrears.accounts.models import Role
        from arrears.whatif.experiments import do_start_experiment

        boss, _ = User.objects.get_or_create(
            username="bench-supervisor", defaults={"role": Role.objects.get(code="supervisor")}
        )
        do_start_experiment(
            "bench",
            "[reminders]\nadvance_days = 5\n",
            args.experiment,
            100,
            actor=boss,
            today=args.business_date,
            seed="bench",
        )
        print(f"experiment: a share of {args.experiment} of new cases under reminders 5 days ahead")
    first = _run(args.business_date, actor, "first run (every case new)", args.loans, args.chunk)
    _run(args.business_date + timedelta(days=1), actor, "next day (steady state)", args.loans, args.chunk)
    if args.plan_share:
        day = args.business_date + timedelta(days=1)
        third = day + timedelta(days=1)
        label = "third day without plans (dry run: every write made, then rolled back)"
        without = _run(third, actor, label, args.loans, args.chunk, dry_run=True)
        started = time.perf_counter()
        plans = add_plans(args.plan_share, day)
        print(f"plans: {plans:,} in force from {day} (half to break on {third}); {time.perf_counter() - started:.1f} s")
        with_plans = _run(third, actor, "third day with the plans (dry run)", args.loans, args.chunk, dry_run=True)
        print(f"plans: the third day with them took {with_plans / without:.2f}x the same day without")
    if args.orm_loans:
        ids = list(range(1, min(args.orm_loans, args.loans) + 1))
        seconds = orm_loop(ids, args.business_date + timedelta(days=1))
        rate, run_rate = len(ids) / seconds, args.loans / first
        print(
            f"baseline: per-loan ORM loop on {len(ids):,} loans: {seconds:.1f} s = {rate:,.0f} loans/s "
            f"(rolled back); the first run is {run_rate / rate:,.0f}x that"
        )
    print(f"peak RSS {_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
