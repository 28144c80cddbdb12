"""The demo bank's past: an earlier cured delinquency on some loans, and a few holds released long ago.

How this works
--------------
* **Delinquency history** (the feed's `delinquency_history`, read by WVR-1). About one active loan in
  `HISTORY_SHARE` whose first two instalments were paid and whose first fell due at least 60 days before the
  business date was *late* on its first instalment: it was paid `L` days (3–15) after its due date instead
  of on time, and the history says so — `mild` with DPD 1 the day after the due date, `current` again on the
  day it was paid. The payment is raised by an upper bound of the penalty and compound interest those days
  cost (the amount × the contract rate × 2 × L / 360, rounded up, plus 1.00: the markup is at most 100%), so
  the instalment is still settled in full and the loan stands where the generator meant; the few fen over go
  to the next instalment. The cure lies before the loan's second instalment fell due, so before any present
  delinquency. A borrower with such a loan is not eligible for a penalty waiver (WVR-1: not the first
  delinquency); the others are.
* **Holds** (the feed's `holds`): about one borrower in `HOLD_SHARE` had a dispute on record that started
  and was released months before the business date, so no demo hold stops collection today.

Pure: numpy and polars; no Django.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

__all__ = ["HISTORY_SHARE", "HOLD_SHARE", "make_holds", "with_history"]

HISTORY_SHARE = 0.12
HOLD_SHARE = 0.01
_HISTORY_COLUMNS = {"loan_id": pl.String, "effective_on": pl.Date, "dpd": pl.Int64, "delinquency_class": pl.String}
_HOLD_COLUMNS = {
    "hold_id": pl.String,
    "borrower_id": pl.String,
    "loan_id": pl.String,
    "kind": pl.String,
    "reason": pl.String,
    "starts_on": pl.Date,
    "ends_on": pl.Date,
    "released_on": pl.Date,
}


def with_history(
    rng: np.random.Generator,
    loans: pl.DataFrame,
    schedules: pl.DataFrame,
    payments: pl.DataFrame,
    positions: pl.DataFrame,
    business_date: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(payments with the late first payments, delinquency history) — see the module docstring."""
    first = schedules.filter(pl.col("n") == 1).select(
        "loan_id", due=pl.col("due_date"), owed=pl.col("principal_fen") + pl.col("interest_fen")
    )
    candidates = (
        positions.filter((pl.col("status") == "active") & (pl.col("paid_instalments") >= 2))
        .select("loan_id")
        .join(first, on="loan_id")
        .filter(pl.col("due") <= pl.lit(business_date - timedelta(days=60)))
        .join(loans.select("loan_id", "annual_rate"), on="loan_id")
        .sort("loan_id")
    )
    chosen = candidates.filter(pl.Series(rng.random(candidates.height) < HISTORY_SHARE))
    late = pl.Series("late", rng.integers(3, 16, chosen.height), dtype=pl.Int64)
    # The rate as an exact integer of 1/10,000 (the column is Decimal(10, 4)); never through a float.
    chosen = chosen.with_columns(late, rate_e4=(pl.col("annual_rate") * 10_000).cast(pl.Int64))
    # Upper bound of the penalty and compound interest of `late` days: owed × rate × 2 × late / 360, rounded
    # up, plus 100 fen (the numerator stays far inside Int64: at most ~1e9 × 1e4 × 2 × 15).
    bound = (pl.col("owed") * pl.col("rate_e4") * 2 * pl.col("late") + 360 * 10_000 - 1) // (360 * 10_000) + 100
    chosen = chosen.with_columns(paid_on=pl.col("due") + pl.duration(days=pl.col("late")), extra=bound)
    # The first instalment's payment is the loan's earliest (instalments are paid in order, early or on time).
    first_payment = (
        payments.join(chosen.select("loan_id"), on="loan_id", how="semi")
        .sort("loan_id", "paid_on", "payment_id")
        .group_by("loan_id", maintain_order=True)
        .agg(pl.col("payment_id").first())
    )
    moved = first_payment.join(chosen.select("loan_id", "paid_on", "extra"), on="loan_id")
    payments = (
        payments.join(moved.select("payment_id", new_paid_on="paid_on", extra="extra"), on="payment_id", how="left")
        .with_columns(
            paid_on=pl.coalesce("new_paid_on", "paid_on"),
            amount_fen=pl.col("amount_fen") + pl.col("extra").fill_null(0),
        )
        .select(payments.columns)
    )
    history = pl.concat(
        [
            chosen.select(
                "loan_id",
                effective_on=pl.col("due") + pl.duration(days=1),
                dpd=pl.lit(1, dtype=pl.Int64),
                delinquency_class=pl.lit("mild"),
            ),
            chosen.select(
                "loan_id", effective_on="paid_on", dpd=pl.lit(0, dtype=pl.Int64), delinquency_class=pl.lit("current")
            ),
        ]
    ).sort("loan_id", "effective_on")
    return payments, history.cast(_HISTORY_COLUMNS)


def make_holds(rng: np.random.Generator, borrowers: pl.DataFrame, business_date: date) -> pl.DataFrame:
    """A released dispute for about one borrower in `HOLD_SHARE`, long over by the business date."""
    ids = borrowers.get_column("borrower_id").sort()
    picked = ids.filter(pl.Series(rng.random(ids.len()) < HOLD_SHARE))
    n = picked.len()
    starts = pl.Series([business_date - timedelta(days=int(d)) for d in rng.integers(120, 400, n)], dtype=pl.Date)
    length = pl.Series(rng.integers(5, 40, n), dtype=pl.Int64)
    return (
        pl.DataFrame({"borrower_id": picked, "starts_on": starts, "length": length})
        .select(
            hold_id="HD" + pl.col("borrower_id"),
            borrower_id="borrower_id",
            loan_id=pl.lit(None, dtype=pl.String),
            kind=pl.lit("dispute"),
            reason=pl.lit("借款人对还款记录有异议，已核实"),
            starts_on="starts_on",
            ends_on=pl.lit(None, dtype=pl.Date),
            released_on=pl.col("starts_on") + pl.duration(days=pl.col("length")),
        )
        .cast(_HOLD_COLUMNS)
    )
