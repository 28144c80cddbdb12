"""The engine's positions equal the finance core's replay to the fen, loan by loan."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from engine_portfolio import fen, frames, generate, replayed
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.engine.params import Terms
from arrears.engine.runner import decide, partition_of
from arrears.engine.schema import Inputs
from arrears.policy import Policy
from arrears.workdays import default_calendar

AS_OF = date(2026, 3, 1)


def _compare(loans, decisions, as_of, **terms):
    by_loan = {row["loan_id"]: row for row in decisions.positions.iter_rows(named=True)}
    mismatches = []
    for generated in loans:
        position = replayed(generated, as_of=as_of, **terms)
        expected = {
            "dpd": position.dpd,
            "overdue_principal_fen": fen(position.overdue_principal),
            "overdue_interest_fen": fen(position.overdue_interest),
            "penalty_fen": fen(position.penalty_interest),
            "compound_fen": fen(position.compound_interest),
        }
        # A loan the engine does not list is current: DPD 0, nothing overdue.
        row = by_loan.get(generated.loan_id, dict.fromkeys(expected, 0))
        got = {key: row[key] for key in expected}
        if got != expected:
            mismatches.append((generated.loan_id, expected, got))
    return mismatches


@pytest.mark.parametrize("seed", [1, 2])
def test_three_thousand_generated_loans_equal_the_finance_core(seed):
    """Clause: CLS-1 — DPD, overdue principal and interest, penalty and compound interest: every loan of a
    generated book (all four schedule methods, early, late, partial and missing payments) to the fen."""
    loans = generate(3_000, seed, as_of=AS_OF)
    decisions = decide(Inputs.of(**frames(loans, posted_on=AS_OF)), Terms.of(Policy(), AS_OF), default_calendar())
    assert decisions.problems.height == 0
    assert _compare(loans, decisions, AS_OF) == []
    assert decisions.positions.filter(decisions.positions["dpd"] > 0).height > 500  # the book has arrears


def test_only_unsettled_instalments_are_needed():
    """Clause: CLS-1 — the shell reads only instalments not settled on the as-of date; the figures are the
    same as from the whole schedule."""
    loans = generate(1_500, 3, as_of=AS_OF)
    rows = frames(loans, posted_on=AS_OF)
    settled = set()
    for generated in loans:
        for item in replayed(generated, as_of=AS_OF).instalments:
            if item.settled_on is not None and item.settled_on <= AS_OF:
                settled.add((generated.loan_id, item.n))
    assert len(settled) > 1_000
    rows["instalments"] = [r for r in rows["instalments"] if (r["loan_id"], r["n"]) not in settled]
    rows["allocations"] = [r for r in rows["allocations"] if (r["loan_id"], r["n"]) not in settled]
    decisions = decide(Inputs.of(**rows), Terms.of(Policy(), AS_OF), default_calendar())
    assert _compare(loans, decisions, AS_OF) == []


def test_an_earlier_as_of_date_ignores_later_payments():
    """Clause: CLS-1 — catching up a missed date: payments after it do not count, accrual stops at it."""
    loans = generate(1_000, 4, as_of=AS_OF)
    earlier = AS_OF - timedelta(days=20)
    decisions = decide(Inputs.of(**frames(loans, posted_on=AS_OF)), Terms.of(Policy(), earlier), default_calendar())
    for generated in loans:
        generated.receipts = [r for r in generated.receipts if r.paid_on <= earlier]
    assert _compare(loans, decisions, earlier) == []


def test_partitions_by_borrower_add_up_to_the_whole():
    """Decided partition by partition (as a cluster would), the decisions are the whole book's."""
    loans = generate(800, 5, as_of=AS_OF)
    inputs, terms = Inputs.of(**frames(loans, posted_on=AS_OF)), Terms.of(Policy(), AS_OF)
    whole = decide(inputs, terms, default_calendar())
    parts = [decide(partition_of(inputs, 3, i), terms, default_calendar()) for i in range(3)]
    for name, frame in whole.frames().items():
        combined = parts[0].frames()[name].vstack(parts[1].frames()[name]).vstack(parts[2].frames()[name])
        key = frame.columns[:3]
        assert combined.sort(key).equals(frame.sort(key)), name
    assert all(p.positions.height for p in parts)


@settings(deadline=None, max_examples=60)
@given(
    seed=st.integers(0, 10_000),
    days=st.integers(-40, 400),
    markup=st.sampled_from([Decimal("0.30"), Decimal("0.42"), Decimal("0.50")]),
    basis=st.sampled_from([360, 365]),
    compound=st.booleans(),
)
def test_property_engine_equals_finance_for_any_terms(seed, days, markup, basis, compound):
    """Clause: CLS-1 — for any seed, as-of date, policy markup, day basis and compound switch."""
    as_of = AS_OF + timedelta(days=days)
    loans = generate(40, seed, as_of=as_of)
    terms = {"day_basis": basis, "compound_on_interest": compound}
    policy = Policy.model_validate(
        {"penalty": {"markup": markup, "day_basis": basis, "compound_on_interest": compound}}
    )
    decisions = decide(
        Inputs.of(**frames(loans, posted_on=as_of, policy_markup=markup, **terms)),
        Terms.of(policy, as_of),
        default_calendar(),
    )
    assert _compare(loans, decisions, as_of, policy_markup=markup, **terms) == []
