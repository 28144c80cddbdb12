"""Repayment schedules: 等額本息, 等額本金, 先息後本 and 到期一次還本付息.

How this works
--------------
`build_schedule()` validates its inputs, lays out the due dates, then runs one of four small loops over the
outstanding balance. Interest is monthly: monthly rate = annual rate / 12, applied to the balance owed during
the month (Chinese bank practice for instalment loans; actual days are not counted).

* Due dates fall on the start date's day of month in each following month, counted from the start date
  (not from the previous, possibly clamped, due date) and clamped to the month's last day: a loan started
  2026-01-31 falls due 2026-02-28, 2026-03-31, 2026-04-30 … (2024-02-29 in a leap year). An optional
  `is_working_day(date) -> bool` rolls a due date on a non-working day forward to the next working day;
  the roll moves only the date, never the interest (the month is still one month).
* Every posted amount is rounded to the fen exactly once (`round_fen`), from an exact Decimal. The principal
  parts sum exactly to the loan principal: the last instalment takes whatever principal remains, so its
  payment differs slightly from the level one. A part is also capped at the balance still owed, so on
  degenerate loans (a few fen over hundreds of months) an instalment never repays more than is outstanding.

Methods
-------
* ``equal-instalment`` (等額本息): level payment A = P·r·(1+r)^n / ((1+r)^n − 1), rounded to the fen once;
  each month interest = round_fen(balance × r), principal = A − interest. With r = 0, A = round_fen(P / n).
* ``equal-principal`` (等額本金): principal round_fen(P / n) a month, interest on the remaining balance.
* ``interest-only`` (先息後本): interest round_fen(P × r) every month, all the principal with the last.
* ``bullet`` (到期一次還本付息): one instalment at maturity, interest = round_fen(P × annual rate × months / 12).
  The schedule then has a single instalment, numbered 1, due on the maturity date.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from arrears.finance.errors import FinanceError
from arrears.finance.money import MoneyInput, calc_context, fen_amount, round_fen, to_decimal

__all__ = [
    "BULLET",
    "EQUAL_INSTALMENT",
    "EQUAL_PRINCIPAL",
    "INTEREST_ONLY",
    "MAX_MONTHS",
    "METHODS",
    "Instalment",
    "Schedule",
    "add_months",
    "build_schedule",
    "due_dates",
    "level_payment",
]

EQUAL_INSTALMENT = "equal-instalment"
EQUAL_PRINCIPAL = "equal-principal"
INTEREST_ONLY = "interest-only"
BULLET = "bullet"
METHODS = (EQUAL_INSTALMENT, EQUAL_PRINCIPAL, INTEREST_ONLY, BULLET)

MAX_MONTHS = 600
# An annual rate of 100% or more is a data-entry error (a percentage typed as 4.9 instead of 0.049).
MAX_ANNUAL_RATE = Decimal(1)
# Longer than any run of public holidays: a calendar that never yields a working day is a bug upstream.
_MAX_ROLL_DAYS = 31

WorkingDayPredicate = Callable[[date], bool]


@dataclass(frozen=True)
class Instalment:
    """One line of a schedule; amounts are Decimal with two decimals and payment == principal + interest."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    payment: Decimal


@dataclass(frozen=True)
class Schedule:
    """The instalments in order and the sum of their (already rounded) interest."""

    instalments: tuple[Instalment, ...]
    total_interest: Decimal

    @property
    def total_principal(self) -> Decimal:
        with calc_context():
            return sum((i.principal for i in self.instalments), Decimal("0.00"))

    @property
    def total_payment(self) -> Decimal:
        with calc_context():
            return sum((i.payment for i in self.instalments), Decimal("0.00"))


def add_months(start: date, months: int) -> date:
    """`start` moved `months` calendar months on, its day clamped to the target month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def _roll_forward(day: date, is_working_day: WorkingDayPredicate) -> date:
    rolled = day
    for _ in range(_MAX_ROLL_DAYS + 1):
        if is_working_day(rolled):
            return rolled
        rolled += timedelta(days=1)
    raise FinanceError(
        f"no working day within {_MAX_ROLL_DAYS} days after {day.isoformat()}; check the working-day calendar"
    )


def due_dates(start: date, months: int, is_working_day: WorkingDayPredicate | None = None) -> tuple[date, ...]:
    """The `months` monthly due dates after `start` (see the module docstring for clamping and rolling)."""
    _check_start(start)
    _check_months(months)
    dates = tuple(add_months(start, k) for k in range(1, months + 1))
    if is_working_day is None:
        return dates
    return tuple(_roll_forward(d, is_working_day) for d in dates)


def _check_start(start: object) -> None:
    # datetime is a subclass of date; a business date must not carry a time (or a time zone).
    if not isinstance(start, date) or isinstance(start, datetime):
        raise FinanceError(f"start must be a date (YYYY-MM-DD), got {start!r}")


def _check_months(months: object) -> None:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise FinanceError(f"months must be a whole number from 1 to {MAX_MONTHS}, got {months!r}")


def _validated(
    principal: MoneyInput, annual_rate: MoneyInput, months: int, method: str, start: date
) -> tuple[Decimal, Decimal]:
    if method not in METHODS:
        raise FinanceError(f"unknown repayment method {method!r}; use one of: {', '.join(METHODS)}")
    # Two decimals from here on, so every posted amount prints as 0.00 (the value is unchanged).
    loan = fen_amount(principal, name="principal", positive=True)
    rate = to_decimal(annual_rate, name="annual_rate")
    if not Decimal(0) <= rate < MAX_ANNUAL_RATE:
        raise FinanceError(
            f"annual_rate must be a fraction from 0 up to (not including) {MAX_ANNUAL_RATE}, "
            f"e.g. 0.049 for 4.9%; got {rate}"
        )
    _check_months(months)
    _check_start(start)
    return loan, rate


def build_schedule(
    *,
    principal: MoneyInput,
    annual_rate: MoneyInput,
    months: int,
    method: str,
    start: date,
    is_working_day: WorkingDayPredicate | None = None,
) -> Schedule:
    """The repayment schedule of a loan of `principal` 元 over `months` months from `start`.

    `annual_rate` is a fraction (0.049 for 4.9%). `method` is one of `METHODS`. `is_working_day`, when
    given, rolls due dates that fall on non-working days forward; None (the default) keeps them.
    Raises FinanceError for invalid input, TypeError for a float amount or rate.
    """
    loan, rate = _validated(principal, annual_rate, months, method, start)
    dates = due_dates(start, months, is_working_day)
    with calc_context():
        monthly_rate = rate / 12
        if method == EQUAL_INSTALMENT:
            rows = _equal_instalment(loan, monthly_rate, months)
        elif method == EQUAL_PRINCIPAL:
            rows = _equal_principal(loan, monthly_rate, months)
        elif method == INTEREST_ONLY:
            rows = _interest_only(loan, monthly_rate, months)
        else:
            rows = [(loan, round_fen(loan * rate * months / 12))]
            dates = dates[-1:]
        instalments = tuple(
            Instalment(n=k, due_date=due, principal=p, interest=i, payment=p + i)
            for k, (due, (p, i)) in enumerate(zip(dates, rows, strict=True), start=1)
        )
        total_interest = sum((row.interest for row in instalments), Decimal("0.00"))
    return Schedule(instalments=instalments, total_interest=total_interest)


def level_payment(loan: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    """The 等額本息 level monthly payment, rounded to the fen once (annuity formula, exact Decimal inside)."""
    with calc_context():
        if monthly_rate == 0:
            return round_fen(loan / months)
        growth = (1 + monthly_rate) ** months
        return round_fen(loan * monthly_rate * growth / (growth - 1))


def _equal_instalment(loan: Decimal, monthly_rate: Decimal, months: int) -> list[tuple[Decimal, Decimal]]:
    payment = level_payment(loan, monthly_rate, months)
    rows = []
    balance = loan
    for k in range(1, months + 1):
        interest = round_fen(balance * monthly_rate)
        # payment >= interest always: the exact annuity exceeds loan × r >= balance × r, and half-up
        # rounding is monotone. The last instalment takes the remaining principal exactly.
        part = balance if k == months else min(payment - interest, balance)
        rows.append((part, interest))
        balance -= part
    return rows


def _equal_principal(loan: Decimal, monthly_rate: Decimal, months: int) -> list[tuple[Decimal, Decimal]]:
    share = round_fen(loan / months)
    rows = []
    balance = loan
    for k in range(1, months + 1):
        interest = round_fen(balance * monthly_rate)
        part = balance if k == months else min(share, balance)
        rows.append((part, interest))
        balance -= part
    return rows


def _interest_only(loan: Decimal, monthly_rate: Decimal, months: int) -> list[tuple[Decimal, Decimal]]:
    interest = round_fen(loan * monthly_rate)
    zero = Decimal("0.00")
    return [(loan if k == months else zero, interest) for k in range(1, months + 1)]
