"""The money constructor, fen conversions, the one rounding helper and formatting."""

from __future__ import annotations

import decimal
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import FinanceError, calc_context, format_money, format_plain, from_fen, money, round_fen, to_fen
from arrears.finance.money import ceil_fen, floor_fen, is_whole_fen, to_decimal


def test_money_accepts_int_str_and_decimal_exactly():
    """int, str and Decimal become exact Decimals; nothing is rounded on the way in."""
    assert money(120000) == Decimal("120000")
    assert money("362.50") == Decimal("362.50")
    assert money(" 0.1 ") == Decimal("0.1")
    assert money(Decimal("1.005")) == Decimal("1.005")
    assert money("0.1") + money("0.2") == Decimal("0.3")


@pytest.mark.parametrize("value", [0.1, 362.5, 1e9, float("nan")])
def test_money_refuses_floats_with_a_clear_message(value):
    """A float has already lost the fen, so the constructor refuses it and says what to pass instead."""
    with pytest.raises(TypeError, match=r"float .* refused"):
        money(value)


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(deadline=None)
def test_money_refuses_every_float(value):
    """Property: no float of any value gets in, as money or as a rate."""
    with pytest.raises(TypeError):
        money(value)
    with pytest.raises(TypeError):
        to_decimal(value, name="annual_rate")


@pytest.mark.parametrize("value", [True, None, [1], b"1"])
def test_money_refuses_other_types(value):
    """bool is an int by accident and never an amount; other types are refused too."""
    with pytest.raises(TypeError):
        money(value)


@pytest.mark.parametrize("value", ["abc", "", "1,000", "NaN", "Infinity", "-inf"])
def test_money_refuses_text_that_is_not_a_finite_number(value):
    """Bad text is bad input: a FinanceError (a ValueError) saying what is expected."""
    with pytest.raises(FinanceError):
        money(value)


@pytest.mark.parametrize(
    ("value", "fen"),
    [("362.50", 36250), ("362.505", 36251), ("362.504", 36250), ("0.005", 1), ("-0.005", -1), ("120000", 12000000)],
)
def test_to_fen_rounds_half_up(value, fen):
    """to_fen rounds half-up (away from zero on a tie), not to even."""
    assert to_fen(Decimal(value)) == fen


def test_from_fen_gives_two_decimals():
    """from_fen(36250) is 362.50 with two decimals; floats and bools are refused."""
    assert str(from_fen(36250)) == "362.50"
    assert str(from_fen(0)) == "0.00"
    assert str(from_fen(-5)) == "-0.05"
    with pytest.raises(TypeError):
        from_fen(362.5)
    with pytest.raises(TypeError):
        from_fen(True)


@given(st.integers(min_value=-(10**15), max_value=10**15))
@settings(deadline=None)
def test_fen_round_trip(fen):
    """Property: to_fen(from_fen(n)) == n for any whole number of fen."""
    assert to_fen(from_fen(fen)) == fen


@pytest.mark.parametrize(
    ("exact", "shown"),
    [("81.5625", "81.56"), ("2.956640625", "2.96"), ("0.125", "0.13"), ("0.135", "0.14"), ("1000.005", "1000.01")],
)
def test_round_fen_is_half_up_not_bankers(exact, shown):
    """round_fen rounds a tie up (0.125 -> 0.13), where banker's rounding would give 0.12."""
    assert round_fen(Decimal(exact)) == Decimal(shown)
    assert str(round_fen(Decimal(exact))) == shown


def test_directed_rounding_helpers():
    """floor_fen and ceil_fen round one way, for caps and for instalments that must cover the amount."""
    assert floor_fen(Decimal("1000.0059")) == Decimal("1000.00")
    assert ceil_fen(Decimal("4000.3333")) == Decimal("4000.34")
    assert ceil_fen(Decimal("4000.00")) == Decimal("4000.00")


def test_rounding_refuses_floats():
    """The rounding helpers only take Decimal, so a float cannot slip in through them."""
    with pytest.raises(TypeError):
        round_fen(0.125)
    with pytest.raises(TypeError):
        to_fen(1.5)


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6))
@settings(deadline=None)
def test_round_fen_is_within_half_a_fen(value):
    """Property: the rounded amount is a whole number of fen and at most half a fen away."""
    shown = round_fen(value)
    assert is_whole_fen(shown)
    assert abs(shown - value) <= Decimal("0.005")


def test_format_money_has_exactly_two_decimals():
    """Money prints with two decimals, grouped on a notice letter."""
    assert format_money(Decimal(3000)) == "3000.00"
    assert format_money(Decimal("362.5")) == "362.50"
    assert format_money(Decimal("2.956640625")) == "2.96"
    assert format_money(Decimal("10000"), grouping=True) == "10,000.00"
    assert format_money(Decimal("1234567.891"), grouping=True) == "1,234,567.89"


def test_format_plain_prints_rates_without_exponent_or_trailing_zeros():
    """A rate prints as a plain decimal: 0.065250 -> '0.06525', 1E+2 -> '100'."""
    assert format_plain(Decimal("0.065250")) == "0.06525"
    assert format_plain(Decimal("1E+2")) == "100"
    assert format_plain(Decimal("0.00")) == "0"


def test_calc_context_is_local_and_leaves_the_global_context_alone():
    """Finance arithmetic uses 50 digits inside calc_context(); the global context is unchanged after."""
    before = decimal.getcontext().copy()
    with calc_context() as ctx:
        assert ctx.prec == 50
        assert decimal.getcontext().prec == 50
        third = Decimal(1) / 3
    assert len(third.as_tuple().digits) == 50
    after = decimal.getcontext()
    assert (after.prec, after.rounding) == (before.prec, before.rounding)


def test_amounts_beyond_int64_fen_are_refused():
    """10^15 元 (10^17 fen, within Int64) is the largest amount; a typo like 1e100 is refused, not rounded."""
    assert money("1e15") == Decimal("1e15")
    with pytest.raises(FinanceError, match="beyond the largest amount"):
        money("1000000000000000.01")
    with pytest.raises(FinanceError, match="too large an amount"):
        round_fen(Decimal("1e60"))


def test_the_finance_core_never_imports_django():
    """arrears.finance is pure Python: importing all of it in a fresh interpreter loads no Django."""
    code = "import sys, arrears.finance, arrears.finance.penalty; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
