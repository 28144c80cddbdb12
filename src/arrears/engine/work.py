"""Work that falls due: calls by the cadence, letter follow-ups, promises kept or broken, legal decisions.

Each task has a key that names what caused it, so the same cause on a later run (or a rerun) gives the same
key and the work list keeps one task per key:

- `call:<borrower>:<due date>` — CLS-2: a mild case starts with a phone call, due the day the case opens
  (while no call has been made since); CALL-4: from DPD 31 to 60 a call every 5–7 days: available 5 days after
  the last call, due 7 days after it (or the day the borrower entered the stage, if later or never called);
  CLS-2: the moderate stage at a higher frequency, from DPD 61 to 90 a call every 2–3 days, in the same way
  (`calls.moderate_*`);
- `letter_follow_up:<letter>` — LTR-3: a call confirming a formal notice, due 3 working days after sending;
- `broken_promise:<promise>` — CALL-3: a promise to pay whose date passed without the amount paid; a
  promise paid in full by its date is kept;
- `legal_review:<borrower>:<case opened>` — LGL-1: DPD ≥ 90 and at least 3 failed attempts (the bank's
  calls, not the borrower's inbound ones, CLS-2) in this case, or a
  refusal, or no one reached for over 30 days; the route is litigation above 50,000 yuan overdue, else an
  agency (LGL-2). A supervisor decides (AUTH-3).

- `severe_review:<borrower>:<case opened>` — CLS-2: a severe case (DPD over 90) without a legal review today: a
  supervisor decides the next step, so that every severe case has a next action.

None of these is created for a borrower out of routine collection (in litigation or written off, see `late`);
a broken plan's task still is.

Nothing that contacts the borrower is created while a hold is in force for the borrower; a promise's outcome
is still recorded. While an instalment plan is in force the borrower is not chased: no first or cadence calls
and no legal review (promise outcomes and letter follow-ups stay). A plan broken tonight adds its
`plan_broken:<plan>` task (PLAN-4, see `plans`), hold or not: it asks a supervisor for a decision and contacts no
one, and the break happens once.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.engine.cases import latest_cases
from arrears.engine.late import routine_only
from arrears.engine.params import Terms
from arrears.engine.reminders import holds_in_force
from arrears.engine.schema import FAILED_OUTCOMES, REACHED_OUTCOMES

__all__ = ["TASK_COLUMNS", "episodes", "promise_outcomes", "tasks_due"]

TASK_COLUMNS = ["key", "borrower_id", "kind", "available_from", "due_on", "ref_id", "route", "reason", "clause"]


def _key(*parts: pl.Expr | str) -> pl.Expr:
    return pl.concat_str([p if isinstance(p, pl.Expr) else pl.lit(p) for p in parts], separator=":")


def episodes(borrowers_now: pl.LazyFrame, cases: pl.LazyFrame, decisions: pl.LazyFrame) -> pl.LazyFrame:
    """Delinquent borrowers with the day their current case (re)opened: today for a case opened today."""
    latest_open = latest_cases(cases.filter(pl.col("status") == "open")).select(
        "borrower_id", case_opened=pl.col("opened_on")
    )
    fresh = decisions.filter(pl.col("decision").is_in(["open", "reopen"])).select(
        "borrower_id", fresh_opened=pl.col("opened_on")
    )
    return (
        borrowers_now.filter(pl.col("dpd") > 0)
        .join(latest_open, on="borrower_id", how="left")
        .join(fresh, on="borrower_id", how="left")
        .with_columns(opened_on=pl.coalesce("fresh_opened", "case_opened"))
        .filter(pl.col("opened_on").is_not_null())
        .drop("fresh_opened", "case_opened")
    )


def promise_outcomes(promises: pl.LazyFrame, payments: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """(promise_id, borrower_id, due_on, outcome 'kept'|'broken', paid_fen, clause) for promises decided today."""
    window = promises.join(payments, on="borrower_id", how="left").filter(
        pl.col("paid_on").is_between(pl.col("made_on"), pl.min_horizontal("due_on", pl.lit(terms.as_of)))
    )
    paid = window.group_by("promise_id").agg(paid_fen=pl.col("amount_fen_right").sum())
    return (
        promises.join(paid, on="promise_id", how="left")
        .with_columns(pl.col("paid_fen").fill_null(0))
        .with_columns(
            outcome=pl.when(pl.col("paid_fen") >= pl.col("amount_fen"))
            .then(pl.lit("kept"))
            .when(pl.col("due_on") < terms.as_of)
            .then(pl.lit("broken"))
        )
        .filter(pl.col("outcome").is_not_null())
        .select("promise_id", "borrower_id", "due_on", "outcome", "paid_fen", clause=pl.lit("CALL-3"))
    )


def _calls_due(episode: pl.LazyFrame, calls: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    as_of = terms.as_of
    history = (
        calls.filter(pl.col("called_on") <= as_of).group_by("borrower_id").agg(last_call=pl.col("called_on").max())
    )
    rows = episode.join(history, on="borrower_id", how="left")
    first = rows.filter(
        (pl.col("dpd") <= terms.first_stage_max_dpd)
        & (pl.col("last_call").is_null() | (pl.col("last_call") < pl.col("opened_on")))
    ).select(
        key=_key("call", pl.col("borrower_id").cast(pl.String), pl.col("opened_on").cast(pl.String)),
        borrower_id="borrower_id",
        kind=pl.lit("call"),
        available_from="opened_on",
        due_on="opened_on",
        reason=pl.lit("first call"),
        clause=pl.lit("CLS-2"),
    )
    second = _cadence(
        rows, terms, (terms.cadence_from_dpd, terms.cadence_to_dpd), (terms.min_interval_days, terms.max_interval_days)
    ).with_columns(reason=pl.lit("cadence"), clause=pl.lit("CALL-4"))
    moderate = _cadence(
        rows,
        terms,
        (terms.moderate_from_dpd, terms.moderate_to_dpd),
        (terms.moderate_min_interval_days, terms.moderate_max_interval_days),
    ).with_columns(reason=pl.lit("moderate cadence"), clause=pl.lit("CLS-2"))
    return pl.concat([first, second, moderate])


def _cadence(rows: pl.LazyFrame, terms: Terms, dpd_range: tuple[int, int], interval: tuple[int, int]) -> pl.LazyFrame:
    """One stage's cadence: from DPD `dpd_range[0]` to `dpd_range[1]` the next call is available `interval[0]` days
    after the last call and due `interval[1]` days after it, never before the stage began; due the day the stage
    began if never called since. The key names the due date, so each night of the same interval finds one task."""
    as_of, (from_dpd, to_dpd), (min_days, max_days) = terms.as_of, dpd_range, interval
    # The day the borrower entered the stage, but never before the case (re)opened: a case opened today at
    # DPD 45 has its cadence call due today, not overdue since DPD 31.
    stage_start = pl.max_horizontal(
        (pl.lit(as_of) - pl.duration(days=pl.col("dpd") - from_dpd)).cast(pl.Date), pl.col("opened_on")
    )

    def after_last_call(days: int) -> pl.Expr:
        """`days` after the last call, not before the stage began; the stage's start if never called."""
        later = pl.max_horizontal(pl.col("last_call") + timedelta(days=days), stage_start)
        return pl.when(pl.col("last_call").is_null()).then(stage_start).otherwise(later)

    return (
        rows.filter(pl.col("dpd").is_between(from_dpd, to_dpd))
        .with_columns(
            due_on=after_last_call(max_days).cast(pl.Date), available_from=after_last_call(min_days).cast(pl.Date)
        )
        .filter(pl.col("available_from") <= as_of)
        .select(
            key=_key("call", pl.col("borrower_id").cast(pl.String), pl.col("due_on").cast(pl.String)),
            borrower_id="borrower_id",
            kind=pl.lit("call"),
            available_from="available_from",
            due_on="due_on",
        )
    )


def _legal_reviews(episode: pl.LazyFrame, calls: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    as_of = terms.as_of
    candidates = episode.filter(pl.col("dpd") >= terms.legal_min_dpd)
    in_case = calls.filter(pl.col("called_on") <= as_of).join(
        candidates.select("borrower_id", "opened_on"), on="borrower_id", how="inner"
    )
    tally = in_case.group_by("borrower_id").agg(
        # CLS-2: a borrower calling the bank (inbound) is not a collection attempt, failed or not.
        failed=(
            pl.col("outcome").is_in(list(FAILED_OUTCOMES))
            & ~pl.col("inbound")
            & (pl.col("called_on") >= pl.col("opened_on"))
        ).sum(),
        refused=((pl.col("outcome") == "refused") & (pl.col("called_on") >= pl.col("opened_on"))).any(),
        last_reached=pl.col("called_on").filter(pl.col("outcome").is_in(list(REACHED_OUTCOMES))).max(),
    )
    lost_since = pl.max_horizontal("last_reached", "opened_on")  # contact lost within this case
    lost = (pl.lit(as_of) - lost_since).dt.total_days() > terms.legal_lost_contact_days
    reason = (
        pl.when(pl.col("failed") >= terms.legal_min_failed_attempts)
        .then(pl.lit("failed attempts"))
        .when(pl.col("refused"))
        .then(pl.lit("refused"))
        .when(lost)
        .then(pl.lit("lost contact"))
    )
    return (
        candidates.join(tally, on="borrower_id", how="left")
        .with_columns(pl.col("failed").fill_null(0), pl.col("refused").fill_null(False))
        .with_columns(reason=reason)
        .filter(pl.col("reason").is_not_null())
        .select(
            key=_key("legal_review", pl.col("borrower_id").cast(pl.String), pl.col("opened_on").cast(pl.String)),
            borrower_id="borrower_id",
            kind=pl.lit("legal_review"),
            available_from=pl.lit(as_of),
            due_on=pl.lit(as_of),
            route=pl.when(pl.col("overdue_total_fen") > terms.litigation_min_fen)
            .then(pl.lit("litigation"))
            .otherwise(pl.lit("agency")),
            reason="reason",
            clause=pl.lit("LGL-1"),
        )
    )


def _severe_reviews(episode: pl.LazyFrame, reviews: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """CLS-2: a severe case (DPD above `moderate_max_dpd`) goes to legal action, asset disposal or an agency; one
    without a legal review today (LGL-1's grounds not met yet) gets a supervisor's decision task, so that every
    severe case has a next action. It contacts no one."""
    return (
        episode.filter(pl.col("dpd") > terms.moderate_max_dpd)
        .join(reviews.select("borrower_id"), on="borrower_id", how="anti")
        .select(
            key=_key("severe_review", pl.col("borrower_id").cast(pl.String), pl.col("opened_on").cast(pl.String)),
            borrower_id="borrower_id",
            kind=pl.lit("severe_review"),
            available_from=pl.lit(terms.as_of),
            due_on=pl.lit(terms.as_of),
            reason=pl.lit("severe: decide the next step"),
            clause=pl.lit("CLS-2"),
        )
    )


def tasks_due(
    episode: pl.LazyFrame,
    calls: pl.LazyFrame,
    letters: pl.LazyFrame,
    follow_ups: pl.LazyFrame,
    outcomes: pl.LazyFrame,
    holds: pl.LazyFrame,
    terms: Terms,
    on_plan: pl.LazyFrame | None = None,
    plan_tasks: pl.LazyFrame | None = None,
    late: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """All tasks the run should hold on the as-of date (`TASK_COLUMNS`); the apply step adds the new keys.
    `on_plan` (borrower_id): borrowers with a plan in force, not chased; `plan_tasks`: tasks of plans broken
    tonight (`plans.plan_tasks`); `late` (borrower_id): borrowers out of routine collection (in litigation or
    written off, `late.out_of_collection`), who get none of the tasks of routine collection."""
    letter_tasks = (
        letters.filter(pl.col("sent_on") <= terms.as_of)
        .join(follow_ups, on="sent_on", how="left")
        .select(
            key=_key("letter_follow_up", pl.col("letter_id").cast(pl.String)),
            borrower_id="borrower_id",
            kind=pl.lit("letter_follow_up"),
            available_from="sent_on",
            due_on="deadline",
            ref_id="letter_id",
            reason=pl.lit("confirm delivery"),
            clause=pl.lit("LTR-3"),
        )
    )
    broken = outcomes.filter(pl.col("outcome") == "broken").select(
        key=_key("broken_promise", pl.col("promise_id").cast(pl.String)),
        borrower_id="borrower_id",
        kind=pl.lit("broken_promise"),
        available_from=(pl.col("due_on") + timedelta(days=1)),
        due_on=(pl.col("due_on") + timedelta(days=1)),
        ref_id="promise_id",
        reason=pl.lit("promise broken"),
        clause=pl.lit("CALL-3"),
    )
    typed = {
        "key": pl.String,
        "borrower_id": pl.Int64,
        "kind": pl.String,
        "available_from": pl.Date,
        "due_on": pl.Date,
        "ref_id": pl.Int64,
        "route": pl.String,
        "reason": pl.String,
        "clause": pl.String,
    }

    def conform(frame: pl.LazyFrame) -> pl.LazyFrame:
        have = frame.collect_schema()
        return frame.select(
            [(pl.col(c) if c in have else pl.lit(None)).cast(dtype).alias(c) for c, dtype in typed.items()]
        )

    held = holds_in_force(holds, terms).filter(pl.col("loan_id").is_null()).select("borrower_id").unique()
    calls_due, reviews = conform(_calls_due(episode, calls, terms)), conform(_legal_reviews(episode, calls, terms))
    if on_plan is not None:
        calls_due = calls_due.join(on_plan.select("borrower_id"), on="borrower_id", how="anti")
        reviews = reviews.join(on_plan.select("borrower_id"), on="borrower_id", how="anti")
    severe = conform(_severe_reviews(episode, reviews.join(held, on="borrower_id", how="anti"), terms))
    if on_plan is not None:
        severe = severe.join(on_plan.select("borrower_id"), on="borrower_id", how="anti")
    # The late stage: no calls, confirmations, broken-promise calls or reviews (`late.ROUTINE_TASK_KINDS`).
    calls_due, reviews, severe = (routine_only(frame, late) for frame in (calls_due, reviews, severe))
    routine = [routine_only(conform(frame), late) for frame in (letter_tasks, broken)]
    everything = pl.concat([calls_due, *routine, reviews])
    # Decisions for a supervisor contact no one: a hold does not hold them back.
    decisions = [severe] if plan_tasks is None else [severe, conform(plan_tasks)]
    return pl.concat([everything.join(held, on="borrower_id", how="anti"), *decisions]).unique(
        "key", keep="first", maintain_order=True
    )
