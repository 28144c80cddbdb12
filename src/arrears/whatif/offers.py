"""What a night's policy would allow collectors to offer: penalty waivers (WVR-1, WVR-2) and instalment plans
(PLAN-2, PLAN-3), counted for the what-if from the night's positions and the period's history.

- **Waivers**: a loan in arrears whose DPD is at most `waiver.max_dpd`; where the policy asks for it, the borrower's
  first delinquency (their case, opened once, is the only one they have had: in the replay's cases, which start
  from the events before the period) and a contact the borrower made (a call in from them since the case opened or
  reopened). The most that may be waived is `waiver.max_share` of the penalty accrued, rounded down to the fen
  (the finance core's `waiver_limit`), less what waivers settled before; a loan counts where that is above 0. The
  penalty accrued is what its overdue instalments owe now plus what payments and waivers settled of their penalty
  by the night (penalty settled on instalments paid before the period is not in the history read).
- **Plans**: a borrower in arrears with a monthly income on record, whose overdue total (principal and interest,
  and the penalty and compound interest where `plan.include_penalty`) in `plan.max_instalments` fixed payments
  (each the total divided and rounded up to the fen, as `split_fixed` does) needs no more than
  `plan.income_share` of that income, rounded down to the fen. Expenses and other debts are only known at the
  interview (PLAN-1), so this is the most that could be feasible.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import polars as pl

from arrears.policy import Policy

__all__ = ["plans_feasible", "waivers_eligible"]


def _share(value) -> tuple[int, int]:
    ratio = Fraction(str(value))
    return ratio.numerator, ratio.denominator


def waivers_eligible(
    positions: pl.DataFrame,
    cases: pl.DataFrame,
    calls: pl.DataFrame,
    allocations: pl.DataFrame,
    day: date,
    policy: Policy,
) -> pl.DataFrame:
    """(loan_id, borrower_id, max_fen): the loans a waiver could be proposed on tonight, with the most allowed.
    `cases` the side's cases as the night left them (with `times_opened`); `calls` and `allocations` the period's
    history (allocations with `waived`)."""
    rule = policy.waiver
    numerator, denominator = _share(rule.max_share)
    loans = positions.filter(pl.col("dpd").is_between(1, rule.max_dpd)).select("loan_id", "borrower_id", "penalty_fen")
    if rule.first_delinquency_only or rule.self_initiated_only:
        episode = (
            cases.group_by("borrower_id")
            .agg(
                pl.len().alias("cases"),
                pl.col("times_opened").sum(),
                pl.col("opened_on").filter(pl.col("status") == "open").max(),
            )
            .filter(pl.col("opened_on").is_not_null())
        )
        loans = loans.join(episode, on="borrower_id", how="inner")
        if rule.first_delinquency_only:
            loans = loans.filter((pl.col("cases") == 1) & (pl.col("times_opened") == 1))
        if rule.self_initiated_only:
            inbound = calls.filter(pl.col("inbound") & (pl.col("called_on") <= day)).select("borrower_id", "called_on")
            reached = (
                loans.select("borrower_id", "opened_on")
                .unique()
                .join(inbound, on="borrower_id", how="inner")
                .filter(pl.col("called_on") >= pl.col("opened_on"))
                .select("borrower_id")
                .unique()
            )
            loans = loans.join(reached, on="borrower_id", how="semi")
    settled = (
        allocations.filter((pl.col("component") == "penalty") & (pl.col("paid_on") <= day))
        .group_by("loan_id")
        .agg(
            settled=pl.col("amount_fen").sum(),
            waived=pl.col("amount_fen").filter(pl.col("waived")).sum(),
        )
    )
    return (
        loans.join(settled, on="loan_id", how="left")
        .with_columns(pl.col("settled", "waived").fill_null(0))
        .with_columns(
            max_fen=((pl.col("penalty_fen") + pl.col("settled")) * numerator // denominator) - pl.col("waived")
        )
        .filter(pl.col("max_fen") > 0)
        .select("loan_id", "borrower_id", "max_fen")
    )


def plans_feasible(positions: pl.DataFrame, incomes: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """(borrower_id, payment_fen, cap_fen, feasible): borrowers in arrears with an income on record, the fixed
    payment a plan of `plan.max_instalments` needs, the most their income allows, and whether it fits."""
    plan = policy.plan
    numerator, denominator = _share(plan.income_share)
    parts = ["overdue_principal_fen", "overdue_interest_fen"]
    if plan.include_penalty:
        parts += ["penalty_fen", "compound_fen"]
    n = plan.max_instalments
    return (
        positions.filter(pl.col("dpd") > 0)
        .group_by("borrower_id")
        .agg(amount=pl.sum_horizontal(parts).sum())
        .join(incomes.filter(pl.col("monthly_income_fen").is_not_null()), on="borrower_id", how="inner")
        .with_columns(
            payment_fen=(pl.col("amount") + n - 1) // n,
            cap_fen=pl.col("monthly_income_fen") * numerator // denominator,
        )
        .with_columns(feasible=pl.col("payment_fen") <= pl.col("cap_fen"))
        .select("borrower_id", "payment_fen", "cap_fen", "feasible")
    )
