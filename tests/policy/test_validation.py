"""Invalid policies are refused with the key, the value and the allowed range; nothing half-applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.policy import PolicyError, build_policy, parse_policy_toml


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy_toml(text, "bank.toml")
    return info.value.problems


def test_markup_outside_30_to_50_percent_names_key_value_and_range():
    """Penalty markup is allowed from 30% to 50% only."""
    assert problems("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.6\n") == [
        "penalty.markup = 0.6: outside the allowed range (allowed: from 0.30 to 0.50)"
    ]
    assert problems("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.25\n") == [
        "penalty.markup = 0.25: outside the allowed range (allowed: from 0.30 to 0.50)"
    ]


def test_every_fault_is_listed_at_once():
    """A file with several faults lists them all, each with its key."""
    found = problems(
        "effective_from = 2027-01-01\n"
        "[plan]\nmax_instalments = 8\nincome_shar = 0.2\n"
        "[penalty]\nday_basis = 300\n"
        "[contact]\nmax_connected_calls_per_day = 5\n"
    )
    assert found == [
        "plan.max_instalments = 8: outside the allowed range (allowed: from 1 to 6)",
        "plan.income_shar: unknown parameter; check the spelling against `arrears policy show`",
        "penalty.day_basis = 300: not an allowed value (allowed: one of 360, 365)",
        "contact.max_connected_calls_per_day = 5: outside the allowed range (allowed: from 1 to 3)",
    ]


def test_plan_never_more_than_six_instalments():
    """Clause: PLAN-3 — never more than 6 instalments, and the range must not be inverted."""
    assert problems("effective_from = 2027-01-01\n[plan]\nmin_instalments = 5\nmax_instalments = 4\n") == [
        "plan: max_instalments (4) must not be below min_instalments (5)"
    ]


def test_waiver_cap_cannot_exceed_twenty_percent():
    """Clause: WVR-2 — a bank may waive less than 20%, never more."""
    assert problems("effective_from = 2027-01-01\n[waiver]\nmax_share = 0.25\n") == [
        "waiver.max_share = 0.25: outside the allowed range (allowed: from 0 to 0.20)"
    ]


def test_quiet_hours_may_grow_but_not_shrink():
    """The guideline window 22:00–08:00 may be widened by a bank, never narrowed."""
    ok = parse_policy_toml('effective_from = 2027-01-01\n[contact]\nquiet_start = "21:00"\nquiet_end = "09:00"\n')
    assert ok.policy.contact.quiet_start.hour == 21
    assert problems('effective_from = 2027-01-01\n[contact]\nquiet_start = "23:00"\n') == [
        "contact: quiet hours 23:00–08:00 must cover at least 22:00–08:00 "
        "(start between 08:00 and 22:00, end between 08:00 and 22:00, end before start)"
    ]
    assert problems('effective_from = 2027-01-01\n[contact]\nquiet_end = "8h"\n') == [
        "contact.quiet_end = 8h: '8h' is not a time of day; write HH:MM, e.g. '22:00'"
    ]


def test_class_bounds_must_increase():
    """Clause: CLS-1 — moderate ends after mild."""
    assert problems("effective_from = 2027-01-01\n[classes]\nmild_max_dpd = 90\n") == [
        "classes: moderate_max_dpd (90) must be greater than mild_max_dpd (90)"
    ]


def test_allocation_order_must_name_each_component_once():
    """The allocation order is a permutation of the four components."""
    assert problems('effective_from = 2027-01-01\n[allocation]\norder = ["principal", "principal"]\n') == [
        "allocation.order = ['principal', 'principal']: order must name each of "
        "['compound_interest', 'interest', 'penalty_interest', 'principal'] exactly once"
    ]


def test_effective_date_is_required_and_must_be_a_date():
    """A version without a proper effective date is refused."""
    assert problems("[penalty]\nmarkup = 0.4\n") == [
        "effective_from: required, the first business date the version governs, e.g. 2027-01-01"
    ]
    assert problems('effective_from = "soon"\n') == [
        "effective_from = soon: must be a TOML date without time, e.g. 2027-01-01"
    ]


def test_not_toml_at_all():
    """Broken TOML is refused with the parser's position."""
    (problem,) = problems("effective_from = 2027-01-01\n[penalty\n")
    assert problem.startswith("not valid TOML: ")
    assert "line 2" in problem


def test_floats_are_refused_from_python_callers():
    """Rates come as Decimal or text, never float: 0.1 as a float is not 0.1."""
    with pytest.raises(PolicyError, match=r"penalty.markup = 0.4: 0.4 is a float; write it as a decimal string"):
        build_policy({"penalty": {"markup": 0.4}})
    assert build_policy({"penalty": {"markup": "0.4"}}).penalty.markup == Decimal("0.4")


@given(st.decimals(min_value=Decimal("0.30"), max_value=Decimal("0.50"), places=4))
def test_any_markup_in_range_is_accepted(markup):
    """Every markup from 30% to 50% is valid and read exactly."""
    assert build_policy({"penalty": {"markup": markup}}).penalty.markup == markup


@given(
    st.one_of(
        st.decimals(max_value=Decimal("0.2999"), places=4, allow_nan=False),
        st.decimals(min_value=Decimal("0.5001"), places=4, allow_nan=False, allow_infinity=False),
    )
)
def test_any_markup_out_of_range_is_refused(markup):
    """Every markup outside 30%–50% is refused."""
    with pytest.raises(PolicyError, match=r"penalty\.markup"):
        build_policy({"penalty": {"markup": markup}})
