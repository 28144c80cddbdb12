"""Numbers and ids are read in ASCII digits only (Python's int() and Decimal() take other Unicode digits)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django import forms

from arrears.finance import money
from arrears.finance.errors import FinanceError
from arrears.home import inputs
from arrears.home.inputs import parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", None),
        ("３", None),
        ("٣", None),
        ("²", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("-1", None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
        ("1" * 30, None),
    ],
)
def test_an_id_is_ascii_digits_within_the_database_range(raw, expected):
    assert int("３") == 3  # why: Python reads a full-width digit as a number
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    ("field", "good", "value"),
    [
        (inputs.IntegerField(), "30", 30),
        (inputs.DecimalField(decimal_places=2), "12.50", Decimal("12.50")),
        (inputs.DateField(), "2026-03-20", date(2026, 3, 20)),
    ],
)
@pytest.mark.parametrize("bad", ["３", "٣", "1２", "２０２６-03-20"])
def test_form_fields_refuse_other_digits_with_the_forms_message(field, good, value, bad):
    assert field.clean(good) == value
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(bad)
    assert refused.value.messages == ["Use the digits 0–9 only (not full-width or other digits)."]


def test_an_integer_field_has_an_upper_bound_a_column_holds():
    with pytest.raises(forms.ValidationError):
        inputs.IntegerField().clean(str(10**30))
    assert inputs.IntegerField().clean(str(2**31 - 1)) == 2**31 - 1


def test_money_refuses_other_digits():
    """Clause: PLAN-1 — an amount typed with full-width digits is not read as another amount."""
    assert money("362.50") == Decimal("362.50")
    with pytest.raises(FinanceError):
        money("３６２.５０")
