"""Rates are shown as percentages, exactly (issue 15: "rates as percentages (4.35%)")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.home.templatetags.money import percent


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (Decimal("0.0435"), "4.35%"),
        (Decimal("0.049"), "4.90%"),
        (Decimal("0.04875"), "4.875%"),
        (Decimal("0.10"), "10.00%"),
        (Decimal("0"), "0.00%"),
        (Decimal("0.065250"), "6.525%"),
        (None, "—"),
    ],
)
def test_a_rate_as_a_percentage(rate, shown):
    assert percent(rate) == shown
