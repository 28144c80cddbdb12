"""Reminders before a due date (REM-1) with the amount and date they must state (REM-2)."""

from __future__ import annotations

from datetime import date, timedelta

from rows import allocation, borrower, instalment, loan, one, rows, run

DUE = date(2026, 3, 20)
COLUMNS = ("loan_id", "kind", "channel", "due_date", "amount_due_fen", "clause")


def _run(as_of, **frames):
    frames.setdefault("loans", [loan(1)])
    frames.setdefault("instalments", [instalment(1, 4, DUE, 100_000, 4_000)])
    return run(as_of, **frames).reminders


def test_three_days_before_an_sms_one_day_before_a_phone_reminder():
    """Clause: REM-1, REM-2 — 17 March: the SMS stating 1,040.00 due 20 March; 19 March: the phone task."""
    assert rows(_run(DUE - timedelta(days=3)), *COLUMNS) == [
        {
            "loan_id": 1,
            "kind": "written",
            "channel": "sms",
            "due_date": DUE,
            "amount_due_fen": 104_000,
            "clause": "REM-1",
        }
    ]
    assert rows(_run(DUE - timedelta(days=1)), *COLUMNS) == [
        {
            "loan_id": 1,
            "kind": "phone",
            "channel": "phone",
            "due_date": DUE,
            "amount_due_fen": 104_000,
            "clause": "REM-1",
        }
    ]


def test_no_reminder_on_other_days():
    """Clause: REM-1 — nothing 4 or 2 days before, on the due date, or after it."""
    for days_before in (4, 2, 0, -1):
        assert _run(DUE - timedelta(days=days_before)).height == 0


def test_email_where_the_borrower_chose_it():
    """Clause: REM-1 — by email where the borrower chose email."""
    reminders = _run(DUE - timedelta(days=3), borrowers=[borrower(1, channel="email")])
    assert one(reminders, "channel") == {"channel": "email"}


def test_a_channel_without_consent_falls_back_then_none():
    """Clause: REM-1 — email chosen but not consented: SMS; neither consented: no channel (counted, not sent);
    email consented but no address: SMS."""
    as_of = DUE - timedelta(days=3)
    assert one(_run(as_of, borrowers=[borrower(1, channel="email", email=False)]), "channel") == {"channel": "sms"}
    assert (
        one(_run(as_of, borrowers=[borrower(1, channel="email", sms=True, email=False)]), "channel")["channel"] == "sms"
    )
    assert one(_run(as_of, borrowers=[borrower(1, sms=False, email=False)]), "channel") == {"channel": None}


def test_no_phone_reminder_without_consent_to_calls():
    assert _run(DUE - timedelta(days=1), borrowers=[borrower(1, phone=False)]).height == 0


def test_nothing_for_an_instalment_already_paid():
    """Clause: REM-1 — paid early in full: no reminder; paid in part: the reminder states what is left."""
    early = DUE - timedelta(days=5)
    paid = [allocation(1, 4, early, "interest", 4_000), allocation(1, 4, early, "principal", 100_000)]
    assert _run(DUE - timedelta(days=3), allocations=paid).height == 0
    part = [allocation(1, 4, early, "interest", 4_000), allocation(1, 4, early, "principal", 60_000)]
    assert one(_run(DUE - timedelta(days=3), allocations=part), "amount_due_fen") == {"amount_due_fen": 40_000}


def test_nothing_under_a_hold():
    """Clause: REM-1 — a hold on the borrower, or on this loan, in force on the day: no reminder; a hold that
    ended the day before, or on another loan, does not stop it."""
    as_of = DUE - timedelta(days=3)

    def hold(loan_id=None, starts=as_of, ends=None):
        return {"borrower_id": 1, "loan_id": loan_id, "starts_on": starts, "ends_on": ends}

    assert _run(as_of, holds=[hold()]).height == 0
    assert _run(as_of, holds=[hold(loan_id=1)]).height == 0
    assert _run(as_of, holds=[hold(starts=as_of - timedelta(days=9), ends=as_of - timedelta(days=1))]).height == 1
    assert _run(as_of, holds=[hold(loan_id=2)]).height == 1


def test_a_due_date_rolled_past_a_holiday_is_reminded_before_the_working_day():
    """Clause: REM-1 — due on 1 October 2026, rolled to 8 October: the SMS goes on 5 October, not 28 September."""
    text = "[schedule]\nroll_non_working_due_date = true\n"
    frames = {"loans": [loan(1)], "instalments": [instalment(1, 1, date(2026, 10, 1), 100_000)]}
    assert run(date(2026, 9, 28), policy_text=text, **frames).reminders.height == 0
    assert one(run(date(2026, 10, 5), policy_text=text, **frames).reminders, "kind", "due_date") == {
        "kind": "written",
        "due_date": date(2026, 10, 8),
    }
