"""Replaying a loan account: payments allocated with penalty accrued up to each payment date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arrears.finance import floor_fen, penalty_interest
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


# -- posted penalty waivers (WVR-1, WVR-2) ----------------------------------------------------------------


def waiver(key: str, on: date, amount: str) -> Receipt:
    return Receipt(key, on, D(amount), kind="waiver")


def test_a_waiver_reduces_the_penalty_owed_by_exactly_its_amount():
    """Clause: WVR-2 — by 2026-02-14 the penalty is 54.38 (10000 × 0.06525 × 30/360 = 54.375); a 50.00 waiver
    posted that day settles 50.00 of it. On 2026-03-01 the penalty owed is 81.56 − 50.00 = 31.56; compound
    interest 2.96, principal 10,000.00, interest 362.50 and DPD 45 are as without the waiver."""
    position = replay([JAN], [waiver("waiver:1", date(2026, 2, 14), "50.00")], as_of=date(2026, 3, 1), **TERMS)
    (posted,) = position.payments
    assert (posted.kind, posted.unapplied) == ("waiver", D("0.00"))
    assert [(a.n, a.component, a.amount) for a in posted.allocations] == [(1, "penalty_interest", D("50.00"))]
    assert (position.penalty_interest, position.compound_interest) == (D("31.56"), D("2.96"))
    assert (position.overdue_principal, position.overdue_interest) == (D("10000.00"), D("362.50"))
    assert (position.dpd, position.waived) == (45, D("50.00"))
    assert position.overdue_total == D("10447.02") - D("50.00")


def test_a_waiver_reaches_compound_interest_only_once_the_penalty_is_exhausted():
    """Clause: WVR-2 — 55.00 waived on 2026-02-14: the whole penalty 54.38, then 0.62 of the compound 1.97
    (362.50 × 0.06525 × 30/360 = 1.971…). On 2026-03-01: penalty 81.56 − 54.38 = 27.18, compound 2.96 − 0.62 =
    2.34; a larger waiver than is owed (60.00) settles 54.38 + 1.97 and leaves 3.65 unapplied."""
    position = replay([JAN], [waiver("waiver:1", date(2026, 2, 14), "55.00")], as_of=date(2026, 3, 1), **TERMS)
    (posted,) = position.payments
    assert [(a.component, a.amount) for a in posted.allocations] == [
        ("penalty_interest", D("54.38")),
        ("compound_interest", D("0.62")),
    ]
    assert (position.penalty_interest, position.compound_interest, position.waived) == (
        D("27.18"),
        D("2.34"),
        D("55.00"),
    )
    assert (position.overdue_principal, position.overdue_interest) == (D("10000.00"), D("362.50"))
    too_much = replay([JAN], [waiver("waiver:1", date(2026, 2, 14), "60.00")], as_of=date(2026, 3, 1), **TERMS)
    (posted,) = too_much.payments
    assert [a.amount for a in posted.allocations] == [D("54.38"), D("1.97")]
    assert (posted.unapplied, too_much.waived) == (D("3.65"), D("56.35"))


def test_a_waiver_settles_every_instalments_penalty_before_any_compound_interest():
    """Clause: WVR-2 — January (81.56 penalty, 2.96 compound) and February (due 2026-02-15: 10000 × 0.06525 ×
    14/360 = 25.375 → 25.38 penalty, 300 × 0.06525 × 14/360 = 0.761… → 0.76 compound) on 2026-03-01: 107.00
    waived settles 81.56 and 25.38 of penalty, then 0.06 of January's compound; nothing of interest or
    principal."""
    feb = ScheduledInstalment(2, date(2026, 2, 15), D("10000.00"), D("300.00"))
    position = replay([JAN, feb], [waiver("waiver:1", date(2026, 3, 1), "107.00")], as_of=date(2026, 3, 1), **TERMS)
    (posted,) = position.payments
    assert [(a.n, a.component, a.amount) for a in posted.allocations] == [
        (1, "penalty_interest", D("81.56")),
        (2, "penalty_interest", D("25.38")),
        (1, "compound_interest", D("0.06")),
    ]
    assert (position.penalty_interest, position.compound_interest) == (D("0.00"), D("2.90") + D("0.76"))
    assert (position.overdue_principal, position.overdue_interest) == (D("20000.00"), D("662.50"))


def test_after_a_waiver_a_payment_puts_less_into_penalty_and_more_into_principal():
    """Clause: WVR-2 — 40.00 waived on 2026-02-10 (of 47.13 accrued), then the worked 5,000.00 payment on
    2026-02-14: of the 54.38 accrued only 14.38 is left, so the payment settles 14.38 + 1.97 + 362.50 and
    4,621.15 of principal (40.00 more than without the waiver). On 2026-03-01: 54.375 + 5378.85 × 0.06525 ×
    15/360 = 68.998… → 69.00 accrued, less 54.38 settled = 14.62."""
    receipts = [waiver("waiver:1", date(2026, 2, 10), "40.00"), Receipt("P1", date(2026, 2, 14), D("5000.00"))]
    position = replay([JAN], receipts, as_of=date(2026, 3, 1), **TERMS)
    waived, paid = position.payments
    assert [(a.component, a.amount) for a in waived.allocations] == [("penalty_interest", D("40.00"))]
    assert (paid.kind, paid.unapplied) == ("payment", D("0.00"))
    assert [(a.component, a.amount) for a in paid.allocations] == [
        ("penalty_interest", D("14.38")),
        ("compound_interest", D("1.97")),
        ("interest", D("362.50")),
        ("principal", D("4621.15")),
    ]
    assert (position.overdue_principal, position.penalty_interest, position.compound_interest) == (
        D("5378.85"),
        D("14.62"),
        D("0.00"),
    )


def test_on_the_same_day_the_waiver_comes_before_the_payment():
    """Clause: WVR-2 — a waiver and a payment both on 2026-02-14: the waiver is applied first (though its key
    sorts after the payment's), so the 40.00 waived is settled in full and the payment's split is the one
    above: 14.38 of penalty, 4,621.15 of principal."""
    receipts = [Receipt("P1", date(2026, 2, 14), D("5000.00")), waiver("waiver:1", date(2026, 2, 14), "40.00")]
    position = replay([JAN], receipts, as_of=date(2026, 3, 1), **TERMS)
    assert [p.kind for p in position.payments] == ["waiver", "payment"]
    assert position.payments[1].allocations[0].amount == D("14.38")
    assert (position.waived, position.penalty_interest) == (D("40.00"), D("14.62"))


def test_a_waiver_of_the_last_penalty_settles_the_instalment():
    """Clause: CLS-1, WVR-2 — 10,362.50 paid on 2026-02-14 settles the penalty 54.38 and compound 1.97 first,
    so 56.35 of principal stays owed (DPD 45 on 2026-03-01); with the 56.35 of penalty and compound waived that
    day, the same payment clears interest and principal: the instalment is settled on 2026-02-14, DPD 0."""
    without = replay([JAN], [Receipt("P1", date(2026, 2, 14), D("10362.50"))], as_of=date(2026, 3, 1), **TERMS)
    assert (without.dpd, without.overdue_principal) == (45, D("56.35"))
    receipts = [Receipt("P1", date(2026, 2, 14), D("10362.50")), waiver("waiver:1", date(2026, 2, 14), "56.35")]
    position = replay([JAN], receipts, as_of=date(2026, 3, 1), **TERMS)
    assert (position.dpd, position.overdue_total, position.waived) == (0, D("0.00"), D("56.35"))
    assert position.instalments[0].settled_on == date(2026, 2, 14)


waivers = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=100)),  # day, % owed
    max_size=4,
)


@given(instalments, receipts, waivers, st.decimals(min_value=D("0.01"), max_value=D("0.24"), places=4))
def test_waivers_settle_only_penalty_and_every_receipt_is_split_exactly(rows, pays, waives, rate):
    """Clause: WVR-2 — for any schedule, payments and waivers (each a share of the penalty and compound interest
    owed on its day): allocations + unapplied = each receipt, waivers settle only penalty and compound interest
    and in full, `waived` is the sum of the waivers, principal is conserved."""
    schedule = build(rows)
    start = schedule[0].due_date - timedelta(days=30)
    terms = {"annual_rate": rate, "markup": D("0.5")}
    paid = [Receipt(f"P{k}", start + timedelta(days=day), D(fen) / 100) for k, (day, fen) in enumerate(pays)]
    posted_waivers: list[Receipt] = []
    for k, (day, share) in enumerate(sorted(waives)):
        on = start + timedelta(days=day)
        # What is owed when this waiver is applied: earlier waivers, and payments before its day.
        before = [r for r in paid if r.paid_on < on] + posted_waivers
        then = replay(schedule, before, as_of=on, **terms)
        amount = floor_fen((then.penalty_interest + then.compound_interest) * share / 100)
        if amount > 0:
            posted_waivers.append(waiver(f"W{k}", on, str(amount)))
    position = replay(schedule, paid + posted_waivers, as_of=start + timedelta(days=420), **terms)
    principal_paid = D(0)
    for receipt in position.payments:
        assert sum((a.amount for a in receipt.allocations), D(0)) + receipt.unapplied == receipt.amount
        assert all(a.amount > 0 for a in receipt.allocations)
        if receipt.kind == "waiver":
            assert {a.component for a in receipt.allocations} <= {"penalty_interest", "compound_interest"}
            assert receipt.unapplied == 0
        principal_paid += sum((a.amount for a in receipt.allocations if a.component == "principal"), D(0))
    assert position.waived == sum((w.amount for w in posted_waivers), D(0))
    assert position.outstanding_principal + principal_paid == sum((i.principal for i in schedule), D(0))
    assert position.penalty_interest >= 0
    assert position.compound_interest >= 0
