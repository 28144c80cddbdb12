"""Generated loans for engine tests: schedules from the finance core, payments drawn at random, and the same
portfolio as engine frames and as finance-core replays."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.finance import METHODS, build_schedule, from_fen, to_fen
from arrears.finance.account import AccountPosition, Receipt, ScheduledInstalment, replay

RATES = (Decimal("0.0435"), Decimal("0.0365"), Decimal("0.0799"), Decimal("0.1234"), Decimal("0.2399"))


@dataclass
class GeneratedLoan:
    loan_id: int
    borrower_id: int
    annual_rate: Decimal
    markup: Decimal | None
    instalments: list[ScheduledInstalment]
    receipts: list[Receipt]


def generate(count: int, seed: int, *, as_of: date, start_from: date = date(2024, 1, 1)) -> list[GeneratedLoan]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    loans = []
    for loan_id in range(1, count + 1):
        start = start_from + timedelta(days=rng.randrange(0, (as_of - start_from).days))
        months = rng.choice((1, 3, 6, 12, 24, 36))
        principal = Decimal(rng.randrange(100_000, 50_000_000)) / 100
        rate = rng.choice(RATES)
        schedule = build_schedule(
            principal=principal, annual_rate=rate, months=months, method=rng.choice(METHODS), start=start
        )
        instalments = [ScheduledInstalment(i.n, i.due_date, i.principal, i.interest) for i in schedule.instalments]
        receipts = []
        behaviour = rng.random()
        for i, inst in enumerate(instalments):
            if inst.due_date > as_of + timedelta(days=10):
                break
            due = inst.principal + inst.interest
            if behaviour < 0.5:  # pays on time or early
                paid_on = inst.due_date - timedelta(days=rng.randrange(0, 4))
                amount = due
            elif behaviour < 0.8:  # pays late, sometimes partly
                paid_on = inst.due_date + timedelta(days=rng.randrange(0, 70))
                amount = (due * Decimal(rng.choice(("0.3", "0.5", "1", "1.02")))).quantize(Decimal("0.01"))
            else:  # stops paying after a while
                if rng.random() < 0.3:
                    break
                paid_on, amount = inst.due_date + timedelta(days=rng.randrange(1, 20)), due
            if paid_on <= as_of and amount > 0:
                receipts.append(Receipt(f"P{loan_id}-{i}", paid_on, amount))
        markup = rng.choice((None, None, Decimal("0.30"), Decimal("0.4")))
        loans.append(GeneratedLoan(loan_id, (loan_id + 1) // 2, rate, markup, instalments, receipts))
    return loans


def replayed(loan: GeneratedLoan, *, as_of: date, policy_markup: Decimal = Decimal("0.50"), **terms) -> AccountPosition:
    return replay(
        loan.instalments,
        loan.receipts,
        annual_rate=loan.annual_rate,
        markup=loan.markup if loan.markup is not None else policy_markup,
        as_of=as_of,
        **terms,
    )


def frames(loans: list[GeneratedLoan], *, posted_on: date, **terms) -> dict[str, list[dict]]:
    """The portfolio as engine rows, with allocations as posting on `posted_on` stores them."""
    loan_rows, instalment_rows, allocation_rows, borrower_ids = [], [], [], set()
    for loan in loans:
        borrower_ids.add(loan.borrower_id)
        loan_rows.append(
            {
                "loan_id": loan.loan_id,
                "borrower_id": loan.borrower_id,
                "annual_rate_e8": int(loan.annual_rate * 10**8),
                "markup_e4": None if loan.markup is None else int(loan.markup * 10**4),
            }
        )
        for inst in loan.instalments:
            instalment_rows.append(
                {
                    "loan_id": loan.loan_id,
                    "n": inst.n,
                    "due_date": inst.due_date,
                    "principal_fen": to_fen(inst.principal),
                    "interest_fen": to_fen(inst.interest),
                }
            )
        posted = replayed(loan, as_of=max([posted_on, *(r.paid_on for r in loan.receipts)]), **terms)
        for payment in posted.payments:
            for part in payment.allocations:
                allocation_rows.append(
                    {
                        "loan_id": loan.loan_id,
                        "n": part.n,
                        "paid_on": payment.paid_on,
                        "component": part.component,
                        "amount_fen": to_fen(part.amount),
                    }
                )
    borrowers = [
        {
            "borrower_id": b,
            "risk_level": "low",
            "preferred_channel": "sms",
            "has_email": False,
            "consent_sms": True,
            "consent_email": False,
            "consent_phone": True,
        }
        for b in sorted(borrower_ids)
    ]
    return {"loans": loan_rows, "instalments": instalment_rows, "allocations": allocation_rows, "borrowers": borrowers}


def fen(amount: Decimal) -> int:
    return to_fen(amount)


__all__ = ["GeneratedLoan", "fen", "frames", "from_fen", "generate", "replayed"]
