"""Payment allocation (還款沖銷順序): which outstanding amounts a payment settles, and in what order.

How this works
--------------
Each overdue instalment owes up to four components: ``penalty_interest`` (罚息), ``compound_interest``
(复利), ``interest`` (利息) and ``principal`` (本金). `allocate_payment` walks the instalments **oldest first**
(by due date, then instalment number) and, within one instalment, the components in the given `order` (the
policy default is penalty, compound, interest, principal). It takes min(remaining payment, amount due) at
each step; whatever is left when everything is settled is returned as `unapplied` (an overpayment, for the
caller to refund or hold — never silently dropped).

Why instalment-first rather than component-first: it is the usual practice of Chinese banks (逐期沖銷, the
oldest period is settled in full before the next), and it is what helps the borrower most — clearing the
oldest instalment stops its penalty and moves the earliest unpaid due date, which is where DPD is counted
from (Clause: CLS-1). Component-first would spread the money over every instalment's penalty and leave all
of them overdue.

Every amount must be a whole number of fen, so the allocation is exact with no rounding at all: the
allocated amounts plus `unapplied` sum exactly to the payment, and no component receives more than it owed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arrears.finance.errors import FinanceError
from arrears.finance.money import MoneyInput, calc_context, fen_amount

__all__ = [
    "COMPONENTS",
    "DEFAULT_ORDER",
    "AllocatedAmount",
    "Allocation",
    "Due",
    "allocate_payment",
]

PENALTY_INTEREST = "penalty_interest"
COMPOUND_INTEREST = "compound_interest"
INTEREST = "interest"
PRINCIPAL = "principal"
COMPONENTS = (PENALTY_INTEREST, COMPOUND_INTEREST, INTEREST, PRINCIPAL)
DEFAULT_ORDER = COMPONENTS


@dataclass(frozen=True)
class Due:
    """What one instalment still owes, per component (whole fen, not negative)."""

    n: int
    due_date: date
    principal: MoneyInput = Decimal("0.00")
    interest: MoneyInput = Decimal("0.00")
    penalty_interest: MoneyInput = Decimal("0.00")
    compound_interest: MoneyInput = Decimal("0.00")

    def amount(self, component: str) -> MoneyInput:
        if component not in COMPONENTS:
            raise FinanceError(f"unknown component {component!r}; use one of: {', '.join(COMPONENTS)}")
        return getattr(self, component)


@dataclass(frozen=True)
class AllocatedAmount:
    """The part of the payment applied to one component of one instalment."""

    n: int
    due_date: date
    component: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    """The split of a payment: the amounts applied, in the order applied, and the unapplied rest."""

    payment: Decimal
    allocations: tuple[AllocatedAmount, ...]
    unapplied: Decimal

    @property
    def applied(self) -> Decimal:
        with calc_context():
            return sum((a.amount for a in self.allocations), Decimal("0.00"))

    def total_for(self, component: str) -> Decimal:
        """The amount applied to `component` across all instalments."""
        with calc_context():
            return sum((a.amount for a in self.allocations if a.component == component), Decimal("0.00"))


def _check_order(order: Iterable[str]) -> tuple[str, ...]:
    order = tuple(order)
    if sorted(order) != sorted(COMPONENTS):
        raise FinanceError(
            f"allocation order must name each of {', '.join(COMPONENTS)} exactly once, got {', '.join(order)}"
        )
    return order


def _check_due(due: object) -> Due:
    if not isinstance(due, Due):
        raise FinanceError(f"each due must be an arrears.finance.Due, got {type(due).__name__}")
    if not isinstance(due.due_date, date) or isinstance(due.due_date, datetime):
        raise FinanceError(f"instalment {due.n}: due_date must be a date, got {due.due_date!r}")
    return due


def allocate_payment(payment: MoneyInput, dues: Iterable[Due], order: Iterable[str] = DEFAULT_ORDER) -> Allocation:
    """Apply `payment` to `dues`, oldest instalment first and within it in component `order`.

    Returns the amounts applied (zero amounts are left out) and the unapplied overpayment. Raises
    FinanceError when the payment is not positive, an amount is negative or finer than a fen, an instalment
    number appears twice, or the order is not a permutation of `COMPONENTS`.
    """
    paid = fen_amount(payment, name="payment", positive=True)
    sequence = _check_order(order)
    # Sorting is stable: instalments sharing a due date keep their number order.
    ordered = sorted((_check_due(d) for d in dues), key=lambda d: (d.due_date, d.n))
    numbers = [d.n for d in ordered]
    if len(set(numbers)) != len(numbers):
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        raise FinanceError(f"each instalment may appear once; instalment {twice[0]} appears more than once")
    remaining = paid
    applied: list[AllocatedAmount] = []
    with calc_context():
        for due in ordered:
            for component in sequence:
                owed = fen_amount(due.amount(component), name=f"instalment {due.n} {component}")
                take = min(remaining, owed)
                if take > 0:
                    applied.append(AllocatedAmount(due.n, due.due_date, component, take))
                    remaining -= take
    return Allocation(payment=paid, allocations=tuple(applied), unapplied=remaining)
