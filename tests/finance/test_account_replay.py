"""Replaying a loan account: payments allocated with penalty accrued up to each payment date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arrears.finance import penalty_interest
from arrears.finance.account import Receipt, ScheduledInstalment, replay

D = Decimal
JAN = ScheduledInstalment(1, date(2026, 1, 15), D("10000.00"), D("362.50"))
TERMS = {"annual_rate": D("0.0435"), "markup": D("0.5")}


def test_without_payments_the_position_equals_the_penalty_calculation():
    """Clause: CLS-1 — DPD from the day after the due date; penalty and compound as `calc penalty` gives."""
    position = replay([JAN], [], as_of=date(2026, 3, 1), **TERMS)
    assert position.dpd == 45
    assert (position.overdue_principal, position.overdue_interest) == (D("10000.00"), D("362.50"))
    assert (position.penalty_interest, position.compound_interest) == (D("81.56"), D("2.96"))
    assert position.overdue_total == D("10447.02")


def test_a_partial_payment_settles_penalty_first_then_accrual_continues_on_the_rest():
    """Worked example: 5,000.00 paid 30 days late; penalty then accrues on 5,418.85 for 15 more days.

    By 2026-02-14: penalty 10000 × 0.06525 × 30/360 = 54.375 → 54.38; compound 362.50 × 0.06525 × 30/360 =
    1.97109375 → 1.97. The payment covers 54.38 + 1.97 + 362.50 and 4,581.15 of principal. By 2026-03-01 the
    exact accrual is 54.375 + 5418.85 × 0.06525 × 15/360 = 69.1074984375 → 69.11, of which 54.38 is paid.
    """
    position = replay([JAN], [Receipt("P1", date(2026, 2, 14), D("5000.00"))], as_of=date(2026, 3, 1), **TERMS)
    (paid,) = position.payments
    assert [(a.component, a.amount) for a in paid.allocations] == [
        ("penalty_interest", D("54.38")),
        ("compound_interest", D("1.97")),
        ("interest", D("362.50")),
        ("principal", D("4581.15")),
    ]
    assert paid.unapplied == D("0.00")
    assert position.dpd == 45
    assert (position.overdue_principal, position.overdue_interest) == (D("5418.85"), D("0.00"))
    assert (position.penalty_interest, position.compound_interest) == (D("14.73"), D("0.00"))


def test_an_early_payment_settles_the_coming_instalment_and_the_excess_is_unapplied():
    """Paid 3 days before the due date: no penalty, interest then principal, the rest held as unapplied."""
    feb = ScheduledInstalment(2, date(2026, 2, 15), D("1000.00"), D("50.00"))
    position = replay([feb], [Receipt("P1", date(2026, 2, 12), D("1100.00"))], as_of=date(2026, 3, 1), **TERMS)
    (paid,) = position.payments
    assert [(a.n, a.component, a.amount) for a in paid.allocations] == [
        (2, "interest", D("50.00")),
        (2, "principal", D("1000.00")),
    ]
    assert paid.unapplied == D("50.00")
    assert (position.dpd, position.overdue_total, position.outstanding_principal) == (0, D("0.00"), D("0.00"))


def test_oldest_instalment_is_cleared_first_and_dpd_moves_to_the_next_unpaid():
    """Clause: CLS-1 — clearing January moves DPD to February's due date."""
    feb = ScheduledInstalment(2, date(2026, 2, 15), D("10000.00"), D("300.00"))
    position = replay([JAN, feb], [Receipt("P1", date(2026, 2, 20), D("11000.00"))], as_of=date(2026, 3, 1), **TERMS)
    (paid,) = position.payments
    assert {a.n for a in paid.allocations} == {1, 2}
    assert position.dpd == (date(2026, 3, 1) - date(2026, 2, 15)).days == 14


instalments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5_000_000),  # principal fen
        st.integers(min_value=0, max_value=200_000),  # interest fen
    ),
    min_size=1,
    max_size=6,
)
receipts = st.lists(
    st.tuples(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=3_000_000)),
    max_size=5,
)


def build(rows, start=date(2025, 1, 10)):
    return [
        ScheduledInstalment(n, start + timedelta(days=30 * n), D(p) / 100, D(i) / 100)
        for n, (p, i) in enumerate(rows, start=1)
    ]


@given(instalments, receipts, st.decimals(min_value=D("0"), max_value=D("0.24"), places=4))
def test_every_payment_is_split_exactly_and_principal_is_conserved(rows, pays, rate):
    """Allocations plus unapplied sum exactly to each payment; principal owed + principal paid = the schedule's."""
    schedule = build(rows)
    start = schedule[0].due_date - timedelta(days=30)
    paid = [Receipt(f"P{k}", start + timedelta(days=day), D(fen) / 100) for k, (day, fen) in enumerate(pays)]
    position = replay(schedule, paid, as_of=start + timedelta(days=400), annual_rate=rate, markup=D("0.5"))
    principal_paid = D(0)
    for payment in position.payments:
        assert sum((a.amount for a in payment.allocations), D(0)) + payment.unapplied == payment.amount
        assert all(a.amount > 0 for a in payment.allocations)
        principal_paid += sum((a.amount for a in payment.allocations if a.component == "principal"), D(0))
    assert position.outstanding_principal + principal_paid == sum((i.principal for i in schedule), D(0))
    assert position.penalty_interest >= 0
    assert position.compound_interest >= 0


@given(
    instalments, st.integers(min_value=0, max_value=500), st.decimals(min_value=D("0"), max_value=D("0.24"), places=4)
)
def test_with_no_payments_each_instalment_accrues_as_the_penalty_calculation(rows, days, rate):
    """Segmented accrual with a single segment is exactly `penalty_interest`, instalment by instalment."""
    schedule = build(rows)
    as_of = schedule[0].due_date + timedelta(days=days)
    position = replay(schedule, [], as_of=as_of, annual_rate=rate, markup=D("0.5"))
    expected = [
        penalty_interest(
            overdue_principal=i.principal,
            overdue_interest=i.interest,
            annual_rate=rate,
            due_date=i.due_date,
            as_of=as_of,
            markup=D("0.5"),
        )
        for i in schedule
    ]
    assert position.penalty_interest == sum((e.penalty_interest for e in expected), D(0))
    assert position.compound_interest == sum((e.compound_interest for e in expected), D(0))


def test_an_instalment_due_today_is_not_overdue_yet():
    """Clause: CLS-1 — on the due date itself the instalment is unpaid but not late: DPD 0, nothing overdue."""
    position = replay([JAN], [], as_of=JAN.due_date, **TERMS)
    assert (position.dpd, position.overdue_total) == (0, D("0.00"))
    assert position.outstanding_principal == D("10000.00")
    late = replay([JAN], [], as_of=JAN.due_date + timedelta(days=1), **TERMS)
    assert (late.dpd, late.overdue_principal) == (1, D("10000.00"))
