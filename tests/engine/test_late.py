"""The late stage (CLS-2, AUTH-3): a borrower in litigation or written off leaves routine collection — no calls,
confirmations, broken-promise calls or reviews; the case with the supervisors; open routine tasks withdrawn —
while reminders before a due date (REM-1) and promise outcomes go on.

The book: one loan, instalment 1 of 1,000.00 due 15 January 2026 unpaid, instalment 2 of 1,000.00 due 15 April.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rows import instalment, loan, one, rows, run

from arrears.engine.runner import partition_of
from arrears.engine.schema import Inputs

DUE, NEXT_DUE = date(2026, 1, 15), date(2026, 4, 15)


def day(dpd: int) -> date:
    return DUE + timedelta(days=dpd)


def case(klass="moderate", pool="junior"):
    """Borrower 1's case, opened at DPD 1."""
    return {"case_id": 7, "borrower_id": 1, "status": "open", "delinquency_class": klass, "pool": pool,
            "opened_on": day(1)}  # fmt: skip


def call(dpd: int, outcome="no_answer"):
    return {"borrower_id": 1, "called_on": day(dpd), "outcome": outcome, "inbound": False}


def _run(dpd, *, stage=None, cases=None, **frames):
    return run(
        day(dpd),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000), instalment(1, 2, NEXT_DUE, 100_000)],
        cases=cases if cases is not None else [case()],
        late_stage=[{"borrower_id": 1, "stage": stage}] if stage else [],
        **frames,
    )


def kinds(decisions) -> list[str]:
    return sorted(decisions.tasks["kind"].to_list())


@pytest.mark.parametrize("stage", ["litigation", "written_off"])
def test_no_collection_work_in_the_late_stage_but_the_reminder_before_a_due_date(stage):
    """Clause: CLS-2, CALL-4, LTR-3, CALL-3, REM-1 — 12 April (DPD 87), last call at DPD 80, a notice sent on
    10 April, a promise of 500.00 for 10 April unpaid: in routine collection a cadence call, the notice's
    confirmation and the broken promise's call; in the late stage none of them, while the promise is still
    recorded broken and the SMS before instalment 2 (due 15 April, 1,000.00) is still queued."""
    frames = {
        "calls": [call(80)],
        "letters": [{"letter_id": 55, "borrower_id": 1, "sent_on": date(2026, 4, 10)}],
        "promises": [{"promise_id": 3, "borrower_id": 1, "made_on": day(80), "due_on": date(2026, 4, 10),
                      "amount_fen": 50_000}],
    }  # fmt: skip
    routine = _run(87, **frames)
    assert kinds(routine) == ["broken_promise", "call", "letter_follow_up"]
    late = _run(87, stage=stage, **frames)
    assert kinds(late) == []
    assert one(late.promises, "promise_id", "outcome") == {"promise_id": 3, "outcome": "broken"}
    assert rows(late.reminders, "kind", "due_date", "amount_due_fen", "clause") == [
        {"kind": "written", "due_date": NEXT_DUE, "amount_due_fen": 100_000, "clause": "REM-1"}
    ]
    assert one(late.borrowers, "dpd", "overdue_total_fen")["dpd"] == 87


@pytest.mark.parametrize("stage", ["litigation", "written_off"])
def test_no_legal_or_severe_review_in_the_late_stage(stage):
    """Clause: LGL-1, CLS-2, AUTH-3 — DPD 95 with three failed attempts: a legal review in routine collection, none
    in the late stage; reached 3 days before: a severe review in routine collection, none in the late stage."""
    severe = [case("severe", "supervisor")]
    failed = [call(85), call(87, "busy"), call(89, "number_invalid")]
    assert kinds(_run(95, cases=severe, calls=failed)) == ["legal_review"]
    assert kinds(_run(95, stage=stage, cases=severe, calls=failed)) == []
    assert kinds(_run(95, cases=severe, calls=[call(92, "promised")])) == ["severe_review"]
    assert kinds(_run(95, stage=stage, cases=severe, calls=[call(92, "promised")])) == []


def test_a_case_in_the_late_stage_is_the_supervisors_whatever_its_dpd():
    """Clause: AUTH-3, TEAM-1 — in litigation at DPD 45 (a payment brought it down): the supervisors' pool under
    AUTH-3, so the junior collector's case moves; in routine collection it stays junior (TEAM-1)."""
    assert one(_run(45).borrowers, "pool", "pool_clause") == {"pool": "junior", "pool_clause": "TEAM-1"}
    late = _run(45, stage="litigation")
    assert one(late.borrowers, "pool", "pool_clause", "late_stage") == {
        "pool": "supervisor",
        "pool_clause": "AUTH-3",
        "late_stage": "litigation",
    }
    assert one(late.cases, "decision", "from_pool", "to_pool", "clause") == {
        "decision": "move",
        "from_pool": "junior",
        "to_pool": "supervisor",
        "clause": "AUTH-3",
    }


def test_open_routine_tasks_are_withdrawn_and_the_others_kept():
    """Clause: CLS-2, REM-1, PLAN-4 — a borrower in litigation with an open cadence call, a legal review, a phone
    reminder and a broken plan's decision: the call and the review are withdrawn, the reminder and the plan's task
    stay; a borrower in routine collection keeps all of theirs."""
    tasks = [
        {"task_id": 11, "borrower_id": 1, "kind": "call"},
        {"task_id": 12, "borrower_id": 1, "kind": "legal_review"},
        {"task_id": 13, "borrower_id": 1, "kind": "phone_reminder"},
        {"task_id": 14, "borrower_id": 1, "kind": "plan_broken"},
        {"task_id": 21, "borrower_id": 2, "kind": "call"},
    ]
    withdrawn = _run(87, stage="litigation", open_tasks=tasks).withdrawn
    assert rows(withdrawn) == [
        {"task_id": 11, "borrower_id": 1, "kind": "call", "stage": "litigation", "clause": "CLS-2"},
        {"task_id": 12, "borrower_id": 1, "kind": "legal_review", "stage": "litigation", "clause": "CLS-2"},
    ]
    assert _run(87, open_tasks=tasks).withdrawn.height == 0


def test_in_litigation_and_written_off_is_one_row_and_the_late_stage_partitions_by_borrower():
    """Clause: CLS-2 — a borrower both in litigation and written off is withdrawn from once (as in litigation);
    partitioned by borrower, each partition keeps its own borrowers' late stage and tasks."""
    late_stage = [{"borrower_id": 1, "stage": "written_off"}, {"borrower_id": 1, "stage": "litigation"}]
    tasks = [{"task_id": 11, "borrower_id": 1, "kind": "call"}, {"task_id": 21, "borrower_id": 2, "kind": "call"}]
    decisions = run(day(87), loans=[loan(1)], late_stage=late_stage, open_tasks=tasks)
    assert rows(decisions.withdrawn, "task_id", "stage") == [{"task_id": 11, "stage": "litigation"}]
    inputs = Inputs.of(late_stage=late_stage, open_tasks=tasks)
    assert partition_of(inputs, 2, 1).late_stage.collect()["borrower_id"].to_list() == [1, 1]
    assert partition_of(inputs, 2, 0).open_tasks.collect()["task_id"].to_list() == [21]
