"""Repayment schedules: worked examples with literal figures, due-date rules, validation and properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import METHODS, FinanceError, build_schedule, due_dates, from_fen
from arrears.finance.schedule import add_months, level_payment

D = Decimal


def rows(schedule):
    """The schedule as a literal-comparable table of (n, due date, principal, interest, payment) strings."""
    return [
        (i.n, i.due_date.isoformat(), str(i.principal), str(i.interest), str(i.payment)) for i in schedule.instalments
    ]


LOAN = {"principal": "120000", "annual_rate": "0.049", "months": 12, "start": date(2026, 1, 10)}


def test_equal_instalment_120000_at_4_9_percent_over_12_months():
    """等額本息 120,000 at 4.9% for 12 months: level payment 10,267.40, total interest 3,208.80.

    By hand: r = 0.049 / 12; A = P·r·(1+r)^12 / ((1+r)^12 − 1) = 10,267.3994… → 10,267.40 (checked with exact
    fractions below). Month 1: interest 120,000 × 0.049/12 = 490.00, principal 10,267.40 − 490.00 = 9,777.40.
    Month 2: balance 110,222.60 × 0.049/12 = 450.0757… → 450.08. Month 12: balance 10,225.65 × 0.049/12 =
    41.7547… → 41.75, principal 10,225.65, payment 10,267.40. Total interest = 12 × 10,267.40 − 120,000.
    """
    schedule = build_schedule(method="equal-instalment", **LOAN)
    assert rows(schedule) == [
        (1, "2026-02-10", "9777.40", "490.00", "10267.40"),
        (2, "2026-03-10", "9817.32", "450.08", "10267.40"),
        (3, "2026-04-10", "9857.41", "409.99", "10267.40"),
        (4, "2026-05-10", "9897.66", "369.74", "10267.40"),
        (5, "2026-06-10", "9938.08", "329.32", "10267.40"),
        (6, "2026-07-10", "9978.66", "288.74", "10267.40"),
        (7, "2026-08-10", "10019.40", "248.00", "10267.40"),
        (8, "2026-09-10", "10060.32", "207.08", "10267.40"),
        (9, "2026-10-10", "10101.40", "166.00", "10267.40"),
        (10, "2026-11-10", "10142.64", "124.76", "10267.40"),
        (11, "2026-12-10", "10184.06", "83.34", "10267.40"),
        (12, "2027-01-10", "10225.65", "41.75", "10267.40"),
    ]
    assert schedule.total_interest == D("3208.80") == 12 * D("10267.40") - D("120000")
    assert schedule.total_principal == D("120000.00")


def test_level_payment_matches_exact_fraction_arithmetic():
    """The annuity formula on exact fractions gives 10,267.39948… for 120,000 at 4.9% / 12 months."""
    r = Fraction(49, 12000)
    growth = (1 + r) ** 12
    exact = Fraction(120000) * r * growth / (growth - 1)
    assert Fraction(1026739, 100) < exact < Fraction(1026740, 100)
    assert level_payment(D("120000"), D("0.049") / 12, 12) == D("10267.40")


def test_equal_principal_120000_at_4_9_percent_over_12_months():
    """等額本金: 10,000.00 principal a month; interest on the balance, 490.00 falling by 40.83⅓ a month.

    By hand: month k interest = (120,000 − 10,000·(k−1)) × 0.049/12, e.g. 110,000 × 0.049/12 = 449.1666… →
    449.17; last 10,000 × 0.049/12 = 40.8333… → 40.83. Total = 490 × (12+11+…+1)/12 = 490 × 78/12 = 3,185.00.
    """
    schedule = build_schedule(method="equal-principal", **LOAN)
    interests = ["490.00", "449.17", "408.33", "367.50", "326.67", "285.83"]
    interests += ["245.00", "204.17", "163.33", "122.50", "81.67", "40.83"]
    assert [str(i.interest) for i in schedule.instalments] == interests
    assert {str(i.principal) for i in schedule.instalments} == {"10000.00"}
    assert rows(schedule)[0] == (1, "2026-02-10", "10000.00", "490.00", "10490.00")
    assert rows(schedule)[-1] == (12, "2027-01-10", "10000.00", "40.83", "10040.83")
    assert schedule.total_interest == D("3185.00")


def test_equal_principal_last_instalment_absorbs_the_remainder():
    """1,000.00 over 3 months: 333.33, 333.33 and the last takes 333.34, so the parts sum to 1,000.00."""
    schedule = build_schedule(
        principal="1000", annual_rate="0", months=3, method="equal-principal", start=date(2026, 1, 1)
    )
    assert [str(i.principal) for i in schedule.instalments] == ["333.33", "333.33", "333.34"]
    assert schedule.total_interest == D("0.00")


def test_interest_only_pays_interest_monthly_and_principal_last():
    """先息後本: 120,000 × 0.049/12 = 490.00 each month; the 12th also repays 120,000.00 (120,490.00)."""
    schedule = build_schedule(method="interest-only", **LOAN)
    assert rows(schedule)[0] == (1, "2026-02-10", "0.00", "490.00", "490.00")
    assert rows(schedule)[10] == (11, "2026-12-10", "0.00", "490.00", "490.00")
    assert rows(schedule)[11] == (12, "2027-01-10", "120000.00", "490.00", "120490.00")
    assert schedule.total_interest == D("5880.00")


def test_bullet_pays_everything_at_maturity():
    """到期一次還本付息: one instalment at maturity; interest = 120,000 × 0.049 × 12/12 = 5,880.00."""
    schedule = build_schedule(method="bullet", **LOAN)
    assert rows(schedule) == [(1, "2027-01-10", "120000.00", "5880.00", "125880.00")]
    assert schedule.total_interest == D("5880.00")
    six_months = build_schedule(
        principal="10000", annual_rate="0.05", months=6, method="bullet", start=date(2026, 1, 10)
    )
    # 10,000 × 0.05 × 6/12 = 250.00
    assert rows(six_months) == [(1, "2026-07-10", "10000.00", "250.00", "10250.00")]


def test_equal_instalment_with_zero_rate_splits_the_principal():
    """At 0% the level payment is 1,000 / 3 = 333.33 and the last instalment takes 333.34."""
    schedule = build_schedule(
        principal="1000", annual_rate="0", months=3, method="equal-instalment", start=date(2026, 1, 1)
    )
    assert [str(i.payment) for i in schedule.instalments] == ["333.33", "333.33", "333.34"]


def test_due_dates_clamp_to_month_end_counted_from_the_start_day():
    """A loan from 2026-01-31 is due 02-28, 03-31, 04-30, 05-31: the day is not clamped cumulatively."""
    schedule = build_schedule(
        principal="4000", annual_rate="0.06", months=4, method="equal-principal", start=date(2026, 1, 31)
    )
    assert [i.due_date for i in schedule.instalments] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_due_dates_in_a_leap_year():
    """From 2024-01-31 the first due date is 2024-02-29 (leap year), then 2024-03-31."""
    assert due_dates(date(2024, 1, 31), 2) == (date(2024, 2, 29), date(2024, 3, 31))
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_due_dates_cross_the_year():
    """Months roll over the year end: 2025-11-30 plus 1, 2, 3 months is 12-30, 01-30, 02-28."""
    assert due_dates(date(2025, 11, 30), 3) == (date(2025, 12, 30), date(2026, 1, 30), date(2026, 2, 28))


def weekdays_only(day: date) -> bool:
    """A stand-in calendar for the tests: Monday to Friday are working days."""
    return day.weekday() < 5


def test_roll_to_next_working_day_moves_only_the_date():
    """With a calendar, 2026-02-01 (Sunday) rolls to 02-02 and 2026-03-01 (Sunday) to 03-02; amounts stay."""
    kwargs = {"principal": "10000", "annual_rate": "0.06", "months": 2, "method": "equal-instalment"}
    kept = build_schedule(start=date(2026, 1, 1), **kwargs)
    rolled = build_schedule(start=date(2026, 1, 1), is_working_day=weekdays_only, **kwargs)
    assert [i.due_date for i in kept.instalments] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert [i.due_date for i in rolled.instalments] == [date(2026, 2, 2), date(2026, 3, 2)]
    assert [(i.principal, i.interest) for i in rolled.instalments] == [
        (i.principal, i.interest) for i in kept.instalments
    ]


def test_roll_gives_up_loudly_on_a_calendar_without_working_days():
    """A calendar that never yields a working day is an error, not an endless loop."""
    with pytest.raises(FinanceError, match="no working day"):
        due_dates(date(2026, 1, 1), 1, lambda day: False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": "0"}, "principal must be greater than 0"),
        ({"principal": "-5"}, "principal must be greater than 0"),
        ({"principal": "abc"}, "not a number"),
        ({"principal": "100.005"}, "whole number of fen"),
        ({"annual_rate": "1"}, "annual_rate must be a fraction"),
        ({"annual_rate": "4.9"}, "annual_rate must be a fraction"),
        ({"annual_rate": "-0.01"}, "annual_rate must be a fraction"),
        ({"months": 0}, "months must be a whole number from 1 to 600"),
        ({"months": 601}, "months must be a whole number from 1 to 600"),
        ({"months": True}, "months must be a whole number"),
        ({"method": "foo"}, "unknown repayment method 'foo'; use one of: equal-instalment"),
        ({"start": datetime(2026, 1, 10, 9, 0)}, "start must be a date"),  # noqa: DTZ001 - a wrong input on purpose
        ({"start": "2026-01-10"}, "start must be a date"),
    ],
)
def test_invalid_input_is_refused_with_what_is_allowed(changes, message):
    """Each bad input raises FinanceError saying what was wrong and what is allowed."""
    kwargs = {**LOAN, "method": "equal-instalment", **changes}
    with pytest.raises(FinanceError, match=message):
        build_schedule(**kwargs)


def test_float_principal_or_rate_is_a_type_error():
    """Floats are refused outright, as money and as a rate."""
    with pytest.raises(TypeError):
        build_schedule(**{**LOAN, "principal": 120000.0}, method="bullet")
    with pytest.raises(TypeError):
        build_schedule(**{**LOAN, "annual_rate": 0.049}, method="bullet")


LOAN_TERMS = {
    "principal": st.integers(min_value=1, max_value=10**11).map(from_fen),
    "annual_rate": st.decimals(min_value=0, max_value="0.9999", places=4),
    "months": st.integers(min_value=1, max_value=600),
    "start": st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
}
loans = st.fixed_dictionaries({**LOAN_TERMS, "method": st.sampled_from(METHODS)})
annuity_loans = st.fixed_dictionaries({**LOAN_TERMS, "method": st.just("equal-instalment")})


@given(loans)
@settings(deadline=None)
def test_schedule_invariants(loan):
    """Property: for every method the principal parts sum exactly to the loan, each payment is principal +
    interest, amounts are non-negative whole fen, and due dates rise month by month."""
    schedule = build_schedule(**loan)
    parts = schedule.instalments
    assert sum(i.principal for i in parts) == loan["principal"]
    assert schedule.total_interest == sum(i.interest for i in parts)
    expected_count = 1 if loan["method"] == "bullet" else loan["months"]
    assert [i.n for i in parts] == list(range(1, expected_count + 1))
    for i in parts:
        assert i.payment == i.principal + i.interest
        for amount in (i.principal, i.interest, i.payment):
            assert amount >= 0
            assert amount.as_tuple().exponent == -2
    dates = [i.due_date for i in parts]
    assert dates == sorted(set(dates))
    assert dates[-1] == add_months(loan["start"], loan["months"])


@given(annuity_loans)
@settings(deadline=None)
def test_equal_instalment_payments_are_level_until_the_last(loan):
    """Property: 等額本息 payments equal the rounded annuity payment, except the last (which takes the
    remaining principal) and any after the balance is already repaid on degenerate tiny loans."""
    schedule = build_schedule(**loan)
    level = level_payment(loan["principal"], loan["annual_rate"] / 12, loan["months"])
    paid = Decimal(0)
    for i in schedule.instalments[:-1]:
        if paid + i.principal < loan["principal"]:
            assert i.payment == level
        paid += i.principal


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=1, max_value=600))
@settings(deadline=None)
def test_due_date_keeps_the_start_day_when_the_month_has_it(start, months):
    """Property: the n-th due date is n months on, on the start's day or the month's last day if shorter."""
    due = add_months(start, months)
    assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == months
    assert due.day == start.day or (due.day < start.day and (due + timedelta(days=1)).day == 1)
