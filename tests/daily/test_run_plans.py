"""The nightly run follows instalment plans (PLAN-4): instalments met, a missed one breaks the plan and sends the
case to the supervisors' decision pool, a paid-up plan completes; no chasing while a plan is in force; every
change once, resumable after a kill.

The book: a loan of 12,000.00 from 15 January 2026 with nothing paid (instalment 1, 1,023.72, due 15 February).
The first run, on 17 March (DPD 30, mild, the junior pool), opens the case and its first call (CLS-2). A plan
signed that day covers 2,000.00 in two instalments: 1,000.00 by 25 March, 2,000.00 in all by 25 April. From
18 March (DPD 31) the CALL-4 cadence would call, unless the plan holds it back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from arrears.arrangements.models import Plan, PlanInstalment
from arrears.collection.models import CaseEvent, CollectionCase, Task
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AuditEvent, ChangeRecord
from arrears.compliance.sealed import sealed_changes
from arrears.daily import apply as run_apply
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

OPENED = date(2026, 3, 17)
FIRST_DUE, SECOND_DUE = date(2026, 3, 25), date(2026, 4, 25)
NIGHT = date(2026, 3, 26)  # the day after instalment 1's due date


@pytest.fixture
def book():
    """(loan, case, plan, supervisor): the case opened by the run of 17 March, the plan signed that day."""
    junior, senior, supervisor = make_user("junior_collector"), make_user("senior_collector"), make_user("supervisor")
    loan = make_loan(make_borrower(external_id="PLAN"), start=date(2026, 1, 15), principal="12000")
    do_run_daily(OPENED, actor=nightly_run())
    case = CollectionCase.objects.get(borrower=loan.borrower)
    assert (case.status, case.delinquency_class, case.pool, case.owner_id) == ("open", "mild", "junior", junior.pk)
    signed = datetime(2026, 3, 17, 6, tzinfo=UTC)
    plan = Plan.objects.create(
        case=case,
        borrower=loan.borrower,
        contracts=loan.external_id,
        status="active",
        income_fen=1_000_000,
        expenses_fen=400_000,
        debts_fen=0,
        max_payment_fen=300_000,
        amount_fen=200_000,
        includes_penalty=False,
        instalment_count=2,
        payment_fen=100_000,
        starts_on=OPENED,
        proposed_by=senior,
        proposed_at=signed,
        decided_by=supervisor,
        decided_at=signed,
        signed_on=OPENED,
        signature_recorded_by=senior,
        effective_on=OPENED,
    )
    plan.loans.add(loan)
    PlanInstalment.objects.bulk_create(
        [
            PlanInstalment(plan=plan, n=1, due_on=FIRST_DUE, amount_fen=100_000, cumulative_fen=100_000),
            PlanInstalment(plan=plan, n=2, due_on=SECOND_DUE, amount_fen=100_000, cumulative_fen=200_000),
        ]
    )
    return loan, case, plan, supervisor


def pay(loan, *payments: tuple[date, str]) -> None:
    """Payments posted as the feed import posts them: stored, then allocated to the loan's instalments."""
    for paid_on, amount in payments:
        make_payment(loan, paid_on, amount)
    allocate_payments([loan.pk], business_date=max(paid_on for paid_on, _ in payments))


def met_on(plan) -> list[tuple[int, date | None]]:
    return list(plan.instalments.order_by("n").values_list("n", "met_on"))


def chasing_calls(loan) -> list[tuple[str, str, date]]:
    return list(
        Task.objects.filter(borrower=loan.borrower, kind="call")
        .order_by("key")
        .values_list("key", "clause", "created_on")
    )


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Plan, PlanInstalment, CaseEvent, CollectionCase, Task, AuditEvent, ChangeRecord, Run)
    }


def test_a_missed_instalment_breaks_the_plan_and_the_supervisor_decides(book):
    """Clause: PLAN-4, AUTH-3, AUTH-4 — 600.00 paid on 24 March against 1,000.00 due 25 March: the run of 26 March
    breaks the plan (its figures in the reason), moves the case from the junior pool to the supervisors' under
    PLAN-4 (a supervisor now holds it), records `plan_broken` on the case, and asks the supervisors to decide
    (task `plan_broken:<plan>`); every change audited as the nightly run's under PLAN-4."""
    loan, case, plan, supervisor = book
    pay(loan, (date(2026, 3, 24), "600.00"))
    do_run_daily(NIGHT, actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on, plan.end_reason) == (
        "broken",
        NIGHT,
        "instalment 1 due 2026-03-25: 600.00 paid of 1,000.00 due by then",
    )
    assert met_on(plan) == [(1, None), (2, None)]
    case.refresh_from_db()
    assert (case.status, case.delinquency_class, case.pool, case.owner_id) == (
        "open",
        "moderate",
        "supervisor",
        supervisor.pk,
    )
    tonight = CaseEvent.objects.filter(case=case, business_date=NIGHT).order_by("kind")
    assert list(tonight.values_list("kind", "from_pool", "to_pool", "clause")) == [
        ("moved", "junior", "supervisor", "PLAN-4"),
        ("plan_broken", "", "supervisor", "PLAN-4"),
    ]
    task = Task.objects.get(kind="plan_broken")
    assert (task.key, task.case_id, task.ref_id, task.due_on, task.available_from, task.clause, task.reason) == (
        f"plan_broken:{plan.pk}",
        case.pk,
        plan.pk,
        NIGHT,
        NIGHT,
        "PLAN-4",
        "plan broken: instalment 1 due 2026-03-25: 600.00 paid of 1,000.00 due by then",
    )
    (event,) = sealed_changes(action="arrangements.break_plan")
    assert (event.subject_type, event.subject_id, event.actor_username, event.reason) == (
        "arrangements.plan",
        str(plan.pk),
        "nightly-run",
        plan.end_reason,
    )
    assert event.basis == {"permission": "engine.run_daily", "clause": "PLAN-4", "approval": None}
    assert event.changes["status"] == ["active", "broken"]
    assert (event.changes["paid_fen"], event.changes["cumulative_fen"]) == ([None, 60_000], [None, 100_000])
    moved = sealed_changes(action="collection.move_case")[-1]
    assert (moved.basis["clause"], moved.changes["pool"]) == ("PLAN-4", ["junior", "supervisor"])
    (created,) = sealed_changes(action="collection.create_task", subject_id=str(task.pk))
    assert created.basis["clause"] == "PLAN-4"
    changes = Run.objects.get(business_date=NIGHT).changes
    assert (changes["plans_broken"], changes["tasks_plan_broken"]) == (1, 1)
    # The plan no longer holds the chase back: the CALL-4 call of 18 March is created tonight.
    assert chasing_calls(loan) == [
        (f"call:{loan.borrower_id}:2026-03-17", "CLS-2", OPENED),
        (f"call:{loan.borrower_id}:2026-03-18", "CALL-4", NIGHT),
    ]


def test_running_the_date_again_or_the_next_changes_nothing_of_the_break(book):
    """Clause: PLAN-4 — the date again: nothing written. The next night: the plan stays broken as it was, no
    second event or task, and the case stays with the supervisors while it is open."""
    loan, case, plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "600.00"))
    do_run_daily(NIGHT, actor=nightly_run())
    before = counts()
    (again,) = do_run_daily(NIGHT, actor=nightly_run())
    assert (again.already_done, again.changes) == (True, {})
    assert counts() == before
    breaks = len(sealed_changes(action="arrangements.break_plan"))
    do_run_daily(date(2026, 3, 27), actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == ("broken", NIGHT)
    assert len(sealed_changes(action="arrangements.break_plan")) == breaks == 1
    assert CaseEvent.objects.filter(kind="plan_broken").count() == 1
    assert Task.objects.filter(kind="plan_broken").count() == 1
    case.refresh_from_db()
    assert case.pool == "supervisor"
    assert not [k for k in Run.objects.get(business_date=date(2026, 3, 27)).changes if k.startswith("plan")]


def test_enough_paid_meets_the_instalment_and_the_chase_stays_held_back(book):
    """Clause: PLAN-4, CALL-4 — 1,000.00 paid on 24 March: the run of that day records instalment 1 met on 24
    March; on 26 March nothing breaks, the case stays in the junior pool, and no cadence call was created on
    any night since the plan came into force (only the first call of 17 March, made before it)."""
    loan, case, plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "1000.00"))
    do_run_daily(NIGHT, actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on, plan.end_reason) == ("active", None, "")
    assert met_on(plan) == [(1, date(2026, 3, 24)), (2, None)]
    assert Run.objects.get(business_date=date(2026, 3, 24)).changes["plan_instalments_met"] == 1
    case.refresh_from_db()
    assert (case.delinquency_class, case.pool) == ("moderate", "junior")
    assert not CaseEvent.objects.filter(kind="plan_broken").exists()
    assert not Task.objects.filter(kind="plan_broken").exists()
    (met,) = sealed_changes(action__startswith="arrangements.")
    assert (met.action, met.actor_id, met.basis["clause"]) == (
        "arrangements.record_instalment_met",
        nightly_run().pk,
        "PLAN-4",
    )
    assert met.changes == {"instalment": [None, 1], "met_on": [None, "2026-03-24"]}
    assert chasing_calls(loan) == [(f"call:{loan.borrower_id}:2026-03-17", "CLS-2", OPENED)]


def test_without_a_plan_the_same_book_is_chased(book):
    """Clause: CALL-4 — the control for the test above: the plan withdrawn before it came into force, the
    cadence call of 18 March (DPD 31) is created that night."""
    loan, _case, plan, _supervisor = book
    Plan.objects.filter(pk=plan.pk).update(status="withdrawn")
    pay(loan, (date(2026, 3, 24), "1000.00"))
    do_run_daily(NIGHT, actor=nightly_run())
    assert chasing_calls(loan) == [
        (f"call:{loan.borrower_id}:2026-03-17", "CLS-2", OPENED),
        (f"call:{loan.borrower_id}:2026-03-18", "CALL-4", date(2026, 3, 18)),
    ]
    assert met_on(plan) == [(1, None), (2, None)]


def test_everything_paid_completes_the_plan(book):
    """Clause: PLAN-4 — 1,000.00 on 24 March, then on 26 March the second 1,000.00 and the loan's own instalment
    due 15 April (1,023.72: the plan covers what was overdue when it started, not what falls due meanwhile):
    the run of 26 March completes the plan, both instalments met, audited; the borrower is current again and the
    case closes, never escalated."""
    loan, case, plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "1000.00"), (NIGHT, "2023.72"))
    do_run_daily(NIGHT, actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on, plan.end_reason) == ("completed", NIGHT, "all 2 instalments met: 3,023.72")
    assert met_on(plan) == [(1, date(2026, 3, 24)), (2, NIGHT)]
    (event,) = sealed_changes(action="arrangements.complete_plan")
    assert (event.subject_id, event.basis["clause"], event.changes["status"]) == (
        str(plan.pk),
        "PLAN-4",
        ["active", "completed"],
    )
    assert Run.objects.get(business_date=NIGHT).changes["plans_completed"] == 1
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", NIGHT)
    assert not CaseEvent.objects.filter(kind="plan_broken").exists()
    assert not Task.objects.filter(kind="plan_broken").exists()


def test_paying_the_plan_but_not_the_loans_new_instalment_breaks_it(book):
    """Clause: PLAN-4 — the plan's 1,000.00 paid on 24 March and 25 April, but not the loan's own 1,023.72 due
    15 April: on 26 April instalment 2 is missed, 2,000.00 paid of 3,023.72 due by then."""
    loan, _case, plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "1000.00"), (SECOND_DUE, "1000.00"))
    do_run_daily(SECOND_DUE + timedelta(days=1), actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.end_reason) == (
        "broken",
        "instalment 2 due 2026-04-25: 2,000.00 paid of 3,023.72 due by then (2,000.00 under the plan, "
        "1,023.72 of the loans' own instalments)",
    )
    assert met_on(plan) == [(1, date(2026, 3, 24)), (2, None)]


def test_a_plan_withdrawn_while_the_run_computes_keeps_its_withdrawal(book, monkeypatch):
    """Clause: PLAN-4 — a supervisor withdraws the plan after the run of 26 March read it and before that run
    applies: only a plan still active is changed, so the withdrawal stands and no break is recorded."""
    from arrears.daily import actions as run_actions

    loan, _case, plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "600.00"))
    original = run_actions.apply_decisions

    def withdrawn_meanwhile(run, decisions, **kwargs):
        if run.business_date == NIGHT:
            assert decisions.plan_decisions["decision"].to_list() == ["broken"]
            Plan.objects.filter(pk=plan.pk).update(status="withdrawn", ended_on=NIGHT, end_reason="withdrawn")
        return original(run, decisions, **kwargs)

    monkeypatch.setattr(run_actions, "apply_decisions", withdrawn_meanwhile)
    do_run_daily(NIGHT, actor=nightly_run())
    plan.refresh_from_db()
    assert (plan.status, plan.end_reason) == ("withdrawn", "withdrawn")
    assert not sealed_changes(action="arrangements.break_plan")
    assert not CaseEvent.objects.filter(kind="plan_broken").exists()
    assert "plans_broken" not in Run.objects.get(business_date=NIGHT).changes


class Killed(BaseException):
    """A kill: no handler runs (as a signal would stop the process)."""


def snapshot(loan) -> dict[str, list]:
    def rows(qs, *fields):
        return sorted(qs.values_list(*fields), key=repr)

    return {
        "plans": rows(Plan.objects, "status", "ended_on", "end_reason"),
        "instalments": rows(PlanInstalment.objects, "n", "met_on"),
        "cases": rows(CollectionCase.objects, "status", "delinquency_class", "pool", "owner_id", "updated_on"),
        "case_events": rows(CaseEvent.objects, "business_date", "kind", "from_pool", "to_pool", "dpd", "clause"),
        "tasks": rows(Task.objects, "key", "kind", "case_id", "ref_id", "due_on", "reason", "clause", "created_on"),
        "runs": rows(Run.objects, "business_date", "status", "cursor", "changes", "summary"),
        "audit": rows(
            AuditEvent.objects.exclude(action__startswith="auth").exclude(action="engine.seal_changes"),
            "action",
            "subject_type",
            "basis",
            "changes",
            "reason",
        ),
        # the sealed changes (their digests, over ids, may differ: PostgreSQL's sequences do not roll back)
        "sealed": rows(ChangeRecord.objects, "batch", "seq", "action", "subject_type", "clause", "changes", "reason"),
        "seals": AuditEvent.objects.filter(action="engine.seal_changes").count(),
    }


@pytest.mark.parametrize("where", ["after the plan's writes", "while appending its audit events"])
def test_a_run_killed_while_breaking_the_plan_and_resumed_equals_a_clean_run(book, monkeypatch, where):
    """Clause: PLAN-4 — killed in the chunk that breaks the plan, then run again: the state and the counts of a
    clean run (one break, one case event, one task, one audit event each), and the audit chain intact."""
    loan, _case, _plan, _supervisor = book
    pay(loan, (date(2026, 3, 24), "600.00"))
    start = transaction.savepoint()
    do_run_daily(NIGHT, actor=nightly_run())
    clean = snapshot(loan)
    transaction.savepoint_rollback(start)

    armed = [True]
    if where == "after the plan's writes":
        original = run_apply._Chunk._plans

        def killing(chunk):
            original(chunk)
            if armed[0] and chunk.frames["plan_decisions"].height:
                armed[0] = False
                raise Killed(where)

        monkeypatch.setattr(run_apply._Chunk, "_plans", killing)
    else:
        original = run_apply.record_sealed

        def killing(batch, events, **kwargs):
            events = list(events)
            written = original(batch, events, **kwargs)
            if armed[0] and any(e["action"] == "arrangements.break_plan" for e in events):
                armed[0] = False
                raise Killed(where)
            return written

        monkeypatch.setattr(run_apply, "record_sealed", killing)
    with pytest.raises(Killed):
        do_run_daily(NIGHT, actor=nightly_run())
    assert Plan.objects.get().status == "active"  # the chunk rolled back with the kill
    assert Run.objects.get(business_date=NIGHT).status == "running"
    do_run_daily(NIGHT, actor=nightly_run())
    assert Run.objects.get(business_date=NIGHT).attempts == 2
    assert snapshot(loan) == clean
    assert verify_chain().ok
