"""Instalment-plan affordability: the cap, the fixed instalments and which options are feasible."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import FinanceError, from_fen, max_monthly_payment, plan_option, plan_options, split_fixed
from arrears.finance.plan import plan_months

D = Decimal


def options_table(result):
    """The options as literal (instalments, payment, feasible, reason) rows."""
    return [(o.instalments, str(o.payment), o.feasible, o.reason) for o in result.options]


def test_worked_example_income_10000():
    """Clause: PLAN-1, PLAN-2, PLAN-3 — income 10,000, expenses 3,000, debts 500, amount 12,000.

    Cap = min(10,000 × 30% = 3,000, 10,000 − 3,000 − 500 = 6,500) = 3,000.00. 12,000 / 3 = 4,000.00 is over
    the cap; 12,000 / 4 = 3,000.00, / 5 = 2,400.00 and / 6 = 2,000.00 are within it.
    """
    result = plan_options(income="10000", expenses="3000", debts="500", amount="12000")
    assert str(result.max_monthly_payment) == "3000.00"
    assert options_table(result) == [
        (3, "4000.00", False, "月供 4000.00 超过可负担上限 3000.00（月收入 30%）"),
        (4, "3000.00", True, None),
        (5, "2400.00", True, None),
        (6, "2000.00", True, None),
    ]
    assert result.options[1].payments == (D("3000.00"),) * 4


def test_cap_is_what_is_left_when_that_is_less_than_30_percent():
    """Clause: PLAN-1 — income 10,000, expenses 8,000, debts 500 leave 1,500 < 3,000: the cap is 1,500.00."""
    result = plan_options(income="10000", expenses="8000", debts="500", amount="12000")
    assert str(result.max_monthly_payment) == "1500.00"
    assert [o.feasible for o in result.options] == [False] * 4
    assert result.options[3].reason == "月供 2000.00 超过可负担上限 1500.00（月收入 − 支出 − 负债）"


def test_cap_is_never_negative():
    """Clause: PLAN-2 — expenses and debts above income give a cap of 0.00, not a negative one."""
    assert max_monthly_payment(income="5000", expenses="6000", debts="500") == D("0.00")


@pytest.mark.parametrize(
    ("income", "cap"),
    [
        ("3333.35", "1000.00"),  # 3,333.35 × 0.30 = 1,000.005: half-up would promise 1,000.01
        ("3333.37", "1000.01"),  # 1,000.011
        ("10000", "3000.00"),
    ],
)
def test_cap_rounds_down_to_the_fen(income, cap):
    """Clause: PLAN-2 — the cap is rounded down: never promise a fen more than 30% of income."""
    assert max_monthly_payment(income=income, expenses="0", debts="0") == D(cap)


def test_income_share_is_a_parameter():
    """Clause: PLAN-2 — a stricter policy share of 25% caps income 10,000 at 2,500.00."""
    result = plan_options(income="10000", expenses="0", debts="0", amount="12000", income_share="0.25")
    assert str(result.max_monthly_payment) == "2500.00"
    assert result.options[0].reason == "月供 4000.00 超过可负担上限 2500.00（月收入 25%）"
    assert [o.feasible for o in result.options] == [False, False, True, True]


def test_split_rounds_up_and_the_last_instalment_is_smaller():
    """Clause: PLAN-3 — 12,001 / 3 = 4,000.333… → 4,000.34 twice, last 12,001 − 8,000.68 = 4,000.32;
    12,001 / 6 → 2,000.17 five times (10,000.85), last 2,000.15."""
    assert split_fixed("12001", 3) == (D("4000.34"), D("4000.34"), D("4000.32"))
    assert split_fixed("12001", 6) == (D("2000.17"),) * 5 + (D("2000.15"),)
    assert split_fixed("12000", 5) == (D("2400.00"),) * 5


def test_an_amount_too_small_to_split_is_an_infeasible_option():
    """Clause: PLAN-3 — 0.04 cannot be 6 non-zero fixed instalments (0.01 × 5 is already 0.05)."""
    assert split_fixed("0.04", 6) == ()
    option = plan_option("0.04", 6, D("100.00"))
    assert (option.feasible, option.payments) == (False, ())
    assert option.reason == "金额 0.04 过小，无法分为 6 期固定还款"


@pytest.mark.parametrize("instalments", [1, 2, 7, 12])
def test_instalment_counts_outside_3_to_6_are_refused(instalments):
    """Clause: PLAN-3 — options of 3 to 6 instalments only, never more than 6."""
    with pytest.raises(FinanceError, match="not allowed"):
        plan_option("12000", instalments, D("3000.00"))


def test_a_policy_cannot_widen_the_range_past_6():
    """Clause: PLAN-3 — "never more than 6": a range ending at 7 is refused."""
    with pytest.raises(FinanceError, match="never more than 6"):
        plan_options(income="10000", expenses="0", debts="0", amount="12000", max_instalments=7)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"income": "-1"}, "income must not be negative"),
        ({"expenses": "-1"}, "expenses must not be negative"),
        ({"debts": "x"}, "not a number"),
        ({"amount": "0"}, "amount to repay must be greater than 0"),
        ({"amount": "100.001"}, "whole number of fen"),
        ({"income_share": "0"}, "income_share must be a fraction"),
        ({"income_share": "1.5"}, "income_share must be a fraction"),
        ({"min_instalments": 5, "max_instalments": 4}, "not allowed"),
    ],
)
def test_invalid_input_is_refused(changes, message):
    """Bad input raises FinanceError naming the field and what is allowed."""
    kwargs = {"income": "10000", "expenses": "3000", "debts": "500", "amount": "12000", **changes}
    with pytest.raises(FinanceError, match=message):
        plan_options(**kwargs)


def test_float_income_is_refused():
    """A float income is a TypeError."""
    with pytest.raises(TypeError):
        plan_options(income=10000.0, expenses="0", debts="0", amount="12000")


money_in = st.integers(min_value=0, max_value=10**9).map(from_fen)


@given(money_in, money_in, money_in, st.integers(min_value=1, max_value=10**10).map(from_fen))
@settings(deadline=None)
def test_plan_invariants(income, expenses, debts, amount):
    """Clause: PLAN-2, PLAN-3 — property: the cap is within 30% of income and what is left, never negative;
    every option's instalments sum exactly to the amount, all equal but a last that is not larger; an option
    is feasible exactly when its payment is within the cap."""
    result = plan_options(income=income, expenses=expenses, debts=debts, amount=amount)
    cap = result.max_monthly_payment
    assert D(0) <= cap <= income * D("0.30")
    assert cap <= max(income - expenses - debts, D(0))
    assert cap > min(income * D("0.30"), income - expenses - debts) - D("0.01")
    assert [o.instalments for o in result.options] == [3, 4, 5, 6]
    for option in result.options:
        if option.payments:
            assert len(option.payments) == option.instalments
            assert sum(option.payments) == amount
            assert set(option.payments[:-1]) <= {option.payment}
            assert D("0.01") <= option.payments[-1] <= option.payment
            assert option.feasible == (option.payment <= cap)
            assert (option.reason is None) == option.feasible
        else:
            assert not option.feasible
            assert amount < D("0.01") * option.instalments * (option.instalments - 1)


# -- PLAN-2: what the borrower must actually pay each month --------------------------------------------------


def test_a_month_with_the_loans_own_instalment_can_break_the_cap():
    """Clause: PLAN-2 — income 10,000 allows 3,000.00; 8,000 in 4 × 2,000.00 fits alone, but in plan month 2 the
    loan's own instalment of 1,023.72 falls due too: 2,000.00 + 1,023.72 = 3,023.72 > 3,000.00. Six instalments
    of 1,333.34 leave room for it (2,357.06)."""
    own = ("0", "1023.72", "1023.72", "0", "0", "1023.72")
    result = plan_options(income="10000", expenses="3000", debts="500", amount="8000", own_instalments=own)
    assert options_table(result) == [
        (
            3,
            "2666.67",
            False,
            "第 2 月：分期 2666.67 + 原贷款月供 1023.72 = 3690.39，超过可负担上限 3000.00（月收入 30%）",
        ),
        (
            4,
            "2000.00",
            False,
            "第 2 月：分期 2000.00 + 原贷款月供 1023.72 = 3023.72，超过可负担上限 3000.00（月收入 30%）",
        ),
        (5, "1600.00", True, None),
        (6, "1333.34", True, None),
    ]
    four = result.options[1]
    assert [(m.month, str(m.plan), str(m.own), str(m.total), m.fits) for m in four.months] == [
        (1, "2000.00", "0.00", "2000.00", True),
        (2, "2000.00", "1023.72", "3023.72", False),
        (3, "2000.00", "1023.72", "3023.72", False),
        (4, "2000.00", "0.00", "2000.00", True),
    ]
    assert four.first_unaffordable.month == 2
    six = result.options[3]
    assert [str(m.total) for m in six.months] == ["1333.34", "2357.06", "2357.06", "1333.34", "1333.34", "2357.02"]


def test_a_plan_month_without_own_instalments_is_judged_on_the_plan_alone():
    """Clause: PLAN-2 — no own instalment listed for a month counts as none: 4 × 3,000.00 fits a 3,000.00 cap."""
    result = plan_options(income="10000", expenses="3000", debts="500", amount="12000", own_instalments=("0.00",))
    assert [(o.instalments, o.feasible) for o in result.options] == [(3, False), (4, True), (5, True), (6, True)]
    assert result.options[0].reason == "月供 4000.00 超过可负担上限 3000.00（月收入 30%）"


def test_plan_months_worked_example():
    """Clause: PLAN-2 — the pure month-by-month sum: plan 2,000.00 + own 1,023.72 = 3,023.72 against 3,000.00."""
    months = plan_months((D("2000.00"),) * 3, ("0", "1023.72"), "3000")
    assert [(m.month, m.total, m.fits) for m in months] == [
        (1, D("2000.00"), True),
        (2, D("3023.72"), False),
        (3, D("2000.00"), True),
    ]


@pytest.mark.parametrize(
    ("own", "message"),
    [
        (("-1",), "own instalments must not be negative"),
        (("1.005",), "own instalments must be whole fen"),
        ("1023.72", "own_instalments must be a list"),
    ],
)
def test_bad_own_instalments_are_refused(own, message):
    with pytest.raises(FinanceError, match=message):
        plan_options(income="10000", expenses="0", debts="0", amount="1000", own_instalments=own)


@given(
    money_in,
    money_in,
    st.integers(min_value=1, max_value=10**9).map(from_fen),
    st.lists(st.integers(min_value=0, max_value=10**8).map(from_fen), max_size=6),
)
@settings(deadline=None)
def test_affordability_is_judged_month_by_month(income, debts, amount, own):
    """Clause: PLAN-2 — property: an option is feasible exactly when, in every plan month, its instalment plus the
    loans' own instalments due that month is within the cap; own instalments never make an option feasible that
    is not without them; a refused option names a month that does not fit."""
    with_own = plan_options(income=income, expenses="0", debts=debts, amount=amount, own_instalments=own)
    alone = plan_options(income=income, expenses="0", debts=debts, amount=amount)
    cap = with_own.max_monthly_payment
    for option, bare in zip(with_own.options, alone.options, strict=True):
        if not option.payments:
            assert not option.feasible
            continue
        dues = [p + (own[m] if m < len(own) else D("0.00")) for m, p in enumerate(option.payments)]
        assert option.feasible == all(d <= cap for d in dues)
        assert [m.total for m in option.months] == dues
        assert option.feasible <= bare.feasible
        if not option.feasible:
            month = option.first_unaffordable
            assert month.total > cap
            assert month.total == dues[month.month - 1]
