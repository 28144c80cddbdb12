"""The two deadlines of a lawsuit and their warnings (Clause: LIT-2). Pure date logic: no database, no clock.

How this works
--------------
* The limitation period (诉讼时效) before filing ends `legal.limitation_years` after the earliest unpaid
  instalment's due date of the case's loans. Interpretation: the claim is counted from the oldest instalment
  still unpaid, the earliest and so the most cautious date (the Civil Code counts a debt payable in instalments
  from the last instalment's due date, art. 189; the bank warns earlier than that on purpose). Events that
  interrupt limitation (a demand for payment, a promise, a partial payment) are out of scope: the system does not
  restart the period for them, so a warning may come earlier than the law requires, never later.
* The period for applying for enforcement (申请执行期间) ends `legal.enforcement_apply_years` after the
  judgment took effect.
* A period "ends" on its last day: acting on that day is in time, the day after is late. Counting whole years
  from 29 February ends on 28 February in a year without it.
* Each is warned from `…_warning_days` before its last day (inclusive) while the act is not done: the
  limitation while the claim is not filed, the enforcement period while enforcement is not applied for.

`state(on)` says where a deadline stands on a date: `met` (done: filed, applied for), `moot` (the lawsuit was
closed before it was done), `overdue` (past its last day and not done), `warning` (within the warning days) or
`running`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LIMITATION = "limitation"
ENFORCEMENT = "enforcement"

MET, MOOT, OVERDUE, WARNING, RUNNING = "met", "moot", "overdue", "warning", "running"
PENDING = (OVERDUE, WARNING, RUNNING)


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Deadline:
    """One period of LIT-2: what it is for, from when it runs, its last day, when its warning starts, and the
    day the act was done (None while it is not) or the day the lawsuit closed without it."""

    kind: str
    starts_on: date
    ends_on: date
    warn_from: date
    met_on: date | None = None
    closed_on: date | None = None
    clause: str = "LIT-2"

    def state(self, on: date) -> str:
        if self.met_on is not None:
            return MET
        if self.closed_on is not None:
            return MOOT
        if on > self.ends_on:
            return OVERDUE
        if on >= self.warn_from:
            return WARNING
        return RUNNING

    def pending(self, on: date) -> bool:
        return self.state(on) in PENDING

    @property
    def late(self) -> bool:
        """Done, but after its last day."""
        return self.met_on is not None and self.met_on > self.ends_on

    def days_left(self, on: date) -> int:
        """Days from `on` to the last day (0 on the last day, negative once past it)."""
        return (self.ends_on - on).days


def _deadline(kind: str, start: date, years: int, warning_days: int, met_on, closed_on) -> Deadline:
    ends_on = add_years(start, years)
    return Deadline(kind, start, ends_on, ends_on - timedelta(days=warning_days), met_on, closed_on)


def limitation(
    earliest_unpaid_due: date | None,
    *,
    years: int,
    warning_days: int,
    filed_on: date | None = None,
    closed_on: date | None = None,
) -> Deadline | None:
    """The limitation period before filing (see the module's docstring); None when no instalment is unpaid and
    the claim was not filed (nothing to count from)."""
    if earliest_unpaid_due is None:
        return None
    return _deadline(LIMITATION, earliest_unpaid_due, years, warning_days, filed_on, closed_on)


def enforcement(
    judgment_effective_on: date | None,
    *,
    years: int,
    warning_days: int,
    applied_on: date | None = None,
    closed_on: date | None = None,
) -> Deadline | None:
    """The period for applying for enforcement; None until a judgment's effective date is recorded."""
    if judgment_effective_on is None:
        return None
    return _deadline(ENFORCEMENT, judgment_effective_on, years, warning_days, applied_on, closed_on)


def deadlines_of(
    *,
    earliest_unpaid_due: date | None,
    filed_on: date | None,
    judgment_effective_on: date | None,
    enforcement_applied_on: date | None,
    closed_on: date | None,
    legal,
) -> list[Deadline]:
    """A lawsuit's deadlines with the policy's `legal` section (`arrears.policy.model.Legal`), in their order."""
    found = [
        limitation(
            earliest_unpaid_due,
            years=legal.limitation_years,
            warning_days=legal.limitation_warning_days,
            filed_on=filed_on,
            closed_on=closed_on,
        ),
        enforcement(
            judgment_effective_on,
            years=legal.enforcement_apply_years,
            warning_days=legal.enforcement_warning_days,
            applied_on=enforcement_applied_on,
            closed_on=closed_on,
        ),
    ]
    return [d for d in found if d is not None]


def next_deadline(deadlines: list[Deadline], on: date) -> Deadline | None:
    """The nearest deadline not yet met (overdue ones first: they end earliest), or None."""
    pending = [d for d in deadlines if d.pending(on)]
    return min(pending, key=lambda d: d.ends_on) if pending else None
