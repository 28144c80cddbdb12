"""Penalty interest (罚息) and compound interest (复利) on overdue instalments.

Clause: LTR-1 (the notice prints the calculation in detail), WVR-2 (the waiver cap is a share of this
penalty); see "Penalty interest" in SPEC.md.

How this works
--------------
* penalty rate (annual) = contract annual rate × (1 + markup); the markup is a policy parameter (the
  policy allows 0.30–0.50 and checks that range; here only a negative markup is refused).
* daily rate = penalty rate ÷ day basis (360 by default, a policy parameter).
* days = (as_of − due_date).days: from the day after the due date through `as_of`, which is also the DPD of
  that instalment. Zero or negative means not overdue: no penalty, DPD 0.
* penalty interest = overdue principal × daily rate × days; compound interest = overdue interest × daily
  rate × days. Interest is never charged on penalty or compound interest: only the instalment's unpaid
  principal and unpaid contract interest are bases, whatever penalty has accrued. The policy can switch
  compound interest off (`compound_on_interest=False`): it is then 0.00 and the notice says so.
* Each product is computed exactly (multiplying first, dividing by the day basis last) and rounded half-up
  to the fen once, in the result. `total` is the sum of the two *rounded* amounts, so the figures a notice
  prints always add up (81.56 + 2.96 = 84.52) — the choice a reader can check with a pencil.
* `penalty_for_instalments` handles several overdue instalments: each has its own due date, so each is
  computed on its own and the rounded results are summed; its DPD is the oldest instalment's (CLS-1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from arrears.finance.errors import FinanceError
from arrears.finance.money import (
    ZERO,
    MoneyInput,
    calc_context,
    fen_amount,
    format_money,
    format_plain,
    round_fen,
    to_decimal,
)
from arrears.finance.schedule import MAX_ANNUAL_RATE

__all__ = [
    "DEFAULT_DAY_BASIS",
    "OverdueInstalment",
    "PenaltyResult",
    "PenaltySummary",
    "penalty_for_instalments",
    "penalty_interest",
]

DEFAULT_DAY_BASIS = 360


class OverdueInstalment(NamedTuple):
    """One overdue instalment as (due_date, principal, interest); a plain tuple works as well."""

    due_date: date
    principal: MoneyInput
    interest: MoneyInput


@dataclass(frozen=True)
class PenaltyResult:
    """Penalty on one overdue instalment. Amounts are rounded to the fen; rates are exact."""

    due_date: date
    as_of: date
    dpd: int
    overdue_principal: Decimal
    overdue_interest: Decimal
    annual_rate: Decimal
    markup: Decimal
    day_basis: int
    penalty_rate: Decimal  # annual, e.g. 0.0435 × 1.5 = 0.06525
    daily_rate: Decimal  # penalty_rate / day_basis, to the context's precision
    penalty_interest: Decimal
    compound_interest: Decimal
    total: Decimal
    lines: list[str]


@dataclass(frozen=True)
class PenaltySummary:
    """Penalty over several overdue instalments: the per-instalment results and their sums."""

    items: tuple[PenaltyResult, ...]
    dpd: int
    penalty_interest: Decimal
    compound_interest: Decimal
    total: Decimal
    lines: list[str]


def _check_date(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise FinanceError(f"{name} must be a date (YYYY-MM-DD), got {value!r}")
    return value


@dataclass(frozen=True)
class _Terms:
    """The validated rate terms shared by every instalment of one calculation."""

    rate: Decimal
    markup: Decimal
    penalty_rate: Decimal
    day_basis: int
    compound: bool


def penalty_terms(annual_rate: MoneyInput, markup: MoneyInput, day_basis: int, compound: bool) -> _Terms:
    rate = to_decimal(annual_rate, name="annual_rate")
    if not Decimal(0) <= rate < MAX_ANNUAL_RATE:
        raise FinanceError(
            f"annual_rate must be a fraction from 0 up to (not including) {MAX_ANNUAL_RATE}, "
            f"e.g. 0.0435 for 4.35%; got {rate}"
        )
    raised_by = to_decimal(markup, name="markup")
    if raised_by < 0:
        raise FinanceError(f"markup must not be negative (the policy uses 0.30 to 0.50), got {raised_by}")
    if isinstance(day_basis, bool) or not isinstance(day_basis, int) or day_basis <= 0:
        raise FinanceError(f"day_basis must be a positive whole number of days (usually 360), got {day_basis!r}")
    if not isinstance(compound, bool):
        raise FinanceError(f"compound_on_interest must be True or False, got {compound!r}")
    with calc_context():
        penalty_rate = (rate * (1 + raised_by)).normalize()
    return _Terms(rate, raised_by, penalty_rate, day_basis, compound)


def _rate_line(terms: _Terms) -> str:
    return (
        f"罚息年利率 = 合同年利率 {format_plain(terms.rate)} × (1 + {format_plain(terms.markup)})"
        f" = {format_plain(terms.penalty_rate)}"
    )


def _product_line(label: str, base: Decimal, terms: _Terms, days: int, result: Decimal) -> str:
    return (
        f"{label} {format_money(base, grouping=True)} 元 × 罚息日利率 {format_plain(terms.penalty_rate)}/"
        f"{terms.day_basis} × {days} 天 = {format_money(result, grouping=True)} 元"
    )


def _compound_line(interest: Decimal, terms: _Terms, days: int, result: Decimal) -> str:
    if not terms.compound:
        return f"逾期利息 {format_money(interest, grouping=True)} 元：依政策不计复利"
    return _product_line("逾期利息", interest, terms, days, result)


def _total_line(penalty: Decimal, compound: Decimal, total: Decimal) -> str:
    return (
        f"罚息 {format_money(penalty, grouping=True)} 元 + 复利 {format_money(compound, grouping=True)} 元"
        f" = 合计 {format_money(total, grouping=True)} 元"
    )


def _one(due_date: date, as_of: date, principal: Decimal, interest: Decimal, terms: _Terms) -> PenaltyResult:
    days = max(0, (as_of - due_date).days)
    with calc_context():
        # Multiply first, divide last: one exact-as-possible product per amount, rounded once here.
        penalty = round_fen(principal * terms.penalty_rate * days / terms.day_basis)
        compound = round_fen(interest * terms.penalty_rate * days / terms.day_basis) if terms.compound else ZERO
        daily_rate = (terms.penalty_rate / terms.day_basis).normalize()
        total = penalty + compound
    lines = [
        _rate_line(terms),
        _product_line("逾期本金", principal, terms, days, penalty),
        _compound_line(interest, terms, days, compound),
        _total_line(penalty, compound, total),
    ]
    return PenaltyResult(
        due_date=due_date,
        as_of=as_of,
        dpd=days,
        overdue_principal=principal,
        overdue_interest=interest,
        annual_rate=terms.rate,
        markup=terms.markup,
        day_basis=terms.day_basis,
        penalty_rate=terms.penalty_rate,
        daily_rate=daily_rate,
        penalty_interest=penalty,
        compound_interest=compound,
        total=total,
        lines=lines,
    )


def penalty_interest(
    *,
    overdue_principal: MoneyInput,
    overdue_interest: MoneyInput,
    annual_rate: MoneyInput,
    due_date: date,
    as_of: date,
    markup: MoneyInput,
    day_basis: int = DEFAULT_DAY_BASIS,
    compound_on_interest: bool = True,
) -> PenaltyResult:
    """Penalty and compound interest on one overdue instalment as of `as_of` (inclusive).

    Clause: LTR-1 — `lines` are the calculation lines the overdue notice prints, e.g.
    "逾期本金 10,000.00 元 × 罚息日利率 0.06525/360 × 45 天 = 81.56 元".
    `compound_on_interest` is the policy switch for 复利 (default on); off, compound interest is 0.00.
    Raises FinanceError for invalid input (negative amounts or markup, amounts finer than a fen, an absurd
    rate, a non-positive day basis) and TypeError for floats.
    """
    terms = penalty_terms(annual_rate, markup, day_basis, compound_on_interest)
    return _one(
        _check_date(due_date, "due_date"),
        _check_date(as_of, "as_of"),
        fen_amount(overdue_principal, name="overdue_principal"),
        fen_amount(overdue_interest, name="overdue_interest"),
        terms,
    )


def _unpack(item: object) -> tuple[object, MoneyInput, MoneyInput]:
    # An allocation `Due` (or anything with these attributes) works as well as a (due_date, principal,
    # interest) tuple. Its accrued penalty and compound interest are ignored on purpose: no interest on penalty.
    if hasattr(item, "due_date") and hasattr(item, "principal") and hasattr(item, "interest"):
        return item.due_date, item.principal, item.interest
    try:
        due_date, principal, interest = item  # type: ignore[misc]
    except (TypeError, ValueError):
        raise FinanceError(f"an overdue instalment must be (due_date, principal, interest), got {item!r}") from None
    return due_date, principal, interest


def penalty_for_instalments(
    instalments: Iterable[object],
    *,
    annual_rate: MoneyInput,
    as_of: date,
    markup: MoneyInput,
    day_basis: int = DEFAULT_DAY_BASIS,
    compound_on_interest: bool = True,
) -> PenaltySummary:
    """Penalty over several overdue instalments, each from its own due date, summed.

    `instalments` holds (due_date, principal, interest) tuples, `OverdueInstalment`s or allocation `Due`s.
    The sums add the per-instalment *rounded* amounts, so the notice's lines add up. DPD is the largest
    (the oldest unpaid instalment's, Clause: CLS-1). Clause: LTR-1 for the lines.
    """
    terms = penalty_terms(annual_rate, markup, day_basis, compound_on_interest)
    as_of = _check_date(as_of, "as_of")
    items = []
    for item in instalments:
        due_date, principal, interest = _unpack(item)
        items.append(
            _one(
                _check_date(due_date, "due_date"),
                as_of,
                fen_amount(principal, name="overdue_principal"),
                fen_amount(interest, name="overdue_interest"),
                terms,
            )
        )
    items.sort(key=lambda r: r.due_date)
    with calc_context():
        penalty = sum((r.penalty_interest for r in items), Decimal("0.00"))
        compound = sum((r.compound_interest for r in items), Decimal("0.00"))
        total = penalty + compound
    lines = [_rate_line(terms)]
    for r in items:
        lines.append(f"到期日 {r.due_date.isoformat()}，逾期 {r.dpd} 天：")
        lines.extend(r.lines[1:3])
    lines.append(_total_line(penalty, compound, total))
    return PenaltySummary(
        items=tuple(items),
        dpd=max((r.dpd for r in items), default=0),
        penalty_interest=penalty,
        compound_interest=compound,
        total=total,
        lines=lines,
    )
