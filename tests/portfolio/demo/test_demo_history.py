"""The demo bank's past: some loans were late once and cured (the feed's delinquency history), the payments
agree with that history, and the loans still stand where the generator meant."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.finance import from_fen
from arrears.finance.account import Receipt, ScheduledInstalment, replay
from arrears.policy import policy_on


def test_history_is_a_cured_first_instalment_paid_that_late(bank, business_date):
    """Clause: WVR-1 — each history loan has two rows: mild with DPD 1 the day after its first due date, current
    again on the day its first payment was made, 3–15 days later, well before the business date."""
    history = bank.delinquency_history
    assert history.height > 0
    per_loan = history.group_by("loan_id").agg(
        pl.col("effective_on").sort(), pl.col("dpd").sort_by("effective_on"), pl.col("delinquency_class")
    )
    assert (per_loan["dpd"].list.len() == 2).all()
    assert per_loan["dpd"].to_list()[0] == [1, 0]
    first_due = bank.schedules.filter(pl.col("n") == 1).select("loan_id", due="due_date")
    first_paid = bank.payments.group_by("loan_id").agg(paid=pl.col("paid_on").min())
    mild = history.filter(pl.col("delinquency_class") == "mild").join(first_due, on="loan_id")
    cured = history.filter(pl.col("delinquency_class") == "current").join(first_paid, on="loan_id")
    assert (mild["effective_on"] == mild["due"] + timedelta(days=1)).all()
    assert (cured["effective_on"] == cured["paid"]).all()
    late = mild.join(cured.select("loan_id", cured_on="effective_on"), on="loan_id")
    days = (late["cured_on"] - late["due"]).dt.total_days()
    assert days.min() >= 3
    assert days.max() <= 15
    assert (late["cured_on"] < business_date - timedelta(days=40)).all()


def test_loans_paid_late_once_stand_where_the_generator_meant(bank, business_date):
    """The late first payment covers its penalty: replayed by the finance core, each history loan has the DPD
    the generator meant (current or in today's arrears), and some delinquent borrowers have such a past while
    others do not, so the demo's waivers show both outcomes."""
    policy = policy_on(business_date)
    ids = bank.delinquency_history["loan_id"].unique().sort().head(200)
    positions = bank.positions.filter(pl.col("loan_id").is_in(ids.implode()))
    loans = bank.loans.filter(pl.col("loan_id").is_in(ids.implode())).rows_by_key("loan_id", named=True, unique=True)
    schedules = bank.schedules.filter(pl.col("loan_id").is_in(ids.implode())).partition_by("loan_id", as_dict=True)
    payments = bank.payments.filter(pl.col("loan_id").is_in(ids.implode())).partition_by("loan_id", as_dict=True)
    for position in positions.iter_rows(named=True):
        loan_id = position["loan_id"]
        got = replay(
            [
                ScheduledInstalment(r["n"], r["due_date"], from_fen(r["principal_fen"]), from_fen(r["interest_fen"]))
                for r in schedules[(loan_id,)].iter_rows(named=True)
            ],
            [
                Receipt(r["payment_id"], r["paid_on"], from_fen(r["amount_fen"]))
                for r in payments[(loan_id,)].iter_rows(named=True)
            ],
            annual_rate=loans[loan_id]["annual_rate"],
            markup=policy.penalty.markup,
            day_basis=policy.penalty.day_basis,
            order=policy.allocation.order,
            compound_on_interest=policy.penalty.compound_on_interest,
            as_of=business_date,
        )
        assert got.dpd == position["dpd"], loan_id
    owners = bank.loans.select("loan_id", "borrower_id")
    with_past = set(bank.delinquency_history.join(owners, on="loan_id")["borrower_id"])
    delinquent = set(bank.positions.filter(pl.col("dpd").is_between(1, 30)).join(owners, on="loan_id")["borrower_id"])
    assert delinquent & with_past
    assert delinquent - with_past
