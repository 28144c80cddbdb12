"""The figures a formal overdue notice prints for one loan (LTR-1), from the finance core's replay. Pure: no
Django, no I/O.

How this works
--------------
`loan_figures` takes a loan's position on the as-of date (`arrears.finance.account.replay`) and keeps its
overdue instalments: for each, what is left of its principal and interest, and its penalty interest (on
principal) and compound interest (on interest) with the calculation line the notice prints.

* Where an instalment's balance stayed as it was since its due date, the line is the finance core's own
  (`arrears.finance.penalty.penalty_interest`), e.g. "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 41 天 =
  7.31 元".
* Where a payment after the due date changed the balance (or paid penalty), the replay accrued in periods,
  restarting at each payment; the line then has one term per period (balance × daily rate × days, with the
  dates) and subtracts what was already paid, in the finance core's words: Σ terms is divided by the day
  basis once and rounded once, as the replay does.
* A posted penalty waiver (Clause: WVR-2) changes no balance, so it starts no new period; what it settled is
  subtracted on its own ("− 减免 Y 元"), after what was paid. An instalment with a waiver always prints the
  periods line, so the subtraction is shown even where the balance never changed.
* Every amount is checked against the replay to the fen: a difference raises `FiguresMismatch`, so a notice
  that does not add up is never issued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.finance import calc_context, format_money, format_plain, penalty_interest, round_fen
from arrears.finance.account import PAYMENT, WAIVER, AccountPosition, PostedPayment
from arrears.finance.money import ZERO
from arrears.finance.penalty import penalty_terms

__all__ = ["Accrual", "Charge", "FiguresMismatch", "InstalmentFigures", "LoanFigures", "loan_figures"]


class FiguresMismatch(RuntimeError):
    """The letter's breakdown disagrees with the finance core's replay: a bug, never a letter."""


@dataclass(frozen=True)
class Accrual:
    """A period over which one balance accrued at the penalty rate: days from the day after `start`
    through `end`, as the replay counts them."""

    start: date
    end: date
    base: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class Charge:
    """Penalty interest (on principal) or compound interest (on interest) owed on one instalment: the periods
    it accrued over, what payments already settled of it, what waivers settled of it (WVR-2), what is owed,
    and the line the letter prints."""

    kind: str  # "penalty" or "compound"
    accruals: tuple[Accrual, ...]
    paid: Decimal
    amount: Decimal
    line: str
    waived: Decimal = ZERO


@dataclass(frozen=True)
class InstalmentFigures:
    n: int
    due_date: date
    dpd: int
    principal: Decimal
    interest: Decimal
    penalty: Charge
    compound: Charge


@dataclass(frozen=True)
class LoanFigures:
    contract: str
    product: str
    annual_rate: Decimal
    markup: Decimal
    penalty_rate: Decimal
    day_basis: int
    earliest_unpaid_due: date
    dpd: int
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_interest: Decimal
    compound_interest: Decimal
    rate_line: str
    instalments: tuple[InstalmentFigures, ...]

    @property
    def total(self) -> Decimal:
        return self.overdue_principal + self.overdue_interest + self.penalty_interest + self.compound_interest

    @property
    def waived(self) -> Decimal:
        """Penalty and compound interest of the overdue instalments shown that posted waivers settled (WVR-2)."""
        return sum((i.penalty.waived + i.compound.waived for i in self.instalments), ZERO)

    @property
    def lines(self) -> tuple[str, ...]:
        """The calculation in detail, as printed: the penalty rate, then per instalment its two lines."""
        out = [self.rate_line]
        for item in self.instalments:
            out.append(f"第 {item.n} 期，到期日 {item.due_date.isoformat()}，逾期 {item.dpd} 天：")
            out.extend((item.penalty.line, item.compound.line))
        return tuple(out)


@dataclass(frozen=True)
class _History:
    """How one instalment's penalty and compound interest came about: the accrual periods of its principal and
    of its interest, and what payments and waivers settled of each."""

    on_principal: list[Accrual]
    on_interest: list[Accrual]
    penalty_paid: Decimal
    compound_paid: Decimal
    penalty_waived: Decimal
    compound_waived: Decimal


def _history(
    n: int, due_date: date, principal: Decimal, interest: Decimal, payments: Sequence[PostedPayment], as_of: date
) -> _History:
    """The periods over which instalment `n` accrued penalty (on principal) and compound interest (on
    interest) up to `as_of`, and what payments and waivers settled of them: the replay accrues from the due
    date and restarts at every payment, so the balance changes only where a payment reached it. A waiver
    settles only penalty and compound interest and changes no balance, so it starts no period (Clause: WVR-2)."""
    principal_periods: list[Accrual] = []
    interest_periods: list[Accrual] = []
    settled = {(kind, c): ZERO for kind in (PAYMENT, WAIVER) for c in ("penalty_interest", "compound_interest")}
    start = due_date
    for payment in payments:
        parts = [a for a in payment.allocations if a.n == n]
        if not parts:
            continue
        if payment.kind == WAIVER:
            for part in parts:
                settled[(WAIVER, part.component)] += part.amount
            continue
        if payment.paid_on > start:
            principal_periods.append(Accrual(start, payment.paid_on, principal))
            interest_periods.append(Accrual(start, payment.paid_on, interest))
            start = payment.paid_on
        for part in parts:
            if part.component == "principal":
                principal -= part.amount
            elif part.component == "interest":
                interest -= part.amount
            else:
                settled[(PAYMENT, part.component)] += part.amount
    if as_of > start:
        principal_periods.append(Accrual(start, as_of, principal))
        interest_periods.append(Accrual(start, as_of, interest))
    return _History(
        principal_periods,
        interest_periods,
        settled[(PAYMENT, "penalty_interest")],
        settled[(PAYMENT, "compound_interest")],
        settled[(WAIVER, "penalty_interest")],
        settled[(WAIVER, "compound_interest")],
    )


def _owed(periods: Iterable[Accrual], penalty_rate: Decimal, day_basis: int, paid: Decimal, waived: Decimal) -> Decimal:
    """What the replay owes on these periods: Σ balance × penalty rate × days, divided once and rounded once,
    less what payments and waivers settled."""
    with calc_context():
        numerator = sum((p.base * penalty_rate * p.days for p in periods), Decimal(0))
        accrued = round_fen(numerator / day_basis) if numerator else ZERO
        return accrued - paid - waived


def _periods_line(
    label: str, periods: Sequence[Accrual], rate: str, paid: Decimal, waived: Decimal, amount: Decimal
) -> str:
    """The finance core's line for a balance that changed: one term per period, less what was paid and what
    was waived (each shown only when not zero)."""
    terms = [
        f"{format_money(p.base, grouping=True)} 元 × 罚息日利率 {rate} × {p.days} 天"
        f"（{(p.start + timedelta(days=1)).isoformat()} 至 {p.end.isoformat()}）"
        for p in periods
        if p.base and p.days
    ]
    text = f"{label} " + (" + ".join(terms) or "0.00 元")
    if paid:
        text += f" − 已还 {format_money(paid, grouping=True)} 元"
    if waived:
        text += f" − 减免 {format_money(waived, grouping=True)} 元"
    return f"{text} = {format_money(amount, grouping=True)} 元"


def loan_figures(
    contract: str, product: str, position: AccountPosition, scheduled: Mapping[int, tuple[Decimal, Decimal]], terms
) -> LoanFigures:
    """The letter's figures of one loan from its replayed `position`: `scheduled` maps each instalment to its
    scheduled (principal, interest), `terms` are the replay's terms (`portfolio.posting.account_terms`).
    Raises `FiguresMismatch` where a printed amount would differ from the replay's."""
    rates = penalty_terms(terms["annual_rate"], terms["markup"], terms["day_basis"], terms["compound_on_interest"])
    rate = f"{format_plain(rates.penalty_rate)}/{rates.day_basis}"
    as_of = position.as_of
    items, rate_line = [], ""
    for state in position.instalments:
        owed = state.principal or state.interest or state.penalty_interest or state.compound_interest
        if state.due_date >= as_of or not owed:
            continue
        core = penalty_interest(
            overdue_principal=state.principal,
            overdue_interest=state.interest,
            annual_rate=terms["annual_rate"],
            due_date=state.due_date,
            as_of=as_of,
            markup=terms["markup"],
            day_basis=terms["day_basis"],
            compound_on_interest=terms["compound_on_interest"],
        )
        rate_line = rate_line or core.lines[0]
        history = _history(state.n, state.due_date, *scheduled[state.n], position.payments, as_of)
        on_principal, on_interest = history.on_principal, history.on_interest
        penalty = _owed(on_principal, rates.penalty_rate, rates.day_basis, history.penalty_paid, history.penalty_waived)
        compound = (
            _owed(on_interest, rates.penalty_rate, rates.day_basis, history.compound_paid, history.compound_waived)
            if rates.compound
            else ZERO
        )
        if (penalty, compound) != (state.penalty_interest, state.compound_interest):
            raise FiguresMismatch(
                f"loan {contract}: instalment {state.n} accrued {penalty}/{compound} by the letter's periods but "
                f"{state.penalty_interest}/{state.compound_interest} by the finance core; no letter is issued "
                "until they agree (report this as a bug)"
            )
        # The finance core's own lines where the balance never changed after the due date and nothing of the
        # penalty was paid or waived (a waiver's subtraction must show, WVR-2).
        unchanged = [(a.base, b.base) for a, b in zip(on_principal, on_interest, strict=True)] == [
            (state.principal, state.interest)
        ] and not (history.penalty_paid or history.compound_paid or history.penalty_waived or history.compound_waived)
        penalty_line = (
            core.lines[1]
            if unchanged
            else _periods_line("逾期本金", on_principal, rate, history.penalty_paid, history.penalty_waived, penalty)
        )
        compound_line = (
            core.lines[2]
            if unchanged or not rates.compound
            else _periods_line("逾期利息", on_interest, rate, history.compound_paid, history.compound_waived, compound)
        )
        items.append(
            InstalmentFigures(
                n=state.n,
                due_date=state.due_date,
                dpd=(as_of - state.due_date).days,
                principal=state.principal,
                interest=state.interest,
                penalty=Charge(
                    "penalty", tuple(on_principal), history.penalty_paid, penalty, penalty_line, history.penalty_waived
                ),
                compound=Charge(
                    "compound",
                    tuple(on_interest),
                    history.compound_paid,
                    compound,
                    compound_line,
                    history.compound_waived,
                ),
            )
        )
    return LoanFigures(
        contract=contract,
        product=product,
        annual_rate=rates.rate,
        markup=rates.markup,
        penalty_rate=rates.penalty_rate,
        day_basis=rates.day_basis,
        earliest_unpaid_due=as_of - timedelta(days=position.dpd),
        dpd=position.dpd,
        overdue_principal=position.overdue_principal,
        overdue_interest=position.overdue_interest,
        penalty_interest=position.penalty_interest,
        compound_interest=position.compound_interest,
        rate_line=rate_line,
        instalments=tuple(items),
    )
