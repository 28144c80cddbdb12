"""Penalty waiver limits (罚息減免): who may be offered a waiver and how much at most.

Clause: WVR-1 (only a first delinquency, borrower-initiated contact, DPD ≤ 30), WVR-2 (at most 20% of the
total penalty interest).

How this works
--------------
`waiver_limit` checks the three WVR-1 conditions and lists every one that fails (not only the first), each
with its clause ID, so a collector sees everything that stands in the way. When all hold, the cap is the
penalty × `max_share` rounded **down** to the fen: a waiver must never exceed the share the policy allows,
and rounding half-up could put it a fen over. When any fails, the cap is 0.00. `max_share` and `max_dpd` are
policy parameters (defaults 0.20 and 30); the caller passes the policy's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arrears.finance.errors import FinanceError
from arrears.finance.money import MoneyInput, calc_context, floor_fen, money, to_decimal

__all__ = ["DEFAULT_MAX_DPD", "DEFAULT_MAX_SHARE", "WaiverLimit", "waiver_limit"]

DEFAULT_MAX_SHARE = Decimal("0.20")
DEFAULT_MAX_DPD = 30


@dataclass(frozen=True)
class WaiverLimit:
    """Whether a waiver may be granted, its cap (0.00 when not), and each failed condition."""

    eligible: bool
    max_waiver: Decimal
    reasons: list[str]


def _whole_number(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FinanceError(f"{name} must be a whole number of days, 0 or more, got {value!r}")
    return value


def waiver_limit(
    *,
    penalty: MoneyInput,
    dpd: int,
    first_delinquency: bool,
    self_initiated: bool,
    max_share: MoneyInput = DEFAULT_MAX_SHARE,
    max_dpd: int = DEFAULT_MAX_DPD,
) -> WaiverLimit:
    """The largest penalty waiver allowed. Clause: WVR-1, WVR-2.

    `penalty` is the total penalty interest (罚息) accrued; `dpd` the days past due; `first_delinquency`
    whether this is the borrower's first delinquency; `self_initiated` whether the borrower contacted the
    bank on their own initiative. Example: penalty 1000, DPD 12, first, self-initiated → 200.00.
    """
    total_penalty = money(penalty, name="penalty")
    if total_penalty < 0:
        raise FinanceError(f"penalty must not be negative, got {total_penalty}")
    days = _whole_number(dpd, "dpd")
    limit_days = _whole_number(max_dpd, "max_dpd")
    share = to_decimal(max_share, name="max_share")
    if not Decimal(0) <= share <= 1:
        raise FinanceError(f"max_share must be a fraction from 0 to 1 (e.g. 0.20), got {share}")
    for name, flag in (("first_delinquency", first_delinquency), ("self_initiated", self_initiated)):
        if not isinstance(flag, bool):
            raise FinanceError(f"{name} must be True or False, got {flag!r}")

    reasons = []
    if not first_delinquency:
        reasons.append("WVR-1: not the borrower's first delinquency")
    if not self_initiated:
        reasons.append("WVR-1: the borrower did not contact the bank on their own initiative")
    if days > limit_days:
        reasons.append(f"WVR-1: DPD {days} exceeds {limit_days}")
    if reasons:
        return WaiverLimit(eligible=False, max_waiver=Decimal("0.00"), reasons=reasons)
    with calc_context():
        cap = floor_fen(total_penalty * share)
    return WaiverLimit(eligible=True, max_waiver=cap, reasons=[])
