"""Instalment plans in force (PLAN-4): which instalments are met, which plans broke or were completed today.

A signed plan replaces the chase with a schedule of its own: instalment n is due on `due_on` and brings the
plan's running total to `cumulative_fen`. Every payment on the plan's loans from the plan's `starts_on` counts
towards it, in date order:

- instalment n is **met** when the payments made on or before its due date add up to at least what is due by
  then: its cumulative amount plus the loans' own scheduled instalments falling due from the plan's start to
  that date (`regular_fen`: the plan covers what was overdue when it started, so paying only the loans' new
  instalments — or only the plan's — lets the arrears grow and is not keeping the plan); its `met_on` is the
  day of the payment that brought the running total there (a payment after the due date never mends a missed
  instalment);
- the plan is **broken** on the as-of date D when an instalment due before D is not met; the first such
  instalment is named with what was owed and what was paid by its due date. An instalment due on D is not yet
  missed (as a loan instalment due today is not late, CLS-1);
- otherwise the plan is **completed** when every instalment is met; otherwise it goes on.

While a plan is in force the borrower is not chased (no cadence or first calls, no legal review: `work`).
A plan that broke during the borrower's open case (or broke tonight) sends the case to the supervisors'
decision pool for as long as that case stays open (`cases`), with a `plan_broken:<plan>` task for them to
decide what follows: an agency, litigation or a new plan (AUTH-3).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.engine.cases import latest_cases
from arrears.engine.params import Terms
from arrears.engine.reminders import holds_in_force, written_channel

__all__ = [
    "PLAN_DECISION_COLUMNS",
    "borrowers_on_plan",
    "borrowers_with_broken_plans",
    "instalment_standing",
    "plan_decisions",
    "plan_met",
    "plan_reminders",
    "plan_tasks",
    "yuan",
]

PLAN_DECISION_COLUMNS = [
    "plan_id",
    "borrower_id",
    "case_id",
    "decision",
    "n",
    "due_on",
    "cumulative_fen",
    "paid_fen",
    "reason",
]


def yuan(fen: pl.Expr) -> pl.Expr:
    """Integer fen (≥ 0) as yuan with thousands separators and two decimals: 120000 → '1,200.00' (the text
    `arrears.finance.format_money(…, grouping=True)` gives)."""
    whole = (
        (fen // 100)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1},")
        .str.reverse()
        .str.strip_chars_start(",")
    )
    return pl.concat_str([whole, pl.lit("."), (fen % 100).cast(pl.String).str.zfill(2)])


def _active(plans: pl.LazyFrame) -> pl.LazyFrame:
    return plans.filter(pl.col("status") == "active")


def instalment_standing(
    plans: pl.LazyFrame, instalments: pl.LazyFrame, payments: pl.LazyFrame, terms: Terms
) -> pl.LazyFrame:
    """Per instalment of an active plan: `paid_fen` (paid by its due date), `met` and `new_met_on` (the day it
    was met, where no earlier run recorded it)."""
    active = _active(plans).select("plan_id", "starts_on")
    counted = payments.join(active, on="plan_id", how="inner").filter(
        pl.col("paid_on").is_between(pl.col("starts_on"), pl.lit(terms.as_of))
    )
    # The running total at the end of each day that had a payment.
    daily = (
        counted.group_by("plan_id", "paid_on")
        .agg(pl.col("amount_fen").sum())
        .with_columns(running_fen=pl.col("amount_fen").cum_sum().over("plan_id", order_by="paid_on"))
        .select("plan_id", "paid_on", "running_fen")
    )
    mine = instalments.join(active.select("plan_id"), on="plan_id", how="semi").with_columns(
        due_fen=pl.col("cumulative_fen") + pl.col("regular_fen")
    )
    by_due = pl.col("paid_on") <= pl.col("due_on")
    reached = pl.col("running_fen") >= pl.col("due_fen")
    standing = (
        mine.join(daily, on="plan_id", how="left")
        .group_by("plan_id", "n")
        .agg(
            pl.col("borrower_id", "due_on", "cumulative_fen", "regular_fen", "due_fen", "met_on").first(),
            paid_fen=pl.col("running_fen").filter(by_due).max(),
            reached_on=pl.col("paid_on").filter(reached).min(),
        )
        .with_columns(pl.col("paid_fen").fill_null(0))
    )
    met_by_due = pl.col("reached_on").is_not_null() & (pl.col("reached_on") <= pl.col("due_on"))
    return standing.with_columns(
        met=pl.col("met_on").is_not_null() | met_by_due,
        new_met_on=pl.when(pl.col("met_on").is_null() & met_by_due).then(pl.col("reached_on")),
    )


def plan_met(standing: pl.LazyFrame) -> pl.LazyFrame:
    """(plan_id, borrower_id, n, met_on): instalments met that no earlier run recorded."""
    return standing.filter(pl.col("new_met_on").is_not_null()).select(
        "plan_id", "borrower_id", "n", met_on=pl.col("new_met_on")
    )


def plan_decisions(standing: pl.LazyFrame, plans: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """`PLAN_DECISION_COLUMNS`: plans broken today (the first instalment missed) or completed (the last
    instalment, every one met); `reason` is the text the plan keeps as why it ended."""
    missed = ~pl.col("met") & (pl.col("due_on") < terms.as_of)
    broken = (
        standing.filter(missed)
        .filter(pl.col("n") == pl.col("n").min().over("plan_id"))
        .with_columns(
            decision=pl.lit("broken"),
            reason=pl.concat_str(
                [
                    pl.lit("instalment "),
                    pl.col("n").cast(pl.String),
                    pl.lit(" due "),
                    pl.col("due_on").cast(pl.String),
                    pl.lit(": "),
                    yuan(pl.col("paid_fen")),
                    pl.lit(" paid of "),
                    yuan(pl.col("due_fen")),
                    pl.lit(" due by then"),
                    pl.when(pl.col("regular_fen") > 0)
                    .then(
                        pl.concat_str(
                            [
                                pl.lit(" ("),
                                yuan(pl.col("cumulative_fen")),
                                pl.lit(" under the plan, "),
                                yuan(pl.col("regular_fen")),
                                pl.lit(" of the loans' own instalments)"),
                            ]
                        )
                    )
                    .otherwise(pl.lit("")),
                ]
            ),
        )
    )
    completed = (
        standing.filter(pl.col("met").all().over("plan_id"))
        .filter(pl.col("n") == pl.col("n").max().over("plan_id"))
        .with_columns(
            decision=pl.lit("completed"),
            reason=pl.concat_str(
                [
                    pl.lit("all "),
                    pl.col("n").cast(pl.String),
                    pl.lit(" instalments met: "),
                    yuan(pl.col("due_fen")),
                ]
            ),
        )
    )
    cases = _active(plans).select("plan_id", "case_id")
    return (
        pl.concat([broken, completed])
        .join(cases, on="plan_id", how="inner")
        .select(PLAN_DECISION_COLUMNS)
        .with_columns(pl.col("n").cast(pl.Int32))
    )


def borrowers_on_plan(plans: pl.LazyFrame, decided: pl.LazyFrame) -> pl.LazyFrame:
    """(borrower_id) with a plan still in force after tonight: not chased (CLS-2, CALL-4 and LGL-1 wait)."""
    return (
        _active(plans)
        .join(decided.select("plan_id"), on="plan_id", how="anti")
        .select(pl.col("borrower_id").cast(pl.Int64))
        .unique()
    )


def borrowers_with_broken_plans(plans: pl.LazyFrame, cases: pl.LazyFrame, decided: pl.LazyFrame) -> pl.LazyFrame:
    """(borrower_id, plan_broken=True): a plan broke during the borrower's open case (on or after the day it
    (re)opened), or tonight. Their case belongs in the supervisors' decision pool (PLAN-4, AUTH-3)."""
    open_since = latest_cases(cases.filter(pl.col("status") == "open")).select("borrower_id", "opened_on")
    earlier = (
        plans.filter(pl.col("status") == "broken")
        .join(open_since, on="borrower_id", how="inner")
        .filter(pl.col("ended_on") >= pl.col("opened_on"))
        .select("borrower_id")
    )
    tonight = decided.filter(pl.col("decision") == "broken").select("borrower_id")
    return pl.concat([earlier, tonight]).unique().with_columns(plan_broken=pl.lit(True))


def plan_tasks(decided: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """A `plan_broken:<plan>` task for each plan broken tonight, due today, for a supervisor (PLAN-4, AUTH-3)."""
    return decided.filter(pl.col("decision") == "broken").select(
        key=pl.concat_str([pl.lit("plan_broken:"), pl.col("plan_id").cast(pl.String)]),
        borrower_id="borrower_id",
        kind=pl.lit("plan_broken"),
        available_from=pl.lit(terms.as_of),
        due_on=pl.lit(terms.as_of),
        ref_id="plan_id",
        reason=pl.concat_str([pl.lit("plan broken: "), pl.col("reason")]),
        clause=pl.lit("PLAN-4"),
    )


def plan_reminders(standing: pl.LazyFrame, borrowers: pl.LazyFrame, holds: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """(plan_id, borrower_id, n, channel, due_date, amount_due_fen, clause): a written reminder `advance_days`
    before each instalment of a plan in force that is not met yet (REM-1, PLAN-4), by the borrower's channel as
    for the loans' own reminders; the amount is what is still to be paid by that date to keep the plan (its
    running total and the loans' own instalments due meanwhile, less what was paid since it started). None
    under a borrower-wide hold; `channel` is null where no consented channel can carry it (not sent)."""
    written_for = terms.as_of + timedelta(days=terms.advance_days)
    held = holds_in_force(holds, terms).filter(pl.col("loan_id").is_null()).select("borrower_id").unique()
    return (
        standing.filter(~pl.col("met") & (pl.col("due_on") == written_for))
        .join(held, on="borrower_id", how="anti")
        .join(borrowers, on="borrower_id", how="inner")
        .select(
            "plan_id",
            "borrower_id",
            pl.col("n").cast(pl.Int32),
            channel=written_channel(terms),
            due_date=pl.col("due_on"),
            amount_due_fen=pl.col("due_fen") - pl.col("paid_fen"),
            clause=pl.lit("REM-1"),
        )
        .filter(pl.col("amount_due_fen") > 0)
    )
