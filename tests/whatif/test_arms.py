"""Champion/challenger's arithmetic (`arrears.whatif.arms`): a borrower's arm from the experiment's seed, and the
intervals of the difference between the arms, checked against known examples."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.whatif.arms import CHALLENGER, CHAMPION, arm_of, enough, mean_difference, proportion_difference

BORROWERS = range(1, 20_001)


def test_the_arm_is_the_seeds_hash_below_the_share():
    """Clause: practice — the assignment recomputed here from the seed alone (SHA-256 of "<seed>:<id>", its first 8
    bytes below share × 2^64) gives every borrower the arm the experiment gives; the same seed again, the same."""
    for borrower in range(1, 2_001):
        place = int.from_bytes(hashlib.sha256(f"exp-7:{borrower}".encode()).digest()[:8], "big")
        expected = CHALLENGER if place * 10 < 3 * 2**64 else CHAMPION  # place / 2^64 below 0.3
        assert arm_of("exp-7", borrower, Decimal("0.3")) == expected
    assert [arm_of("exp-7", b, "0.3") for b in BORROWERS] == [arm_of("exp-7", b, "0.3") for b in BORROWERS]


@pytest.mark.parametrize("share", ["0.05", "0.2", "0.5"])
def test_the_challengers_share_is_close_to_the_one_asked_for(share):
    """Clause: practice — 20,000 borrowers: the challenger's share within 4 standard errors of the one asked for
    (a binomial count: √(p(1−p)/n), 0.0039 at 0.2), for two seeds; the seeds mix the borrowers differently."""
    p = float(share)
    tolerance = 4 * (p * (1 - p) / len(BORROWERS)) ** 0.5
    arms = {}
    for seed in ("exp-1", "exp-2"):
        arms[seed] = [arm_of(seed, b, share) == CHALLENGER for b in BORROWERS]
        assert abs(sum(arms[seed]) / len(BORROWERS) - p) < tolerance
    assert arms["exp-1"] != arms["exp-2"]


@given(st.integers(min_value=1, max_value=10**12), st.integers(0, 100), st.integers(0, 100))
def test_a_larger_share_keeps_every_challenger_of_a_smaller_one(borrower, small, extra):
    """Clause: practice — widening the challenger from a share to a larger one never moves a borrower back."""
    smaller, larger = Decimal(small) / 100, Decimal(min(small + extra, 100)) / 100
    if arm_of("exp-9", borrower, smaller) == CHALLENGER:
        assert arm_of("exp-9", borrower, larger) == CHALLENGER
    assert arm_of("exp-9", borrower, "0") == CHAMPION
    assert arm_of("exp-9", borrower, "1") == CHALLENGER


def test_the_difference_of_two_rates_has_newcombes_interval():
    """Clause: practice — Newcombe (1998, Statistics in Medicine 17:873), example (a): 56/70 against 48/80, the
    difference 0.2000 with the hybrid score interval 0.0524 to 0.3339 (his method 10)."""
    found = proportion_difference(48, 80, 56, 70)
    assert (found.estimate, found.low, found.high) == (Decimal("0.2000"), Decimal("0.0524"), Decimal("0.3339"))
    assert found.excludes_zero


def test_the_difference_of_two_means_has_welchs_interval():
    """Clause: practice — 1..5 against 2,4,..,10: means 3 and 6, variances 2.5 and 10, standard error √2.5 = 1.5811,
    Welch's 5.88 degrees of freedom and t = 2.4588: 3.0000 ± 3.8877, from −0.8877 to 6.8877 (includes 0)."""
    a = [Decimal(v) for v in (1, 2, 3, 4, 5)]
    b = [Decimal(v) for v in (2, 4, 6, 8, 10)]
    found = mean_difference(a, b)
    assert (found.estimate, found.low, found.high) == (Decimal("3.0000"), Decimal("-0.8877"), Decimal("6.8877"))
    assert not found.excludes_zero


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda: proportion_difference(5, 0, 1, 10), "at least 1"),
        (lambda: proportion_difference(11, 10, 1, 10), "0 to n"),
        (lambda: proportion_difference(1, 10, 1, 10, level="1.5"), "confidence level"),
        (lambda: mean_difference([Decimal(1)], [Decimal(1), Decimal(2)]), "at least 2 values"),
        (lambda: arm_of("exp", 1, "1.2"), "from 0 to 1"),
    ],
)
def test_impossible_inputs_are_refused_with_what_is_wrong(call, said):
    """Clause: practice — no successes of no cases, more successes than cases, a level of 1.5, one value, a share
    above 1: refused, saying which."""
    with pytest.raises(ValueError, match=said):
        call()


def test_enough_is_both_arms_at_the_minimum():
    """Clause: practice — 100 and 99 against a minimum of 100: not yet; 100 and 100: enough."""
    assert not enough(100, 99, 100)
    assert enough(100, 100, 100)
