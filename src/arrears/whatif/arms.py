"""Champion/challenger (issue 23): which arm a borrower is in, and how far apart the arms' outcomes are.

- `arm_of(seed, borrower_id, share)`: `challenger` for a stable share of borrowers, else `champion`. The borrower's
  place is the first 8 bytes of SHA-256 over `"<seed>:<borrower id>"` read as a number in [0, 2^64); below
  `share` × 2^64 is the challenger (compared in integers: `share` is exact). The same seed always gives the same
  arms (an experiment's assignment can be checked from its seed alone); another seed mixes them anew; a larger
  share keeps every borrower the smaller one had.
- `proportion_difference(successes_a, n_a, successes_b, n_b, level)`: the difference of two rates (cured within
  30 or 60 days, promises kept) with Newcombe's hybrid score interval (statsmodels'
  `confint_proportions_2indep`, method `newcomb`), which keeps its coverage for small samples and rates near 0 or
  1, where the textbook Wald interval does not.
- `mean_difference(values_a, values_b, level)`: the difference of two means (a recovery rate per case) with
  Welch's interval (unequal variances; statsmodels' `CompareMeans.tconfint_diff`).
- `enough(n_a, n_b, minimum)`: whether both arms have reached the sample the experiment asks for; below it the
  page warns that the interval says little yet.

Rates are given as counts and results returned as Decimal to 4 places (half-up), never float, so that a page or a
ledger event shows the same digits everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "Difference",
    "arm_of",
    "arms_of",
    "enough",
    "mean_difference",
    "proportion_difference",
]

CHAMPION, CHALLENGER = "champion", "challenger"
_SPACE = 2**64
_PLACES = Decimal("0.0001")


def _place(seed: str, borrower_id: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{borrower_id}".encode()).digest()[:8], "big")


def arm_of(seed: str, borrower_id: int, share: Decimal | Fraction | str) -> str:
    """The arm of `borrower_id` in the experiment of `seed` giving `share` (0 to 1) of borrowers the challenger."""
    return arms_of(seed, [borrower_id], share)[0]


def arms_of(seed: str, borrower_ids: Iterable[int], share: Decimal | Fraction | str) -> list[str]:
    """`arm_of` for each of `borrower_ids`, in their order (the share read once)."""
    ratio = Fraction(str(share)) if not isinstance(share, Fraction) else share
    if not 0 <= ratio <= 1:
        raise ValueError(f"the challenger's share must be from 0 to 1, not {share}")
    below, scale = ratio.numerator * _SPACE, ratio.denominator
    return [CHALLENGER if _place(seed, b) * scale < below else CHAMPION for b in borrower_ids]


@dataclass(frozen=True)
class Difference:
    """B − A with its interval at `level`, to 4 places."""

    estimate: Decimal
    low: Decimal
    high: Decimal
    level: Decimal

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_PLACES, rounding=ROUND_HALF_UP)


def _alpha(level: Decimal | str) -> float:
    level = Decimal(str(level))
    if not Decimal("0.5") <= level < 1:
        raise ValueError(f"the confidence level must be from 0.5 to below 1, not {level}")
    return float(1 - level)


def proportion_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, level: Decimal | str = "0.95"
) -> Difference:
    """successes_b / n_b − successes_a / n_a, with Newcombe's hybrid score interval."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    for successes, n in ((successes_a, n_a), (successes_b, n_b)):
        if n < 1 or not 0 <= successes <= n:
            raise ValueError(f"{successes} successes of {n}: a rate needs 0 to n successes of at least 1")
    low, high = confint_proportions_2indep(
        successes_b, n_b, successes_a, n_a, method="newcomb", compare="diff", alpha=_alpha(level)
    )
    estimate = Fraction(successes_b, n_b) - Fraction(successes_a, n_a)
    exact = (Decimal(estimate.numerator) / Decimal(estimate.denominator)).quantize(_PLACES, rounding=ROUND_HALF_UP)
    return Difference(exact, _dec(low), _dec(high), Decimal(str(level)))


def mean_difference(
    values_a: Sequence[Decimal], values_b: Sequence[Decimal], level: Decimal | str = "0.95"
) -> Difference:
    """mean(values_b) − mean(values_a), with Welch's interval (each arm at least 2 values)."""
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    if len(values_a) < 2 or len(values_b) < 2:
        raise ValueError("a mean's interval needs at least 2 values in each arm")
    a, b = [float(v) for v in values_a], [float(v) for v in values_b]
    low, high = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(alpha=_alpha(level), usevar="unequal")
    estimate = sum(Decimal(v) for v in values_b) / len(values_b) - sum(Decimal(v) for v in values_a) / len(values_a)
    return Difference(estimate.quantize(_PLACES, rounding=ROUND_HALF_UP), _dec(low), _dec(high), Decimal(str(level)))


def enough(n_a: int, n_b: int, minimum: int) -> bool:
    """Both arms have at least `minimum` outcomes."""
    return min(n_a, n_b) >= minimum
