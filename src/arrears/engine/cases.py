"""Per borrower: the position across their loans, the pool that should work it, and the case decision.

A borrower's DPD is the largest of their loans' (CLS-1); the overdue amount is the sum. The pool:
- `supervisor` — out of routine collection: in litigation or written off (`late`): the supervisors decide what
  follows (AUTH-3), and no junior or senior collector holds the case, whatever its DPD;
- `supervisor` — an instalment plan broke during the borrower's open case (PLAN-4): the supervisor decides what
  follows (an agency, litigation or a new plan, AUTH-3), for as long as that case stays open;
- `supervisor` — severe (DPD above the senior tier's bound): the supervisor decides on agency or court
  (CLS-2, AUTH-3);
- `senior` — DPD above the junior bound (TEAM-2), or a high-risk borrower at any DPD (TEAM-3);
- `junior` — DPD 1 to the junior bound, mild included (TEAM-1, TEAM-3's interpretation).

The decision compares that with the borrower's latest case:
- `open` — delinquent, no case yet; `reopen` — delinquent again after a case was closed;
- `move` — still delinquent, class or pool changed (the clause is the pool's rule when the pool changed);
- `close` — the case is open and the borrower is current (cured) or has no active loan left.
Borrowers with a loan whose data does not add up get no decision (the loan is in the run's problems).
"""

from __future__ import annotations

import polars as pl

from arrears.engine.params import Terms
from arrears.engine.positions import bucket_of, class_of

__all__ = ["borrower_positions", "case_decisions", "latest_cases"]


def latest_cases(cases: pl.LazyFrame) -> pl.LazyFrame:
    """Each borrower's latest case: the one opened last (a reopened case counts from its reopening), the
    highest id among cases opened the same day. One windowed maximum, no sort."""
    order = pl.col("opened_on").cast(pl.Int64) * 10**12 + pl.col("case_id")  # days since 1970, then the id
    return cases.filter(order == order.max().over("borrower_id"))


def _pool(terms: Terms) -> tuple[pl.Expr, pl.Expr]:
    """(pool, clause): the first rule that holds decides; a borrower not in arrears has no pool."""
    dpd, high_risk = pl.col("dpd"), pl.col("risk_level").is_in(list(terms.high_risk_levels))
    rules = [
        (dpd <= 0, None, None),
        (pl.col("late_stage").is_not_null(), "supervisor", "AUTH-3"),
        (pl.col("plan_broken"), "supervisor", "PLAN-4"),
        (dpd > terms.senior_max_dpd, "supervisor", "AUTH-3"),
        (high_risk, "senior", "TEAM-3"),
        (dpd <= terms.junior_max_dpd, "junior", "TEAM-1"),
        (pl.lit(True), "senior", "TEAM-2"),
    ]
    pool, clause = pl.when(pl.lit(False)).then(None), pl.when(pl.lit(False)).then(None)
    for condition, pool_name, clause_id in rules:
        pool = pool.when(condition).then(pl.lit(pool_name, dtype=pl.String))
        clause = clause.when(condition).then(pl.lit(clause_id, dtype=pl.String))
    return pool, clause


def borrower_positions(
    positions: pl.LazyFrame,
    problems: pl.LazyFrame,
    borrowers: pl.LazyFrame,
    terms: Terms,
    broken_plans: pl.LazyFrame | None = None,
    late: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """One row per borrower in arrears (a loan with DPD over 0) whose every loan's data adds up. A borrower
    not listed is current: no pool, and a case of theirs closes. `broken_plans` (borrower_id, plan_broken)
    lists the borrowers whose plan broke during their open case (`plans.borrowers_with_broken_plans`); `late`
    (borrower_id, stage) those out of routine collection (`late.out_of_collection`), in column `late_stage`."""
    pool, clause = _pool(terms)
    if broken_plans is None:
        broken_plans = pl.LazyFrame(schema={"borrower_id": pl.Int64, "plan_broken": pl.Boolean})
    if late is None:
        late = pl.LazyFrame(schema={"borrower_id": pl.Int64, "stage": pl.String})
    troubled = problems.select("borrower_id").unique()
    # A borrower is in arrears when their largest DPD is over 0: grouped first and filtered after (the same
    # rows as keeping the borrowers with a loan in arrears before grouping, without a second pass and join).
    return (
        positions.select("borrower_id", "dpd", "overdue_total_fen", delinquent_loans=(pl.col("dpd") > 0).cast(pl.Int32))
        .group_by("borrower_id")
        .agg(pl.col("dpd").max(), pl.col("overdue_total_fen", "delinquent_loans").sum())
        .filter(pl.col("dpd") > 0)
        .join(troubled, on="borrower_id", how="anti")
        .join(borrowers.select("borrower_id", "risk_level"), on="borrower_id", how="inner")
        .join(broken_plans.select("borrower_id", "plan_broken"), on="borrower_id", how="left")
        .with_columns(pl.col("plan_broken").fill_null(False))
        .join(late.select("borrower_id", late_stage="stage"), on="borrower_id", how="left")
        .with_columns(delinquency_class=class_of(pl.col("dpd"), terms), bucket=bucket_of(pl.col("dpd"), terms))
        .with_columns(pool=pool, pool_clause=clause)
    )


def case_decisions(
    borrowers_now: pl.LazyFrame, cases: pl.LazyFrame, problems: pl.LazyFrame, terms: Terms
) -> pl.LazyFrame:
    """(borrower_id, case_id, decision, from/to class and pool, dpd, overdue_total_fen, opened_on, clause)."""
    troubled = problems.select("borrower_id").unique()
    latest = latest_cases(cases)
    joined = (
        borrowers_now.join(latest, on="borrower_id", how="full", coalesce=True, suffix="_case")
        .join(troubled, on="borrower_id", how="anti")
        .with_columns(pl.col("dpd").fill_null(0))
    )
    delinquent, has_case = pl.col("dpd") > 0, pl.col("case_id").is_not_null()
    is_open = pl.col("status") == "open"
    class_changed = pl.col("delinquency_class") != pl.col("delinquency_class_case")
    pool_changed = pl.col("pool") != pl.col("pool_case")
    decision = (
        pl.when(delinquent & ~has_case)
        .then(pl.lit("open"))
        .when(delinquent & has_case & ~is_open)
        .then(pl.lit("reopen"))
        .when(delinquent & is_open & (class_changed | pool_changed))
        .then(pl.lit("move"))
        .when(~delinquent & has_case & is_open)
        .then(pl.lit("close"))
    )
    clause = (
        pl.when(pl.col("decision").is_in(["open", "reopen", "close"]) | ~pool_changed)
        .then(pl.lit("CLS-1"))
        .otherwise(pl.col("pool_clause"))
    )
    return (
        joined.with_columns(decision=decision)
        .filter(pl.col("decision").is_not_null())
        .with_columns(clause=clause)
        .select(
            "borrower_id",
            "case_id",
            "decision",
            from_class=pl.when(has_case & is_open).then(pl.col("delinquency_class_case")),
            to_class=pl.when(delinquent).then(pl.col("delinquency_class")).otherwise(pl.lit("current")),
            from_pool=pl.when(has_case & is_open).then(pl.col("pool_case")),
            to_pool=pl.col("pool"),
            dpd=pl.col("dpd"),
            overdue_total_fen=pl.col("overdue_total_fen").fill_null(0),
            opened_on=pl.when(pl.col("decision").is_in(["open", "reopen"]))
            .then(pl.lit(terms.as_of))
            .otherwise(pl.col("opened_on")),
            clause=pl.col("clause"),
        )
    )
