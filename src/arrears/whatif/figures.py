"""What a what-if reports of each night and side, and of the whole period.

A night's figures on one side are the nightly run's own summary of its decisions (`daily.actions.summarize`:
loans, delinquent, by class and bucket, overdue total, case decisions, reminders, tasks due by kind, promise and
plan outcomes), and:

- `cases_by_pool`: the open cases of each pool (junior, senior, supervisor) as the night leaves them — the
  caseload each tier must carry;
- `calls_due`: collection calls that should exist that night (the cadence's calls, letter confirmations,
  broken promises: CLS-2, CALL-4, LTR-3, CALL-3); `legal_referrals`: legal reviews due (LGL-1);
- `letters`: formal notices sent that day (LTR-1: collectors issue them, so both sides have the same);
- `cost`: the written reminders by SMS and email, and the letters (post, or email), at the side's unit costs
  (KPI-2's `kpi.cost_per_*`), each channel rounded half-up to the fen, and their total;
- `waivers_eligible`: loans a penalty waiver could be proposed on, and the most that could be waived on them in
  all (`max_fen`); `plans_feasible`: borrowers in arrears with an income on record (`borrowers`) and those of
  them a plan would fit (`feasible`) — see `offers`.

The period's total: the sum of the nights for every count and amount, except the tasks: a call or review that
should exist on several nights (a cadence call waits until it is made) counts once, by its key; and
`cases_by_pool`, which is the peak night's count of each pool (what the staffing must cover), with
`cases_by_pool_days`, the sum over the nights (case-days: divided by the nights, the average caseload); and the
offers, counted once each: the loans a waiver could be proposed on some night, with the most allowed on each on
any night added up, and the borrowers a plan would fit on some night.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.utils.translation import gettext_lazy as _

from arrears.daily.actions import summarize
from arrears.engine.runner import Decisions
from arrears.finance.money import to_fen
from arrears.policy import Policy

__all__ = ["CALL_KINDS", "COMPARED", "POOLS", "Totals", "figure_at", "night_figures"]

POOLS = ("junior", "senior", "supervisor")
CALL_KINDS = ("call", "letter_follow_up", "broken_promise")  # the collectors' calls (CLS-2, CALL-4, LTR-3, CALL-3)
LEGAL_KIND = "legal_review"  # LGL-1
# A night's stock figures (positions as they stand) and what the total counts by key instead of by night.
NOT_SUMMED = {"loans", "delinquent", "by_class", "by_bucket", "overdue_total_fen", "cases_by_pool", "tasks_due"}
NOT_SUMMED |= {"calls_due", "legal_referrals", "waivers_eligible", "plans_feasible"}


# The totals a what-if puts side by side (the command's table, the page, its CSV and PDF): words, and the path to the
# figure in a side's figures (a path ending in `_fen` is an amount).
COMPARED = (
    (_("reminders written"), ("reminders", "written")),
    (_("reminders without a channel"), ("reminders", "written_without_channel")),
    (_("reminders by phone"), ("reminders", "phone")),
    (_("letters sent"), ("letters",)),
    (_("calls due"), ("calls_due",)),
    (_("legal referrals"), ("legal_referrals",)),
    (_("cases opened"), ("case_decisions", "open")),
    (_("cases reopened"), ("case_decisions", "reopen")),
    (_("cases moved"), ("case_decisions", "move")),
    (_("cases closed"), ("case_decisions", "close")),
    (_("junior cases (peak night)"), ("cases_by_pool", "junior")),
    (_("senior cases (peak night)"), ("cases_by_pool", "senior")),
    (_("supervisor cases (peak night)"), ("cases_by_pool", "supervisor")),
    (_("cost of reminders and letters (yuan)"), ("cost", "total_fen")),
    (_("loans a waiver could be proposed on"), ("waivers_eligible", "loans")),
    (_("most that could be waived (yuan)"), ("waivers_eligible", "max_fen")),
    (_("borrowers a plan would fit"), ("plans_feasible", "feasible")),
)


def figure_at(figures: dict[str, Any], path: tuple[str, ...]) -> int:
    """The figure at `path` in a side's figures (0 where a night had none of it, e.g. no case opened)."""
    value: Any = figures
    for key in path:
        value = value.get(key, 0) if isinstance(value, dict) else 0
    return int(value or 0)


def _pools(cases: pl.DataFrame) -> dict[str, int]:
    counts = dict(cases.filter(pl.col("status") == "open").group_by("pool").len().iter_rows())
    return {pool: int(counts.get(pool, 0)) for pool in POOLS}


def _cost(reminders: pl.DataFrame, letters: dict[str, int], policy: Policy) -> dict[str, int]:
    written = reminders.filter(pl.col("kind") == "written")
    by_channel = dict(written.group_by("channel").len().iter_rows()) if written.height else {}
    kpi = policy.kpi
    sms = to_fen(kpi.cost_per_sms * by_channel.get("sms", 0))
    email = to_fen(kpi.cost_per_email * (by_channel.get("email", 0) + letters.get("email", 0)))
    post = to_fen(kpi.cost_per_letter * letters.get("post", 0))
    return {"sms_fen": sms, "email_fen": email, "letters_fen": post, "total_fen": sms + email + post}


def night_figures(
    decisions: Decisions,
    cases: pl.DataFrame,
    active: int,
    letters: dict[str, int],
    policy: Policy,
    offers: tuple[pl.DataFrame, pl.DataFrame],
) -> dict[str, Any]:
    """One side's figures of one night (see the module doc); `letters` the day's letters sent by channel, `offers`
    the night's waivers and plans (`offers.waivers_eligible`, `offers.plans_feasible`)."""
    tasks = decisions.tasks
    waivers, plans = offers
    return {
        **summarize(decisions, active),
        "cases_by_pool": _pools(cases),
        "calls_due": int(tasks["kind"].is_in(CALL_KINDS).sum()) if tasks.height else 0,
        "legal_referrals": int((tasks["kind"] == LEGAL_KIND).sum()) if tasks.height else 0,
        "letters": sum(letters.values()),
        "cost": _cost(decisions.reminders, letters, policy),
        "waivers_eligible": {
            "loans": waivers.height,
            "max_fen": int(waivers["max_fen"].sum()) if waivers.height else 0,
        },
        "plans_feasible": {"borrowers": plans.height, "feasible": int(plans["feasible"].sum()) if plans.height else 0},
    }


def _add(into: dict[str, Any], figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, int):
            into[key] = into.get(key, 0) + value


@dataclass
class Totals:
    """One side's running total over the nights (see the module doc)."""

    sums: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, set[str]] = field(default_factory=dict)  # task kind -> keys of the tasks due
    peak: Counter = field(default_factory=Counter)
    waivers: dict[int, int] = field(default_factory=dict)  # loan -> the most allowed on it on any night
    plans: set[int] = field(default_factory=set)  # borrowers a plan would fit on some night
    nights: int = 0

    def add(self, figures: dict[str, Any], decisions: Decisions, offers: tuple[pl.DataFrame, pl.DataFrame]) -> None:
        _add(self.sums, {k: v for k, v in figures.items() if k not in NOT_SUMMED})
        _add(self.sums.setdefault("cases_by_pool_days", {}), figures["cases_by_pool"])
        for pool, count in figures["cases_by_pool"].items():
            self.peak[pool] = max(self.peak[pool], count)
        tasks = decisions.tasks
        if tasks.height:
            for kind, keys in tasks.group_by("kind").agg(pl.col("key")).iter_rows():
                self.keys.setdefault(kind, set()).update(keys)
        waivers, plans = offers
        for loan, most in waivers.select("loan_id", "max_fen").iter_rows():
            self.waivers[loan] = max(most, self.waivers.get(loan, 0))
        self.plans.update(plans.filter(pl.col("feasible"))["borrower_id"].to_list())
        self.nights += 1

    def result(self) -> dict[str, Any]:
        def distinct(kinds) -> int:
            return len(set().union(*(self.keys.get(kind, set()) for kind in kinds)))

        return {
            **self.sums,
            "nights": self.nights,
            "tasks_due": {kind: len(keys) for kind, keys in sorted(self.keys.items())},
            "calls_due": distinct(CALL_KINDS),
            "legal_referrals": distinct([LEGAL_KIND]),
            "cases_by_pool": {pool: int(self.peak[pool]) for pool in POOLS},
            "waivers_eligible": {"loans": len(self.waivers), "max_fen": sum(self.waivers.values())},
            "plans_feasible": {"feasible": len(self.plans)},
        }
