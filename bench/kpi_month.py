"""Benchmark of a month's KPIs on a large book (issue 21: "a month for a 1-million-loan book in ≤ 10 s").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_kpibench SECRET_KEY=x \\
        .venv/bin/python bench/kpi_month.py --loans 1000000

Steps (PostgreSQL; a scratch database):

1. migrate; load the synthetic book of `bench/daily_run.py` as of `--business-date` (a month's last day, default
   2026-11-30; the loans' product drawn from three), or `--reuse` one loaded before with that date and never
   run; create the collectors of `bench/desk.py` in `--teams` teams; run the nightly batch of that day, which
   allocates the new cases and opens the next month (`reports.OpeningPosition`): its phases and opening loans.
2. The next month's payments straight into `portfolio_payment` by COPY, each fed on the day it was paid:
   `--pay-share` of the opening loans pay part of (or a little more than) their overdue amount on a random day,
   a quarter of them twice; `--regular-share` of the other loans pay their instalment due in the month on its
   due date. A completed nightly run is recorded for the month's second-last day (a ledger row only: nothing
   else of those nights is run), so the month is under way through that day.
3. Timed on the opening the nightly run kept, each the median of `--repeat` calls: the month under way's
   `recovery(month, "class")` (THE figure), `month_summary` (with its costs), `recovery` by collector and by
   product; the same recovery computed the obvious way in Python (the month's payments per loan in a dict from
   `values_list`, then a loop over the opening's rows), checked equal; then, in a transaction rolled back
   afterwards, `do_keep_month_facts` of the month's last day (closes the month: an outcome for every opening
   loan; opens the next), timed once, and the closed month's `recovery`, `rolls` and `average_dpd`.
4. With `--opening-share F` (default 1.0; 0 skips): the worst case. Synthetic delinquent loans are added to the
   opening and to the live positions by COPY (committed) until a share F of the book is in the opening, with
   collectors and teams, and step 3 is repeated.

Figures are printed, never asserted. Peak RSS from `resource.getrusage`. The audit ledger's anchors go to a
temporary directory unless ARREARS_LEDGER_ANCHOR_DIR says otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import daily_run
import desk
from scratch_ledger import anchor_apart

PRODUCTS = ("consumer", "auto", "card")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--business-date", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--load-only", action="store_true", help="load the book and stop (to copy it as a template)")
    parser.add_argument("--reuse", action="store_true", help="use the book already loaded (never run)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--juniors", type=int, default=40)
    parser.add_argument("--seniors", type=int, default=12)
    parser.add_argument("--supervisors", type=int, default=4)
    parser.add_argument("--teams", type=int, default=8)
    parser.add_argument("--pay-share", type=float, default=0.4, help="share of the opening loans paying in the month")
    parser.add_argument(
        "--regular-share", type=float, default=0.95, help="share of the other loans paying their instalment due"
    )
    parser.add_argument(
        "--opening-share", type=float, default=1.0, help="worst case: pad the opening to this share of loans (0: skip)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the Python-loop baseline")
    return parser.parse_args()


def _median(call, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _copy_in(table: str, frame) -> None:
    from django.db import connection

    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        for offset in range(0, frame.height, 500_000):
            buffer = io.BytesIO()
            frame.slice(offset, 500_000).write_csv(buffer, include_header=False)
            copy.write(buffer.getvalue())


def _copy_out(select: str):
    """The rows of `select` (our own SQL, no parameters) as a polars frame, through COPY … TO STDOUT."""
    import polars as pl
    from django.db import connection

    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER)") as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pl.read_csv(buffer, try_parse_dates=True)


def _vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def prepare_book(args) -> bool:
    """daily_run's book, with the loans' product drawn from PRODUCTS (so "by product" has groups)."""
    import polars as pl

    from arrears.portfolio.models import Loan

    daily_run.BUSINESS_DATE = args.business_date  # its load() records a feed for that date + 2
    if args.reuse or Loan.objects.exists():
        return daily_run.prepare_book(args.loans, args.business_date, args.seed, reuse=args.reuse)
    started = time.perf_counter()
    tables = daily_run.synthesize(args.loans, args.business_date, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    product = np.array(PRODUCTS)[rng.choice(len(PRODUCTS), args.loans, p=[0.6, 0.25, 0.15])]
    tables["portfolio_loan"] = tables["portfolio_loan"].with_columns(product=pl.Series(product))
    print(
        f"book: {args.loans:,} loans, "
        + ", ".join(f"{name.split('_', 1)[1]} {frame.height:,}" for name, frame in tables.items())
        + f"; synthesized in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    daily_run.load(tables)
    del tables
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    return True


def collectors(args) -> list:
    """desk.py's collectors, the juniors and seniors spread over `--teams` teams."""
    from arrears.accounts.models import Team, User

    made = desk._collectors(args)
    teams = [Team.objects.create(name=f"bench-team-{i}") for i in range(max(args.teams, 1))]
    staff = made["junior_collector"] + made["senior_collector"]
    for i, user in enumerate(staff):
        User.objects.filter(pk=user.pk).update(team=teams[i % len(teams)])
    print(
        f"collectors: {args.juniors} junior, {args.seniors} senior in {len(teams)} teams, {args.supervisors} supervisors"
    )
    return staff


def nightly(day: date, actor) -> int:
    from django.utils import timezone

    from arrears.daily.actions import do_run_daily
    from arrears.portfolio.models import FeedLoad

    FeedLoad.objects.get_or_create(
        business_date=day,
        defaults={"digest": "0" * 64, "started_at": timezone.now(), "status": "done", "imported_by": actor},
    )
    started = time.perf_counter()
    (report,) = do_run_daily(day, actor=actor)
    wall = time.perf_counter() - started
    phases = ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items())
    opening = report.changes.get("month_opening_loans", 0)
    print(
        f"nightly run of {day}: {wall:.1f} s ({phases}); delinquent {report.summary['delinquent']:,}; "
        f"the next month opened with {opening:,} loans; peak RSS {daily_run._rss_mb():,.0f} MB"
    )
    return opening


def month_payments(args, month) -> int:
    """The month's payments (module docstring, step 2), COPY'd; returns how many."""
    import polars as pl

    rng = np.random.default_rng(args.seed + 2)
    first, last = month.first.isoformat(), month.last.isoformat()
    opening = _copy_out(
        f"SELECT loan_id, overdue_fen FROM reports_openingposition WHERE month = '{first}' ORDER BY loan_id"  # noqa: S608
    )
    due = _copy_out(
        f"""SELECT i.loan_id, i.due_date, i.principal_fen + i.interest_fen AS amount FROM portfolio_instalment i
        WHERE i.due_date BETWEEN '{first}' AND '{last}' AND NOT EXISTS (
            SELECT 1 FROM reports_openingposition o WHERE o.month = '{first}' AND o.loan_id = i.loan_id
        ) ORDER BY i.loan_id, i.due_date"""  # noqa: S608 (dates we made)
    )
    days = np.arange(np.datetime64(month.first), np.datetime64(month.last) + 1)
    payer = opening.filter(pl.Series(rng.random(opening.height) < args.pay_share))
    amount = (payer["overdue_fen"].to_numpy() * rng.uniform(0.05, 1.3, payer.height)).astype(np.int64)
    second = rng.random(payer.height) < 0.25
    regular = due.filter(pl.Series(rng.random(due.height) < args.regular_share))
    loan = np.concatenate([payer["loan_id"].to_numpy(), payer["loan_id"].to_numpy()[second], regular["loan_id"]])
    paid = np.concatenate(
        [
            np.maximum(amount, 100),
            np.maximum(amount[second] // 3, 100),
            regular["amount"].to_numpy(),
        ]
    )
    on = np.concatenate(
        [
            rng.choice(days, payer.height),
            rng.choice(days, int(second.sum())),
            regular["due_date"].to_numpy().astype("datetime64[D]"),
        ]
    )
    tag = f"K{month}-"
    frame = pl.DataFrame(
        {
            "external_id": pl.Series([tag] * len(loan)) + pl.Series(np.arange(1, len(loan) + 1)).cast(pl.String),
            "loan_id": loan,
            "paid_on": on,
            "amount_fen": paid,
            "feed_date": on,
        }
    )
    _copy_in("portfolio_payment", frame)
    print(
        f"payments of {month}: {frame.height:,} ({payer.height:,} opening loans paying, {int(second.sum()):,} of "
        f"them twice; {regular.height:,} instalments paid when due), {frame['amount_fen'].sum() / 100:,.2f} yuan"
    )
    return frame.height


def under_way_through(month) -> date:
    """Record a completed nightly run on the month's second-last day (the ledger row only), so the month is under
    way through that day."""
    from django.utils import timezone

    from arrears.daily.models import Run, RunStatus

    through = month.last - timedelta(days=1)
    Run.objects.get_or_create(
        business_date=through,
        defaults={
            "status": RunStatus.DONE,
            "started_at": timezone.now(),
            "finished_at": timezone.now(),
            "summary": {"bench": "kpi_month.py: a ledger row only"},
        },
    )
    return through


def pad_opening(args, month, staff) -> int:
    """Worst case: synthetic delinquent loans added to `month`'s opening and to the live positions (the end of
    the day before the month) until a share `--opening-share` of the book is in the opening. Committed."""
    import polars as pl
    from django.db import transaction

    rng = np.random.default_rng(args.seed + 3)
    first = month.first.isoformat()
    eve = month.first - timedelta(days=1)
    others = _copy_out(
        "SELECT l.id AS loan_id, l.borrower_id, l.product FROM portfolio_loan l WHERE NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM reports_openingposition o WHERE o.month = '{first}' AND o.loan_id = l.id) "
        "AND NOT EXISTS (SELECT 1 FROM portfolio_loanposition p WHERE p.loan_id = l.id) ORDER BY l.id"
    )
    from arrears.accounts.models import User
    from arrears.reports.models import OpeningPosition

    have = OpeningPosition.objects.filter(month=month.first).count()
    want = min(int(args.loans * args.opening_share) - have, others.height)
    if want <= 0:
        return 0
    rows = others.sample(want, seed=args.seed, shuffle=False)
    n = rows.height
    kind = rng.choice(3, n, p=[0.55, 0.25, 0.2])
    dpd = np.where(
        kind == 0, rng.integers(1, 31, n), np.where(kind == 1, rng.integers(31, 91, n), rng.integers(91, 400, n))
    )
    klass = np.array(["mild", "moderate", "severe"])[kind]
    bucket = np.where(dpd <= 30, "M1", np.where(dpd <= 60, "M2", np.where(dpd <= 90, "M3", "M3+")))
    principal = rng.integers(10_000, 2_000_000, n, dtype=np.int64)
    interest = principal * rng.integers(1, 15, n) // 1_000
    penalty = principal * dpd * 15 // 100_000
    compound = interest * dpd * 15 // 100_000
    who = rng.integers(0, len(staff), n)
    collector = np.array([user.pk for user in staff], dtype=np.int64)[who]
    team_of = dict(User.objects.filter(pk__in=[u.pk for u in staff]).values_list("pk", "team_id"))
    team = np.array([team_of[pk] for pk in collector], dtype=np.int64)
    common = {
        "loan_id": rows["loan_id"],
        "borrower_id": rows["borrower_id"],
        "delinquency_class": klass,
        "bucket": bucket,
        "dpd": dpd,
        "overdue_principal_fen": principal,
        "overdue_interest_fen": interest,
        "penalty_fen": penalty,
        "compound_fen": compound,
    }
    opening = pl.DataFrame(
        {
            "month": [month.first] * n,
            **common,
            "product": rows["product"],
            "overdue_fen": principal + interest + penalty + compound,
            "collector_id": collector,
            "team_id": team,
        }
    )
    positions = pl.DataFrame(
        {
            **common,
            "as_of": [eve] * n,
            "earliest_unpaid_due": pl.Series(np.datetime64(eve) - dpd.astype("timedelta64[D]")),
        }
    )
    started = time.perf_counter()
    with transaction.atomic():
        _copy_in("reports_openingposition", opening)
        _copy_in("portfolio_loanposition", positions)
    _vacuum("reports_openingposition", "portfolio_loanposition")
    print(
        f"padded: {n:,} synthetic delinquent loans added to the opening and the positions in {time.perf_counter() - started:.1f} s"
    )
    return n


def baseline_recovery(month, through: date) -> dict:
    """The month's recovery by class the obvious way: its payments per loan in a dict, then the opening's rows."""
    from arrears.portfolio.models import Payment
    from arrears.reports.models import OpeningPosition

    paid: dict[int, int] = defaultdict(int)
    payments = Payment.objects.filter(feed_date__gte=month.first, feed_date__lte=through)
    for loan_id, amount in payments.values_list("loan_id", "amount_fen").iterator(chunk_size=50_000):
        paid[loan_id] += amount
    totals: dict[str, list[int]] = {}
    opening = OpeningPosition.objects.filter(month=month.first)
    for klass, loan_id, overdue in opening.values_list("delinquency_class", "loan_id", "overdue_fen").iterator(
        chunk_size=50_000
    ):
        row = totals.setdefault(klass, [0, 0, 0])
        row[0] += 1
        row[1] += overdue
        row[2] += min(paid.get(loan_id, 0), overdue)
    return {klass: tuple(row) for klass, row in totals.items()}


def month_end_positions(month) -> str:
    """A stand-in for the month's nightly runs, so that the close finds loans cured, rolled on and newly overdue:
    the live positions of loans whose payments fed in the month covered their overdue amount are removed, the
    others' DPD grows by the month's days (class and bucket follow), and a loan not in arrears that paid nothing
    in the month and had an instalment due before its last day becomes overdue from that day."""
    from django.db import connection

    first, last, days = month.first.isoformat(), month.last.isoformat(), (month.last - month.first).days + 1
    paid = f"SELECT loan_id, SUM(amount_fen) AS s FROM portfolio_payment WHERE feed_date BETWEEN '{first}' AND '{last}' GROUP BY loan_id"  # noqa: S608
    klass = "CASE WHEN {d} <= 30 THEN 'mild' WHEN {d} <= 90 THEN 'moderate' ELSE 'severe' END"
    bucket = "CASE WHEN {d} <= 30 THEN 'M1' WHEN {d} <= 60 THEN 'M2' WHEN {d} <= 90 THEN 'M3' ELSE 'M3+' END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM portfolio_loanposition p USING ({paid}) x WHERE x.loan_id = p.loan_id
            AND x.s >= p.overdue_principal_fen + p.overdue_interest_fen + p.penalty_fen + p.compound_fen"""  # noqa: S608
        )
        cured = cursor.rowcount
        cursor.execute(
            f"""UPDATE portfolio_loanposition SET as_of = '{last}', dpd = dpd + {days},
            delinquency_class = {klass.format(d=f"dpd + {days}")}, bucket = {bucket.format(d=f"dpd + {days}")}"""  # noqa: S608
        )
        still = cursor.rowcount
        d = f"('{last}'::date - i.due_date)"
        cursor.execute(
            f"""INSERT INTO portfolio_loanposition (loan_id, borrower_id, as_of, dpd, delinquency_class, bucket,
                earliest_unpaid_due, overdue_principal_fen, overdue_interest_fen, penalty_fen, compound_fen)
            SELECT DISTINCT ON (i.loan_id) i.loan_id, l.borrower_id, '{last}', {d}, {klass.format(d=d)},
                {bucket.format(d=d)}, i.due_date, i.principal_fen, i.interest_fen, 0, 0
            FROM portfolio_instalment i JOIN portfolio_loan l ON l.id = i.loan_id
            WHERE i.due_date >= '{first}' AND i.due_date < '{last}'
            AND NOT EXISTS (SELECT 1 FROM portfolio_loanposition p WHERE p.loan_id = i.loan_id)
            AND NOT EXISTS (SELECT 1 FROM portfolio_payment y WHERE y.loan_id = i.loan_id AND y.feed_date >= '{first}')
            ORDER BY i.loan_id, i.due_date"""  # noqa: S608
        )
        return f"{cured:,} positions cleared, {still:,} older by {days} days, {cursor.rowcount:,} new"


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def measure(label: str, month, args, actor) -> list[tuple]:
    """Step 3 of the module docstring; returns the table's rows (stage, what, seconds, loans, baseline or None)."""
    from django.db import connection, transaction

    from arrears.reports.facts import do_keep_month_facts
    from arrears.reports.indicators import average_dpd, rolls
    from arrears.reports.kpi import recovery
    from arrears.reports.models import MonthOutcome, OpeningPosition
    from arrears.reports.summary import month_summary

    n = OpeningPosition.objects.filter(month=month.first).count()
    print(f"\n== {label}: {n:,} loans in the opening of {month}")
    rows: list[tuple] = []

    def timed(what: str, call, loans: int = n, repeat: int = args.repeat):
        seconds, result = _median(call, repeat)
        rows.append([label, what, seconds, loans, None])
        print(f"  {what}: {seconds:.3f} s (median of {repeat})")
        return seconds, result

    def timed_closed(what: str, call):
        """A closed month's figure is computed once and then read from the cache (`kpi.frozen`): both timed."""
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
        rows.append([label, f"{what}, computed", seconds, n, None])
        cached, _result = _median(call, args.repeat)
        rows.append([label, f"{what}, from the cache", cached, n, None])
        print(f"  {what}: {seconds:.3f} s computed, then {cached:.3f} s from the cache (median of {args.repeat})")
        return seconds, result

    main_s, figures = timed("recovery by class, month under way", lambda: recovery(month, "class"))
    print(
        f"    through {figures.through} (closed: {figures.closed}); "
        + "; ".join(
            f"{r.key} {r.loans:,} loans {_yuan(r.opening_overdue_fen)} → {_yuan(r.recovered_fen)} = {r.recovery_rate}"
            for r in figures.rows
        )
    )
    _s, summary = timed("month_summary by class, with costs", lambda: month_summary(month, "class"))
    print(f"    recovery rate {summary['recovery_rate']}, cost {summary['cost']}, cost rate {summary['cost_rate']}")
    _s, found = timed("recovery by collector", lambda: recovery(month, "collector"))
    print(f"    {len(found.rows)} groups ({sum(r.loans for r in found.rows if r.key is None):,} loans without one)")
    _s, found = timed("recovery by product", lambda: recovery(month, "product"))
    print(f"    {len(found.rows)} groups: " + ", ".join(f"{r.key} {r.loans:,}" for r in found.rows))
    if not args.no_baseline:
        base_s, base = _median(lambda: baseline_recovery(month, figures.through), args.repeat)
        same = all(
            base.get(r.key, (0, 0, 0)) == (r.loans, r.opening_overdue_fen, r.recovered_fen) for r in figures.rows
        )
        for row in rows:
            row[4] = base_s
        rows.append([label, "baseline: values_list into a dict, a Python loop", base_s, n, base_s])
        print(
            f"  baseline (values_list + loop): {base_s:.3f} s (median of {args.repeat}); same figures: {same}; "
            f"recovery by class is {base_s / main_s:.1f}x faster"
        )
    with connection.cursor() as cursor:  # the positions at the month's opening, put back afterwards
        cursor.execute("DROP TABLE IF EXISTS bench_positions_eve")
        cursor.execute("CREATE TABLE bench_positions_eve AS SELECT * FROM portfolio_loanposition")
    with transaction.atomic():
        print(f"  the month's end (a stand-in for its nights, not timed): {month_end_positions(month)}")
    _vacuum("portfolio_loanposition")
    with transaction.atomic():  # as the nightly run of the month's last day; rolled back below
        started = time.perf_counter()
        facts = do_keep_month_facts(month.last, actor=actor)
        seconds = time.perf_counter() - started
        rows.append([label, f"do_keep_month_facts({month.last}): close and open", seconds, facts.closed_loans, None])
        with connection.cursor() as cursor:  # the foreign-key checks the commit would make (deferred)
            started = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checks = time.perf_counter() - started
        rows.append([label, "— its deferred foreign-key checks (paid at the commit)", checks, facts.closed_loans, None])
        print(
            f"  do_keep_month_facts({month.last}): {seconds:.3f} s (once) + {checks:.3f} s of deferred foreign-key "
            f"checks: {facts.closed} closed with {facts.closed_loans:,} outcomes "
            f"({MonthOutcome.objects.filter(month=month.first).count():,} stored), {facts.opened} opened with "
            f"{facts.opened_loans:,} loans"
        )
        with connection.cursor() as cursor:  # what autovacuum would do before anyone asks the closed month
            cursor.execute("ANALYZE reports_monthoutcome, reports_openingposition, reports_openingbook")
        _s, closed = timed_closed("recovery by class, closed month", lambda: recovery(month, "class"))
        print(
            f"    closed: {closed.closed}; recovered {_yuan(closed.recovered_fen)} of "
            f"{_yuan(closed.opening_overdue_fen)} (under way through {figures.through}: {_yuan(figures.recovered_fen)})"
        )
        _s, matrix = timed_closed("rolls (roll-rate matrix and cure rate)", lambda: rolls(month))
        print(f"    cure rate {matrix.cure_rate}; M1 → M2 {matrix.rate('M1', 'M2')}; M0 → M1 {matrix.rate('M0', 'M1')}")
        _s, days = timed("average_dpd by class", lambda: average_dpd(month))
        print("    " + ", ".join(f"{k} {v}" for k, v in sorted(days.items())))
        transaction.set_rollback(True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE portfolio_loanposition")
        cursor.execute("INSERT INTO portfolio_loanposition SELECT * FROM bench_positions_eve")
        cursor.execute("DROP TABLE bench_positions_eve")
    _vacuum("portfolio_loanposition")
    print(f"  peak RSS {daily_run._rss_mb():,.0f} MB")
    return rows


def counts(month) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        found = []
        for name, sql in (
            ("loans", "SELECT COUNT(*) FROM portfolio_loan"),
            ("instalments", "SELECT COUNT(*) FROM portfolio_instalment"),
            ("payments", "SELECT COUNT(*) FROM portfolio_payment"),
            ("of them fed in the month", f"SELECT COUNT(*) FROM portfolio_payment WHERE feed_date >= '{month.first}'"),  # noqa: S608
            ("live positions", "SELECT COUNT(*) FROM portfolio_loanposition"),
            ("open cases", "SELECT COUNT(*) FROM collection_collectioncase WHERE status = 'open'"),
            ("opening rows", f"SELECT COUNT(*) FROM reports_openingposition WHERE month = '{month.first}'"),  # noqa: S608
        ):
            cursor.execute(sql)
            found.append(f"{name} {cursor.fetchone()[0]:,}")
    return ", ".join(found)


def print_table(rows: list[tuple]) -> None:
    print("\n| stage | what | loans | seconds | loans/s | baseline ÷ this |")
    print("|---|---|---:|---:|---:|---:|")
    for stage, what, seconds, loans, base in rows:
        ratio = f"{base / seconds:.1f}×" if base else ""
        print(f"| {stage} | {what} | {loans:,} | {seconds:.3f} | {loans / seconds:,.0f} | {ratio} |")


def main() -> int:
    args = _args()
    if (args.business_date + timedelta(days=1)).day != 1:
        print("bench: --business-date must be a month's last day (its night opens the next month)", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    anchor_apart("kpi-month")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    if connection.vendor != "postgresql":
        print("bench: PostgreSQL only (the book and the payments are loaded by COPY)", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.agencies.commissions import Month

    actor = User.objects.get(username=SYSTEM_USERNAME)
    if not prepare_book(args):
        return 2
    if args.load_only:
        return 0
    staff = collectors(args)
    nightly(args.business_date, actor)
    month = Month.of(args.business_date).next()
    month_payments(args, month)
    through = under_way_through(month)
    _vacuum("portfolio_payment", "reports_openingposition", "daily_run", "reports_monthclose")
    print(f"{month} under way through {through}; {counts(month)}")
    rows = measure("kept by the nightly run", month, args, actor)
    if args.opening_share > 0 and pad_opening(args, month, staff):
        print(counts(month))
        rows += measure(f"padded to {args.opening_share:.0%} of the book", month, args, actor)
    print_table(rows)
    print(f"peak RSS {daily_run._rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
