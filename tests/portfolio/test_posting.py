"""Payments are allocated by the finance core and stored; reposting is idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.portfolio.models import PaymentAllocation
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db


def allocations(loan):
    return list(
        PaymentAllocation.objects.filter(payment__loan=loan)
        .order_by("payment__paid_on", "pk")
        .values_list("payment__external_id", "instalment__n", "component", "amount_fen")
    )


def test_a_late_payment_settles_penalty_compound_interest_then_principal():
    """Worked example: 12,000 at 4.35% over 12 months from 2026-01-15; the first instalment (1,023.72 =
    43.50 interest + 980.22 principal, due 2026-02-15) is paid 10 days late with 1,030.00.

    Penalty: 980.22 × 0.06525 × 10 / 360 = 1.7766… → 1.78; compound: 43.50 × 0.06525 × 10 / 360 = 0.0788… →
    0.08; then interest 43.50 and principal 980.22 leave 4.42 for instalment 2's interest (39.95 due)."""
    loan = make_loan(make_borrower())
    make_payment(loan, date(2026, 2, 25), "1030.00", external_id="P1")
    assert allocate_payments([loan.pk], business_date=date(2026, 3, 1)) == 5
    assert allocations(loan) == [
        ("P1", 1, "penalty_interest", 178),
        ("P1", 1, "compound_interest", 8),
        ("P1", 1, "interest", 4350),
        ("P1", 1, "principal", 98022),
        ("P1", 2, "interest", 442),
    ]
    # Posting again (same business date) rewrites the same rows.
    allocate_payments([loan.pk], business_date=date(2026, 3, 1))
    again = allocations(loan)
    assert [row[1:] for row in again] == [
        (1, "penalty_interest", 178),
        (1, "compound_interest", 8),
        (1, "interest", 4350),
        (1, "principal", 98022),
        (2, "interest", 442),
    ]


def test_an_overpayment_beyond_the_schedule_is_unapplied():
    """Money is never dropped: what exceeds the whole schedule is an unapplied allocation."""
    loan = make_loan(make_borrower(), principal="1000", months=3)
    make_payment(loan, date(2026, 1, 20), "1100.00", external_id="P9")
    allocate_payments([loan.pk], business_date=date(2026, 1, 31))
    rows = allocations(loan)
    assert sum(row[3] for row in rows) == 110000
    assert rows[-1][2:] == ("unapplied", 110000 - sum(r[3] for r in rows if r[2] != "unapplied"))


def test_reposting_for_an_older_business_date_keeps_later_payments_allocated():
    """A replayed older feed re-posts the loan: a payment dated after that business date keeps its allocation."""
    loan = make_loan(make_borrower())
    make_payment(loan, date(2026, 2, 15), "1023.72", external_id="EARLY")
    make_payment(loan, date(2026, 3, 15), "1023.72", external_id="LATER")
    allocate_payments([loan.pk], business_date=date(2026, 3, 31))
    before = allocations(loan)
    allocate_payments([loan.pk], business_date=date(2026, 3, 1))
    assert allocations(loan) == before
    assert {row[0] for row in before} == {"EARLY", "LATER"}


def test_posting_records_the_day_each_instalment_was_settled():
    """Clause: CLS-1 — the first instalment is settled by the late payment that also pays its penalty; the
    second is only partly paid (no date); a correction that removes the payment clears the date again."""
    from arrears.portfolio.models import Instalment, Payment

    loan = make_loan(make_borrower())
    make_payment(loan, date(2026, 2, 25), "1030.00", external_id="P1")
    allocate_payments([loan.pk], business_date=date(2026, 3, 1))
    settled = dict(Instalment.objects.filter(loan=loan, n__lte=3).values_list("n", "settled_on"))
    assert settled == {1: date(2026, 2, 25), 2: None, 3: None}
    Payment.objects.filter(external_id="P1").delete()
    allocate_payments([loan.pk], business_date=date(2026, 3, 2))
    assert Instalment.objects.filter(loan=loan, settled_on__isnull=False).count() == 0


def test_posting_counts_from_rolled_due_dates_where_the_policy_says_so():
    """Clause: CLS-1 — due on Sunday 15 February 2026, the first day of the Spring Festival holiday (through
    23 February): with rolling on, a payment on 24 February is on time and owes no penalty."""
    from arrears.rules.actions import do_add_policy_version

    loan = make_loan(make_borrower(), start=date(2026, 1, 15))
    make_payment(loan, date(2026, 2, 24), "1023.72", external_id="P1")
    allocate_payments([loan.pk], business_date=date(2026, 3, 1))
    assert ("P1", 1, "penalty_interest", 160) in allocations(loan)  # 9 days late without rolling
    admin = make_user("administrator")
    do_add_policy_version(
        "effective_from = 2026-01-01\n[schedule]\nroll_non_working_due_date = true\n", actor=admin, reason="test"
    )
    allocate_payments([loan.pk], business_date=date(2026, 3, 1))
    assert allocations(loan) == [("P1", 1, "interest", 4350), ("P1", 1, "principal", 98022)]


def waiver_rows(loan):
    from arrears.portfolio.models import WaiverAllocation

    return list(
        WaiverAllocation.objects.filter(posting__loan=loan)
        .order_by("posting__posted_on", "pk")
        .values_list("posting__key", "instalment__n", "component", "amount_fen")
    )


def post_waiver(loan, on: date, fen: int, key: str):
    from arrears.portfolio.models import WaiverPosting

    return WaiverPosting.objects.create(loan=loan, key=key, posted_on=on, amount_fen=fen)


def test_a_posted_waiver_is_allocated_to_penalty_oldest_first_and_lowers_the_penalty_owed():
    """Clause: WVR-2 — no payment at all; 6.50 waived on 2026-03-20 settles instalment 1's penalty 5.86
    (980.22 × 0.06525 × 33/360 = 5.862…) and 0.64 of instalment 2's (983.77 × 0.06525 × 5/360 = 0.89). On
    2026-04-01 the penalty owed is 7.99 + 3.03 − 6.50 = 4.52 (11.02 without the waiver); compound interest
    0.47, principal 1,963.99 and interest 83.45 stay. Posting again writes the same rows."""
    from arrears.portfolio.models import Instalment
    from arrears.portfolio.queries import loan_detail, loan_position

    loan = make_loan(make_borrower())
    assert loan_position(loan_detail(loan.external_id), date(2026, 4, 1)).penalty_interest == Decimal("11.02")
    post_waiver(loan, date(2026, 3, 20), 650, "waiver:1")
    assert allocate_payments([loan.pk], business_date=date(2026, 4, 1)) == 2
    assert waiver_rows(loan) == [("waiver:1", 1, "penalty_interest", 586), ("waiver:1", 2, "penalty_interest", 64)]
    assert sum(row[3] for row in waiver_rows(loan)) == 650
    assert not PaymentAllocation.objects.filter(payment__loan=loan).exists()
    position = loan_position(loan_detail(loan.external_id), date(2026, 4, 1))
    assert (position.penalty_interest, position.compound_interest, position.waived) == (
        Decimal("4.52"),
        Decimal("0.47"),
        Decimal("6.50"),
    )
    assert (position.overdue_principal, position.overdue_interest, position.dpd) == (
        Decimal("1963.99"),
        Decimal("83.45"),
        45,
    )
    # Before the waiver's date it does not count.
    assert loan_position(loan_detail(loan.external_id), date(2026, 3, 19)).waived == Decimal("0.00")
    before = (waiver_rows(loan), list(Instalment.objects.filter(loan=loan).values_list("n", "settled_on")))
    allocate_payments([loan.pk], business_date=date(2026, 4, 1))
    assert (waiver_rows(loan), list(Instalment.objects.filter(loan=loan).values_list("n", "settled_on"))) == before


def test_a_waiver_then_a_payment_the_same_day_settles_the_instalment():
    """Clause: WVR-2, CLS-1 — instalment 1 (980.22 + 43.50, due 2026-02-15) is paid 10 days late with exactly
    1,023.72; alone, the payment settles penalty 1.78 and compound 0.08 first and leaves 1.86 of principal.
    With 1.86 waived that day, the waiver takes the penalty and compound, the payment the interest and principal:
    the instalment is settled on 2026-02-25 and DPD on 2026-04-01 counts from instalment 2 (17 days)."""
    from arrears.portfolio.models import Instalment
    from arrears.portfolio.queries import loan_detail, loan_position

    loan = make_loan(make_borrower())
    make_payment(loan, date(2026, 2, 25), "1023.72", external_id="P1")
    allocate_payments([loan.pk], business_date=date(2026, 4, 1))
    assert ("P1", 1, "principal", 97836) in allocations(loan)
    post_waiver(loan, date(2026, 2, 25), 186, "waiver:2")
    allocate_payments([loan.pk], business_date=date(2026, 4, 1))
    assert waiver_rows(loan) == [("waiver:2", 1, "penalty_interest", 178), ("waiver:2", 1, "compound_interest", 8)]
    assert allocations(loan) == [("P1", 1, "interest", 4350), ("P1", 1, "principal", 98022)]
    assert Instalment.objects.get(loan=loan, n=1).settled_on == date(2026, 2, 25)
    position = loan_position(loan_detail(loan.external_id), date(2026, 4, 1))
    assert (position.dpd, position.overdue_principal, position.waived) == (17, Decimal("983.77"), Decimal("1.86"))
