"""Loan positions: DPD, class, bucket and overdue amounts, worked examples at the edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rows import allocation, instalment, loan, one, position, run

from arrears.engine.schema import Inputs, SchemaError

DUE = date(2026, 1, 15)
COLUMNS = ("dpd", "delinquency_class", "bucket")


@pytest.mark.parametrize(
    ("dpd", "klass", "bucket"),
    [
        (0, "current", "M0"),
        (1, "mild", "M1"),
        (30, "mild", "M1"),
        (31, "moderate", "M2"),
        (60, "moderate", "M2"),
        (61, "moderate", "M3"),
        (90, "moderate", "M3"),
        (91, "severe", "M3+"),
    ],
)
def test_class_and_bucket_at_the_edges(dpd, klass, bucket):
    """Clause: CLS-1 — mild 1–30, moderate 31–90, severe above; DPD from the day after the due date."""
    decisions = run(DUE + timedelta(days=dpd), loans=[loan(1)], instalments=[instalment(1, 1, DUE, 100_000)])
    assert position(decisions, *COLUMNS) == {"dpd": dpd, "delinquency_class": klass, "bucket": bucket}


def test_class_bounds_come_from_the_policy():
    """Clause: CLS-1 — the bounds are parameters: with mild up to 15, DPD 16 is moderate."""
    decisions = run(
        DUE + timedelta(days=16),
        policy_text="[classes]\nmild_max_dpd = 15\n",
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000)],
    )
    assert position(decisions, "dpd", "delinquency_class")["delinquency_class"] == "moderate"


@pytest.mark.parametrize(("dpd", "bucket"), [(20, "M1"), (21, "M2"), (40, "M2"), (41, "M3"), (45, "M3"), (46, "M3+")])
def test_bucket_bounds_come_from_the_policy(dpd, bucket):
    """Clause: CLS-1 (report buckets, practice) — the M-bucket bounds are parameters: with M1 up to 20, M2 up
    to 40 and M3 up to 45, DPD 21 is M2, 41 is M3 and 46 is M3+."""
    decisions = run(
        DUE + timedelta(days=dpd),
        policy_text="[buckets]\nm1_max_dpd = 20\nm2_max_dpd = 40\nm3_max_dpd = 45\n",
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000)],
    )
    assert position(decisions, "dpd", "bucket") == {"dpd": dpd, "bucket": bucket}


def test_worked_example_penalty_and_compound_interest():
    """Clause: CLS-1 — 10,000.00 principal and 362.50 interest due 2026-01-15, 4.35 % + 50 %: on 2026-03-01
    DPD 45, penalty 10000 × 0.06525 × 45/360 = 81.5625 → 81.56, compound 362.50 × 0.06525 × 45/360 → 2.96."""
    decisions = run(date(2026, 3, 1), loans=[loan(1)], instalments=[instalment(1, 1, DUE, 1_000_000, 36_250)])
    assert one(
        decisions.positions,
        "dpd",
        "overdue_principal_fen",
        "overdue_interest_fen",
        "penalty_fen",
        "compound_fen",
        "overdue_total_fen",
    ) == {
        "dpd": 45,
        "overdue_principal_fen": 1_000_000,
        "overdue_interest_fen": 36_250,
        "penalty_fen": 8_156,
        "compound_fen": 296,
        "overdue_total_fen": 1_044_702,
    }


def test_the_loans_own_markup_wins_over_the_policys():
    """Clause: CLS-1 — a contract markup of 30 %: 10000 × 0.05655 × 45/360 = 70.6875 → 70.69."""
    decisions = run(date(2026, 3, 1), loans=[loan(1, markup_e4=3_000)], instalments=[instalment(1, 1, DUE, 1_000_000)])
    assert position(decisions, "penalty_fen")["penalty_fen"] == 7_069


def test_compound_interest_can_be_switched_off():
    """Clause: CLS-1 — penalty.compound_on_interest = false: no compound interest on unpaid interest."""
    decisions = run(
        date(2026, 3, 1),
        policy_text="[penalty]\ncompound_on_interest = false\n",
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 1_000_000, 36_250)],
    )
    assert position(decisions, "penalty_fen", "compound_fen") == {"penalty_fen": 8_156, "compound_fen": 0}


def test_a_partial_payment_splits_the_accrual():
    """Clause: CLS-1 — the finance core's worked example: 5,000.00 paid on 2026-02-14 settles 54.38 penalty,
    1.97 compound, 362.50 interest and 4,581.15 principal; by 2026-03-01 penalty accrued is 54.375 +
    5418.85 × 0.06525 × 15/360 = 69.1075 → 69.11, of which 54.38 is paid: 14.73 owed, 5,418.85 principal."""
    paid_on = date(2026, 2, 14)
    decisions = run(
        date(2026, 3, 1),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 1_000_000, 36_250)],
        allocations=[
            allocation(1, 1, paid_on, "penalty_interest", 5_438),
            allocation(1, 1, paid_on, "compound_interest", 197),
            allocation(1, 1, paid_on, "interest", 36_250),
            allocation(1, 1, paid_on, "principal", 458_115),
        ],
    )
    assert one(
        decisions.positions, "dpd", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "compound_fen"
    ) == {
        "dpd": 45,
        "overdue_principal_fen": 541_885,
        "overdue_interest_fen": 0,
        "penalty_fen": 1_473,
        "compound_fen": 0,
    }


def test_payment_on_the_due_date_leaves_nothing_overdue():
    """Clause: CLS-1 — paid in full on the due date: no DPD, no penalty, the next day or a month later."""
    decisions = run(
        DUE + timedelta(days=30),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000, 5_000)],
        allocations=[allocation(1, 1, DUE, "interest", 5_000), allocation(1, 1, DUE, "principal", 100_000)],
    )
    assert position(decisions, "dpd", "overdue_total_fen") == {"dpd": 0, "overdue_total_fen": 0}


def test_an_instalment_due_today_is_not_late():
    """Clause: CLS-1 — DPD counts from the day after the due date."""
    decisions = run(DUE, loans=[loan(1)], instalments=[instalment(1, 1, DUE, 100_000)])
    assert position(decisions, "dpd", "overdue_principal_fen") == {"dpd": 0, "overdue_principal_fen": 0}


def test_dpd_counts_from_the_earliest_unpaid_instalment():
    """Clause: CLS-1 — January paid, February and March unpaid: DPD from February's due date."""
    decisions = run(
        date(2026, 3, 20),
        loans=[loan(1)],
        instalments=[
            instalment(1, 1, date(2026, 1, 15), 100_000),
            instalment(1, 2, date(2026, 2, 15), 100_000),
            instalment(1, 3, date(2026, 3, 15), 100_000),
        ],
        allocations=[allocation(1, 1, date(2026, 1, 15), "principal", 100_000)],
    )
    assert position(decisions, "dpd", "overdue_principal_fen") == {"dpd": 33, "overdue_principal_fen": 200_000}


def test_unpaid_penalty_alone_keeps_an_instalment_late():
    """Clause: CLS-1 — principal paid 10 days late without its penalty: the instalment is not settled."""
    decisions = run(
        DUE + timedelta(days=20),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 1_000_000)],
        allocations=[allocation(1, 1, DUE + timedelta(days=10), "principal", 1_000_000)],
    )
    # 10000 × 0.06525 × 10/360 = 18.125 → 18.13 accrued before the payment, nothing after.
    assert position(decisions, "dpd", "penalty_fen", "overdue_principal_fen") == {
        "dpd": 20,
        "penalty_fen": 1_813,
        "overdue_principal_fen": 0,
    }


def test_month_end_due_date():
    """Clause: CLS-1 — due 31 January: 28 February is DPD 28, 1 March DPD 29."""
    due = date(2026, 1, 31)
    for as_of, dpd in ((date(2026, 2, 28), 28), (date(2026, 3, 1), 29)):
        decisions = run(as_of, loans=[loan(1)], instalments=[instalment(1, 1, due, 100_000)])
        assert position(decisions, "dpd")["dpd"] == dpd


def test_due_on_29_february():
    """Clause: CLS-1 — due 29 February 2024: DPD 1 on 1 March, 366 on 1 March 2025."""
    due = date(2024, 2, 29)
    for as_of, dpd in ((date(2024, 3, 1), 1), (date(2025, 3, 1), 366)):
        decisions = run(as_of, loans=[loan(1)], instalments=[instalment(1, 1, due, 100_000)])
        assert position(decisions, "dpd")["dpd"] == dpd


@pytest.mark.parametrize(("roll", "dpd", "penalty_fen"), [(False, 7, 1_269), (True, 0, 0)])
def test_due_date_on_a_holiday_with_the_policy_switch(roll, dpd, penalty_fen):
    """Clause: CLS-1 — due on National Day 2026 (a holiday through 7 October). With due dates rolled to the
    next working day (8 October) nothing is late on the 8th; without, DPD 7 and 7 days of penalty
    (10000 × 0.06525 × 7/360 = 12.6875 → 12.69)."""
    decisions = run(
        date(2026, 10, 8),
        policy_text=f"[schedule]\nroll_non_working_due_date = {str(roll).lower()}\n",
        loans=[loan(1)],
        instalments=[instalment(1, 1, date(2026, 10, 1), 1_000_000)],
    )
    assert position(decisions, "dpd", "penalty_fen") == {"dpd": dpd, "penalty_fen": penalty_fen}


def test_rolled_due_date_counts_from_the_working_day():
    """Clause: CLS-1 — rolled from 1 to 8 October, the instalment is DPD 2 on 10 October."""
    decisions = run(
        date(2026, 10, 10),
        policy_text="[schedule]\nroll_non_working_due_date = true\n",
        loans=[loan(1)],
        instalments=[instalment(1, 1, date(2026, 10, 1), 1_000_000)],
    )
    assert position(decisions, "dpd")["dpd"] == 2


def test_a_loan_with_nothing_unpaid_is_current():
    """Clause: CLS-1 — a loan with no unsettled instalment (the shell passes none) is DPD 0, nothing owed."""
    decisions = run(DUE, loans=[loan(1)])
    assert position(decisions, "dpd", "overdue_total_fen") == {"dpd": 0, "overdue_total_fen": 0}


def test_inconsistent_data_becomes_a_problem_not_a_position():
    """A loan whose payments exceed its instalment is reported; the other loan is decided as usual."""
    decisions = run(
        DUE + timedelta(days=5),
        loans=[loan(1), loan(2, borrower_id=2)],
        instalments=[instalment(1, 1, DUE, 100_000), instalment(2, 1, DUE, 100_000)],
        allocations=[allocation(1, 1, DUE, "principal", 150_000)],
    )
    assert one(decisions.problems) == {
        "loan_id": 1,
        "borrower_id": 1,
        "problem": "payments allocated beyond the instalment's principal or interest",
    }
    assert one(decisions.positions, "loan_id", "dpd") == {"loan_id": 2, "dpd": 5}
    assert one(decisions.cases, "borrower_id", "decision") == {"borrower_id": 2, "decision": "open"}


def test_a_loan_without_its_borrower_is_a_problem():
    """An overdue loan whose borrower is missing is reported, and gets no position."""
    frames = {"loans": [loan(1, borrower_id=9)], "borrowers": [], "instalments": [instalment(1, 1, DUE, 1)]}
    decisions = run(DUE + timedelta(days=5), **frames)
    assert one(decisions.problems, "loan_id", "problem") == {"loan_id": 1, "problem": "loan whose borrower is missing"}
    assert decisions.positions.height == 0


def test_a_frame_with_a_missing_column_is_refused_with_its_name():
    with pytest.raises(SchemaError, match="frame 'loans' lacks column\\(s\\) annual_rate_e8"):
        Inputs.of(loans=[{"loan_id": 1, "borrower_id": 1, "markup_e4": None}])
    with pytest.raises(SchemaError, match="unknown frame\\(s\\) loan"):
        Inputs.of(loan=[])
