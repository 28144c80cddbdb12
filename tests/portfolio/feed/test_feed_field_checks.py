"""Field rules of the feed, value by value: literal text in, parsed value or reason out (no database)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from arrears.portfolio.feed.checks import MISSING, column_checks
from arrears.portfolio.feed.schema import SPECS


def check(file: str, column: str, values: list[str | None]) -> list[tuple[object, str | None]]:
    """(parsed, reason) for each raw value of one column."""
    reason, parsed = column_checks(SPECS[file].column(column))
    frame = pl.DataFrame({column: values}, schema={column: pl.String})
    out = frame.select(parsed.alias("parsed"), reason.alias("reason"))
    return list(zip(out["parsed"].to_list(), out["reason"].to_list(), strict=True))


def test_amounts_become_exact_fen_from_their_digits():
    """Amounts are converted from the decimal text, never through a float: 0.29 is 29 fen, not 28."""
    got = check("payments", "amount", ["0.29", "1043.5", "12000", "362.50", "12.500", "999999999999999.99"])
    assert [fen for fen, _ in got] == [29, 104350, 1200000, 36250, 1250, 99999999999999999]
    assert all(reason is None for _, reason in got)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5", "must not be negative"),
        ("12.345", "more than two decimals: an amount is a whole number of fen"),
        ("1,000.00", "not an amount: write yuan with at most two decimals, e.g. 362.50"),
        ("12e3", "not an amount: write yuan with at most two decimals, e.g. 362.50"),
        ("0", "must be greater than 0"),
        ("0.00", "must be greater than 0"),
        ("1000000000000000", "too large: at most 15 digits before the decimal point"),
        (None, MISSING),
    ],
)
def test_a_payment_amount_is_refused_with_the_reason(text, reason):
    """Each broken amount names its fault; a payment must be more than zero."""
    ((_, got),) = check("payments", "amount", [text])
    assert got == reason


def test_an_optional_amount_may_be_empty_and_may_be_zero():
    """monthly_income is optional and ≥ 0: empty stays null (unknown), 0 is a real value."""
    assert check("borrowers", "monthly_income", [None, "0"]) == [(None, None), (0, None)]


def test_id_number_check_digit_follows_gb_11643():
    """The check character is computed from the 17 digits; a lower-case x is read as X."""
    got = check(
        "borrowers", "id_number", ["11010519491231002X", "11010519491231002x", "110105194912310021", "1101051949"]
    )
    assert got == [
        ("11010519491231002X", None),
        ("11010519491231002X", None),
        ("110105194912310021", "check digit does not match (GB 11643)"),
        ("1101051949", "not an 18-character ID number (17 digits, then a digit or X)"),
    ]


def test_mobile_numbers_are_eleven_digits_starting_13_to_19():
    """A mainland mobile: 1, then 3–9, then nine digits."""
    got = check("borrowers", "mobile", ["13812345678", "12812345678", "1381234567"])
    assert [reason is None for _, reason in got] == [True, False, False]


def test_rates_are_fractions_below_one_with_up_to_eight_decimals():
    """0.0435 is 4.35% a year; 4.35 (a percentage typed as a rate) is refused."""
    got = check("loans", "annual_rate", ["0.0435", "0", "4.35", "0.123456789", "-0.01"])
    assert [parsed for parsed, _ in got[:2]] == ["0.04350000", "0.00000000"]
    assert [reason for _, reason in got] == [
        None,
        None,
        "must be below 1: a rate is a fraction (0.0435 is 4.35% a year)",
        "more than 8 decimals",
        "must not be negative",
    ]


def test_penalty_markup_is_optional_between_030_and_050():
    """Empty markup means the policy's; a given one must lie within 0.30–0.50 with at most 4 decimals."""
    got = check("loans", "penalty_markup", [None, "0.30", "0.5000", "0.6", "0.33333"])
    assert [reason for _, reason in got] == [
        None,
        None,
        None,
        "must be from 0.30 to 0.50",
        "more than 4 decimals",
    ]
    assert got[0][0] is None


def test_dates_must_be_real_iso_dates():
    """YYYY-MM-DD only, and a real day: 30 February is refused."""
    got = check("loans", "start_date", ["2026-01-15", "2026-02-30", "15/01/2026", "2026-1-5"])
    assert got[0] == (date(2026, 1, 15), None)
    assert {reason for _, reason in got[1:]} == {"not a date: write YYYY-MM-DD, e.g. 2026-03-01"}


def test_booleans_and_choices_read_case_insensitively_with_defaults():
    """consent flags: true/false, 1/0, yes/no, empty = false; preferred_channel empty = sms."""
    assert check("borrowers", "consent_sms", ["TRUE", "0", "yes", None, "maybe"]) == [
        (True, None),
        (False, None),
        (True, None),
        (False, None),
        (False, "must be true or false (or 1/0, yes/no)"),
    ]
    assert check("borrowers", "preferred_channel", [None, "Email", "fax"]) == [
        ("sms", None),
        ("email", None),
        ("fax", "must be one of sms, email"),
    ]


def test_text_longer_than_the_column_is_refused():
    """Text is checked against the stored column's length, in characters (Chinese counts one each)."""
    assert check("borrowers", "name", ["张" * 100, "张" * 101]) == [
        ("张" * 100, None),
        ("张" * 101, "longer than 100 characters (101)"),
    ]


def test_term_months_is_a_whole_number_from_1_to_600():
    """Integers are whole numbers in range; 12.0 is not a whole number as text."""
    got = check("loans", "term_months", ["12", "0", "601", "12.0", "-1"])
    assert [reason for _, reason in got] == [
        None,
        "must be from 1 to 600",
        "must be from 1 to 600",
        "not a whole number",
        "must be from 1 to 600",
    ]
