"""Case decisions and pools per borrower (CLS-1, TEAM-1..3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rows import borrower, instalment, loan, one, rows, run

DUE = date(2026, 1, 15)


def case(case_id=7, *, status="open", klass="mild", pool="junior", opened=date(2026, 1, 16)):
    return {
        "case_id": case_id,
        "borrower_id": 1,
        "status": status,
        "delinquency_class": klass,
        "pool": pool,
        "opened_on": opened,
    }


def _decide(dpd, *, risk="low", cases=(), extra_loans=()):
    return run(
        DUE + timedelta(days=dpd),
        loans=[loan(1), *extra_loans],
        borrowers=[borrower(1, risk=risk)],
        instalments=[instalment(1, 1, DUE, 100_000)],
        cases=list(cases),
    )


@pytest.mark.parametrize(
    ("dpd", "risk", "pool", "clause"),
    [
        (1, "low", "junior", "TEAM-1"),
        (60, "medium", "junior", "TEAM-1"),
        (61, "low", "senior", "TEAM-2"),
        (90, "low", "senior", "TEAM-2"),
        (5, "high", "senior", "TEAM-3"),
        (91, "low", "supervisor", "AUTH-3"),
        (91, "high", "supervisor", "AUTH-3"),
    ],
)
def test_pool_by_dpd_and_risk(dpd, risk, pool, clause):
    """Clause: TEAM-1, TEAM-2, TEAM-3 — junior to DPD 60, senior 61–90 and high risk, severe to the supervisor."""
    decisions = _decide(dpd, risk=risk)
    assert one(decisions.borrowers, "pool", "pool_clause") == {"pool": pool, "pool_clause": clause}


def test_a_borrower_becoming_delinquent_opens_a_case():
    """Clause: CLS-1 — DPD 1, no case: open, in the junior pool, opened today."""
    assert one(_decide(1).cases, "decision", "to_class", "to_pool", "opened_on", "clause") == {
        "decision": "open",
        "to_class": "mild",
        "to_pool": "junior",
        "opened_on": DUE + timedelta(days=1),
        "clause": "CLS-1",
    }


def test_no_decision_while_nothing_changes():
    """Clause: CLS-1 — an open mild junior case at DPD 10: nothing to decide."""
    assert _decide(10, cases=[case()]).cases.height == 0


def test_class_change_moves_the_case():
    """Clause: CLS-1, TEAM-1 — DPD 31: moderate, still junior: a move under CLS-1; DPD 61: senior under TEAM-2."""
    moved = one(_decide(31, cases=[case()]).cases, "case_id", "decision", "from_class", "to_class", "clause")
    assert moved == {"case_id": 7, "decision": "move", "from_class": "mild", "to_class": "moderate", "clause": "CLS-1"}
    senior = one(_decide(61, cases=[case(klass="moderate")]).cases, "decision", "from_pool", "to_pool", "clause")
    assert senior == {"decision": "move", "from_pool": "junior", "to_pool": "senior", "clause": "TEAM-2"}


def test_a_cured_borrower_closes_the_case():
    """Clause: CLS-1 — nothing overdue (DPD 0) with an open case: close, to class current."""
    decisions = run(DUE, loans=[loan(1)], instalments=[], cases=[case()])
    assert one(decisions.cases, "case_id", "decision", "to_class") == {
        "case_id": 7,
        "decision": "close",
        "to_class": "current",
    }


def test_a_borrower_without_active_loans_closes_the_case():
    """Clause: CLS-1 — the loan closed (no longer passed to the engine): the open case closes."""
    decisions = run(DUE, loans=[], borrowers=[borrower(1)], cases=[case()])
    assert one(decisions.cases, "decision") == {"decision": "close"}


def test_delinquent_again_reopens_the_closed_case():
    """Clause: CLS-1 — a closed case and DPD 3 again: reopen that case, opened today."""
    decisions = _decide(3, cases=[case(status="closed", opened=date(2025, 6, 1))])
    assert one(decisions.cases, "case_id", "decision", "opened_on") == {
        "case_id": 7,
        "decision": "reopen",
        "opened_on": DUE + timedelta(days=3),
    }


def test_borrower_dpd_is_the_worst_loan_and_amounts_add_up():
    """Clause: CLS-1 — two loans at DPD 40 and 5: the borrower is DPD 40, overdue total the sum."""
    decisions = run(
        DUE + timedelta(days=40),
        loans=[loan(1), loan(2)],
        instalments=[instalment(1, 1, DUE, 100_000), instalment(2, 1, DUE + timedelta(days=35), 50_000)],
    )
    assert rows(decisions.positions, "loan_id", "dpd") == [{"loan_id": 1, "dpd": 40}, {"loan_id": 2, "dpd": 5}]
    per = one(decisions.borrowers, "dpd", "delinquent_loans", "overdue_total_fen", "delinquency_class")
    assert (per["dpd"], per["delinquent_loans"], per["delinquency_class"]) == (40, 2, "moderate")
    loans_total = sum(decisions.positions["overdue_total_fen"].to_list())
    assert per["overdue_total_fen"] == loans_total > 150_000


def test_the_latest_case_is_the_one_opened_last_whatever_its_id():
    """Clause: CLS-1 — an open case opened in 2026 (id 3) and an older closed one (id 9): the open one is the
    borrower's case, so at DPD 10 nothing is decided (no reopening of the old case)."""
    cases = [case(3, opened=date(2026, 1, 16)), case(9, status="closed", opened=date(2025, 1, 5))]
    assert _decide(10, cases=cases).cases.height == 0
    assert one(_decide(31, cases=cases).cases, "case_id", "decision") == {"case_id": 3, "decision": "move"}
