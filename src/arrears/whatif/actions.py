"""The what-if: the period's nights replayed under the policy in force and under a candidate version, compared.

`do_whatif(candidate, first, last, actor=…)` checks the reader may run a what-if (`reports.whatif`), that the period is past (its
last date no later than the newest nightly run done) and that the working-day calendar covers it, reads the
period's history (`history`), replays it (`replay`) and returns a `WhatIf`: each night's figures on both sides
(`figures`) and the totals. It writes nothing: no live table, no ledger event (it changes no state; it reads
counts, never a borrower's details).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import require
from arrears.daily.models import Run, RunStatus
from arrears.engine.params import Terms
from arrears.policy.versions import PolicyVersion
from arrears.rules.calendar_watch import calendar_coverage
from arrears.rules.queries import calendar, policy_book
from arrears.whatif.errors import WhatIfRefused
from arrears.whatif.experiments import night_plan, reach
from arrears.whatif.figures import Totals, night_figures
from arrears.whatif.history import read_history
from arrears.whatif.offers import plans_feasible, waivers_eligible
from arrears.whatif.replay import SIDES, nights, replay

__all__ = ["WhatIf", "WhatIfRefused", "check_period", "do_whatif"]


@dataclass(frozen=True)
class WhatIf:
    first: date
    last: date
    candidate: str  # the candidate version's name
    baseline: list[str]  # the names of the versions in force over the period, oldest first
    overrides: dict[str, Any]  # the candidate's parameters that differ from the SPEC defaults
    days: list[dict[str, Any]]  # {"date", "baseline": figures, "candidate": figures}
    total: dict[str, dict[str, Any]]  # side -> totals
    seconds: dict[str, float]  # read (the period's history), replay (every night, both sides)

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "policy": {"baseline": self.baseline, "candidate": self.candidate, "overrides": self.overrides},
            "days": self.days,
            "total": self.total,
            "seconds": self.seconds,
        }


def check_period(first: date, last: date) -> None:
    """Refuse (`WhatIfRefused`) a period that is backwards, not past yet, or outside the working-day calendar."""
    if last < first:
        raise WhatIfRefused(
            _("The period ends (%(last)s) before it begins (%(first)s): give a first date on or before the last.")
            % {"first": first, "last": last}
        )
    newest = Run.objects.filter(status=RunStatus.DONE).aggregate(last=Max("business_date"))["last"]
    if newest is None:
        raise WhatIfRefused(
            _("No nightly run is done yet: a what-if replays past nights, so run the nightly batch first.")
        )
    if last > newest:
        raise WhatIfRefused(
            _(
                "The newest nightly run done is of %(newest)s: a what-if replays past nights only, so end the period by then."
            )
            % {"newest": newest}
        )
    for day in (first, last):
        coverage = calendar_coverage(day)
        if not coverage.covered:
            raise WhatIfRefused(
                _("The working-day calendar does not cover %(year)s: add that year before replaying %(day)s.")
                % {"year": coverage.missing_year, "day": day}
            )


def do_whatif(
    candidate: PolicyVersion,
    first: date,
    last: date,
    *,
    actor: Any,
    progress: Callable[[date], None] | None = None,
) -> WhatIf:
    """The nights from `first` to `last` replayed under the policy in force on each and under `candidate`'s
    policy (its effective date ignored), compared night by night and in total."""
    require(actor, Perm.RUN_WHATIF)
    check_period(first, last)
    book = policy_book()
    policies = {"baseline": lambda day: book.version_on(day).policy, "candidate": lambda day: candidate.policy}
    # Each side's experiment of each night, found once: the read's horizon and the replay both need them.
    plans = {(side, day): night_plan(day, policies[side](day)) for side in SIDES for day in nights(first, last)}
    horizon = max(reach(Terms.of(policies[side](day), day), plan).horizon for (side, day), plan in plans.items())
    clock = time.perf_counter()
    history = read_history(first, last, horizon)
    seconds = {"read": round(time.perf_counter() - clock, 3)}
    clock = time.perf_counter()
    letters: dict[date, dict[str, int]] = {}
    for sent_on, channel, count in history["letters_sent"].iter_rows():
        letters.setdefault(sent_on, {})[channel] = int(count)
    totals = {side: Totals() for side in SIDES}
    days = []
    for night in replay(history, policies, calendar(), progress=progress, plans=plans):
        row: dict[str, Any] = {"date": night.day.isoformat()}
        for side in SIDES:
            policy, decided = policies[side](night.day), night.decisions[side]
            offers = (
                waivers_eligible(
                    decided.positions, night.cases[side], history["calls"], history["allocations"], night.day, policy
                ),
                plans_feasible(decided.positions, history["incomes"], policy),
            )
            sent = letters.get(night.day, {})
            figures = night_figures(decided, night.cases[side], night.active, sent, policy, offers)
            totals[side].add(figures, decided, offers)
            row[side] = figures
        days.append(row)
    seconds["replay"] = round(time.perf_counter() - clock, 3)
    in_force = []
    for day in nights(first, last):
        name = book.version_on(day).name
        if name not in in_force:
            in_force.append(name)
    return WhatIf(
        first,
        last,
        candidate.name,
        in_force,
        {key: str(value) for key, value in candidate.overrides().items()},
        days,
        {side: totals[side].result() for side in SIDES},
        seconds,
    )
