"""The engine's positions equal the finance core's replay to the fen, loan by loan."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from engine_portfolio import fen, frames, generate, replayed
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.engine.params import Terms
from arrears.engine.runner import decide, partition_of
from arrears.engine.schema import Inputs
from arrears.finance import floor_fen
from arrears.finance.account import Receipt
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


SHARES = (Decimal("0.2"), Decimal("0.5"), Decimal("1"))


def with_waivers(loans, seed: int, as_of: date) -> int:
    """Post a penalty waiver on about half of the loans: on a random day after the first due date, a share
    (20%, 50% or all) of the penalty and compound interest owed that day before that day's payments (on one
    day waivers come first). Returns how many were posted."""
    rng = random.Random(seed)  # noqa: S311 - test data
    posted = 0
    for loan in loans:
        first_due = loan.instalments[0].due_date
        if rng.random() < 0.5 or first_due >= as_of:
            continue
        on = first_due + timedelta(days=rng.randrange(1, (as_of - first_due).days + 1))
        then = replayed(replace(loan, receipts=[r for r in loan.receipts if r.paid_on < on]), as_of=on)
        amount = floor_fen((then.penalty_interest + then.compound_interest) * rng.choice(SHARES))
        if amount > 0:
            loan.receipts.append(Receipt(f"waiver:{loan.loan_id}", on, amount, kind="waiver"))
            posted += 1
    return posted


def test_posted_waivers_lower_the_engines_penalty_as_the_finance_cores():
    """Clause: WVR-2, CLS-1 — waivers posted on about half of a generated book reach the engine as penalty and
    compound allocations: every loan's penalty and compound interest (and DPD, where a waiver settled an
    instalment's last penalty) equal the finance core's replay with the waivers, to the fen; without them the
    comparison would fail."""
    loans = generate(1_500, 6, as_of=AS_OF)
    without = [replace(loan, receipts=list(loan.receipts)) for loan in loans]
    assert with_waivers(loans, 6, AS_OF) > 300
    waived = [loan for loan in loans if replayed(loan, as_of=AS_OF).waived > 0]
    assert len(waived) > 300
    decisions = decide(Inputs.of(**frames(loans, posted_on=AS_OF)), Terms.of(Policy(), AS_OF), default_calendar())
    assert decisions.problems.height == 0
    assert _compare(loans, decisions, AS_OF) == []
    assert len(_compare(without, decisions, AS_OF)) > 300  # the waivers changed the figures compared


@pytest.mark.django_db
def test_waivers_posted_in_the_database_reach_the_engine_as_the_finance_core_counts_them():
    """Clause: WVR-2, CLS-1 — loans in the database with late and partial payments and posted waivers
    (`WaiverPosting` + `allocate_payments`), read for the night (`daily.read`) and decided by the engine: each
    loan's DPD, overdue amounts, penalty and compound interest equal `loan_position` (the finance core with the
    waivers) to the fen."""
    from arrears.daily.read import read_inputs
    from arrears.portfolio.models import Instalment, WaiverAllocation, WaiverPosting
    from arrears.portfolio.posting import allocate_payments
    from arrears.portfolio.queries import loan_detail, loan_position
    from arrears.rules.queries import policy_on
    from factories import make_borrower, make_loan, make_payment

    as_of = date(2026, 3, 20)
    rng = random.Random(7)  # noqa: S311 - test data
    loans = []
    for k in range(40):
        loan = make_loan(
            make_borrower(),
            principal=str(rng.randrange(2_000, 90_000)),
            rate=rng.choice(["0.0435", "0.0799", "0.1500"]),
            months=rng.choice([3, 6, 12]),
            start=as_of - timedelta(days=rng.randrange(40, 300)),
            method=rng.choice(["equal-instalment", "equal-principal", "interest-only"]),
            penalty_markup=rng.choice([None, Decimal("0.30")]),
        )
        for inst in Instalment.objects.filter(loan=loan, due_date__lt=as_of).order_by("n"):
            late = inst.due_date + timedelta(days=rng.randrange(0, 40))
            if late < as_of and rng.random() < 0.6:
                share = Decimal(rng.choice(["0.5", "1", "1.01"]))
                make_payment(
                    loan,
                    late,
                    str((Decimal(inst.principal_fen + inst.interest_fen) * share / 100).quantize(Decimal("0.01"))),
                )
        allocate_payments([loan.pk], business_date=as_of)
        # A waiver of up to all of what is owed on a day, as the approval posts it (payments of that day count).
        first_due = loan.instalments.order_by("due_date").first().due_date
        on = first_due + timedelta(days=rng.randrange(1, (as_of - first_due).days + 1))
        then = loan_position(loan_detail(loan.external_id), on)
        owed = floor_fen((then.penalty_interest + then.compound_interest) * rng.choice(SHARES))
        if owed > 0:
            WaiverPosting.objects.create(loan=loan, key=f"waiver:{k}", posted_on=on, amount_fen=fen(owed))
            allocate_payments([loan.pk], business_date=on)
        loans.append(loan)
    assert WaiverPosting.objects.count() >= 20
    assert WaiverAllocation.objects.filter(posting__posted_on__lte=as_of).count() >= 20
    policy = policy_on(as_of)
    decisions = decide(read_inputs(Terms.of(policy, as_of)), Terms.of(policy, as_of), default_calendar())
    assert decisions.problems.height == 0
    by_loan = {row["loan_id"]: row for row in decisions.positions.iter_rows(named=True)}
    mismatches, waived = [], 0
    for loan in loans:
        position = loan_position(loan_detail(loan.external_id), as_of)
        waived += position.waived > 0
        expected = {
            "dpd": position.dpd,
            "overdue_principal_fen": fen(position.overdue_principal),
            "overdue_interest_fen": fen(position.overdue_interest),
            "penalty_fen": fen(position.penalty_interest),
            "compound_fen": fen(position.compound_interest),
        }
        row = by_loan.get(loan.pk, dict.fromkeys(expected, 0))
        if {key: row[key] for key in expected} != expected:
            mismatches.append((loan.external_id, expected, row))
    assert mismatches == []
    assert waived >= 20
