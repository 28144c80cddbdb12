"""Penalty waiver limits: who qualifies (WVR-1) and the 20% cap (WVR-2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.finance import FinanceError, from_fen, waiver_limit

D = Decimal
ELIGIBLE = {"penalty": "1000", "dpd": 12, "first_delinquency": True, "self_initiated": True}


def test_first_self_initiated_delinquency_may_waive_20_percent():
    """Clause: WVR-1, WVR-2 — penalty 1,000, DPD 12, first delinquency, borrower called: at most 200.00."""
    result = waiver_limit(**ELIGIBLE)
    assert result.eligible is True
    assert str(result.max_waiver) == "200.00"
    assert result.reasons == []


def test_dpd_30_is_still_eligible_and_31_is_not():
    """Clause: WVR-1 — only while DPD ≤ 30: day 30 qualifies, day 31 does not."""
    assert waiver_limit(**{**ELIGIBLE, "dpd": 30}).eligible is True
    late = waiver_limit(**{**ELIGIBLE, "dpd": 31})
    assert (late.eligible, late.max_waiver, late.reasons) == (False, D("0.00"), ["WVR-1: DPD 31 exceeds 30"])


def test_every_failed_condition_is_listed_with_its_clause():
    """Clause: WVR-1 — a repeat delinquency, found by the bank, at DPD 45 fails all three conditions."""
    result = waiver_limit(penalty="1000", dpd=45, first_delinquency=False, self_initiated=False)
    assert result.eligible is False
    assert result.max_waiver == D("0.00")
    assert result.reasons == [
        "WVR-1: not the borrower's first delinquency",
        "WVR-1: the borrower did not contact the bank on their own initiative",
        "WVR-1: DPD 45 exceeds 30",
    ]


@pytest.mark.parametrize(
    ("changes", "reason"), [({"first_delinquency": False}, "first"), ({"self_initiated": False}, "initiative")]
)
def test_one_failed_condition_is_enough_to_refuse(changes, reason):
    """Clause: WVR-1 — the conditions are all required: failing one gives no waiver, and says which."""
    result = waiver_limit(**{**ELIGIBLE, **changes})
    assert result.eligible is False
    assert len(result.reasons) == 1
    assert reason in result.reasons[0]


@pytest.mark.parametrize(("penalty", "cap"), [("84.52", "16.90"), ("0.99", "0.19"), ("0", "0.00")])
def test_cap_rounds_down_to_the_fen(penalty, cap):
    """Clause: WVR-2 — 84.52 × 20% = 16.904 → 16.90; 0.99 × 20% = 0.198 → 0.19 (never over 20%)."""
    assert waiver_limit(**{**ELIGIBLE, "penalty": penalty}).max_waiver == D(cap)


def test_policy_parameters_are_honoured():
    """Clause: WVR-1, WVR-2 — a stricter policy (10%, DPD ≤ 15) gives 100.00 at DPD 12 and nothing at 16."""
    assert waiver_limit(**ELIGIBLE, max_share="0.10", max_dpd=15).max_waiver == D("100.00")
    assert waiver_limit(**{**ELIGIBLE, "dpd": 16}, max_share="0.10", max_dpd=15).reasons == ["WVR-1: DPD 16 exceeds 15"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"penalty": "-1"}, "penalty must not be negative"),
        ({"dpd": -1}, "dpd must be a whole number"),
        ({"dpd": True}, "dpd must be a whole number"),
        ({"max_share": "1.2"}, "max_share must be a fraction"),
        ({"first_delinquency": "yes"}, "first_delinquency must be True or False"),
    ],
)
def test_invalid_input_is_refused(changes, message):
    """Bad input raises FinanceError naming the field."""
    with pytest.raises(FinanceError, match=message):
        waiver_limit(**{**ELIGIBLE, **changes})


@given(
    st.integers(min_value=0, max_value=10**12).map(from_fen),
    st.integers(min_value=0, max_value=400),
    st.booleans(),
    st.booleans(),
)
@settings(deadline=None)
def test_waiver_never_exceeds_20_percent(penalty, dpd, first, self_initiated):
    """Clause: WVR-1, WVR-2 — property: eligible exactly when all three conditions hold; the cap is then
    the largest whole fen not above 20% of the penalty, and 0.00 otherwise."""
    result = waiver_limit(penalty=penalty, dpd=dpd, first_delinquency=first, self_initiated=self_initiated)
    assert result.eligible == (first and self_initiated and dpd <= 30)
    assert result.eligible == (result.reasons == [])
    if result.eligible:
        assert result.max_waiver <= penalty * D("0.20") < result.max_waiver + D("0.01")
    else:
        assert result.max_waiver == D("0.00")
