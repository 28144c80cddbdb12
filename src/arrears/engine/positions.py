"""Where each instalment and each loan stands on the as-of date (CLS-1), to the fen of `arrears.finance`.

How the penalty is exact
------------------------
`arrears.finance.account.replay` accrues, for each overdue instalment, penalty = Σ balance × rate × days ÷
basis over the stretches between payments, and rounds half-up to the fen when an amount is needed. Because
accrual is linear in the balance, the same sum is

    principal × days overdue − Σ (each principal payment × the days from its payment, or the due date if it
    came earlier, to the as-of date)

in fen-days, an integer; likewise for compound interest on unpaid interest. The kernel computes these
fen-days from the allocation rows, multiplies by the penalty rate as an integer at scale 1e12 and divides by
basis × 1e12 with half-up rounding, in 128-bit integers: no float, no Decimal, and the same fen as the
finance core however the days were split between payments. What was paid of penalty and compound interest is
then subtracted, per instalment, as the finance core does.

DPD counts from the day after the earliest instalment not fully settled (principal, interest, penalty and
compound interest) whose due date is before the as-of date: an instalment due today is not late (CLS-1). Where
the policy rolls due dates (`schedule.roll_non_working_due_date`), the effective due date is the next working
day, and it is the effective date that DPD, penalty and reminders count from.
"""

from __future__ import annotations

import polars as pl

from arrears.engine.params import RATE_SCALE, Terms

__all__ = [
    "AMOUNT_COLUMNS",
    "POSITION_COLUMNS",
    "bucket_of",
    "class_of",
    "instalment_positions",
    "loan_positions",
]

AMOUNT_COLUMNS = ["overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "compound_fen"]
# What a loan position holds (the shell stores these for delinquent loans).
POSITION_COLUMNS = [
    "loan_id",
    "borrower_id",
    "dpd",
    "delinquency_class",
    "bucket",
    "earliest_unpaid_due",
    *AMOUNT_COLUMNS,
]


def class_of(dpd: pl.Expr, terms: Terms) -> pl.Expr:
    """CLS-1: current (DPD 0), mild 1–30, moderate 31–90, severe above (bounds from the policy)."""
    return (
        pl.when(dpd <= 0)
        .then(pl.lit("current"))
        .when(dpd <= terms.mild_max_dpd)
        .then(pl.lit("mild"))
        .when(dpd <= terms.moderate_max_dpd)
        .then(pl.lit("moderate"))
        .otherwise(pl.lit("severe"))
    )


def bucket_of(dpd: pl.Expr, terms: Terms) -> pl.Expr:
    """The report's M-buckets (policy `buckets`): M0 (current), M1 (1–30), M2 (31–60), M3 (61–90), M3+ (over
    90) by default."""
    expr = pl.when(dpd <= 0).then(pl.lit("M0"))
    for name, upper in zip(("M1", "M2", "M3"), terms.bucket_bounds, strict=True):
        expr = expr.when(dpd <= upper).then(pl.lit(name))
    return expr.otherwise(pl.lit("M3+"))


def _half_up_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """round-half-up(numerator ÷ denominator) for numerator ≥ 0, exactly, in Int128."""
    return ((numerator.cast(pl.Int128) * 2 + denominator) // (2 * denominator)).cast(pl.Int64)


def _paid(component: str, weight: pl.Expr | None = None) -> pl.Expr:
    """The allocation's amount (times `weight`) where it went to `component`, else 0: computed on the rows
    before grouping, so that the group_by only sums plain columns (polars' fast path)."""
    amount = pl.col("amount_fen") if weight is None else pl.col("amount_fen") * weight
    return pl.when(pl.col("component") == component).then(amount).otherwise(0)


def instalment_positions(
    instalments: pl.LazyFrame, allocations: pl.LazyFrame, loans: pl.LazyFrame, days: pl.LazyFrame, terms: Terms
) -> pl.LazyFrame:
    """One row per instalment that matters on the as-of date — overdue (effective due date before it) or due on
    a reminder day — with what is left of it and what it owes. Instalments due later are left out: they owe
    nothing yet and no reminder is due for them today."""
    as_of = terms.as_of
    items = instalments.filter(pl.col("due_date") <= terms.horizon)
    if terms.roll_due_dates:
        items = items.join(days, left_on="due_date", right_on="day", how="left").with_columns(
            effective_due=pl.coalesce("effective_day", "due_date")
        )
    else:
        items = items.with_columns(effective_due=pl.col("due_date"))
    items = items.filter((pl.col("effective_due") < as_of) | pl.col("effective_due").is_in(terms.reminder_days))
    paid_after = (pl.lit(as_of) - pl.max_horizontal("paid_on", "effective_due")).dt.total_days().clip(lower_bound=0)
    paid = (
        allocations.filter(pl.col("paid_on") <= as_of)
        .join(items.select("loan_id", "n", "effective_due"), on=["loan_id", "n"], how="inner")
        .with_columns(after=paid_after)
        .select(
            "loan_id",
            "n",
            principal_paid=_paid("principal"),
            interest_paid=_paid("interest"),
            penalty_paid=_paid("penalty_interest"),
            compound_paid=_paid("compound_interest"),
            principal_days_paid=_paid("principal", pl.col("after")),
            interest_days_paid=_paid("interest", pl.col("after")),
        )
        .group_by("loan_id", "n")
        .agg(pl.all().sum())
    )
    paid_columns = [
        "principal_paid",
        "interest_paid",
        "penalty_paid",
        "compound_paid",
        "principal_days_paid",
        "interest_days_paid",
    ]
    rate = pl.col("annual_rate_e8") * (pl.coalesce("markup_e4", pl.lit(terms.markup_e4)) + 10_000)
    denominator = terms.day_basis * RATE_SCALE
    days_over = (pl.lit(as_of) - pl.col("effective_due")).dt.total_days().clip(lower_bound=0)
    principal_days = pl.col("principal_fen") * days_over - pl.col("principal_days_paid")
    interest_days = pl.col("interest_fen") * days_over - pl.col("interest_days_paid")
    penalty = _half_up_div(principal_days.cast(pl.Int128) * rate, denominator)
    compound = _half_up_div(interest_days.cast(pl.Int128) * rate, denominator) if terms.compound else pl.lit(0)
    return (
        items.join(paid, on=["loan_id", "n"], how="left")
        .with_columns(pl.col(c).fill_null(0) for c in paid_columns)
        .join(loans.select("loan_id", "borrower_id", "annual_rate_e8", "markup_e4"), on="loan_id", how="inner")
        .with_columns(
            principal_left=pl.col("principal_fen") - pl.col("principal_paid"),
            interest_left=pl.col("interest_fen") - pl.col("interest_paid"),
            penalty_owed=penalty - pl.col("penalty_paid"),
            compound_owed=compound - pl.col("compound_paid"),
            overdue=pl.col("effective_due") < as_of,
        )
        .with_columns(
            settled=(pl.col("principal_left") == 0)
            & (pl.col("interest_left") == 0)
            & (pl.col("penalty_owed") == 0)
            & (pl.col("compound_owed") == 0),
            problem=pl.when(pl.col("principal_fen").lt(0) | pl.col("interest_fen").lt(0))
            .then(pl.lit("instalment with a negative amount"))
            .when(pl.col("principal_left").lt(0) | pl.col("interest_left").lt(0))
            .then(pl.lit("payments allocated beyond the instalment's principal or interest"))
            .when(pl.col("penalty_owed").lt(0) | pl.col("compound_owed").lt(0))
            .then(pl.lit("more penalty or compound interest paid than has accrued"))
            .when(pl.col("annual_rate_e8").is_null() | pl.col("annual_rate_e8").lt(0))
            .then(pl.lit("loan without a valid contract rate")),
        )
        .select(
            "loan_id",
            "borrower_id",
            "n",
            "due_date",
            "effective_due",
            "principal_left",
            "interest_left",
            "penalty_owed",
            "compound_owed",
            "overdue",
            "settled",
            "problem",
        )
    )


def loan_positions(items: pl.LazyFrame, borrowers: pl.LazyFrame, terms: Terms) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(positions, problems): one row per loan in arrears (DPD over 0) with its class, bucket and overdue
    amounts — a loan not listed is current and owes nothing overdue; and one row per loan whose data does not
    add up (it gets no position, and nothing is decided on it)."""
    as_of = terms.as_of
    # Only overdue instalments make a position (one due on a reminder day owes nothing yet); a problem on any
    # instalment read today holds the loan back.
    # The filters are applied to the rows before grouping (an instalment not overdue counts 0, and no date),
    # so that the group_by only takes plain first/min/sum (polars' fast path, no per-group filter).
    overdue = pl.col("overdue")
    per_loan = (
        items.filter(overdue | pl.col("problem").is_not_null())
        .select(
            "loan_id",
            "borrower_id",
            earliest_unpaid_due=pl.when(overdue & ~pl.col("settled")).then(pl.col("effective_due")),
            overdue_principal_fen=pl.when(overdue).then(pl.col("principal_left")).otherwise(0),
            overdue_interest_fen=pl.when(overdue).then(pl.col("interest_left")).otherwise(0),
            penalty_fen=pl.when(overdue).then(pl.col("penalty_owed")).otherwise(0),
            compound_fen=pl.when(overdue).then(pl.col("compound_owed")).otherwise(0),
            problem="problem",
        )
        .group_by("loan_id")
        .agg(
            pl.col("borrower_id").first(),
            pl.col("earliest_unpaid_due").min(),
            pl.col(AMOUNT_COLUMNS).sum(),
            pl.col("problem").drop_nulls().first(),
        )
    )
    decided = per_loan.filter(pl.col("earliest_unpaid_due").is_not_null() | pl.col("problem").is_not_null())
    orphans = (
        decided.select("loan_id", "borrower_id")
        .join(borrowers.select("borrower_id"), on="borrower_id", how="anti")
        .with_columns(problem=pl.lit("loan whose borrower is missing"))
    )
    problems = pl.concat(
        [orphans, decided.filter(pl.col("problem").is_not_null()).select("loan_id", "borrower_id", "problem")]
    ).unique("loan_id", keep="first", maintain_order=True)
    dpd = (
        pl.when(pl.col("earliest_unpaid_due").is_null())
        .then(0)
        .otherwise((pl.lit(as_of) - pl.col("earliest_unpaid_due")).dt.total_days())
        .cast(pl.Int32)
    )
    amounts = AMOUNT_COLUMNS
    positions = (
        decided.join(orphans.select("loan_id"), on="loan_id", how="anti")
        .filter(pl.col("problem").is_null())
        .with_columns(pl.col(c).fill_null(0) for c in amounts)
        .with_columns(dpd=dpd)
        .with_columns(
            delinquency_class=class_of(pl.col("dpd"), terms),
            bucket=bucket_of(pl.col("dpd"), terms),
            overdue_total_fen=pl.sum_horizontal(amounts),
            clause=pl.lit("CLS-1"),
        )
        .select(*POSITION_COLUMNS, "overdue_total_fen", "clause")
    )
    return positions, problems
