"""Personal data is masked by default: the exact shapes of PRV-1 masking."""

from __future__ import annotations

import pytest

from arrears.compliance.masking import HIDDEN, mask_id_number, mask_name, mask_phone, masked


def test_id_number_shows_the_last_four():
    """Clause: PRV-1 — ID number: last 4 only."""
    assert mask_id_number("11010119900307123X") == "**************123X"


def test_mobile_shows_first_three_and_last_four():
    """Clause: PRV-1 — mobile: first 3 and last 4."""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("02112345") == "021*2345"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("张三", "张*"), ("张三丰", "张**"), ("欧阳修", "欧阳*"), ("司马相如", "司马**"), ("欧阳", "欧*"), ("李", "李*")],
)
def test_name_shows_the_surname_only(name, shown):
    """Clause: PRV-1 — name: surname and *; compound surnames keep both characters."""
    assert mask_name(name) == shown


@pytest.mark.parametrize("field", ["address", "employer", "email"])
def test_address_employer_and_email_are_hidden(field):
    """Clause: PRV-1 — home address and employer are never shown masked-in-part; they are hidden."""
    assert masked(field, "上海市浦东新区世纪大道100号") == HIDDEN
    assert masked(field, "") == ""


def test_fields_that_are_not_personal_data_pass_through():
    """A customer number is not masked."""
    assert masked("external_id", "C000123") == "C000123"
    assert masked("mobile", None) == ""
