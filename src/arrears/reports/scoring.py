"""The arithmetic of a scorecard (Clause: QA-2), pure: figures and weights in, the score out. No Django.

A scorecard has six parts, each a figure from 0 to 1 (4 decimals, half-up), or none when the month gives it none:

| part | figure | none when |
|---|---|---|
| recovery | recovered ÷ opening overdue (KPI-1), at most 1 | no loan at the month's opening |
| promises_kept | promises kept ÷ promises due in the month and decided | no promise due and decided |
| contact | outbound calls that reached the borrower ÷ outbound calls | no outbound call |
| quality | the month's quality score ÷ 100 | no inspected call counted |
| complaints | max(0, 1 − substantiated complaints ÷ `complaints_to_zero`) | never |
| violations | max(0, 1 − violations ÷ `violations_to_zero`) | never |

The weights are the policy's (`policy.model_kpi.Scorecard`). A part without its figure is left out and each other
part's weight is divided by the sum of the weights of the parts present, so the weights used add up to 1:

    score = 100 × Σ figure × weight ÷ Σ weight of the parts present, 2 decimals half-up.

The default weights without the quality part: recovery 0.30 ÷ 0.75 = 0.40, promises kept and contact 0.20 each,
complaints 0.1333, violations 0.0667.

Two kinds of card get no score that month; their parts are still shown:

- a card without any figure of the month's work (recovery, promises kept, contact, quality — with a weight above
  0): a clean record alone is no appraisal (`NoScore.NO_WORK`);
- a card on which the recovery part would weigh as much as the other parts present together (with the default
  weights: a month without an inspected call and without a promise due, 0.30 against 0.15 + 0.10 + 0.05): the
  regulator's rule that a collector is never appraised on the amount recovered alone holds for each card too
  (`NoScore.RECOVERY_ALONE`).

The weights used are shown to 4 decimals; the score is worked out from them unrounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

__all__ = ["PARTS", "NoScore", "Scored", "card_score", "clean_record", "quality_figure", "share"]

PARTS = ("recovery", "promises_kept", "contact", "quality", "complaints", "violations")
WORK = ("recovery", "promises_kept", "contact", "quality")  # the parts that measure the month's work
FOUR = Decimal("0.0001")
TWO = Decimal("0.01")


class NoScore(StrEnum):
    """Why a card has no score."""

    NO_WORK = "no_work"  # no figure of the month's work with a weight above 0
    RECOVERY_ALONE = "recovery_alone"  # the recovery part would weigh as much as the others present together


@dataclass(frozen=True)
class Scored:
    score: Decimal | None
    weights: dict[str, Decimal | None]  # the weight each part had after scaling, 4 decimals; None: left out
    no_score: NoScore | None = None


def _count(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} = {value}: a count is never negative")
    return value


def share(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator to 4 decimals half-up, at most 1; None when the denominator is 0."""
    _count(numerator, "numerator")
    if not _count(denominator, "denominator"):
        return None
    with localcontext(prec=34):
        return min(Decimal(numerator) / Decimal(denominator), Decimal(1)).quantize(FOUR, ROUND_HALF_UP)


def clean_record(count: int, to_zero: int) -> Decimal:
    """The complaints' or violations' part: max(0, 1 − count ÷ to_zero), 4 decimals half-up (2 complaints of 3
    that take it to 0: 0.3333)."""
    if _count(to_zero, "to_zero") < 1:
        raise ValueError("to_zero must be at least 1")
    with localcontext(prec=34):
        return max(Decimal(0), 1 - Decimal(_count(count, "count")) / Decimal(to_zero)).quantize(FOUR, ROUND_HALF_UP)


def quality_figure(score: Decimal | None) -> Decimal | None:
    """The quality part: the month's quality score (0..100, 2 decimals) ÷ 100; None without a score."""
    if score is None:
        return None
    if not isinstance(score, Decimal):
        raise TypeError(f"score: expected a Decimal, got {type(score).__name__} (never a float)")
    if not 0 <= score <= 100:
        raise ValueError(f"quality score {score}: outside 0..100")
    return (score / 100).quantize(FOUR, ROUND_HALF_UP)


def _checked(parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> None:
    if set(parts) != set(PARTS) or set(weights) != set(PARTS):
        raise ValueError(f"a scorecard has the parts {', '.join(PARTS)}: one figure (or None) and one weight each")
    for name in PARTS:
        figure, weight = parts[name], weights[name]
        if figure is not None and not isinstance(figure, Decimal):
            raise TypeError(f"{name}: expected a Decimal figure or None, got {type(figure).__name__}")
        if figure is not None and not 0 <= figure <= 1:
            raise ValueError(f"{name} = {figure}: a part's figure is from 0 to 1")
        if not isinstance(weight, Decimal):
            raise TypeError(f"weight of {name}: expected a Decimal, got {type(weight).__name__} (never a float)")
        if weight < 0:
            raise ValueError(f"weight of {name} = {weight}: weights are never negative")


def card_score(parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Scored:
    """Clause: QA-2 — the score of one card from its parts' figures (None: left out) and the policy's weights
    (module docstring)."""
    _checked(parts, weights)
    present = [name for name in PARTS if parts[name] is not None]
    total = sum((weights[name] for name in present), Decimal(0))
    if not any(weights[name] > 0 for name in present if name in WORK):
        return Scored(None, dict.fromkeys(PARTS), NoScore.NO_WORK)
    with localcontext(prec=34):
        used = {name: (weights[name] / total if name in present else None) for name in PARTS}
        shown = {name: None if w is None else w.quantize(FOUR, ROUND_HALF_UP) for name, w in used.items()}
        if "recovery" in present and weights["recovery"] >= total - weights["recovery"]:
            return Scored(None, shown, NoScore.RECOVERY_ALONE)
        weighted = sum((parts[name] * weights[name] for name in present), Decimal(0))
        score = (100 * weighted / total).quantize(TWO, ROUND_HALF_UP)
    return Scored(score, shown)
