"""A loan account replayed from its schedule, payments and waivers: what each settled, what is still owed.

How this works
--------------
`replay` walks the receipts — payments and posted waivers — in date order (then by key). Before applying a payment made on day t it accrues,
for every instalment past its due date, penalty interest on the instalment's outstanding principal and
compound interest (复利) on its outstanding interest, at the penalty rate = contract rate × (1 + markup),
daily rate = annual ÷ day basis, for the days since the last accrual (the due date at first) through t —
the same days as `penalty_interest` counts. Accrual is kept exact: the sum of balance × annual rate × days
(a finite Decimal, no division), divided by the day basis only when an amount is needed; what a payment can
settle of it is the accrued amount rounded half-up to the fen (a posted amount) less what was already paid,
so with no payments the figure equals `penalty_interest` to the fen, and the daily-run engine, which sums
the same products in integers, agrees to the fen however the days are split between payments.

Each payment is then split by `allocate_payment`: oldest instalment first, within it in the policy's
component order. Instalments not yet due are included after the due ones, so a payment made a few days early
settles the coming instalment (interest, then principal, no penalty); anything beyond the whole schedule is
unapplied. Penalty never accrues on penalty.

A receipt of kind "waiver" is a penalty waiver an approver posted (Clause: WVR-1, WVR-2). It is applied
like a payment — after accruing to its date — but settles only what has accrued and is still owed: penalty
interest of every instalment, oldest first, and only then compound interest, oldest first; never interest or
principal. The balances penalty accrues on stay as they were, so a waiver changes no later accrual, only what
is owed of it; a later payment then finds less penalty to settle and puts more towards interest and principal.
A waiver can settle an instalment whose principal and interest were already paid (its `settled_on` is then the
waiver's date). What it cannot settle is `unapplied`: the approver's action refuses such waivers, but a replay
after the feed corrected earlier payments still runs. On a day with both, waivers come before payments: a
waiver judged on the penalty owed that day is then settled in full even when a payment of the same day, fed
later, would have paid that penalty (the payment goes further into interest and principal instead).
`AccountPosition.waived` is the total the waivers settled.

`replay(..., as_of=D)` also accrues through D and returns the position: outstanding principal and interest
of instalments due by D, penalty and compound interest owed, DPD from the earliest unpaid due date (CLS-1).
Each instalment's state says what is still owed of it and what payments put towards it, and so its status on
D (`AccountPosition.status_of`): paid (nothing owed), part paid (a payment settled some of it, something is
still owed), overdue (due before D, nothing paid), due today, or not yet due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.finance.allocation import (
    COMPOUND_INTEREST,
    DEFAULT_ORDER,
    PENALTY_INTEREST,
    AllocatedAmount,
    Allocation,
    Due,
    allocate_payment,
)
from arrears.finance.errors import FinanceError
from arrears.finance.money import ZERO, MoneyInput, calc_context, fen_amount, money, round_fen
from arrears.finance.penalty import penalty_terms

__all__ = [
    "DUE_TODAY",
    "INSTALMENT_STATUSES",
    "NOT_DUE",
    "OVERDUE",
    "PAID",
    "PART_PAID",
    "PAYMENT",
    "RECEIPT_KINDS",
    "WAIVER",
    "AccountPosition",
    "InstalmentState",
    "PostedPayment",
    "Receipt",
    "ScheduledInstalment",
    "replay",
]

PAYMENT = "payment"
WAIVER = "waiver"  # a posted penalty waiver (WVR-1, WVR-2): settles penalty and compound interest only
RECEIPT_KINDS = (PAYMENT, WAIVER)

# An instalment's status on the as-of date (`AccountPosition.status_of`).
PAID = "paid"
PART_PAID = "part_paid"
OVERDUE = "overdue"
DUE_TODAY = "due_today"
NOT_DUE = "not_due"
INSTALMENT_STATUSES = (PAID, PART_PAID, OVERDUE, DUE_TODAY, NOT_DUE)


@dataclass(frozen=True)
class ScheduledInstalment:
    n: int
    due_date: date
    principal: Decimal
    interest: Decimal


@dataclass(frozen=True)
class Receipt:
    """Money the account received on `paid_on`: a payment, or (kind "waiver") a posted penalty waiver."""

    key: str
    paid_on: date
    amount: Decimal
    kind: str = PAYMENT


@dataclass(frozen=True)
class PostedPayment:
    """A receipt as the replay applied it: what it settled, in order, and what it could not."""

    key: str
    paid_on: date
    amount: Decimal
    allocations: tuple[AllocatedAmount, ...]
    unapplied: Decimal
    kind: str = PAYMENT


@dataclass
class _Open:
    """One instalment's running balances; accruals exact, the rest in whole fen."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    accrued_from: date
    day_basis: int
    penalty_numerator: Decimal = ZERO  # Σ principal × annual penalty rate × days; ÷ day basis = accrued
    compound_numerator: Decimal = ZERO
    penalty_paid: Decimal = ZERO  # settled by payments and waivers alike
    compound_paid: Decimal = ZERO
    received: Decimal = ZERO  # what payments (not waivers) put towards this instalment
    settled_on: date | None = None

    def penalty_owed(self) -> Decimal:
        return _accrued(self.penalty_numerator, self.day_basis) - self.penalty_paid

    def compound_owed(self) -> Decimal:
        return _accrued(self.compound_numerator, self.day_basis) - self.compound_paid

    def settled(self) -> bool:
        return not (self.principal or self.interest or self.penalty_owed() or self.compound_owed())


@dataclass(frozen=True)
class InstalmentState:
    """One instalment on the as-of date: what is left of it, and the day a payment (or a waiver of its last
    penalty) settled it (None while anything is owed, or when it never needed a payment)."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    penalty_interest: Decimal
    compound_interest: Decimal
    settled_on: date | None
    received: Decimal = ZERO  # what payments (not waivers) put towards it, of every component

    @property
    def owed(self) -> Decimal:
        """What is still due of this instalment: principal, interest, penalty and compound interest."""
        return self.principal + self.interest + self.penalty_interest + self.compound_interest


@dataclass(frozen=True)
class AccountPosition:
    as_of: date
    dpd: int
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_interest: Decimal
    compound_interest: Decimal
    outstanding_principal: Decimal
    payments: tuple[PostedPayment, ...] = field(default_factory=tuple)  # and waivers (`kind`), as applied
    instalments: tuple[InstalmentState, ...] = field(default_factory=tuple)
    waived: Decimal = ZERO  # penalty and compound interest the waivers settled (WVR-1, WVR-2)

    @property
    def overdue_total(self) -> Decimal:
        return self.overdue_principal + self.overdue_interest + self.penalty_interest + self.compound_interest

    def status_of(self, item: InstalmentState) -> str:
        """The instalment's status on the as-of date: PAID when nothing is owed of it; PART_PAID when a payment
        put something towards it and something is still owed (due or not: `is_late` tells which); OVERDUE when
        it fell due before the as-of date and nothing was paid of it (CLS-1: an instalment due today is not
        late yet); DUE_TODAY; NOT_DUE."""
        if not item.owed:
            return PAID
        if item.received:
            return PART_PAID
        if item.due_date < self.as_of:
            return OVERDUE
        return DUE_TODAY if item.due_date == self.as_of else NOT_DUE

    def is_late(self, item: InstalmentState) -> bool:
        """True when the instalment fell due before the as-of date and something of it is still owed."""
        return item.due_date < self.as_of and item.owed > 0


def _accrued(numerator: Decimal, basis: int) -> Decimal:
    """An exact accrual numerator as a posted amount: one division, rounded half-up to the fen."""
    if not numerator:
        return ZERO
    with calc_context():
        return round_fen(numerator / basis)


def _accrue(open_items: list[_Open], through: date, penalty_rate: Decimal, compound: bool) -> None:
    with calc_context():
        for item in open_items:
            if through <= item.accrued_from or item.due_date >= through:
                continue
            days = (through - item.accrued_from).days
            item.penalty_numerator += item.principal * penalty_rate * days
            if compound:
                item.compound_numerator += item.interest * penalty_rate * days
            item.accrued_from = through


def _dues_covering(items: list[_Open], amount: Decimal) -> list[Due]:
    """The unsettled instalments, oldest first, up to the one the payment runs out in: allocation is oldest
    first, so the later ones would receive nothing (this keeps a long schedule from costing per payment)."""
    dues, covered = [], ZERO
    for o in items:
        if covered >= amount:
            break
        due = Due(o.n, o.due_date, o.principal, o.interest, o.penalty_owed(), o.compound_owed())
        owed = due.principal + due.interest + due.penalty_interest + due.compound_interest
        if owed:
            dues.append(due)
            covered += owed
    return dues


def _waive(items: list[_Open], amount: Decimal) -> Allocation:
    """A waiver's split (Clause: WVR-2): penalty interest of the instalments oldest first, then their compound
    interest oldest first, each only as far as it is owed; the rest is unapplied. Never interest or principal."""
    parts, remaining = [], amount
    with calc_context():
        for component in (PENALTY_INTEREST, COMPOUND_INTEREST):
            for o in items:
                if not remaining:
                    break
                owed = o.penalty_owed() if component == PENALTY_INTEREST else o.compound_owed()
                take = min(remaining, owed)
                if take > 0:
                    parts.append(AllocatedAmount(o.n, o.due_date, component, take))
                    remaining -= take
    return Allocation(payment=amount, allocations=tuple(parts), unapplied=remaining)


def _receipt_order(receipt: Receipt) -> tuple:
    """Date order; on one day waivers before payments (see the module doc), then by key."""
    if receipt.kind not in RECEIPT_KINDS:
        raise FinanceError(
            f"receipt {receipt.key}: kind must be one of {', '.join(RECEIPT_KINDS)}, got {receipt.kind!r}"
        )
    return (receipt.paid_on, receipt.kind != WAIVER, receipt.key)


def replay(
    instalments: Iterable[ScheduledInstalment],
    receipts: Iterable[Receipt],
    *,
    annual_rate: MoneyInput,
    markup: MoneyInput,
    as_of: date,
    day_basis: int = 360,
    order: Sequence[str] = DEFAULT_ORDER,
    compound_on_interest: bool = True,
) -> AccountPosition:
    """Apply every receipt up to `as_of` in order and return the position on `as_of` (see module doc)."""
    terms = penalty_terms(annual_rate, markup, day_basis, compound_on_interest)
    penalty_rate, day_basis, compound_on_interest = terms.penalty_rate, terms.day_basis, terms.compound
    items = sorted(
        (_Open(i.n, i.due_date, money(i.principal), money(i.interest), i.due_date, day_basis) for i in instalments),
        key=lambda o: (o.due_date, o.n),
    )
    posted = []
    waived = ZERO
    by_n = {o.n: o for o in items}
    for receipt in sorted(receipts, key=_receipt_order):
        if receipt.paid_on > as_of:
            raise FinanceError(f"{receipt.kind} {receipt.key} on {receipt.paid_on} is after the as-of date {as_of}")
        _accrue(items, receipt.paid_on, penalty_rate, compound_on_interest)
        if receipt.kind == WAIVER:
            split = _waive(items, fen_amount(receipt.amount, name=f"waiver {receipt.key}", positive=True))
            waived += split.applied
        else:
            amount = money(receipt.amount)
            split = allocate_payment(amount, _dues_covering(items, amount), order)
        for part in split.allocations:
            item = by_n[part.n]
            if receipt.kind != WAIVER:
                item.received += part.amount
            if part.component == "principal":
                item.principal -= part.amount
            elif part.component == "interest":
                item.interest -= part.amount
            elif part.component == "penalty_interest":
                item.penalty_paid += part.amount
            else:
                item.compound_paid += part.amount
        for part in split.allocations:
            item = by_n[part.n]
            if item.settled_on is None and item.settled():
                item.settled_on = receipt.paid_on
        posted.append(
            PostedPayment(receipt.key, receipt.paid_on, split.payment, split.allocations, split.unapplied, receipt.kind)
        )
    _accrue(items, as_of, penalty_rate, compound_on_interest)
    # Overdue: due before the as-of date (an instalment due today is not late yet; DPD 0, CLS-1).
    overdue = [o for o in items if o.due_date < as_of]
    unpaid = [o for o in overdue if not o.settled()]
    return AccountPosition(
        as_of=as_of,
        dpd=(as_of - unpaid[0].due_date).days if unpaid else 0,
        overdue_principal=sum((o.principal for o in overdue), ZERO),
        overdue_interest=sum((o.interest for o in overdue), ZERO),
        penalty_interest=sum((o.penalty_owed() for o in items), ZERO),
        compound_interest=sum((o.compound_owed() for o in items), ZERO),
        outstanding_principal=sum((o.principal for o in items), ZERO),
        payments=tuple(posted),
        instalments=tuple(
            InstalmentState(
                o.n, o.due_date, o.principal, o.interest, o.penalty_owed(), o.compound_owed(), o.settled_on, o.received
            )
            for o in items
        ),
        waived=waived,
    )
