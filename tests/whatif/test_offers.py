"""What a night's policy would let collectors offer (`arrears.whatif.offers`): worked examples with literal fen."""

from __future__ import annotations

from datetime import date

import polars as pl

from arrears.policy.versions import build_policy
from arrears.whatif.offers import plans_feasible, waivers_eligible

DAY = date(2026, 11, 5)
D = date.fromisoformat


def positions(rows: list[tuple]) -> pl.DataFrame:
    columns = ["loan_id", "borrower_id", "dpd", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.with_columns(compound_fen=pl.lit(10, dtype=pl.Int64))


CASES = pl.DataFrame(
    [
        (1, 10, "open", D("2026-11-01"), 1),
        (2, 20, "open", D("2026-10-01"), 1),
        (3, 30, "closed", D("2026-06-01"), 1),
        (4, 30, "open", D("2026-11-01"), 1),
        (5, 40, "open", D("2026-11-01"), 1),
        (6, 50, "open", D("2026-11-03"), 1),
        (7, 60, "open", D("2026-11-01"), 2),
    ],
    schema=["case_id", "borrower_id", "status", "opened_on", "times_opened"],
    orient="row",
)
CALLS = pl.DataFrame(
    [
        (10, D("2026-11-02"), True),
        (30, D("2026-11-02"), True),
        (40, D("2026-11-02"), False),
        (50, D("2026-11-02"), True),  # before the case opened on 11-03
        (60, D("2026-11-02"), True),
    ],
    schema=["borrower_id", "called_on", "inbound"],
    orient="row",
)
ALLOCATIONS = pl.DataFrame(
    [
        (1, D("2026-11-02"), "penalty", 500, False),
        (1, D("2026-11-03"), "penalty", 100, True),
        (1, D("2026-11-03"), "principal", 9_999, False),
        (1, D("2026-11-06"), "penalty", 700, False),  # after the night
    ],
    schema=["loan_id", "paid_on", "component", "amount_fen", "waived"],
    orient="row",
)
BOOK = positions(
    [
        (1, 10, 12, 100_000, 5_000, 1_000),  # first delinquency, called in: eligible
        (2, 20, 40, 200_000, 0, 4_000),  # DPD 40: past WVR-1's 30
        (3, 30, 5, 1_000, 0, 2_000),  # a case before: not the first delinquency
        (4, 40, 5, 1_000, 0, 333),  # never called in
        (5, 50, 20, 1_000, 0, 50),  # called in before the case opened
        (6, 60, 8, 1_000, 0, 900),  # the case reopened: not the first delinquency
    ]
)


def test_a_waiver_needs_every_condition_and_is_a_fifth_of_the_penalty_less_what_was_waived():
    """Clause: WVR-1, WVR-2 — loan 1 (DPD 12, first delinquency, the borrower called in on 11-02): penalty owed
    10.00 plus 5.00 paid and 1.00 waived by the night = 16.00 accrued; a fifth is 3.20, less the 1.00 waived = 2.20.
    DPD 40, an earlier case, a case reopened, no call in, a call in before the case: none."""
    found = waivers_eligible(BOOK, CASES, CALLS, ALLOCATIONS, DAY, build_policy({}))
    assert found.rows() == [(1, 10, 220)]


def test_a_candidate_without_the_contact_condition_adds_the_loans_it_held_back():
    """Clause: WVR-1, WVR-2 — `self_initiated_only = false`: loans 4 (3.33 → 0.66) and 5 (0.50 → 0.10) too, rounded
    down to the fen; `first_delinquency_only = false` as well: loans 3 (4.00) and 6 (1.80); DPD 40 never."""
    candidate = build_policy({"waiver": {"self_initiated_only": False}})
    found = waivers_eligible(BOOK, CASES, CALLS, ALLOCATIONS, DAY, candidate).sort("loan_id")
    assert found.rows() == [(1, 10, 220), (4, 40, 66), (5, 50, 10)]
    looser = build_policy({"waiver": {"self_initiated_only": False, "first_delinquency_only": False}})
    found = waivers_eligible(BOOK, CASES, CALLS, ALLOCATIONS, DAY, looser).sort("loan_id")
    assert found.rows() == [(1, 10, 220), (3, 30, 400), (4, 40, 66), (5, 50, 10), (6, 60, 180)]


INCOMES = pl.DataFrame(
    [(10, 60_000), (20, 100_000), (40, None)], schema=["borrower_id", "monthly_income_fen"], orient="row"
)


def test_a_plan_fits_when_its_fixed_payment_is_within_the_income_share():
    """Clause: PLAN-2, PLAN-3 — borrower 10 owes 1,060.10 (principal 1,000, interest 50, penalty 10, compound 0.10):
    six payments of 176.69 (rounded up) against 30 % of 600.00 = 180.00: fits. Borrower 20 owes 2,040.10: 340.02 a
    month against 300.00: does not. Without an income on record: not counted."""
    book = BOOK.filter(pl.col("borrower_id").is_in([10, 20, 40]))
    found = plans_feasible(book, INCOMES, build_policy({})).sort("borrower_id")
    assert found.rows() == [(10, 17_669, 18_000, True), (20, 34_002, 30_000, False)]


def test_a_smaller_income_share_or_leaving_the_penalty_out_moves_the_payment_or_the_cap():
    """Clause: PLAN-1, PLAN-2 — 25 % of 600.00 is 150.00: borrower 10's 176.69 no longer fits; the plan without
    penalty and compound interest (1,050.00 in six): 175.00 a month."""
    book = BOOK.filter(pl.col("borrower_id") == 10)
    assert plans_feasible(book, INCOMES, build_policy({"plan": {"income_share": "0.25"}})).rows() == [
        (10, 17_669, 15_000, False)
    ]
    assert plans_feasible(book, INCOMES, build_policy({"plan": {"include_penalty": False}})).rows() == [
        (10, 17_500, 18_000, True)
    ]
