"""Instalment plans in force (PLAN-4): instalments met, plans broken or completed, the supervisor's pool and
task after a break, and no chasing while a plan runs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from rows import instalment, loan, one, rows, run

from arrears.engine.plans import yuan
from arrears.engine.runner import partition_of
from arrears.engine.schema import Inputs
from arrears.finance import format_money, from_fen

DUE = date(2026, 1, 15)  # the loan's missed instalment: DPD 85 on 10 April
STARTS = date(2026, 3, 1)
FIRST, SECOND = date(2026, 3, 10), date(2026, 4, 10)


def plan(plan_id=9, *, status="active", ended_on=None, borrower_id=1):
    return {
        "plan_id": plan_id,
        "borrower_id": borrower_id,
        "case_id": 7,
        "status": status,
        "starts_on": STARTS,
        "ended_on": ended_on,
    }


def schedule(met_on=None, plan_id=9, borrower_id=1):
    """Two instalments of 1,000.00: 1,000.00 by 10 March, 2,000.00 by 10 April."""
    return [
        {
            "plan_id": plan_id,
            "borrower_id": borrower_id,
            "n": 1,
            "due_on": FIRST,
            "cumulative_fen": 100_000,
            "regular_fen": 0,
            "met_on": met_on,
        },
        {
            "plan_id": plan_id,
            "borrower_id": borrower_id,
            "n": 2,
            "due_on": SECOND,
            "cumulative_fen": 200_000,
            "regular_fen": 0,
            "met_on": None,
        },
    ]


def paid(on: date, fen: int, plan_id=9, borrower_id=1) -> dict:
    return {"plan_id": plan_id, "borrower_id": borrower_id, "paid_on": on, "amount_fen": fen}


def case(opened=date(2026, 1, 16), *, status="open", pool="junior", klass="moderate"):
    return {
        "case_id": 7,
        "borrower_id": 1,
        "status": status,
        "delinquency_class": klass,
        "pool": pool,
        "opened_on": opened,
    }


def decide(as_of, *, payments=(), plans=None, instalments=None, cases=None, due=DUE, **frames):
    return run(
        as_of,
        loans=[loan(1)],
        instalments=[instalment(1, 1, due, 100_000)],
        cases=[case()] if cases is None else cases,
        plans=[plan()] if plans is None else plans,
        plan_instalments=schedule() if instalments is None else instalments,
        plan_payments=list(payments),
        **frames,
    )


def test_an_instalment_paid_by_its_due_date_is_met_on_the_day_the_total_was_reached():
    """Clause: PLAN-4 — 600.00 on 5 March and 400.00 on 9 March against 1,000.00 due 10 March: met on 9 March;
    on 20 March nothing is decided (instalment 2 is not due yet)."""
    decisions = decide(date(2026, 3, 20), payments=[paid(date(2026, 3, 5), 60_000), paid(date(2026, 3, 9), 40_000)])
    assert rows(decisions.plan_met) == [{"plan_id": 9, "borrower_id": 1, "n": 1, "met_on": date(2026, 3, 9)}]
    assert decisions.plan_decisions.height == 0


def test_a_payment_after_the_due_date_does_not_meet_the_instalment():
    """Clause: PLAN-4 — 1,000.00 due 10 March, paid on 12 March: on 13 March the plan is broken at instalment 1
    (0.00 paid of 1,000.00 by then), and the instalment is not met."""
    decisions = decide(date(2026, 3, 13), payments=[paid(date(2026, 3, 12), 100_000)])
    assert rows(decisions.plan_met) == []
    assert one(decisions.plan_decisions) == {
        "plan_id": 9,
        "borrower_id": 1,
        "case_id": 7,
        "decision": "broken",
        "n": 1,
        "due_on": FIRST,
        "cumulative_fen": 100_000,
        "paid_fen": 0,
        "reason": "instalment 1 due 2026-03-10: 0.00 paid of 1,000.00 due by then",
    }


def test_a_missed_second_instalment_breaks_the_plan_with_its_figures():
    """Clause: PLAN-4 — 1,000.00 paid on 8 March, 200.00 on 9 April: instalment 1 met on 8 March; on 11 April
    instalment 2 (2,000.00 by 10 April) is missed with 1,200.00 paid."""
    decisions = decide(date(2026, 4, 11), payments=[paid(date(2026, 3, 8), 100_000), paid(date(2026, 4, 9), 20_000)])
    assert one(decisions.plan_decisions, "decision", "n", "due_on", "cumulative_fen", "paid_fen", "reason") == {
        "decision": "broken",
        "n": 2,
        "due_on": SECOND,
        "cumulative_fen": 200_000,
        "paid_fen": 120_000,
        "reason": "instalment 2 due 2026-04-10: 1,200.00 paid of 2,000.00 due by then",
    }
    assert rows(decisions.plan_met, "n", "met_on") == [{"n": 1, "met_on": date(2026, 3, 8)}]


def test_the_loans_own_instalments_falling_due_meanwhile_must_be_paid_too():
    """Clause: PLAN-4 — the plan covers what was overdue when it started; the loan's own instalment of 800.00
    falling due on 1 April must be paid as well: 2,000.00 paid by 10 April meets instalment 1 (1,000.00 by 10
    March) but not instalment 2 (2,000.00 + 800.00 = 2,800.00 by 10 April); 2,800.00 meets both."""
    with_regular = schedule()
    with_regular[1] = {**with_regular[1], "regular_fen": 80_000}
    short = [paid(date(2026, 3, 8), 100_000), paid(date(2026, 4, 9), 100_000)]
    decisions = decide(date(2026, 4, 11), payments=short, instalments=with_regular)
    assert one(decisions.plan_decisions, "decision", "n", "cumulative_fen", "paid_fen", "reason") == {
        "decision": "broken",
        "n": 2,
        "cumulative_fen": 200_000,
        "paid_fen": 200_000,
        "reason": "instalment 2 due 2026-04-10: 2,000.00 paid of 2,800.00 due by then (2,000.00 under the plan, "
        "800.00 of the loans' own instalments)",
    }
    enough = [*short, paid(date(2026, 4, 10), 80_000)]
    decisions = decide(date(2026, 4, 11), payments=enough, instalments=with_regular)
    assert one(decisions.plan_decisions, "decision", "reason") == {
        "decision": "completed",
        "reason": "all 2 instalments met: 2,800.00",
    }


def test_the_first_missed_instalment_is_named():
    """Clause: PLAN-4 — nothing paid at all by 11 April: instalment 1 is the one named."""
    assert one(decide(date(2026, 4, 11)).plan_decisions, "n", "paid_fen") == {"n": 1, "paid_fen": 0}


def test_on_the_due_date_the_plan_is_not_yet_broken():
    """Clause: PLAN-4 — 500.00 paid of 1,000.00 due 10 March: on the 10th nothing; on the 11th broken."""
    payments = [paid(date(2026, 3, 4), 50_000)]
    assert decide(FIRST, payments=payments).plan_decisions.height == 0
    assert one(decide(FIRST + timedelta(days=1), payments=payments).plan_decisions, "decision", "paid_fen") == {
        "decision": "broken",
        "paid_fen": 50_000,
    }


def test_every_instalment_met_completes_the_plan():
    """Clause: PLAN-4 — 1,000.00 on 10 March and 1,000.00 on 2 April: completed on 2 April, the day the last
    instalment is met (before its due date), both instalments recorded."""
    payments = [paid(FIRST, 100_000), paid(date(2026, 4, 2), 100_000)]
    decisions = decide(date(2026, 4, 2), payments=payments)
    assert one(decisions.plan_decisions, "decision", "n", "cumulative_fen", "paid_fen", "reason") == {
        "decision": "completed",
        "n": 2,
        "cumulative_fen": 200_000,
        "paid_fen": 200_000,
        "reason": "all 2 instalments met: 2,000.00",
    }
    assert rows(decisions.plan_met, "n", "met_on") == [
        {"n": 1, "met_on": FIRST},
        {"n": 2, "met_on": date(2026, 4, 2)},
    ]


def test_an_instalment_met_earlier_is_not_recorded_again_and_counts_as_met():
    """Clause: PLAN-4 — instalment 1 recorded met on 9 March by an earlier run: no new row for it, and on 11
    March the plan is not broken even though the payment is outside the rows passed."""
    decisions = decide(date(2026, 3, 11), instalments=schedule(met_on=date(2026, 3, 9)))
    assert decisions.plan_met.height == 0
    assert decisions.plan_decisions.height == 0


def test_payments_before_the_plan_starts_do_not_count():
    """Clause: PLAN-4 — 1,000.00 paid on 28 February, the day before the plan starts: instalment 1 missed."""
    decisions = decide(date(2026, 3, 11), payments=[paid(date(2026, 2, 28), 100_000)])
    assert one(decisions.plan_decisions, "decision", "n", "paid_fen") == {"decision": "broken", "n": 1, "paid_fen": 0}


def test_a_plan_not_active_is_not_followed():
    """Clause: PLAN-4 — a completed plan with nothing paid: no decision, no instalment met."""
    decisions = decide(date(2026, 4, 11), plans=[plan(status="completed", ended_on=date(2026, 3, 1))])
    assert (decisions.plan_decisions.height, decisions.plan_met.height) == (0, 0)


def test_a_plan_broken_tonight_sends_the_case_to_the_supervisor_with_a_task():
    """Clause: PLAN-4, AUTH-3 — DPD 86 would be the senior pool (TEAM-2); broken tonight: supervisor, the case
    moves under PLAN-4, and a task `plan_broken:9` due today names the missed instalment."""
    as_of = date(2026, 4, 11)
    decisions = decide(as_of, payments=[paid(date(2026, 3, 8), 100_000), paid(date(2026, 4, 9), 20_000)])
    assert one(decisions.borrowers, "dpd", "pool", "pool_clause") == {
        "dpd": 86,
        "pool": "supervisor",
        "pool_clause": "PLAN-4",
    }
    assert one(decisions.cases, "decision", "from_pool", "to_pool", "clause") == {
        "decision": "move",
        "from_pool": "junior",
        "to_pool": "supervisor",
        "clause": "PLAN-4",
    }
    assert one(decisions.tasks.filter(pl.col("kind") == "plan_broken")) == {
        "key": "plan_broken:9",
        "borrower_id": 1,
        "kind": "plan_broken",
        "available_from": as_of,
        "due_on": as_of,
        "ref_id": 9,
        "route": None,
        "reason": "plan broken: instalment 2 due 2026-04-10: 1,200.00 paid of 2,000.00 due by then",
        "clause": "PLAN-4",
    }


def test_a_plan_broken_in_the_open_case_keeps_it_with_the_supervisor():
    """Clause: PLAN-4 — broken on 11 March in the case open since 16 January: on 20 March (DPD 64, the senior
    pool by DPD) the case stays with the supervisor; had the case reopened on 12 March, after the break, the
    break no longer counts and the case moves to the senior pool."""
    broken = [plan(status="broken", ended_on=date(2026, 3, 11))]
    as_of = date(2026, 3, 20)
    kept = decide(as_of, plans=broken, cases=[case(pool="supervisor")])
    assert one(kept.borrowers, "dpd", "pool", "pool_clause") == {
        "dpd": 64,
        "pool": "supervisor",
        "pool_clause": "PLAN-4",
    }
    assert kept.cases.height == 0  # already there: no move
    assert kept.plan_decisions.height == 0  # a broken plan is not followed again
    later = decide(as_of, plans=broken, cases=[case(opened=date(2026, 3, 12), pool="supervisor")])
    assert one(later.borrowers, "pool", "pool_clause") == {"pool": "senior", "pool_clause": "TEAM-2"}
    assert one(later.cases, "decision", "to_pool", "clause") == {
        "decision": "move",
        "to_pool": "senior",
        "clause": "TEAM-2",
    }


def test_a_current_borrower_with_a_broken_plan_has_no_pool():
    """Clause: PLAN-4 — "not in arrears" comes first: a cured borrower's case closes whatever their plan did."""
    decisions = decide(
        date(2026, 4, 11),
        instalments=schedule(),
        payments=[],
        allocations=[{"loan_id": 1, "n": 1, "paid_on": DUE, "component": "principal", "amount_fen": 100_000}],
    )
    assert decisions.borrowers.height == 0
    assert one(decisions.cases, "decision") == {"decision": "close"}
    assert one(decisions.plan_decisions, "decision") == {"decision": "broken"}


def call(on: date, outcome="no_answer", inbound=False):
    return {"borrower_id": 1, "called_on": on, "outcome": outcome, "inbound": inbound}


def test_while_a_plan_is_active_the_borrower_is_not_chased():
    """Clause: PLAN-4, CALL-4, LGL-1, LTR-3 — DPD 95 with 3 failed calls (a legal review) and the last call 20
    days ago (cadence over, DPD > 60): with the plan in force no legal review, the letter follow-up stays;
    without the plan the legal review is due."""
    as_of = DUE + timedelta(days=95)  # 20 April: instalment 2 of the plan is due 10 April …
    calls = [call(DUE + timedelta(days=d)) for d in (70, 72, 75)]
    letters = [{"letter_id": 55, "borrower_id": 1, "sent_on": as_of - timedelta(days=1)}]
    met = schedule(met_on=FIRST)
    met[1]["met_on"] = SECOND  # … and met; the plan goes on (one more instalment below)
    met.append({**met[1], "n": 3, "due_on": date(2026, 5, 10), "cumulative_fen": 300_000, "met_on": None})
    cases = [case(opened=DUE + timedelta(days=1), pool="supervisor", klass="severe")]
    on_plan = decide(as_of, instalments=met, cases=cases, calls=calls, letters=letters)
    assert on_plan.plan_decisions.height == 0
    assert rows(on_plan.tasks, "kind") == [{"kind": "letter_follow_up"}]
    without = decide(as_of, plans=[], instalments=[], cases=cases, calls=calls, letters=letters)
    assert rows(without.tasks, "kind") == [{"kind": "legal_review"}, {"kind": "letter_follow_up"}]


def test_no_first_call_while_a_plan_is_active():
    """Clause: PLAN-4, CLS-2 — a mild case opened on 6 March (instalment due 5 March), never called: on 8 March
    the first call is due without a plan, and not with one in force."""
    cases = [case(opened=date(2026, 3, 6), klass="mild")]
    due = date(2026, 3, 5)
    assert rows(decide(date(2026, 3, 8), due=due, cases=cases, plans=[]).tasks, "kind", "clause") == [
        {"kind": "call", "clause": "CLS-2"}
    ]
    assert decide(date(2026, 3, 8), due=due, cases=cases).tasks.height == 0


def test_no_cadence_call_while_a_plan_is_active_and_it_resumes_when_the_plan_breaks():
    """Clause: PLAN-4, CALL-4 — DPD 50 (6 March), never called: the cadence call is held back while the plan
    runs; on 11 March (DPD 55) the plan breaks and the cadence call is due again, with the plan task."""
    cases = [case()]
    as_of = DUE + timedelta(days=50)
    assert decide(as_of, cases=cases).tasks.height == 0
    no_plan = decide(as_of, cases=cases, plans=[], instalments=[])
    assert rows(no_plan.tasks, "kind", "clause") == [{"kind": "call", "clause": "CALL-4"}]
    broken = decide(date(2026, 3, 11), cases=cases)
    assert rows(broken.tasks, "kind", "clause") == [
        {"kind": "call", "clause": "CALL-4"},
        {"kind": "plan_broken", "clause": "PLAN-4"},
    ]


def test_a_hold_does_not_hide_the_supervisors_decision():
    """Clause: PLAN-4, AUTH-3 — a borrower-wide hold in force: no call, but the plan_broken task is there (the
    break happens once; the decision must not be lost)."""
    hold = {"borrower_id": 1, "loan_id": None, "starts_on": date(2026, 3, 1), "ends_on": None}
    decisions = decide(date(2026, 3, 11), holds=[hold])
    assert rows(decisions.tasks, "key") == [{"key": "plan_broken:9"}]


def test_plans_travel_with_their_borrower_partition():
    """Clause: PLAN-4 — plan frames carry the borrower: partition 1 of 2 holds borrower 1's plan rows only."""
    frames = {
        "plans": [plan(), plan(10, borrower_id=2)],
        "plan_instalments": schedule() + schedule(plan_id=10, borrower_id=2),
        "plan_payments": [paid(FIRST, 100_000), paid(FIRST, 5, plan_id=10, borrower_id=2)],
    }
    part = partition_of(Inputs.of(**frames), 2, 1)
    assert part.plans.collect()["plan_id"].to_list() == [9]
    assert part.plan_instalments.collect()["plan_id"].to_list() == [9, 9]
    assert part.plan_payments.collect()["plan_id"].to_list() == [9]


@given(st.integers(min_value=0, max_value=10**15))
def test_amounts_in_reasons_read_as_the_finance_core_prints_them(fen):
    """Clause: PLAN-4 — the reason's yuan text equals `format_money(…, grouping=True)`: 120000 → 1,200.00."""
    shown = pl.select(yuan(pl.lit(fen, dtype=pl.Int64))).item()
    assert shown == format_money(from_fen(fen), grouping=True)
    assert Decimal(shown.replace(",", "")) * 100 == fen


def test_a_reminder_goes_out_three_days_before_a_plan_instalment():
    """Clause: REM-1, PLAN-4 — instalment 2 (2,000.00 by 10 April) with 1,200.00 paid: on 7 April a written
    reminder by SMS for the 800.00 still to pay; none on 6 or 8 April; none once the instalment is met; none
    under a hold on the borrower."""
    payments = [paid(date(2026, 3, 8), 100_000), paid(date(2026, 4, 1), 20_000)]
    decisions = decide(date(2026, 4, 7), payments=payments)
    assert one(decisions.plan_reminders) == {
        "plan_id": 9,
        "borrower_id": 1,
        "n": 2,
        "channel": "sms",
        "due_date": SECOND,
        "amount_due_fen": 80_000,
        "clause": "REM-1",
    }
    for other in (date(2026, 4, 6), date(2026, 4, 8)):
        assert decide(other, payments=payments).plan_reminders.height == 0
    settled = [*payments, paid(date(2026, 4, 5), 80_000)]
    assert decide(date(2026, 4, 7), payments=settled).plan_reminders.height == 0
    hold = {"borrower_id": 1, "loan_id": None, "starts_on": date(2026, 4, 1), "ends_on": None}
    assert decide(date(2026, 4, 7), payments=payments, holds=[hold]).plan_reminders.height == 0
