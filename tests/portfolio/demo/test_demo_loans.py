"""Demo loans: exact schedules from the finance core, and payments that leave a realistic delinquency mix."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from arrears.finance import build_schedule, due_dates, from_fen
from arrears.finance.account import Receipt, ScheduledInstalment, replay
from arrears.finance.schedule import add_months
from arrears.policy import policy_on
from arrears.portfolio.demo.loans import PRODUCTS


def fen(series: pl.Series) -> list[int]:
    return series.to_list()


def test_due_dates_of_polars_offset_agree_with_the_finance_core():
    """The vectorised rule (`dt.offset_by`) equals `add_months` for every start day of 2023–2024 (month ends,
    29 February) and offsets up to 360 months."""
    starts = pl.date_range(date(2023, 1, 1), date(2024, 12, 31), eager=True)
    frame = pl.DataFrame({"start": starts}).join(
        pl.DataFrame({"k": [1, 2, 11, 12, 13, 59, 240, 359, 360]}), how="cross"
    )
    got = frame.select(pl.col("start").dt.offset_by(pl.format("{}mo", pl.col("k")))).to_series().to_list()
    assert got == [add_months(s, k) for s, k in frame.iter_rows()]
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_schedule_principal_sums_exactly_to_the_loan(bank):
    """For every loan, the principal parts of its schedule sum to its principal, to the fen."""
    sums = bank.schedules.group_by("loan_id").agg(pl.col("principal_fen").sum().alias("sum"), pl.len().alias("rows"))
    joined = bank.loans.join(sums, on="loan_id", how="left")
    assert joined["sum"].null_count() == 0
    assert (joined["sum"] == joined["principal_fen"]).all()
    bullet = joined.filter(pl.col("method") == "bullet")
    assert (bullet["rows"] == 1).all()
    others = joined.filter(pl.col("method") != "bullet")
    assert (others["rows"] == others["term_months"]).all()


def test_schedules_are_the_finance_cores_with_its_due_dates(bank):
    """A sample of loans of every product and method: rows equal `build_schedule` from the loan's own start."""
    sample = bank.loans.group_by("product", "method", maintain_order=True).head(12).select(bank.loans.columns)
    month_ends = bank.loans.filter(pl.col("start_date").dt.day() >= 29).head(40)
    by_loan = bank.schedules.partition_by("loan_id", as_dict=True)
    for loan in pl.concat([sample, month_ends]).iter_rows(named=True):
        expected = build_schedule(
            principal=from_fen(loan["principal_fen"]),
            annual_rate=loan["annual_rate"],
            months=loan["term_months"],
            method=loan["method"],
            start=loan["start_date"],
        )
        rows = by_loan[(loan["loan_id"],)].sort("n")
        assert rows["n"].to_list() == [i.n for i in expected.instalments]
        assert rows["due_date"].to_list() == [i.due_date for i in expected.instalments]
        assert [from_fen(p) for p in fen(rows["principal_fen"])] == [i.principal for i in expected.instalments]
        assert [from_fen(p) for p in fen(rows["interest_fen"])] == [i.interest for i in expected.instalments]
        dates = due_dates(loan["start_date"], loan["term_months"])
        assert rows["due_date"].to_list() == (list(dates[-1:]) if loan["method"] == "bullet" else list(dates))


def test_products_terms_and_start_dates(bank, business_date):
    """Principals in whole thousands of yuan, rates and terms from each product's grid, mortgages about 5%,
    start dates within three years before the business date."""
    loans = bank.loans
    assert (loans["principal_fen"] % 100_000 == 0).all()
    for product in PRODUCTS:
        mine = loans.filter(pl.col("product") == product.code)
        assert abs(mine.height / loans.height - product.share) < 0.02
        low, high, _ = product.principal_yuan
        assert mine["principal_fen"].min() >= low * 100
        assert mine["principal_fen"].max() <= high * 100
        assert set(mine["annual_rate"].to_list()) <= {Decimal(r) for r in product.rates}
        assert set(mine["term_months"].to_list()) <= set(product.terms)
        assert set(mine["method"].to_list()) == {m for m, _ in product.methods}
    assert loans["start_date"].min() >= business_date - timedelta(days=1_095)
    assert loans["start_date"].max() <= business_date - timedelta(days=31)


def test_payments_stay_between_the_start_and_the_business_date(bank, business_date):
    payments = bank.payments.join(bank.loans.select("loan_id", "start_date"), on="loan_id", how="left")
    assert payments["start_date"].null_count() == 0
    assert (payments["paid_on"] <= business_date).all()
    assert (payments["paid_on"] >= payments["start_date"]).all()
    assert (payments["amount_fen"] > 0).all()
    assert payments["payment_id"].is_unique().all()
    assert payments["payment_id"].str.len_chars().max() <= 40


def test_closed_loans_are_fully_paid_and_over(bank, business_date):
    owed = bank.schedules.group_by("loan_id").agg(
        (pl.col("principal_fen") + pl.col("interest_fen")).sum().alias("owed"), pl.col("due_date").max().alias("last")
    )
    paid = bank.payments.group_by("loan_id").agg(pl.col("amount_fen").sum().alias("paid"))
    closed = bank.loans.filter(pl.col("status") == "closed").join(owed, on="loan_id").join(paid, on="loan_id")
    assert closed.height == (bank.loans["status"] == "closed").sum() > 0
    assert (closed["paid"] == closed["owed"]).all()
    assert (closed["last"] <= business_date).all()


def test_delinquency_mix_within_tolerance(bank):
    """About 85% of active loans are current; of the delinquent, most are mild (DPD 1–30), a few 90+."""
    active = bank.positions.filter(pl.col("status") == "active")
    assert 0.80 <= (active["dpd"] == 0).mean() <= 0.90
    dpd = active.filter(pl.col("dpd") > 0)["dpd"]
    share = {
        "1-30": dpd.is_between(1, 30).mean(),
        "31-60": dpd.is_between(31, 60).mean(),
        "61-90": dpd.is_between(61, 90).mean(),
        "90+": (dpd > 90).mean(),
    }
    assert 0.50 < share["1-30"] < 0.70
    assert 0.10 < share["31-60"] < 0.30
    assert 0.03 < share["61-90"] < 0.15
    assert 0.03 < share["90+"] < 0.20
    assert bank.positions.filter(pl.col("status") == "closed")["dpd"].max() == 0
    partial = bank.positions.filter(pl.col("dpd") > 0)["partial_payment"].mean()
    assert 0.2 < partial < 0.4


def test_the_finance_core_sees_the_dpd_the_generator_meant(bank, business_date):
    """Replaying a sample of loans' schedules and payments with the finance core (allocation order, penalty
    interest on late partial payments) gives the intended DPD, and closed loans owe nothing."""
    policy = policy_on(business_date)
    delinquent = bank.positions.filter(pl.col("dpd") > 0).head(150)
    others = bank.positions.filter(pl.col("dpd") == 0).head(150)
    sample = pl.concat([delinquent, others])
    ids = sample["loan_id"].implode()
    loans = bank.loans.filter(pl.col("loan_id").is_in(ids)).rows_by_key("loan_id", named=True, unique=True)
    schedules = bank.schedules.filter(pl.col("loan_id").is_in(ids)).partition_by("loan_id", as_dict=True)
    payments = bank.payments.filter(pl.col("loan_id").is_in(ids)).partition_by("loan_id", as_dict=True)
    empty = bank.payments.clear()
    for position in sample.iter_rows(named=True):
        loan_id = position["loan_id"]
        got = replay(
            [
                ScheduledInstalment(r["n"], r["due_date"], from_fen(r["principal_fen"]), from_fen(r["interest_fen"]))
                for r in schedules[(loan_id,)].iter_rows(named=True)
            ],
            [
                Receipt(r["payment_id"], r["paid_on"], from_fen(r["amount_fen"]))
                for r in payments.get((loan_id,), empty).iter_rows(named=True)
            ],
            annual_rate=loans[loan_id]["annual_rate"],
            markup=policy.penalty.markup,
            day_basis=policy.penalty.day_basis,
            order=policy.allocation.order,
            compound_on_interest=policy.penalty.compound_on_interest,
            as_of=business_date,
        )
        assert got.dpd == position["dpd"], loan_id
        if position["status"] == "closed":
            assert got.outstanding_principal == 0
            assert got.overdue_total == 0
