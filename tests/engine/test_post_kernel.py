"""The posting kernel equals the finance core's replay, receipt by receipt and instalment by instalment."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from engine_portfolio import GeneratedLoan, generate, replayed

from arrears.finance import to_fen
from arrears.finance.account import WAIVER, Receipt, ScheduledInstalment
from arrears.finance.allocation import DEFAULT_ORDER
from arrears.portfolio.post_kernel import allocate

AS_OF = date(2026, 3, 1)
POLICY_MARKUP = Decimal("0.50")


def _with_waivers(loans: list[GeneratedLoan], seed: int) -> list[GeneratedLoan]:
    """Some loans get a posted waiver or two (on a payment's day too, and some larger than what is owed), some
    an extra overpayment beyond the schedule."""
    rng = random.Random(seed)  # noqa: S311 - test data
    for loan in loans:
        draw = rng.random()
        if draw < 0.2 and loan.receipts:
            for _ in range(rng.choice((1, 2))):
                on = rng.choice(loan.receipts).paid_on + timedelta(days=rng.choice((0, 0, 5, 40)))
                on = min(on, AS_OF)
                amount = Decimal(rng.randrange(1, 30_000)) / 100
                loan.receipts.append(Receipt(f"W{loan.loan_id}-{len(loan.receipts)}", on, amount, kind=WAIVER))
        elif draw < 0.3:
            total = sum((i.principal + i.interest for i in loan.instalments), Decimal(0))
            loan.receipts.append(Receipt(f"X{loan.loan_id}", AS_OF - timedelta(days=3), total + Decimal("12.34")))
    return loans


def _frames(loans: list[GeneratedLoan]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    instalments, receipts, rates = [], [], []
    for loan in loans:
        markup = loan.markup if loan.markup is not None else POLICY_MARKUP
        rates.append((loan.loan_id, int(loan.annual_rate * 10**8) * int(10_000 + markup * 10_000)))
        instalments += [
            (loan.loan_id, i.n, i.due_date, to_fen(i.principal), to_fen(i.interest)) for i in loan.instalments
        ]
        receipts += [(loan.loan_id, k, r.key, r.paid_on, to_fen(r.amount), r.kind) for k, r in enumerate(loan.receipts)]
    return (
        pl.DataFrame(instalments, schema=["loan_id", "n", "due", "principal_fen", "interest_fen"], orient="row"),
        pl.DataFrame(receipts, schema=["loan_id", "rid", "key", "paid_on", "amount_fen", "kind"], orient="row"),
        pl.DataFrame(rates, schema=["loan_id", "rate_e12"], orient="row"),
    )


def _replayed(loans: list[GeneratedLoan], **terms) -> tuple[list[tuple], list[tuple]]:
    allocations, settled = [], []
    for loan in loans:
        if not loan.receipts:
            settled += [(loan.loan_id, i.n, None) for i in loan.instalments]
            continue
        rid = {r.key: k for k, r in enumerate(loan.receipts)}
        as_of = max(AS_OF, *(r.paid_on for r in loan.receipts))
        position = replayed(loan, as_of=as_of, policy_markup=POLICY_MARKUP, **terms)
        for posted in position.payments:
            for part in posted.allocations:
                allocations.append(
                    (loan.loan_id, rid[posted.key], posted.kind, part.n, part.component, to_fen(part.amount))
                )
            if posted.unapplied:
                allocations.append(
                    (loan.loan_id, rid[posted.key], posted.kind, None, "unapplied", to_fen(posted.unapplied))
                )
        settled += [(loan.loan_id, s.n, s.settled_on) for s in position.instalments]
    return sorted(allocations, key=repr), sorted(settled, key=repr)


def _kernel(loans: list[GeneratedLoan], order=DEFAULT_ORDER, **terms) -> tuple[list[tuple], list[tuple]]:
    allocations, settled = allocate(
        *_frames(loans),
        order=tuple(order),
        day_basis=terms.get("day_basis", 360),
        compound=terms.get("compound_on_interest", True),
    )
    return sorted(allocations.rows(), key=repr), sorted(settled.rows(), key=repr)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_loans_post_as_the_replay_posts_them(seed):
    """Clause: WVR-2 — 2,000 generated loans (all schedule methods; on-time, early, late, part and missing
    payments; overpayments beyond the schedule; waivers, some on a payment's day and some larger than the
    penalty owed): the kernel's allocation rows and settled dates equal the replay's, row for row."""
    loans = _with_waivers(generate(2_000, seed, as_of=AS_OF), seed)
    expected = _replayed(loans)
    got = _kernel(loans)
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    kinds = {row[4] for row in expected[0]}
    assert kinds == {"principal", "interest", "penalty_interest", "compound_interest", "unapplied"}
    assert sum(1 for row in expected[1] if row[2] is not None) > 1_000


@pytest.mark.parametrize(
    "terms",
    [
        {"day_basis": 365, "compound_on_interest": False},
        {"order": ("principal", "interest", "penalty_interest", "compound_interest")},
    ],
)
def test_other_policy_terms_post_as_the_replay_posts_them(terms):
    """The day basis, the compound-interest rule and the allocation order are the policy's: with other values
    the kernel still equals the replay."""
    loans = _with_waivers(generate(600, 7, as_of=AS_OF), 7)
    assert _kernel(loans, **terms) == _replayed(loans, **terms)


def test_a_worked_example():
    """The posting worked example (tests/portfolio/test_posting.py): 1,030.00 paid 10 days late on the first
    instalment (980.22 principal + 43.50 interest at 4.35%, markup 0.50): penalty 1.78, compound 0.08, then
    interest, principal, and 4.42 to instalment 2's interest; instalment 1 settled on the payment's day."""
    loan = GeneratedLoan(
        1,
        1,
        Decimal("0.0435"),
        None,
        [
            ScheduledInstalment(1, date(2026, 2, 15), Decimal("980.22"), Decimal("43.50")),
            ScheduledInstalment(2, date(2026, 3, 15), Decimal("983.77"), Decimal("39.95")),
        ],
        [Receipt("P1", date(2026, 2, 25), Decimal("1030.00"))],
    )
    allocations, settled = _kernel([loan])
    assert allocations == sorted(
        [
            (1, 0, "payment", 1, "penalty_interest", 178),
            (1, 0, "payment", 1, "compound_interest", 8),
            (1, 0, "payment", 1, "interest", 4350),
            (1, 0, "payment", 1, "principal", 98022),
            (1, 0, "payment", 2, "interest", 442),
        ],
        key=repr,
    )
    assert settled == [(1, 1, date(2026, 2, 25)), (1, 2, None)]
