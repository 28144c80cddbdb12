"""Replay past business dates under two policies, side by side, without writing anything.

For each date of the period, oldest first, each side (the `baseline`: the policy version in force on that date;
the `candidate`: the version under study, whatever its effective date) gets the engine's inputs of that night
cut out of the period's history (`history`), and the engine (`engine.runner.decide`) decides as the nightly run
would. What people did — payments, calls, promises, letters, plans, holds, lawsuits — is taken as it happened;
what the engine decides is decided again: positions and classes, the cases with their pools (carried from night to
night on each side: a case the candidate opens earlier is open on its next nights), reminders, calls and
reviews due. The cases start as the night before the period left them (`cases_on_eve`). A night a champion/challenger
experiment ran is decided as the nightly run decided it (`experiments.decide_night`): the challenger's borrowers
under the strategy laid over the side's policy — over the candidate on the candidate's side, or, where the strategy
does not fit the candidate, the candidate for everyone — and the others under the side's policy.

`replay` returns one `Night` per date: each side's figures (`figures.night_figures`) and the keys of the tasks
due, so that a task due on several nights counts once in a total. With the policy in force as the candidate, a
night's figures are those its nightly run recorded (tests/whatif).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from arrears.engine.params import Terms
from arrears.engine.runner import Decisions, decide
from arrears.engine.schema import SCHEMAS, Inputs
from arrears.policy import Policy
from arrears.whatif.experiments import NightPlan, decide_night, night_plan, reach
from arrears.whatif.history import History
from arrears.workdays import Calendar

__all__ = ["SIDES", "Night", "cases_on_eve", "inputs_on", "night_of", "nights", "replay"]

SIDES = ("baseline", "candidate")
CASES = SCHEMAS["cases"]
# A side's cases as the replay carries them: the engine's frame, and how often each was opened (a waiver needs the
# borrower's first delinquency, `offers`).
STATE = {**CASES, "times_opened": pl.Int64}


def nights(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def cases_on_eve(events: pl.DataFrame) -> pl.DataFrame:
    """Each case as its events before the period left it (the engine's `cases` frame, and `times_opened`): the
    last event's class and pool (a closing one leaves `current` and no pool), open unless that event closed it,
    opened on the day of its last opening or reopening."""
    if not events.height:
        return pl.DataFrame(schema=STATE)
    ordered = events.sort("case_id", "business_date", "event_id")
    opened = pl.col("business_date").filter(pl.col("kind").is_in(["opened", "reopened"])).max()
    return (
        ordered.group_by("case_id")
        .agg(
            pl.col("borrower_id").first(),
            status=pl.when(pl.col("kind").last() == "closed").then(pl.lit("closed")).otherwise(pl.lit("open")),
            delinquency_class=pl.col("to_class").last(),
            pool=pl.col("to_pool").last(),
            opened_on=opened,
            times_opened=pl.col("kind").is_in(["opened", "reopened"]).sum(),
        )
        .filter(pl.col("opened_on").is_not_null())
        .select(list(STATE))
        .cast(STATE)
        .sort("case_id")
    )


def active_on(day: date) -> pl.Expr:
    """A loan of the history's `loans` was active on `day` (see `history`)."""
    return (pl.col("start_date") <= day) & (pl.col("active_now") | (pl.col("feed_date") > day))


def _holds_on(holds: pl.DataFrame, day: date) -> pl.DataFrame:
    released = pl.col("released_on")
    return holds.filter(
        (pl.col("starts_on") <= day)
        & (pl.col("ends_on").is_null() | (pl.col("ends_on") >= day))
        & (released.is_null() | (released >= day))
    ).with_columns(
        ends_on=pl.when(released.is_not_null() & (pl.col("ends_on").is_null() | (released < pl.col("ends_on"))))
        .then(released)
        .otherwise(pl.col("ends_on"))
    )


def _plans_on(history: History, day: date, open_cases: pl.DataFrame) -> pl.DataFrame:
    """The plans the nightly read of `day` gives the engine: those in force that night (`active`), and those
    broken before it while the borrower's case, still open, had (re)opened (`broken`)."""
    plans = history["plans"]
    status, ended = pl.col("status_now"), pl.col("ended_on")
    ended_by_a_run = status.is_in(["broken", "completed"])  # the run of their last day ended them, after its read
    in_force = (pl.col("effective_on") <= day) & (
        (status == "active") | (ended_by_a_run & (ended >= day)) | (~ended_by_a_run & (ended > day))
    )
    active = plans.filter(in_force).with_columns(status=pl.lit("active"), ended_on=pl.lit(None, dtype=pl.Date))
    since = open_cases.select("borrower_id", case_opened="opened_on")
    broken = (
        plans.filter((status == "broken") & (ended < day))
        .join(since, on="borrower_id", how="inner")
        .filter(pl.col("case_opened") <= ended)
        .unique("plan_id", keep="first")
        .with_columns(status=pl.lit("broken"))
    )
    columns = list(SCHEMAS["plans"])
    return pl.concat([active.select(columns), broken.select(columns)])


def night_of(history: History, day: date) -> dict[str, pl.DataFrame]:
    """What both sides read alike on the night of `day` (cut once, shared by the two sides' `inputs_on`)."""
    loans = history["loans"].filter(active_on(day))
    instalments = history["instalments"].filter(pl.col("settled_on").is_null() | (pl.col("settled_on") > day))
    promises = history["promises"].filter(
        (pl.col("made_on") <= day) & (pl.col("decided_on").is_null() | (pl.col("decided_on") >= day))
    )
    payments = history["payments"].filter(pl.col("paid_on") <= day)
    if promises.height:
        payments = payments.filter(pl.col("paid_on") >= promises["made_on"].min()).join(
            promises.select("borrower_id").unique(), on="borrower_id", how="semi"
        )
    else:
        payments = payments.clear()
    lawsuits = history["lawsuits"].filter(
        (pl.col("opened_on") <= day) & (~pl.col("closed_now") | (pl.col("closed_on") > day))
    )
    return {
        "loans": loans,
        "instalments": instalments.join(loans.select("loan_id"), on="loan_id", how="semi"),
        "allocations": history["allocations"].filter(pl.col("paid_on") <= day),
        "holds": _holds_on(history["holds"], day),
        "calls": history["calls"].filter(pl.col("called_on") <= day),
        "promises": promises,
        "payments": payments,
        "letters": history["letters"].filter(
            (pl.col("sent_on") <= day) & (pl.col("follow_up_created").is_null() | (pl.col("follow_up_created") >= day))
        ),
        "plan_payments": history["plan_payments"].filter(pl.col("paid_on") <= day),
        "late_stage": pl.concat(
            [
                lawsuits.select("borrower_id", stage=pl.lit("litigation")),
                history["write_offs"].filter(pl.col("as_of") <= day).select("borrower_id", stage=pl.lit("written_off")),
            ]
        ),
    }


def inputs_on(history: History, night: dict[str, pl.DataFrame], day: date, terms: Terms, cases: pl.DataFrame) -> Inputs:
    """The engine's inputs for the night of `day` (`night`: what both sides read alike, `night_of`), as its nightly
    read would have given them, with one side's terms and `cases` (that side's cases as the night before left
    them)."""
    instalments = night["instalments"].filter(pl.col("due_date") <= terms.horizon)
    allocations = night["allocations"].join(instalments.select("loan_id", "n"), on=["loan_id", "n"], how="semi")
    open_cases = cases.filter(pl.col("status") == "open")
    calls = night["calls"].join(open_cases.select("borrower_id").unique(), on="borrower_id", how="semi")
    plans = _plans_on(history, day, open_cases)
    in_force = plans.filter(pl.col("status") == "active").select("plan_id")
    met = pl.col("met_on")
    plan_instalments = (
        history["plan_instalments"]
        .join(in_force, on="plan_id", how="semi")
        .with_columns(met_on=pl.when(met < day).then(met))
    )
    return Inputs.of(
        loans=night["loans"],
        borrowers=history["borrowers"],
        instalments=instalments,
        allocations=allocations,
        holds=night["holds"],
        cases=cases,
        calls=calls,
        promises=night["promises"],
        payments=night["payments"],
        letters=night["letters"],
        plans=plans,
        plan_instalments=plan_instalments,
        plan_payments=night["plan_payments"].join(in_force, on="plan_id", how="semi"),
        late_stage=night["late_stage"],
        open_tasks=None,
    )


def cases_after(cases: pl.DataFrame, decided: pl.DataFrame, day: date, next_id: int) -> tuple[pl.DataFrame, int]:
    """The cases as the night of `day` leaves them (as `daily.apply` writes its case decisions), and the next
    free id for a case the replay opens (negative: never one of the stored cases)."""
    decision = pl.col("decision")
    changes = decided.filter(decision != "open").select(
        "case_id", "decision", to_class=pl.col("to_class"), to_pool=pl.col("to_pool").fill_null("")
    )
    closing, reopening = decision == "close", decision == "reopen"
    kept = (
        cases.join(changes, on="case_id", how="left")
        .with_columns(
            status=pl.when(closing).then(pl.lit("closed")).when(reopening).then(pl.lit("open")).otherwise("status"),
            delinquency_class=pl.when(decision.is_not_null()).then("to_class").otherwise("delinquency_class"),
            pool=pl.when(decision.is_not_null()).then("to_pool").otherwise("pool"),
            opened_on=pl.when(reopening).then(pl.lit(day)).otherwise("opened_on"),
            times_opened=pl.when(reopening).then(pl.col("times_opened") + 1).otherwise("times_opened"),
        )
        .select(list(STATE))
    )
    opened = decided.filter(decision == "open").sort("borrower_id")
    fresh = pl.DataFrame(
        {
            "case_id": list(range(next_id, next_id - opened.height, -1)),
            "borrower_id": opened["borrower_id"],
            "status": ["open"] * opened.height,
            "delinquency_class": opened["to_class"],
            "pool": opened["to_pool"].fill_null(""),
            "opened_on": [day] * opened.height,
            "times_opened": [1] * opened.height,
        },
        schema=STATE,
    )
    return pl.concat([kept.cast(STATE), fresh]), next_id - opened.height


@dataclass(frozen=True)
class Night:
    """One date's decisions on each side, with the cases each side's night left and the loans active."""

    day: date
    active: int
    decisions: dict[str, Decisions]
    cases: dict[str, pl.DataFrame]


def replay(
    history: History,
    policies: dict[str, Callable[[date], Policy]],
    calendar: Calendar,
    progress: Callable[[date], None] | None = None,
    plans: dict[tuple[str, date], NightPlan | None] | None = None,
) -> Iterator[Night]:
    """The nights from `history.first` to `history.last`, one at a time (the caller keeps what it needs: a
    long period of a large book is never held whole). `policies` gives each side's policy on a date; `plans` the
    experiment each side's night ran under (`night_plan`), when the caller has them already."""
    cases = dict.fromkeys(policies, cases_on_eve(history["case_events"]))
    next_id = dict.fromkeys(policies, -1)
    for day in nights(history.first, history.last):
        decided, alike = {}, night_of(history, day)
        for side, policy_on in policies.items():
            policy = policy_on(day)
            plan = plans[(side, day)] if plans is not None else night_plan(day, policy)
            terms = Terms.of(policy, day)
            inputs = inputs_on(history, alike, day, reach(terms, plan), cases[side])
            decided[side], _challengers = decide_night(inputs, terms, plan, decide, calendar)
            cases[side], next_id[side] = cases_after(cases[side], decided[side].cases, day, next_id[side])
        if progress is not None:
            progress(day)
        yield Night(day, alike["loans"].height, decided, dict(cases))
