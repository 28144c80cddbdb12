"""The arithmetic of a scorecard (arrears.reports.scoring): literal worked examples, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.policy import build_policy
from arrears.reports.scoring import PARTS, NoScore, card_score, clean_record, quality_figure, share

D = Decimal
DEFAULTS = build_policy({}).scorecard.weights()


def parts(**given_parts) -> dict:
    return {name: given_parts.get(name) for name in PARTS}


def test_the_default_weights_are_the_policys():
    """Clause: QA-2 — recovery 0.30, promises kept 0.15, contact 0.15, quality 0.25, complaints 0.10, violations
    0.05: recovery is less than every other part together."""
    assert build_policy({}).scorecard.weights() == {
        "recovery": D("0.30"),
        "promises_kept": D("0.15"),
        "contact": D("0.15"),
        "quality": D("0.25"),
        "complaints": D("0.10"),
        "violations": D("0.05"),
    }


def test_every_part_present_is_a_weighted_sum():
    """Clause: QA-2 — recovery 0.5310, promises 3 of 4 kept (0.75), contact 2 of 5 (0.40), quality 86.50 (0.865),
    1 complaint of 2 (0.5), no violation (1): 100 × (0.1593 + 0.1125 + 0.06 + 0.21625 + 0.05 + 0.05) = 64.81."""
    figures = parts(
        recovery=share(805_332, 1_516_754),
        promises_kept=share(3, 4),
        contact=share(2, 5),
        quality=quality_figure(D("86.50")),
        complaints=clean_record(1, 2),
        violations=clean_record(0, 1),
    )
    assert figures == parts(
        recovery=D("0.5310"),
        promises_kept=D("0.7500"),
        contact=D("0.4000"),
        quality=D("0.8650"),
        complaints=D("0.5000"),
        violations=D("1.0000"),
    )
    scored = card_score(figures, DEFAULTS)
    assert scored.score == D("64.81")  # 64.805 half-up
    assert scored.weights == {name: weight.quantize(D("0.0001")) for name, weight in DEFAULTS.items()}
    assert scored.no_score is None


def test_a_part_without_its_figure_is_left_out_and_the_other_weights_scaled_up():
    """Clause: QA-2 — no inspected call: the weights present add up to 0.75, so recovery 0.30 ÷ 0.75 = 0.40,
    promises and contact 0.20, complaints 0.1333, violations 0.0667; recovery 0.5, promises 0.75, contact 0.6, one
    complaint of 2 (0.5), no violation: 100 × (0.15 + 0.1125 + 0.09 + 0.05 + 0.05) ÷ 0.75 = 60.33."""
    scored = card_score(
        parts(recovery=D("0.5"), promises_kept=D("0.75"), contact=D("0.6"), complaints=D("0.5"), violations=D("1")),
        DEFAULTS,
    )
    assert scored.weights == {
        "recovery": D("0.4000"),
        "promises_kept": D("0.2000"),
        "contact": D("0.2000"),
        "quality": None,
        "complaints": D("0.1333"),
        "violations": D("0.0667"),
    }
    assert scored.score == D("60.33")


def test_no_loans_at_the_opening_leaves_recovery_out():
    """Clause: QA-2 — a collector without loans at the opening (recovery None) is scored on the rest: promises 1,
    contact 0.5, quality 0.9, clean record: 100 × (0.15 + 0.075 + 0.225 + 0.10 + 0.05) ÷ 0.70 = 85.71."""
    scored = card_score(
        parts(promises_kept=D("1"), contact=D("0.5"), quality=D("0.9"), complaints=D("1"), violations=D("1")),
        DEFAULTS,
    )
    assert (scored.score, scored.weights["recovery"], scored.weights["quality"]) == (
        D("85.71"),
        None,
        D("0.3571"),
    )


def test_a_full_recovery_with_complaints_and_a_violation_scores_below_a_partial_one_with_a_clean_record():
    """Clause: QA-2 — the regulator's rule, never appraised on the amount recovered alone. Both kept 80% of their
    promises, reached the borrower on half their calls and scored 90 in quality. Collector A recovered everything
    but had 2 substantiated complaints (the complaints part 1 − 2 ÷ 2 = 0) and a violation (1 − 1 ÷ 1 = 0):
    100 × (0.30 + 0.12 + 0.075 + 0.225) = 72.00. Collector B recovered 60% with a clean record:
    100 × (0.18 + 0.12 + 0.075 + 0.225 + 0.10 + 0.05) = 75.00."""
    same = {"promises_kept": D("0.8"), "contact": D("0.5"), "quality": quality_figure(D("90"))}
    a = card_score(
        parts(recovery=share(1, 1), complaints=clean_record(2, 2), violations=clean_record(1, 1), **same), DEFAULTS
    )
    b = card_score(
        parts(recovery=share(3, 5), complaints=clean_record(0, 2), violations=clean_record(0, 1), **same), DEFAULTS
    )
    assert (a.score, b.score) == (D("72.00"), D("75.00"))
    assert a.score < b.score


def test_a_card_where_recovery_would_weigh_as_much_as_the_rest_gets_no_score():
    """Clause: QA-2 — no inspected call and no promise due: recovery 0.30 against contact 0.15, complaints 0.10 and
    violations 0.05 (0.30): recovery would decide half the score, so the card has no score; its weights are shown.
    Without an outbound call either, recovery would be 2/3 of it: no score."""
    scored = card_score(parts(recovery=D("1"), contact=D("0.5"), complaints=D("1"), violations=D("1")), DEFAULTS)
    assert (scored.score, scored.no_score) == (None, NoScore.RECOVERY_ALONE)
    assert scored.weights["recovery"] == D("0.5000")
    alone = card_score(parts(recovery=D("1"), complaints=D("1"), violations=D("1")), DEFAULTS)
    assert (alone.score, alone.no_score, alone.weights["recovery"]) == (None, NoScore.RECOVERY_ALONE, D("0.6667"))


def test_a_clean_record_alone_is_no_appraisal():
    """Clause: QA-2 — no loans at the opening, no promise due, no outbound call, no inspected call: only the
    complaints and violations parts have figures, so there is nothing of the month's work to score; likewise when
    the only work part present weighs 0."""
    scored = card_score(parts(complaints=D("1"), violations=D("0")), DEFAULTS)
    assert (scored.score, scored.no_score) == (None, NoScore.NO_WORK)
    weights = {**DEFAULTS, "promises_kept": D("0"), "contact": D("0.30")}
    assert card_score(parts(promises_kept=D("1"), complaints=D("1"), violations=D("1")), weights).no_score == (
        NoScore.NO_WORK
    )


def test_the_clean_record_parts():
    """Clause: QA-2 — max(0, 1 − count ÷ to_zero): 1 of 2 → 0.5, 3 of 2 → 0, 1 of 3 → 0.6667, 0 → 1."""
    assert [clean_record(1, 2), clean_record(3, 2), clean_record(1, 3), clean_record(0, 5)] == [
        D("0.5000"),
        D("0.0000"),
        D("0.6667"),
        D("1.0000"),
    ]


def test_bad_figures_and_weights_are_refused():
    """A float, a figure above 1, a negative weight or count, a missing part: refused, never guessed."""
    with pytest.raises(TypeError, match="float"):
        card_score(parts(recovery=0.5), DEFAULTS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="from 0 to 1"):
        card_score(parts(recovery=D("1.2")), DEFAULTS)
    with pytest.raises(ValueError, match="never negative"):
        card_score(parts(), {**DEFAULTS, "contact": D("-0.1")})
    with pytest.raises(ValueError, match="one figure"):
        card_score({"recovery": D("1")}, DEFAULTS)
    with pytest.raises(ValueError, match="never negative"):
        share(-1, 3)
    with pytest.raises(TypeError, match="float"):
        quality_figure(90.0)  # type: ignore[arg-type]


FIGURE = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=4))


@st.composite
def weight_sets(draw):
    """Any weights from 0 to 1 that add up to 1 (wider than the policy allows: the arithmetic holds for all)."""
    cents = draw(st.lists(st.integers(0, 100), min_size=6, max_size=6).filter(lambda c: sum(c) > 0))
    total = sum(cents)
    return dict(zip(PARTS, (D(c) / D(total) for c in cents), strict=True))


@settings(max_examples=60, deadline=None)
@given(figures=st.fixed_dictionaries(dict.fromkeys(PARTS, FIGURE)), weights=weight_sets())
def test_the_score_is_within_0_and_100_and_recovery_moves_it_by_its_weight_share_at_most(figures, weights):
    """Clause: QA-2 — any figures and weights: a score is from 0 to 100, the weights used add up to 1 (to the
    rounding of 4 decimals each), and taking recovery from 0 to 1 with everything else as it is moves the score
    by at most recovery's weight share × 100 (and 0.01 of rounding) — which is always below 50."""
    scored = card_score(figures, weights)
    if scored.score is not None:
        assert D(0) <= scored.score <= D(100)
        used = [w for w in scored.weights.values() if w is not None]
        assert abs(sum(used) - 1) <= D("0.0001") * len(used)
    if figures["recovery"] is None:
        return
    low = card_score({**figures, "recovery": D(0)}, weights)
    high = card_score({**figures, "recovery": D(1)}, weights)
    assert (low.score is None) == (high.score is None) == (scored.score is None)
    if scored.score is not None:
        share_of_recovery = high.weights["recovery"]  # shown to 4 places
        assert D(0) <= high.score - low.score <= share_of_recovery * 100 + D("0.01")
        # the exact share (before the 4 places shown) is below one half: recovery never outweighs the rest
        present = [part for part in PARTS if figures[part] is not None]
        assert weights["recovery"] / sum(weights[part] for part in present) < D("0.5")
