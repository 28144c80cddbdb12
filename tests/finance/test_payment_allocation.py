"""Payment allocation: oldest instalment first, within it penalty, compound, interest, principal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import COMPONENTS, DEFAULT_ORDER, Due, FinanceError, allocate_payment, from_fen

D = Decimal

# The penalty worked example's two instalments (see test_penalty_interest): 45 and 14 days overdue.
JANUARY = Due(
    n=1,
    due_date=date(2026, 1, 15),
    penalty_interest="81.56",
    compound_interest="2.96",
    interest="362.50",
    principal="10000.00",
)
FEBRUARY = Due(
    n=2,
    due_date=date(2026, 2, 15),
    penalty_interest="25.38",
    compound_interest="0.92",
    interest="362.50",
    principal="10000.00",
)


def table(allocation):
    """The allocation as literal (instalment, component, amount) rows."""
    return [(a.n, a.component, str(a.amount)) for a in allocation.allocations]


def test_payment_clears_the_oldest_instalment_first():
    """10,500.00 pays January in full (81.56 + 2.96 + 362.50 + 10,000.00 = 10,447.02), then the 52.98 left
    goes to February's penalty 25.38, compound 0.92 and 26.68 of its interest."""
    allocation = allocate_payment("10500.00", [FEBRUARY, JANUARY])
    assert table(allocation) == [
        (1, "penalty_interest", "81.56"),
        (1, "compound_interest", "2.96"),
        (1, "interest", "362.50"),
        (1, "principal", "10000.00"),
        (2, "penalty_interest", "25.38"),
        (2, "compound_interest", "0.92"),
        (2, "interest", "26.68"),
    ]
    assert D("10447.02") + D("25.38") + D("0.92") + D("26.68") == D("10500.00")
    assert allocation.unapplied == D("0.00")
    assert allocation.applied == D("10500.00")
    assert allocation.total_for("interest") == D("389.18")


def test_overpayment_is_returned_as_unapplied():
    """25,000.00 against 10,447.02 + 10,388.80 = 20,835.82 owed leaves 4,164.18 unapplied."""
    allocation = allocate_payment("25000", [JANUARY, FEBRUARY])
    assert allocation.applied == D("20835.82")
    assert allocation.unapplied == D("4164.18")
    assert str(allocation.unapplied) == "4164.18"


def test_small_payment_goes_to_the_oldest_penalty_only():
    """50.00 is less than January's penalty of 81.56: all of it goes there, nothing to February."""
    assert table(allocate_payment("50", [JANUARY, FEBRUARY])) == [(1, "penalty_interest", "50.00")]


def test_a_different_order_from_the_policy():
    """With principal first, 10,010.00 pays January's principal then 10.00 of its penalty."""
    order = ("principal", "penalty_interest", "compound_interest", "interest")
    assert table(allocate_payment("10010", [JANUARY, FEBRUARY], order)) == [
        (1, "principal", "10000.00"),
        (1, "penalty_interest", "10.00"),
    ]


def test_the_default_order_is_the_policy_default():
    """The default order is penalty, compound, interest, principal."""
    assert DEFAULT_ORDER == ("penalty_interest", "compound_interest", "interest", "principal")


@pytest.mark.parametrize(
    "order",
    [
        ("penalty_interest", "interest", "principal"),
        ("penalty_interest", "penalty_interest", "interest", "principal"),
        ("fees", "compound_interest", "interest", "principal"),
    ],
)
def test_order_must_name_each_component_once(order):
    """An order that misses, repeats or invents a component is refused."""
    with pytest.raises(FinanceError, match="exactly once"):
        allocate_payment("100", [JANUARY], order)


@pytest.mark.parametrize(
    ("payment", "dues", "message"),
    [
        ("0", [JANUARY], "payment must be greater than 0"),
        ("-1", [JANUARY], "payment must be greater than 0"),
        ("1.005", [JANUARY], "whole number of fen"),
        ("100", [Due(n=1, due_date=date(2026, 1, 15), principal="-1")], "must not be negative"),
        ("100", [Due(n=1, due_date=date(2026, 1, 15), interest="0.001")], "whole number of fen"),
        ("100", [(date(2026, 1, 15), "100", "0")], "must be an arrears.finance.Due"),
        ("100", [JANUARY, JANUARY], "instalment 1 appears more than once"),
    ],
)
def test_invalid_input_is_refused(payment, dues, message):
    """Bad payments and dues raise FinanceError saying what is wrong."""
    with pytest.raises(FinanceError, match=message):
        allocate_payment(payment, dues)


def test_float_payment_is_refused():
    """A float payment is a TypeError."""
    with pytest.raises(TypeError):
        allocate_payment(100.0, [JANUARY])


fen_amounts = st.integers(min_value=0, max_value=10**9).map(from_fen)
dues_lists = st.lists(
    st.builds(
        Due,
        n=st.integers(min_value=1, max_value=600),
        due_date=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        principal=fen_amounts,
        interest=fen_amounts,
        penalty_interest=fen_amounts,
        compound_interest=fen_amounts,
    ),
    max_size=6,
    unique_by=lambda due: due.n,
)


@given(st.integers(min_value=1, max_value=5 * 10**9).map(from_fen), dues_lists, st.permutations(COMPONENTS))
@settings(deadline=None)
def test_allocation_invariants(payment, dues, order):
    """Property: allocations plus unapplied sum exactly to the payment; no component gets more than it owes;
    money is unapplied only when everything is paid; a later instalment gets money only after every earlier
    one is cleared; within an instalment, a component gets money only after the ones before it in `order`."""
    allocation = allocate_payment(payment, dues, order)
    assert allocation.applied + allocation.unapplied == payment
    assert allocation.unapplied >= 0
    owed_total = sum(D(getattr(d, c)) for d in dues for c in COMPONENTS)
    if allocation.unapplied > 0:
        assert allocation.applied == owed_total

    ordered = sorted(dues, key=lambda d: (d.due_date, d.n))
    steps = [(d, c) for d in ordered for c in order]
    got = {}
    for a in allocation.allocations:
        assert (a.n, a.component) not in got
        got[(a.n, a.component)] = a.amount
    # Walking the steps in order: every step before the last one paid is paid in full.
    paid = [got.get((d.n, c), D(0)) for d, c in steps]
    owed = [D(getattr(d, c)) for d, c in steps]
    for amount, due in zip(paid, owed, strict=True):
        assert 0 <= amount <= due
    last_paid = max((k for k, amount in enumerate(paid) if amount > 0), default=-1)
    for k in range(last_paid):
        assert paid[k] == owed[k]
    for a in allocation.allocations:
        assert a.amount > 0
        assert a.amount.as_tuple().exponent == -2
