"""Work that falls due: call cadence (CLS-2, CALL-4), letter follow-ups (LTR-3), promises (CALL-3), legal
review (LGL-1, LGL-2)."""

from __future__ import annotations

from datetime import date, timedelta

from rows import instalment, loan, one, rows, run

DUE = date(2026, 1, 15)


def day(dpd: int) -> date:
    return DUE + timedelta(days=dpd)


def case(opened: date, klass="moderate", pool="junior"):
    return {
        "case_id": 7,
        "borrower_id": 1,
        "status": "open",
        "delinquency_class": klass,
        "pool": pool,
        "opened_on": opened,
    }


def call(on: date, outcome="no_answer", inbound=False):
    return {"borrower_id": 1, "called_on": on, "outcome": outcome, "inbound": inbound}


def _tasks(dpd, *, principal=100_000, cases=None, **frames):
    return run(
        day(dpd),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, principal)],
        cases=cases if cases is not None else [case(day(1), klass="mild")],
        **frames,
    ).tasks


def test_a_new_mild_case_starts_with_a_call_due_today():
    """Clause: CLS-2 — mild: phone first. Opened on DPD 1: a call task due that day, until a call is made."""
    task = one(_tasks(1, cases=[]), "key", "kind", "due_on", "clause")
    assert task == {"key": f"call:1:{day(1)}", "kind": "call", "due_on": day(1), "clause": "CLS-2"}
    assert one(_tasks(4), "key")["key"] == f"call:1:{day(1)}"  # same key on later days: still one task
    assert _tasks(4, calls=[call(day(2))]).height == 0


def test_cadence_from_dpd_31_every_five_to_seven_days():
    """Clause: CALL-4 — last call at DPD 33: the next is available at DPD 38 and due at DPD 40."""
    calls = [call(day(33))]
    assert _tasks(37, calls=calls).height == 0
    task = one(_tasks(38, calls=calls), "key", "available_from", "due_on", "clause")
    assert task == {"key": f"call:1:{day(40)}", "available_from": day(38), "due_on": day(40), "clause": "CALL-4"}


def test_cadence_with_no_call_is_due_when_the_stage_starts():
    """Clause: CALL-4 — never called: due the day DPD reached 31."""
    task = one(_tasks(35), "due_on", "clause")
    assert task == {"due_on": day(31), "clause": "CALL-4"}


def test_call_4_s_cadence_ends_at_dpd_60():
    """Clause: CALL-4, CLS-2 — the cadence covers DPD 31–60: last call at DPD 50, a task at DPD 60 (CALL-4's); at
    DPD 61 the moderate stage's cadence takes over (CLS-2), due the day the stage began."""
    assert one(_tasks(60, calls=[call(day(50))]), "due_on", "clause") == {"due_on": day(57), "clause": "CALL-4"}
    assert one(_tasks(61, calls=[call(day(50))]), "due_on", "clause") == {"due_on": day(61), "clause": "CLS-2"}


def _calls(dpd, *, last_call, policy_text="", cases=None):
    """The call tasks at `dpd` with the last call at DPD `last_call` (no answer), the case opened at DPD 1."""
    tasks = run(
        day(dpd),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000)],
        cases=cases if cases is not None else [case(day(1))],
        calls=[call(day(last_call))],
        policy_text=policy_text,
    ).tasks
    return rows(tasks.filter(tasks["kind"] == "call"), "key", "available_from", "due_on", "reason", "clause")


def test_the_moderate_stage_calls_every_two_to_three_days_from_dpd_61_to_90():
    """Clause: CLS-2, CALL-4 — the edges. Last call at DPD 55: at DPD 59 nothing yet, at DPD 60 CALL-4's call
    (available at 60, due at 62). Last call at DPD 59: nothing at DPD 60 (CALL-4: not before 64); at DPD 61 the
    moderate stage's call, available at 61 (59 + 2) and due at 62 (59 + 3). Inside the stage, last call at DPD 70:
    nothing at 71, at 72 available that day and due at 73. Last call at DPD 87: at 89 and at 90 the same task
    (due at 90); at 91 (severe) no call."""
    assert _calls(59, last_call=55) == []
    assert _calls(60, last_call=55) == [
        {
            "key": f"call:1:{day(62)}",
            "available_from": day(60),
            "due_on": day(62),
            "reason": "cadence",
            "clause": "CALL-4",
        }
    ]
    assert _calls(60, last_call=59) == []
    moderate = {"key": f"call:1:{day(62)}", "available_from": day(61), "due_on": day(62), "reason": "moderate cadence"}
    assert _calls(61, last_call=59) == [{**moderate, "clause": "CLS-2"}]
    assert _calls(71, last_call=70) == []
    assert _calls(72, last_call=70) == [
        {"key": f"call:1:{day(73)}", "available_from": day(72), "due_on": day(73), "reason": "moderate cadence",
         "clause": "CLS-2"}
    ]  # fmt: skip
    last = {"key": f"call:1:{day(90)}", "available_from": day(89), "due_on": day(90), "reason": "moderate cadence"}
    assert _calls(89, last_call=87) == [{**last, "clause": "CLS-2"}]
    assert _calls(90, last_call=87) == [{**last, "clause": "CLS-2"}]
    assert _calls(91, last_call=87) == []


def test_the_moderate_stage_starts_its_cadence_on_entering_it_or_on_opening_the_case():
    """Clause: CLS-2 — last call at DPD 50 (CALL-4's stage): the moderate call is available and due at DPD 61, the
    day the stage began; a case opened today at DPD 75 with no call in it: due today, not overdue since DPD 61."""
    assert _calls(63, last_call=50) == [
        {"key": f"call:1:{day(61)}", "available_from": day(61), "due_on": day(61), "reason": "moderate cadence",
         "clause": "CLS-2"}
    ]  # fmt: skip
    task = one(_tasks(75, cases=[]), "key", "available_from", "due_on", "clause")
    assert task == {"key": f"call:1:{day(75)}", "available_from": day(75), "due_on": day(75), "clause": "CLS-2"}


def test_the_moderate_cadence_follows_its_policy_parameters():
    """Clause: CLS-2 — a policy of every 4–6 days from DPD 65 to 85: last call at DPD 70, nothing at 73, at 74
    available that day and due at 76; at DPD 62 (between the stages) and at DPD 86 no cadence call."""
    policy_text = (
        "[calls]\nmoderate_from_dpd = 65\nmoderate_to_dpd = 85\n"
        "moderate_min_interval_days = 4\nmoderate_max_interval_days = 6\n"
    )
    assert _calls(73, last_call=70, policy_text=policy_text) == []
    assert _calls(74, last_call=70, policy_text=policy_text) == [
        {"key": f"call:1:{day(76)}", "available_from": day(74), "due_on": day(76), "reason": "moderate cadence",
         "clause": "CLS-2"}
    ]  # fmt: skip
    assert _calls(62, last_call=50, policy_text=policy_text) == []
    assert _calls(86, last_call=70, policy_text=policy_text) == []


def test_letter_follow_up_due_three_working_days_after_sending():
    """Clause: LTR-3 — sent on 30 September 2026: the confirmation call is due 10 October (a make-up working
    Saturday after the National Day holiday)."""
    decisions = run(
        date(2026, 10, 2),
        loans=[loan(1)],
        letters=[{"letter_id": 55, "borrower_id": 1, "sent_on": date(2026, 9, 30)}],
    )
    assert one(decisions.tasks, "key", "kind", "due_on", "ref_id", "clause") == {
        "key": "letter_follow_up:55",
        "kind": "letter_follow_up",
        "due_on": date(2026, 10, 10),
        "ref_id": 55,
        "clause": "LTR-3",
    }


def promise(due_on, amount=50_000):
    return {"promise_id": 3, "borrower_id": 1, "made_on": day(3), "due_on": due_on, "amount_fen": amount}


def payment(on, amount):
    return {"borrower_id": 1, "paid_on": on, "amount_fen": amount}


def test_a_promise_paid_by_its_date_is_kept():
    """Clause: CALL-3 — 300.00 + 200.00 paid by the promised date against 500.00: kept, no task."""
    decisions = run(
        day(6),
        loans=[loan(1)],
        instalments=[instalment(1, 1, DUE, 100_000)],
        cases=[case(day(1))],
        promises=[promise(day(8))],
        payments=[payment(day(4), 30_000), payment(day(6), 20_000)],
    )
    assert one(decisions.promises, "promise_id", "outcome", "paid_fen") == {
        "promise_id": 3,
        "outcome": "kept",
        "paid_fen": 50_000,
    }
    assert not [t for t in decisions.tasks.to_dicts() if t["kind"] == "broken_promise"]


def test_a_promise_short_by_its_date_is_broken_the_next_day():
    """Clause: CALL-3 — 499.99 paid of 500.00 by the 8th: on the 8th still pending; on the 9th broken, with a
    task; a payment after the date does not mend it."""
    frames = {
        "loans": [loan(1)],
        "instalments": [instalment(1, 1, DUE, 100_000)],
        "cases": [case(day(1))],
        "promises": [promise(day(8))],
        "payments": [payment(day(5), 49_999), payment(day(9), 10_000)],
    }
    assert run(day(8), **frames).promises.height == 0
    decisions = run(day(9), **frames)
    assert one(decisions.promises, "outcome", "paid_fen") == {"outcome": "broken", "paid_fen": 49_999}
    assert [t["key"] for t in decisions.tasks.to_dicts() if t["kind"] == "broken_promise"] == ["broken_promise:3"]


def _legal(dpd, *, principal=100_000, calls=()):
    tasks = _tasks(dpd, principal=principal, cases=[case(day(1), klass="severe", pool="supervisor")], calls=list(calls))
    return [t for t in tasks.to_dicts() if t["kind"] == "legal_review"]


def test_legal_review_after_three_failed_attempts_from_dpd_90():
    """Clause: LGL-1, LGL-2 — three failed calls in the case and DPD 90: a legal review for the supervisor,
    to an agency below 50,000 overdue; at DPD 89, or with two failed calls, none."""
    failed = [call(day(80)), call(day(82), "busy"), call(day(85), "number_invalid")]
    (task,) = _legal(90, calls=failed)
    assert (task["key"], task["route"], task["reason"], task["clause"]) == (
        f"legal_review:1:{day(1)}",
        "agency",
        "failed attempts",
        "LGL-1",
    )
    assert _legal(89, calls=failed) == []
    assert _legal(90, calls=[*failed[:2], call(day(86), "promised")]) == []


def test_legal_review_on_refusal_and_route_to_litigation_above_50000():
    """Clause: LGL-1, LGL-2 — an explicit refusal at DPD ≥ 90 suffices; 60,000.00 overdue goes to litigation."""
    (task,) = _legal(95, principal=6_000_000, calls=[call(day(93), "refused")])
    assert (task["reason"], task["route"]) == ("refused", "litigation")


def test_legal_review_on_lost_contact_over_30_days():
    """Clause: LGL-1 — last reached 31 days ago: lost contact; reached 30 days ago: not yet."""
    (task,) = _legal(95, calls=[call(day(95 - 31), "promised")])
    assert task["reason"] == "lost contact"
    assert _legal(95, calls=[call(day(95 - 30), "promised")]) == []


def test_no_contact_work_under_a_hold():
    """Clause: CALL-4 — a borrower-wide hold: no call task; the hold lifted: the same task appears."""
    hold = {"borrower_id": 1, "loan_id": None, "starts_on": day(30), "ends_on": day(36)}
    assert _tasks(35, holds=[hold]).height == 0
    assert rows(_tasks(37, holds=[hold]), "key") == [{"key": f"call:1:{day(31)}"}]


def test_lost_contact_counts_within_the_case():
    """Clause: LGL-1 — reached 200 days ago, the case (re)opened 10 days ago: not lost contact yet; 31 days after
    the case opened with no one reached: lost."""
    reopened = day(95 - 10)
    tasks = _tasks(
        95, cases=[case(reopened, klass="severe", pool="supervisor")], calls=[call(day(95 - 200), "promised")]
    )
    assert [t for t in tasks.to_dicts() if t["kind"] == "legal_review"] == []
    later = _tasks(
        95, cases=[case(day(95 - 31), klass="severe", pool="supervisor")], calls=[call(day(95 - 200), "promised")]
    )
    assert [t["reason"] for t in later.to_dicts() if t["kind"] == "legal_review"] == ["lost contact"]


def test_a_cadence_call_is_not_overdue_on_the_day_a_case_opens():
    """Clause: CALL-4 — a borrower first delinquent at DPD 45 (the case opens today, no call since DPD 31): the
    cadence call is due today, not since DPD 31; a case opened at DPD 33 keeps its due date of that day."""
    task = one(_tasks(45, cases=[]), "key", "available_from", "due_on", "clause")
    assert task == {"key": f"call:1:{day(45)}", "available_from": day(45), "due_on": day(45), "clause": "CALL-4"}
    assert one(_tasks(35, cases=[case(day(33))]), "due_on") == {"due_on": day(33)}


def _severe(dpd, *, calls=(), opened=1, **frames):
    tasks = _tasks(dpd, cases=[case(day(opened), klass="severe", pool="supervisor")], calls=list(calls), **frames)
    return [(t["kind"], t["key"], t["due_on"], t["clause"]) for t in tasks.to_dicts()]


def test_every_severe_case_has_a_next_action():
    """Clause: CLS-2, LGL-1 — DPD 95, the borrower reached 5 days ago and no failed attempt (no legal grounds,
    cadence over): a supervisor's decision task, due today; with legal grounds only the legal review; at DPD 90
    (moderate), reached the day before, none (its next cadence call is not available yet); under a plan none."""
    reached = [call(day(90), "promised")]
    assert _severe(95, calls=reached) == [
        ("severe_review", f"severe_review:1:{day(1)}", day(95), "CLS-2"),
    ]
    assert [k for k, *_ in _severe(95, calls=[call(day(93), "refused")])] == ["legal_review"]
    assert _severe(90, calls=[call(day(89), "promised")]) == []
    plan = {"plan_id": 4, "borrower_id": 1, "case_id": 7, "status": "active", "starts_on": day(80), "ended_on": None}
    assert [k for k, *_ in _severe(95, calls=reached, plans=[plan])] == []


def test_an_inbound_call_is_not_a_failed_attempt():
    """Clause: CLS-2, LGL-1 — case reopened at DPD 80: three failed outbound calls give a legal review at DPD 90;
    with the third one the borrower's own (inbound) call, none (the severe case gets its decision task)."""
    outbound = [call(day(82)), call(day(84), "busy"), call(day(86), "wrong_party")]
    assert [k for k, *_ in _severe(91, calls=outbound, opened=80)] == ["legal_review"]
    mixed = [*outbound[:2], call(day(86), "wrong_party", inbound=True)]
    assert [k for k, *_ in _severe(91, calls=mixed, opened=80)] == ["severe_review"]
