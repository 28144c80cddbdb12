"""Instalment-plan affordability: which 3-to-6-instalment plans a borrower can carry.

Clause: PLAN-1 (inputs: monthly income, expenses, debts), PLAN-2 (each payment ≤ 30% of income),
PLAN-3 (3 to 6 fixed instalments, never more than 6).

How this works
--------------
* max monthly payment = min(income × income_share, income − expenses − debts), never below 0, rounded
  **down** to the fen: the bank must never promise a payment the borrower cannot afford, and rounding up
  could put the cap a fen above 30% of income.
* For each instalment count n from `min_instalments` to `max_instalments` the amount is split into n fixed
  instalments by `split_fixed`: payment = amount ÷ n rounded **up** to the fen; the first n − 1 instalments
  are that payment and the last is the remainder, so it is the same or smaller. The instalments sum exactly
  to the amount and none is larger than the quoted payment, so checking the quoted payment against the cap
  checks every instalment. (The other choice, rounding down and letting the last absorb the remainder, would
  make the last instalment the largest and the quoted figure a fen or more below what is really asked.)
* PLAN-2 is about what the borrower must actually pay each month. A plan covers what was overdue when it
  starts; the loans' own instalments falling due meanwhile must still be paid (the nightly run's follow-up
  counts them, PLAN-4). So month m of an option costs the plan's m-th instalment **plus** the loans' own
  instalments falling due in that plan month (`own_instalments[m − 1]`: from the plan's start through its
  first due date for month 1, then after one plan due date through the next), and an option is feasible iff
  every month's total ≤ the max monthly payment. Without own instalments this is payment ≤ cap, as before.
  An infeasible option carries a reason naming the first month that does not fit, in figures.
  If the amount is too small to split into n non-zero instalments (less than n × (n − 1) fen), that option
  is infeasible and has no instalments.

Worked example: income 10,000, expenses 3,000, debts 500 → cap 3,000.00; amount 8,000 over 4 months is
4 × 2,000.00; with the loans' own instalments 0.00, 1,023.72, 1,023.72, 0.00 falling due in plan months 1–4,
month 2 costs 2,000.00 + 1,023.72 = 3,023.72 > 3,000.00, so 4 instalments do not fit; 6 × 1,333.34 do
(1,333.34 + 1,023.72 = 2,357.06).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arrears.finance.errors import FinanceError
from arrears.finance.money import (
    MoneyInput,
    calc_context,
    ceil_fen,
    fen_amount,
    floor_fen,
    format_money,
    format_plain,
    money,
    to_decimal,
)

__all__ = [
    "ABSOLUTE_MAX_INSTALMENTS",
    "DEFAULT_INCOME_SHARE",
    "PlanMonth",
    "PlanOption",
    "PlanOptions",
    "max_monthly_payment",
    "plan_months",
    "plan_option",
    "plan_options",
    "split_fixed",
]

DEFAULT_INCOME_SHARE = Decimal("0.30")
DEFAULT_MIN_INSTALMENTS = 3
DEFAULT_MAX_INSTALMENTS = 6
# Clause: PLAN-3 says "never more than 6": a policy may narrow the range, not widen it past this.
ABSOLUTE_MAX_INSTALMENTS = 6


@dataclass(frozen=True)
class PlanMonth:
    """What the borrower must pay in one month of a plan (Clause: PLAN-2): the plan's instalment and the loans'
    own instalments falling due that month."""

    month: int
    plan: Decimal
    own: Decimal
    allowed: Decimal

    @property
    def total(self) -> Decimal:
        return self.plan + self.own

    @property
    def fits(self) -> bool:
        return self.total <= self.allowed


@dataclass(frozen=True)
class PlanOption:
    """One candidate plan: `instalments` fixed payments of `payment` (the last may be smaller), and what each
    month costs with the loans' own instalments (`months`)."""

    instalments: int
    payment: Decimal
    payments: tuple[Decimal, ...]
    feasible: bool
    reason: str | None
    months: tuple[PlanMonth, ...] = ()

    @property
    def first_unaffordable(self) -> PlanMonth | None:
        """The first month whose total exceeds what the borrower can afford (None: every month fits)."""
        return next((m for m in self.months if not m.fits), None)


@dataclass(frozen=True)
class PlanOptions:
    """The affordability cap and the options from min to max instalments."""

    max_monthly_payment: Decimal
    options: tuple[PlanOption, ...]


def _non_negative(value: MoneyInput, name: str) -> Decimal:
    amount = money(value, name=name)
    if amount < 0:
        raise FinanceError(f"{name} must not be negative, got {amount}")
    return amount


def _check_share(income_share: MoneyInput) -> Decimal:
    share = to_decimal(income_share, name="income_share")
    if not Decimal(0) < share <= 1:
        raise FinanceError(f"income_share must be a fraction above 0 and at most 1 (e.g. 0.30), got {share}")
    return share


def _check_range(min_instalments: int, max_instalments: int) -> None:
    for name, value in (("min_instalments", min_instalments), ("max_instalments", max_instalments)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FinanceError(f"{name} must be a whole number, got {value!r}")
    if not 1 <= min_instalments <= max_instalments <= ABSOLUTE_MAX_INSTALMENTS:
        raise FinanceError(
            f"instalment range {min_instalments}..{max_instalments} is not allowed; it must lie within "
            f"1..{ABSOLUTE_MAX_INSTALMENTS} (PLAN-3: never more than {ABSOLUTE_MAX_INSTALMENTS})"
        )


def max_monthly_payment(
    *,
    income: MoneyInput,
    expenses: MoneyInput,
    debts: MoneyInput,
    income_share: MoneyInput = DEFAULT_INCOME_SHARE,
) -> Decimal:
    """The largest monthly payment the borrower can afford, rounded down to the fen. Clause: PLAN-1, PLAN-2."""
    monthly_income = _non_negative(income, "income")
    spent = _non_negative(expenses, "expenses")
    owed = _non_negative(debts, "debts")
    share = _check_share(income_share)
    with calc_context():
        cap = min(monthly_income * share, monthly_income - spent - owed)
        return floor_fen(max(cap, Decimal(0)))


def split_fixed(amount: MoneyInput, instalments: int) -> tuple[Decimal, ...]:
    """Split `amount` into `instalments` fixed payments: ceil(amount / n) each, the last the remainder.

    The result sums exactly to the amount. Returns () when the amount is too small for n non-zero
    instalments (the last would be zero or negative). Clause: PLAN-3 (each of a fixed amount).
    """
    total = _positive_fen(amount)
    if isinstance(instalments, bool) or not isinstance(instalments, int) or instalments < 1:
        raise FinanceError(f"instalments must be a whole number of at least 1, got {instalments!r}")
    with calc_context():
        payment = ceil_fen(total / instalments)
        last = total - payment * (instalments - 1)
    if last <= 0:
        return ()
    return (payment,) * (instalments - 1) + (last,)


def _own_amounts(own_instalments: Sequence[MoneyInput]) -> tuple[Decimal, ...]:
    if isinstance(own_instalments, str | bytes) or not isinstance(own_instalments, Sequence):
        raise FinanceError(f"own_instalments must be a list of amounts, one per plan month, got {own_instalments!r}")
    amounts = tuple(_non_negative(v, "own instalments") for v in own_instalments)
    for amount in amounts:
        if amount != amount.quantize(Decimal("0.01")):
            raise FinanceError(f"own instalments must be whole fen, got {amount}")
    return tuple(amount.quantize(Decimal("0.01")) for amount in amounts)


def plan_months(
    payments: Sequence[Decimal], own_instalments: Sequence[MoneyInput], max_payment: MoneyInput
) -> tuple[PlanMonth, ...]:
    """Month by month, what the borrower must pay under a plan: its instalment plus the loans' own instalments
    falling due that month (`own_instalments[m − 1]`; a month not listed has none), against `max_payment`.
    Clause: PLAN-2.

    Example: payments (2000, 2000, 2000, 2000), own (0, 1023.72), cap 3000 → month 2 totals 3,023.72 and does
    not fit; the others do."""
    own = _own_amounts(own_instalments)
    allowed = money(max_payment, name="max_payment").quantize(Decimal("0.01"))
    return tuple(
        PlanMonth(m, payment, own[m - 1] if m <= len(own) else Decimal("0.00"), allowed)
        for m, payment in enumerate(payments, 1)
    )


def _month_reason(month: PlanMonth, note: str) -> str:
    return (
        f"第 {month.month} 月：分期 {format_money(month.plan)} + 原贷款月供 {format_money(month.own)} = "
        f"{format_money(month.total)}，超过可负担上限 {format_money(month.allowed)}（{note}）"
    )


def _positive_fen(value: MoneyInput) -> Decimal:
    return fen_amount(value, name="amount", positive=True, label="amount to repay")


def _cap_note(share: Decimal, share_bound: bool) -> str:
    if share_bound:
        with calc_context():
            percent = share * 100
        return f"月收入 {format_plain(percent)}%"
    return "月收入 − 支出 − 负债"


def plan_option(
    amount: MoneyInput,
    instalments: int,
    max_payment: Decimal,
    *,
    income_share: MoneyInput = DEFAULT_INCOME_SHARE,
    share_bound: bool = True,
    min_instalments: int = DEFAULT_MIN_INSTALMENTS,
    max_instalments: int = DEFAULT_MAX_INSTALMENTS,
    own_instalments: Sequence[MoneyInput] = (),
) -> PlanOption:
    """One option of `instalments` fixed payments, judged month by month against `max_payment`: each month's
    plan instalment plus the loans' own instalments falling due that month (`own_instalments`, one amount per
    plan month from the first). Clause: PLAN-2, PLAN-3.

    Refuses an instalment count outside min_instalments..max_instalments (3..6 by default, never above 6).
    `share_bound` says which limit set the cap (income share or what is left after expenses and debts),
    only for the reason text.
    """
    _check_range(min_instalments, max_instalments)
    if isinstance(instalments, bool) or not isinstance(instalments, int):
        raise FinanceError(f"instalments must be a whole number, got {instalments!r}")
    if not min_instalments <= instalments <= max_instalments:
        raise FinanceError(
            f"{instalments} instalments is not allowed; a plan has {min_instalments} to {max_instalments} (PLAN-3)"
        )
    share = _check_share(income_share)
    own = _own_amounts(own_instalments)
    payments = split_fixed(amount, instalments)
    if not payments:
        return PlanOption(
            instalments=instalments,
            payment=Decimal("0.00"),
            payments=(),
            feasible=False,
            reason=f"金额 {format_money(_positive_fen(amount))} 过小，无法分为 {instalments} 期固定还款",
        )
    payment = payments[0]
    months = plan_months(payments, own, max_payment)
    failing = next((m for m in months if not m.fits), None)
    if failing is None:
        return PlanOption(instalments, payment, payments, feasible=True, reason=None, months=months)
    if failing.own == 0 and payment > max_payment:
        reason = f"月供 {format_money(payment)} 超过可负担上限 {format_money(max_payment)}（{_cap_note(share, share_bound)}）"
    else:
        reason = _month_reason(failing, _cap_note(share, share_bound))
    return PlanOption(instalments, payment, payments, feasible=False, reason=reason, months=months)


def plan_options(
    *,
    income: MoneyInput,
    expenses: MoneyInput,
    debts: MoneyInput,
    amount: MoneyInput,
    income_share: MoneyInput = DEFAULT_INCOME_SHARE,
    min_instalments: int = DEFAULT_MIN_INSTALMENTS,
    max_instalments: int = DEFAULT_MAX_INSTALMENTS,
    own_instalments: Sequence[MoneyInput] = (),
) -> PlanOptions:
    """The affordability cap and one option per instalment count. Clause: PLAN-1, PLAN-2, PLAN-3.

    `own_instalments[m − 1]`: the loans' own instalments falling due in plan month m (the same months for every
    option: the plan's due dates are monthly from its start). Example: income 10000, expenses 3000, debts 500,
    amount 12000 → cap 3000.00; 3 × 4000.00 infeasible, 4 × 3000.00, 5 × 2400.00 and 6 × 2000.00 feasible
    without own instalments; with 1,023.72 of them falling due every month none fits (even 6 instalments cost
    2,000.00 + 1,023.72 = 3,023.72 > 3,000.00 a month).
    """
    _check_range(min_instalments, max_instalments)
    share = _check_share(income_share)
    cap = max_monthly_payment(income=income, expenses=expenses, debts=debts, income_share=share)
    with calc_context():
        by_share = money(income, name="income") * share
        left_over = money(income) - money(expenses, name="expenses") - money(debts, name="debts")
    share_bound = by_share <= left_over
    options = tuple(
        plan_option(
            amount,
            n,
            cap,
            income_share=share,
            share_bound=share_bound,
            min_instalments=min_instalments,
            max_instalments=max_instalments,
            own_instalments=own_instalments,
        )
        for n in range(min_instalments, max_instalments + 1)
    )
    return PlanOptions(max_monthly_payment=cap, options=options)
