"""Posting by the kernel writes exactly what posting by the finance core's replay writes, row for row."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.finance import to_fen
from arrears.portfolio.models import Instalment, Loan, Payment, PaymentAllocation, WaiverAllocation, WaiverPosting
from arrears.portfolio.posting import allocate_payments, replay_payments
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

BUSINESS_DATE = date(2026, 11, 27)


def _book(seed: int) -> list[int]:
    """Loans of every method, two or three per borrower, some with their own penalty markup; payments on time,
    early, late, partial, missing, one day's two payments, overpayments beyond the schedule; posted waivers,
    some larger than the penalty owed."""
    rng = random.Random(seed)  # noqa: S311 - test data
    methods = ("equal-instalment", "equal-principal", "interest-only", "bullet")
    ids, payments, waivers = [], [], []
    borrower = None
    for k in range(60):
        if k % 3 != 2:
            borrower = make_borrower()
        loan = make_loan(
            borrower,
            principal=str(rng.randrange(1_000, 200_000)),
            rate=rng.choice(("0.0435", "0.0365", "0.0799", "0.2399", "0.12345678")),
            months=rng.choice((3, 6, 12, 24)),
            start=date(2025, 6, 1) + timedelta(days=rng.randrange(0, 420)),
            method=rng.choice(methods),
            penalty_markup=rng.choice((None, None, Decimal("0.30"), Decimal("0.4321"))),
        )
        ids.append(loan.pk)
        behaviour = rng.random()
        for inst in Instalment.objects.filter(loan=loan).order_by("n"):
            due = inst.principal_fen + inst.interest_fen
            if behaviour < 0.35:
                paid_on, amount = inst.due_date - timedelta(days=rng.randrange(0, 4)), due
            elif behaviour < 0.75:
                paid_on = inst.due_date + timedelta(days=rng.randrange(0, 70))
                amount = due * rng.choice((3, 5, 10, 10, 12)) // 10
            elif rng.random() < 0.3:
                break
            else:
                paid_on, amount = inst.due_date + timedelta(days=rng.randrange(1, 20)), due
            if paid_on > BUSINESS_DATE:
                break
            payments.append(Payment(external_id=f"P{loan.pk}-{inst.n}", loan=loan, paid_on=paid_on, amount_fen=amount))
            if rng.random() < 0.1:  # a second payment the same day
                payments.append(
                    Payment(external_id=f"Q{loan.pk}-{inst.n}", loan=loan, paid_on=paid_on, amount_fen=1 + amount // 7)
                )
            if rng.random() < 0.08:
                waivers.append(
                    WaiverPosting(
                        loan=loan,
                        key=f"waiver:{loan.pk}-{inst.n}",
                        posted_on=paid_on,
                        amount_fen=rng.randrange(1, 20_000),
                    )
                )
        if rng.random() < 0.1:
            payments.append(
                Payment(
                    external_id=f"X{loan.pk}", loan=loan, paid_on=BUSINESS_DATE, amount_fen=to_fen(Decimal(250_000))
                )
            )
    for payment in payments:
        payment.feed_date = BUSINESS_DATE
    Payment.objects.bulk_create(payments)
    WaiverPosting.objects.bulk_create(waivers)
    return ids


def _stored() -> tuple[list, list, list]:
    payments = list(
        PaymentAllocation.objects.order_by("payment__loan_id", "pk").values_list(
            "payment__external_id", "instalment__n", "component", "amount_fen"
        )
    )
    waivers = list(
        WaiverAllocation.objects.order_by("posting__loan_id", "pk").values_list(
            "posting__key", "instalment__n", "component", "amount_fen"
        )
    )
    settled = list(Instalment.objects.order_by("loan_id", "n").values_list("loan_id", "n", "settled_on"))
    return payments, waivers, settled


def _clear() -> None:
    PaymentAllocation.objects.all().delete()
    WaiverAllocation.objects.all().delete()
    Instalment.objects.update(settled_on=None)


@pytest.mark.parametrize("rolls", [False, True])
def test_posting_equals_the_replay_row_for_row(rolls):
    """Clause: WVR-2 — a generated book posted by the replay and by the kernel (in chunks of 7 loans and in
    one): the same payment and waiver allocation rows in the same order, the same settled dates; with and
    without due dates rolled to the next working day."""
    if rolls:
        from arrears.rules.actions import do_add_policy_version

        do_add_policy_version(
            "effective_from = 2025-01-01\n[schedule]\nroll_non_working_due_date = true\n",
            actor=make_user("administrator"),
            reason="test",
        )
    ids = _book(11 if rolls else 5)
    written = replay_payments(ids, business_date=BUSINESS_DATE)
    expected = _stored()
    assert written == len(expected[0]) + len(expected[1])
    assert {row[2] for row in expected[0]} == {
        "principal",
        "interest",
        "penalty_interest",
        "compound_interest",
        "unapplied",
    }
    assert expected[1]  # some waivers were allocated
    assert sum(1 for row in expected[2] if row[2] is not None) > 100
    for chunk in (7, None):
        _clear()
        assert allocate_payments(ids, business_date=BUSINESS_DATE, chunk=chunk) == written
        assert _stored() == expected
    # Posting again rewrites the same rows; settled dates already right are left as they are.
    assert allocate_payments(ids, business_date=BUSINESS_DATE) == written
    assert _stored() == expected


def test_a_loan_whose_rate_the_kernel_cannot_hold_is_posted_by_the_replay():
    """A contract rate with more decimals than the database keeps cannot come from the database; a policy
    markup with more than four decimals can: that loan is posted by the replay, with the same result."""
    from arrears.rules.actions import do_add_policy_version

    do_add_policy_version(
        "effective_from = 2025-01-01\n[penalty]\nmarkup = 0.312345\n", actor=make_user("administrator"), reason="test"
    )
    ids = _book(3)
    assert Loan.objects.filter(pk__in=ids, penalty_markup__isnull=True).exists()
    written = replay_payments(ids, business_date=BUSINESS_DATE)
    expected = _stored()
    _clear()
    assert allocate_payments(ids, business_date=BUSINESS_DATE) == written
    assert _stored() == expected
