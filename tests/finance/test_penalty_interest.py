"""Penalty interest (罚息) and compound interest (复利): the worked example, the notice lines, properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import Due, FinanceError, from_fen, penalty_for_instalments, penalty_interest, round_fen

D = Decimal

EXAMPLE = {
    "overdue_principal": "10000",
    "overdue_interest": "362.50",
    "annual_rate": "0.0435",
    "due_date": date(2026, 1, 15),
    "as_of": date(2026, 3, 1),
    "markup": "0.5",
}


def test_worked_example_by_hand():
    """10,000 principal and 362.50 interest overdue since 2026-01-15, as of 2026-03-01, 4.35% + 50%.

    By hand: DPD = 16 days left in January + 28 in February + 1 in March = 45. Penalty rate = 0.0435 × 1.5 =
    0.06525. Penalty = 10,000 × 0.06525 / 360 × 45 = 652.5 / 360 × 45 = 1.8125 × 45 = 81.5625 → 81.56.
    Compound = 362.50 × 0.06525 / 360 × 45 = 23.653125 / 360 × 45 = 2.956640625 → 2.96. Total = 84.52.
    """
    # The arithmetic above, step by step, in literal Decimals.
    assert D("0.0435") * D("1.5") == D("0.06525")
    assert D("10000") * D("0.06525") == D("652.5")
    assert D("652.5") / 360 == D("1.8125")
    assert D("1.8125") * 45 == D("81.5625")
    assert D("362.50") * D("0.06525") == D("23.653125")
    assert D("23.653125") * 45 / 360 == D("2.956640625")
    assert D("81.56") + D("2.96") == D("84.52")

    result = penalty_interest(**EXAMPLE)
    assert result.dpd == 45
    assert result.penalty_rate == D("0.06525")
    assert str(result.penalty_rate) == "0.06525"
    assert result.daily_rate == D("0.00018125")
    assert result.penalty_interest == D("81.56")
    assert result.compound_interest == D("2.96")
    assert result.total == D("84.52")
    assert result.day_basis == 360


def test_notice_lines_show_the_calculation():
    """Clause: LTR-1 — the notice prints the penalty calculation in detail, line by line."""
    assert penalty_interest(**EXAMPLE).lines == [
        "罚息年利率 = 合同年利率 0.0435 × (1 + 0.5) = 0.06525",
        "逾期本金 10,000.00 元 × 罚息日利率 0.06525/360 × 45 天 = 81.56 元",
        "逾期利息 362.50 元 × 罚息日利率 0.06525/360 × 45 天 = 2.96 元",
        "罚息 81.56 元 + 复利 2.96 元 = 合计 84.52 元",
    ]


def test_rounding_happens_once_not_on_the_daily_amount():
    """Rounding the daily penalty first (1.8125 → 1.81, × 45 = 81.45) would lose 0.11; we get 81.56."""
    assert round_fen(D("1.8125")) * 45 == D("81.45")
    assert penalty_interest(**EXAMPLE).penalty_interest == D("81.56")


def test_markup_30_percent_and_365_day_basis():
    """+30% on 4.35% is 0.05655; on a 365-day basis 10,000 × 0.05655 × 45 / 365 = 69.7191… → 69.72."""
    result = penalty_interest(**{**EXAMPLE, "markup": "0.30"}, day_basis=365)
    assert result.penalty_rate == D("0.05655")
    assert result.penalty_interest == D("69.72")
    # 362.50 × 0.05655 × 45 / 365 = 2.52735… → 2.53
    assert result.compound_interest == D("2.53")
    assert "逾期本金 10,000.00 元 × 罚息日利率 0.05655/365 × 45 天 = 69.72 元" in result.lines


def test_policy_can_switch_compound_interest_off():
    """With compound_on_interest off, overdue interest accrues nothing and the notice says so."""
    result = penalty_interest(**EXAMPLE, compound_on_interest=False)
    assert (result.penalty_interest, result.compound_interest, result.total) == (D("81.56"), D("0.00"), D("81.56"))
    assert result.lines[2] == "逾期利息 362.50 元：依政策不计复利"
    assert result.lines[3] == "罚息 81.56 元 + 复利 0.00 元 = 合计 81.56 元"


@pytest.mark.parametrize(
    ("as_of", "dpd", "penalty"),
    [
        (date(2026, 1, 14), 0, "0.00"),  # before the due date
        (date(2026, 1, 15), 0, "0.00"),  # on the due date: not yet overdue
        (date(2026, 1, 16), 1, "1.81"),  # the day after: 10,000 × 0.06525 / 360 = 1.8125 → 1.81
        (date(2026, 2, 14), 30, "54.38"),  # 1.8125 × 30 = 54.375 → 54.38 (half-up)
    ],
)
def test_days_count_from_the_day_after_the_due_date(as_of, dpd, penalty):
    """DPD counts from the day after the due date through as_of; none on or before the due date."""
    result = penalty_interest(**{**EXAMPLE, "as_of": as_of})
    assert result.dpd == dpd
    assert result.penalty_interest == D(penalty)


def test_several_instalments_each_from_its_own_due_date():
    """Two overdue instalments as of 2026-03-01: 45 days (81.56 + 2.96) and 14 days.

    The second by hand: 10,000 × 0.06525 / 360 × 14 = 25.375 → 25.38; 362.50 × 0.06525 / 360 × 14 =
    0.919843… → 0.92. Sums: 81.56 + 25.38 = 106.94 and 2.96 + 0.92 = 3.88, total 110.82; DPD is the oldest's.
    """
    summary = penalty_for_instalments(
        [(date(2026, 2, 15), "10000", "362.50"), (date(2026, 1, 15), "10000", "362.50")],
        annual_rate="0.0435",
        as_of=date(2026, 3, 1),
        markup="0.5",
    )
    assert [(r.due_date, r.dpd, r.penalty_interest, r.compound_interest) for r in summary.items] == [
        (date(2026, 1, 15), 45, D("81.56"), D("2.96")),
        (date(2026, 2, 15), 14, D("25.38"), D("0.92")),
    ]
    assert (summary.dpd, summary.penalty_interest, summary.compound_interest, summary.total) == (
        45,
        D("106.94"),
        D("3.88"),
        D("110.82"),
    )
    assert summary.lines[0] == "罚息年利率 = 合同年利率 0.0435 × (1 + 0.5) = 0.06525"
    assert "逾期本金 10,000.00 元 × 罚息日利率 0.06525/360 × 14 天 = 25.38 元" in summary.lines
    assert summary.lines[-1] == "罚息 106.94 元 + 复利 3.88 元 = 合计 110.82 元"


def test_no_overdue_instalments_means_no_penalty():
    """An empty list is no penalty and DPD 0."""
    summary = penalty_for_instalments([], annual_rate="0.0435", as_of=date(2026, 3, 1), markup="0.5")
    assert (summary.dpd, summary.total) == (0, D("0.00"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"markup": "-0.1"}, "markup must not be negative"),
        ({"overdue_principal": "-1"}, "overdue_principal must not be negative"),
        ({"overdue_interest": "0.005"}, "whole number of fen"),
        ({"annual_rate": "1.2"}, "annual_rate must be a fraction"),
        ({"annual_rate": "x"}, "not a number"),
        ({"due_date": "2026-01-15"}, "due_date must be a date"),
        ({"as_of": datetime(2026, 3, 1, 12, 0)}, "as_of must be a date"),  # noqa: DTZ001 - wrong on purpose
    ],
)
def test_invalid_input_is_refused(changes, message):
    """Bad input raises FinanceError naming the field and what is allowed."""
    with pytest.raises(FinanceError, match=message):
        penalty_interest(**{**EXAMPLE, **changes})


@pytest.mark.parametrize("day_basis", [0, -360, True])
def test_day_basis_must_be_a_positive_whole_number(day_basis):
    """The day basis divides the rate: zero, negative or bool is refused."""
    with pytest.raises(FinanceError, match="day_basis"):
        penalty_interest(**EXAMPLE, day_basis=day_basis)


def test_floats_are_refused():
    """A float amount or markup is a TypeError, not a silently inexact penalty."""
    with pytest.raises(TypeError):
        penalty_interest(**{**EXAMPLE, "overdue_principal": 10000.0})
    with pytest.raises(TypeError):
        penalty_interest(**{**EXAMPLE, "markup": 0.5})


amounts = st.integers(min_value=0, max_value=10**10).map(from_fen)
rates = st.decimals(min_value=0, max_value="0.9999", places=4)
markups = st.decimals(min_value=0, max_value="1", places=2)
due_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 1, 1))
days = st.integers(min_value=-30, max_value=3650)


def _half_up(value: Fraction) -> Decimal:
    """Independent half-up rounding of an exact fraction to the fen (away from zero on a tie)."""
    cents = value * 100
    whole, rest = divmod(cents.numerator, cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return D(whole).scaleb(-2)


@given(amounts, amounts, rates, markups, due_dates, days, st.sampled_from([360, 365]))
@settings(deadline=None)
def test_result_is_the_exact_product_rounded_once(principal, interest, rate, markup, due, n_days, basis):
    """Property: each amount equals the exact rational product rounded half-up once, and the total is the
    sum of the two rounded amounts."""
    result = penalty_interest(
        overdue_principal=principal,
        overdue_interest=interest,
        annual_rate=rate,
        due_date=due,
        as_of=due + timedelta(days=n_days),
        markup=markup,
        day_basis=basis,
    )
    dpd = max(n_days, 0)
    factor = Fraction(rate) * (1 + Fraction(markup)) * dpd / basis
    assert result.dpd == dpd
    assert result.penalty_interest == _half_up(Fraction(principal) * factor)
    assert result.compound_interest == _half_up(Fraction(interest) * factor)
    assert result.total == result.penalty_interest + result.compound_interest
    assert result.penalty_rate == rate * (1 + markup)


@given(amounts, amounts, rates, markups, due_dates, st.integers(0, 3650), st.integers(0, 3650))
@settings(deadline=None)
def test_penalty_grows_with_days_and_is_linear_in_them(principal, interest, rate, markup, due, d1, d2):
    """Property: more days never lower the penalty, and d1 + d2 days is d1 days plus d2 days within the
    one fen that separate roundings can add up to."""

    def on(n_days):
        return penalty_interest(
            overdue_principal=principal,
            overdue_interest=interest,
            annual_rate=rate,
            due_date=due,
            as_of=due + timedelta(days=n_days),
            markup=markup,
        )

    short, long_, both = on(min(d1, d2)), on(max(d1, d2)), on(d1 + d2)
    assert short.penalty_interest <= long_.penalty_interest
    assert short.compound_interest <= long_.compound_interest
    split = on(d1).penalty_interest + on(d2).penalty_interest
    assert abs(both.penalty_interest - split) <= D("0.01")


@given(
    st.lists(st.tuples(due_dates, amounts, amounts, amounts, amounts), min_size=1, max_size=5),
    rates,
    markups,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
)
@settings(deadline=None)
def test_no_interest_on_penalty(rows, rate, markup, as_of):
    """Property: accrued penalty and compound interest on an instalment do not change its penalty: only
    unpaid principal and unpaid contract interest are bases (no interest on penalty)."""
    with_penalty = [
        Due(n=k, due_date=due, principal=p, interest=i, penalty_interest=pen, compound_interest=comp)
        for k, (due, p, i, pen, comp) in enumerate(rows, start=1)
    ]
    without = [(due, p, i) for due, p, i, _, _ in rows]
    a = penalty_for_instalments(with_penalty, annual_rate=rate, as_of=as_of, markup=markup)
    b = penalty_for_instalments(without, annual_rate=rate, as_of=as_of, markup=markup)
    assert (a.penalty_interest, a.compound_interest, a.total, a.dpd) == (
        b.penalty_interest,
        b.compound_interest,
        b.total,
        b.dpd,
    )
    assert a.total == sum(r.total for r in a.items)
