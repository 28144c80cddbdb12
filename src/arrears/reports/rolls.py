"""Roll rates between buckets month to month, and the cure rate (pure: no Django; `docs/kpi.md`).

A transition is where a loan stood at a month's opening (`M0` current, `M1` … `M3+`) and where it stood at the
month's end: still overdue in a bucket, `current` again, `closed` (paid off) or `written_off`. The roll rate from
bucket A to B is the share of A's loans at the opening that were in B at the end (by count, and by the opening
overdue amount); each row of the matrix adds up to 1. The `M0` row knows only the current loans that rolled into
arrears; the others stay `current` in it.

The cure rate is the share of the opening's overdue loans (M1 and above) that ended current or paid off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["FROM", "TO", "RollMatrix", "Transition", "roll_matrix"]

FROM = ("M0", "M1", "M2", "M3", "M3+")
TO = ("current", "M1", "M2", "M3", "M3+", "closed", "written_off")
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class Transition:
    start: str  # one of FROM
    end: str  # one of TO
    loans: int
    overdue_fen: int = 0  # the loans' opening overdue amount (0 for current loans)


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(FOUR, ROUND_HALF_UP) if whole else None


@dataclass(frozen=True)
class RollMatrix:
    loans: dict[str, dict[str, int]] = field(default_factory=dict)  # start → end → loans
    amounts: dict[str, dict[str, int]] = field(default_factory=dict)  # start → end → opening overdue fen

    def rate(self, start: str, end: str) -> Decimal | None:
        """Share of `start`'s loans that ended in `end` (4 decimals; None when `start` had none)."""
        return _share(self.loans[start][end], sum(self.loans[start].values()))

    def amount_rate(self, start: str, end: str) -> Decimal | None:
        return _share(self.amounts[start][end], sum(self.amounts[start].values()))

    def rates(self) -> list[list[Decimal | None]]:
        """The matrix of count rates, rows FROM, columns TO."""
        return [[self.rate(start, end) for end in TO] for start in FROM]

    @property
    def cured(self) -> int:
        return sum(self.loans[start][end] for start in FROM[1:] for end in ("current", "closed"))

    @property
    def overdue_at_opening(self) -> int:
        return sum(sum(self.loans[start].values()) for start in FROM[1:])

    @property
    def cure_rate(self) -> Decimal | None:
        return _share(self.cured, self.overdue_at_opening)


def roll_matrix(transitions: Iterable[Transition]) -> RollMatrix:
    """Clause: KPI-1 — the roll-rate matrix of a month's transitions (module docstring). Transitions with the same
    start and end add up; a start or end outside FROM / TO is refused (ValueError)."""
    loans = {start: dict.fromkeys(TO, 0) for start in FROM}
    amounts = {start: dict.fromkeys(TO, 0) for start in FROM}
    for step in transitions:
        if step.start not in loans or step.end not in TO:
            raise ValueError(f"a transition from {step.start!r} to {step.end!r}: from one of {FROM} to one of {TO}")
        if step.loans < 0 or step.overdue_fen < 0:
            raise ValueError(f"a transition of {step.loans} loans and {step.overdue_fen} fen: neither may be negative")
        loans[step.start][step.end] += step.loans
        amounts[step.start][step.end] += step.overdue_fen
    return RollMatrix(loans, amounts)
