"""等額本息 checked against an independent implementation: numpy_financial's pmt and ipmt (floats).

numpy_financial works in unrounded floats; the schedule rounds the level payment and each month's interest to
the fen. So exact equality is not expected, and the gap is bounded. The level payment is within half a fen of
`pmt` (δ ≤ 0.005). Each month the balance moves off numpy's by (ε_k − δ), where ε_k ≤ 0.005 is that month's
interest rounding, and the difference then grows with the balance: after k months it is at most
0.01·((1+r)^k − 1)/r, which shifts month k+1's interest by at most 0.01·((1+r)^k − 1), plus the half fen of
rounding that interest. So every interest figure is within 0.01 of numpy's when (1+r)^(n−1) ≤ 1.5, and in
practice (the grid below: consumer loans, mortgages up to 14 years at 4.9%) within 0.01 up to (1+r)^(n−1) ≤ 2.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import product

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import build_schedule, from_fen
from arrears.finance.schedule import level_payment

HALF_FEN = 0.005
FLOAT_SLACK = 1e-6


def _compare(principal: Decimal, annual_rate: Decimal, months: int) -> tuple[float, float, list[float], list[float]]:
    """Build our schedule; return (growth, |level − pmt|, |payment − pmt| bar the last, |interest − ipmt|)."""
    schedule = build_schedule(
        principal=principal, annual_rate=annual_rate, months=months, method="equal-instalment", start=date(2026, 1, 10)
    )
    r = float(annual_rate) / 12
    pmt = float(npf.pmt(r, months, -float(principal)))
    ipmt = np.asarray(npf.ipmt(r, np.arange(1, months + 1), months, -float(principal)), dtype=float)
    payments = [abs(float(i.payment) - pmt) for i in schedule.instalments[:-1]]
    interests = [abs(float(i.interest) - float(ipmt[k])) for k, i in enumerate(schedule.instalments)]
    level_gap = abs(float(level_payment(principal, annual_rate / 12, months)) - pmt)
    return (1 + r) ** (months - 1), level_gap, payments, interests


GRID = [
    (Decimal(p), Decimal(rate), n)
    for p, rate, n in product(
        ["1000", "50000", "120000", "1000000", "3000000"],
        ["0.0435", "0.049", "0.0615", "0.12", "0.24"],
        [1, 3, 6, 12, 24, 36, 60, 120, 168],
    )
    if (1 + float(rate) / 12) ** (n - 1) <= 2
]


@pytest.mark.parametrize(("principal", "annual_rate", "months"), GRID)
def test_level_payment_and_interest_within_a_fen_of_numpy_financial(principal, annual_rate, months):
    """For the usual loan grid each payment (bar the last) and each month's interest is within 0.01 of
    numpy_financial's pmt / ipmt."""
    _, level_gap, payments, interests = _compare(principal, annual_rate, months)
    assert level_gap <= HALF_FEN + FLOAT_SLACK
    assert max(payments, default=0) <= HALF_FEN + FLOAT_SLACK
    assert max(interests) <= 0.01 + FLOAT_SLACK


def test_the_grid_covers_enough_loans():
    """The grid is not accidentally emptied by its (1+r)^(n−1) ≤ 2 filter."""
    assert len(GRID) >= 150


@given(
    principal=st.integers(min_value=100_000, max_value=10**10).map(from_fen),
    annual_rate=st.decimals(min_value="0.01", max_value="0.36", places=4),
    months=st.integers(min_value=1, max_value=360),
)
@settings(deadline=None)
def test_interest_drift_stays_within_the_derived_bound(principal, annual_rate, months):
    """Property: for any loan the level payment is within half a fen of pmt, and |interest_k − ipmt_k| ≤
    ½ fen + 1 fen·((1+r)^(k−1) − 1), so within 0.01 whenever (1+r)^(n−1) ≤ 1.5. (On long dear loans the
    rounded-up payment can repay the balance before the last month; the bound still holds then.)"""
    growth, level_gap, _, interests = _compare(principal, annual_rate, months)
    r = float(annual_rate) / 12
    # numpy's (1+r)^n − 1 loses digits to cancellation for small r: its error grows like P·ε/r.
    slack = FLOAT_SLACK + 1e-15 * float(principal) / r
    assert level_gap <= HALF_FEN + slack
    for k, gap in enumerate(interests, start=1):
        assert gap <= HALF_FEN + 2 * HALF_FEN * ((1 + r) ** (k - 1) - 1) + slack
    if growth <= 1.5:
        assert max(interests) <= 0.01 + slack
