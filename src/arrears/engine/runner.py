"""Run the kernels on a portfolio: in this process, whole or one partition of borrowers at a time.

`decide(inputs, terms, calendar)` builds the kernels' lazy plan and collects it once (polars shares the
common parts). The result, `Decisions`, holds DataFrames the shell applies.

Ready for a cluster: no kernel looks across borrowers (loans carry their borrower; calls, promises, payments,
letters, holds, cases, plans with their instalments and payments, the late stage and open tasks are the
borrower's), so `partition_of(inputs, parts, index)` — rows whose `borrower_id` hashes to `index` — decided on its own gives
exactly that partition's share of the whole. A Spark runner groups its Arrow batches by the same key
(`borrower_id % parts`), turns each partition's batches into `Inputs` (polars reads Arrow without copying),
calls `decide`, and returns the frames as Arrow; the calendar lookups are small and travel with the terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

import polars as pl

from arrears.engine.cases import borrower_positions, case_decisions
from arrears.engine.late import out_of_collection, withdrawn_tasks
from arrears.engine.params import Terms, day_table, follow_up_table
from arrears.engine.plans import (
    borrowers_on_plan,
    borrowers_with_broken_plans,
    instalment_standing,
    plan_decisions,
    plan_met,
    plan_reminders,
    plan_tasks,
)
from arrears.engine.positions import instalment_positions, loan_positions
from arrears.engine.reminders import reminders_due
from arrears.engine.schema import Inputs
from arrears.engine.work import episodes, promise_outcomes, tasks_due
from arrears.workdays import Calendar

__all__ = ["Decisions", "decide", "joined", "partition_of", "subset_of"]


@dataclass(frozen=True)
class Decisions:
    """What the run decided on one as-of date; every frame collected."""

    positions: pl.DataFrame  # per loan in arrears: dpd, class, bucket, overdue amounts (CLS-1); others are current
    problems: pl.DataFrame  # loans whose data does not add up: (loan_id, borrower_id, problem)
    borrowers: pl.DataFrame  # per borrower in arrears: dpd, class, pool, overdue total
    cases: pl.DataFrame  # case decisions: open, reopen, move, close
    reminders: pl.DataFrame  # reminders to queue (REM-1)
    promises: pl.DataFrame  # promises kept or broken today (CALL-3)
    tasks: pl.DataFrame  # tasks that should exist (CLS-2, CALL-4, LTR-3, CALL-3, LGL-1, PLAN-4)
    plan_decisions: pl.DataFrame  # instalment plans broken or completed today (PLAN-4)
    plan_met: pl.DataFrame  # plan instalments found met, with the day (PLAN-4)
    plan_reminders: pl.DataFrame  # reminders before a plan instalment falls due (REM-1, PLAN-4)
    withdrawn: pl.DataFrame  # open tasks of routine collection of borrowers in the late stage, to cancel (CLS-2)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def in_order(self) -> Decisions:
        """The same decisions, each frame's rows in one order (by all its columns, left to right): the kernels
        give rows in no particular order (threads, partitions), and the shell applies them in this one, so
        the rows it inserts get their ids alike whoever decided (this process or a cluster)."""
        return Decisions(*(frame.sort(frame.columns, nulls_last=True) for frame in self.frames().values()))


def _first_due(instalments: pl.LazyFrame) -> date | None:
    return instalments.select(pl.col("due_date").min()).collect().item()


def decide(inputs: Inputs, terms: Terms, calendar: Calendar | None = None) -> Decisions:
    """All decisions for `terms.as_of`. A calendar is needed where the policy rolls due dates, and for
    letter follow-ups (working days); without letters and rolling it may be omitted."""
    days = day_table(calendar, _first_due(inputs.instalments) if terms.roll_due_dates else None, terms)
    sent = inputs.letters.select("sent_on").unique().collect().to_series().to_list()
    if sent and calendar is None:
        raise ValueError("letters need a working-day calendar for their follow-up deadlines (LTR-3); pass one")
    follow_ups = (
        follow_up_table(calendar, sent, terms)
        if sent
        else pl.LazyFrame(schema={"sent_on": pl.Date, "deadline": pl.Date})
    )
    items = instalment_positions(inputs.instalments, inputs.allocations, inputs.loans, days, terms).cache()
    positions, problems = loan_positions(items, inputs.borrowers, terms)
    positions, problems = positions.cache(), problems.cache()
    standing = instalment_standing(inputs.plans, inputs.plan_instalments, inputs.plan_payments, terms).cache()
    plans_decided = plan_decisions(standing, inputs.plans, terms).cache()
    broken_plans = borrowers_with_broken_plans(inputs.plans, inputs.cases, plans_decided)
    late = out_of_collection(inputs.late_stage).cache()
    per_borrower = borrower_positions(positions, problems, inputs.borrowers, terms, broken_plans, late).cache()
    decisions = case_decisions(per_borrower, inputs.cases, problems, terms).cache()
    reminders = reminders_due(items, inputs.borrowers, inputs.holds, terms)
    outcomes = promise_outcomes(inputs.promises, inputs.payments, terms).cache()
    episode = episodes(per_borrower, inputs.cases, decisions)
    tasks = tasks_due(
        episode,
        inputs.calls,
        inputs.letters,
        follow_ups,
        outcomes,
        inputs.holds,
        terms,
        on_plan=borrowers_on_plan(inputs.plans, plans_decided),
        plan_tasks=plan_tasks(plans_decided, terms),
        late=late,
    )
    met = plan_met(standing)
    plan_notices = plan_reminders(standing, inputs.borrowers, inputs.holds, terms)
    withdrawn = withdrawn_tasks(inputs.open_tasks, late)
    collected = pl.collect_all(
        [
            positions,
            problems,
            per_borrower,
            decisions,
            reminders,
            outcomes,
            tasks,
            plans_decided,
            met,
            plan_notices,
            withdrawn,
        ]
    )
    return Decisions(*collected)


def _narrowed(inputs: Inputs, narrow: Callable[[pl.LazyFrame], pl.LazyFrame]) -> Inputs:
    """Every frame narrowed to some borrowers' rows by `narrow` (on `borrower_id`); the instalments and
    allocations, which carry no borrower, to those of the narrowed loans."""
    loans = narrow(inputs.loans).select("loan_id")
    picked = {}
    for name in inputs.names():
        frame = getattr(inputs, name)
        by_loan = name in ("instalments", "allocations")
        picked[name] = frame.join(loans, on="loan_id", how="semi") if by_loan else narrow(frame)
    return Inputs(**picked)


def subset_of(inputs: Inputs, borrowers: pl.LazyFrame, keep: bool = True) -> Inputs:
    """The rows of the borrowers in `borrowers` (a `borrower_id` column), or with `keep=False` of all the others:
    decided on its own, a subset gives exactly its borrowers' share of the whole (see the module doc)."""
    ids, how = borrowers.select("borrower_id").unique(), "semi" if keep else "anti"
    return _narrowed(inputs, lambda frame: frame.join(ids, on="borrower_id", how=how))


def joined(first: Decisions, second: Decisions) -> Decisions:
    """Two subsets' decisions as one (their borrowers apart, so no row is in both)."""
    return Decisions(
        *(
            pl.concat([a, b], how="vertical_relaxed")
            for a, b in zip(first.frames().values(), second.frames().values(), strict=True)
        )
    )


def partition_of(inputs: Inputs, parts: int, index: int) -> Inputs:
    """The rows of borrowers in partition `index` of `parts` (by `borrower_id % parts`)."""
    if not 0 <= index < parts:
        raise ValueError(f"partition {index} is not among 0..{parts - 1}")
    mine = pl.col("borrower_id") % parts == index
    return _narrowed(inputs, lambda frame: frame.filter(mine))
