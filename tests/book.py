"""A small generated lending book in the database, posted as the feed import posts it."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from arrears.accounts.models import User
from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.portfolio.models import Instalment, Loan
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment


def nightly_run() -> User:
    return User.objects.get(username=SYSTEM_USERNAME)


def build_book(borrowers: int, seed: int, as_of: date) -> list[Loan]:
    rng = random.Random(seed)  # noqa: S311 - test data
    loans = []
    for _ in range(borrowers):
        borrower = make_borrower(
            risk_level=rng.choice(["low", "low", "medium", "high"]),
            preferred_channel=rng.choice(["sms", "email"]),
            consent_sms=rng.random() < 0.9,
            consent_email=rng.random() < 0.6,
            consent_phone=rng.random() < 0.9,
        )
        for _ in range(rng.choice([1, 1, 2])):
            start = as_of - timedelta(days=rng.randrange(20, 420))
            loan = make_loan(
                borrower,
                principal=str(rng.randrange(2_000, 90_000)),
                rate=rng.choice(["0.0435", "0.0799", "0.1500"]),
                months=rng.choice([3, 6, 12]),
                start=start,
                method=rng.choice(["equal-instalment", "equal-principal", "interest-only"]),
                penalty_markup=rng.choice([None, None, Decimal("0.30")]),
            )
            behaviour = rng.random()
            for inst in Instalment.objects.filter(loan=loan, due_date__lte=as_of).order_by("n"):
                amount = Decimal(inst.principal_fen + inst.interest_fen) / 100
                if behaviour < 0.55:
                    make_payment(loan, inst.due_date - timedelta(days=rng.randrange(0, 3)), str(amount))
                elif behaviour < 0.8:
                    late = inst.due_date + timedelta(days=rng.randrange(1, 50))
                    if late <= as_of:
                        make_payment(
                            loan,
                            late,
                            str((amount * Decimal(rng.choice(["0.5", "1", "1.01"]))).quantize(Decimal("0.01"))),
                        )
                elif rng.random() < 0.4:
                    break
            loans.append(loan)
    allocate_payments([loan.pk for loan in loans], business_date=as_of)
    return loans
