"""The nightly run and the late stage (CLS-2, AUTH-3, REM-1): a borrower in litigation or written off leaves
routine collection — no cadence call, no notice confirmation, no legal review; the open routine tasks withdrawn
with an audit event; the case with a supervisor — while the reminder before a due date is still queued and a
payment still posts. A lawsuit closed returns the borrower to routine collection.

The book: two borrowers alike, L (the late stage) and R (routine collection), each with a loan of 12,000.00 whose
first instalment fell due 21 December 2025 and was never paid (DPD 86 on 17 March 2026, the moderate stage, the
senior pool) and a current loan of 6,000.00 whose first instalment falls due 24 March. The first run, 17 March,
opens both cases with a moderate-stage call due that day (CLS-2). Then three failed calls to each on 17 and 18
March and a formal notice sent on 18 March; L goes into the late stage on 18 March; the runs of 18 to 21 March
follow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from legal_rows import sue, write_off

from arrears.collection.models import Call, CollectionCase, Letter, Task
from arrears.compliance.sealed import sealed_changes
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from arrears.notices.models import Notice
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

OPENED, LATE_FROM, NIGHT = date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 21)


@pytest.fixture
def book():
    """{"L": case, "R": case, "senior", "supervisors", "loans": {"L": (overdue, current), …}} after the first run."""
    senior = make_user("senior_collector")
    supervisors = [make_user("supervisor", username=f"supervisor-{n}") for n in (1, 2)]
    loans = {}
    for name in ("L", "R"):
        borrower = make_borrower(external_id=name, consent_sms=True, consent_phone=True)
        overdue = make_loan(borrower, start=date(2025, 11, 21), principal="12000")
        current = make_loan(borrower, start=date(2026, 2, 24), principal="6000")
        loans[name] = (overdue, current)
    do_run_daily(OPENED, actor=nightly_run())
    cases = {c.borrower.external_id: c for c in CollectionCase.objects.select_related("borrower")}
    for name, case in cases.items():
        assert (case.dpd, case.delinquency_class, case.pool, case.owner_id) == (86, "moderate", "senior", senior.pk)
        assert list(Task.objects.filter(case=case).values_list("key", "clause")) == [
            (f"call:{case.borrower_id}:{OPENED}", "CLS-2")
        ]
        for n, (on, hour) in enumerate([(OPENED, 10), (OPENED, 15), (LATE_FROM, 10)]):
            Call.objects.create(
                borrower_id=case.borrower_id,
                case=case,
                collector=senior,
                called_at=datetime(on.year, on.month, on.day, hour - 8, n, tzinfo=UTC),
                called_on=on,
                outcome="no_answer",
            )
        Letter.objects.create(
            borrower_id=case.borrower_id, case=case, loan=loans[name][0], channel="post", sent_on=LATE_FROM
        )
    return {**cases, "senior": senior, "supervisors": supervisors, "loans": loans}


def into_the_late_stage(book, stage: str) -> None:
    first, second = book["supervisors"]
    if stage == "litigation":
        sue(book["L"], first, on=LATE_FROM, stage="filed")
    else:
        write_off(book["L"], first, second, on=LATE_FROM)


def tasks(case) -> dict[str, tuple[str, str]]:
    """The case's borrower's tasks: key → (status, clause)."""
    return {key: (status, clause) for key, status, clause in
            Task.objects.filter(borrower_id=case.borrower_id).values_list("key", "status", "clause")}  # fmt: skip


@pytest.mark.parametrize("stage", ["litigation", "written_off"])
def test_no_routine_collection_in_the_late_stage_while_reminders_go_and_payments_post(book, stage):
    """Clause: CLS-2, CALL-4, LTR-3, LGL-1, AUTH-3, REM-1, AUTH-4 — after the runs of 18–21 March, R (routine) has
    the moderate stage's next call (last call 18 March: available 20 March, due 21 March), the notice's
    confirmation call (LTR-3) and at DPD 90 a legal review (three failed attempts, LGL-1); L has none of them and
    its open call of 17 March was cancelled by the run of 18 March with an audit event naming why; L's case is a
    supervisor's (AUTH-3). Both get the phone reminder the day before instalment 4 (due 21 March) and the SMS three
    days before 24 March (REM-1); L's payment of 500.00 on 20 March
    posts and the case's overdue total falls by it: 2,603.91 against R's 3,104.00 at DPD 90 (500.00 paid, and 0.09
    less penalty interest on it for the day since)."""
    into_the_late_stage(book, stage)
    overdue_loan = book["loans"]["L"][0]
    make_payment(overdue_loan, date(2026, 3, 20), "500.00")
    allocate_payments([overdue_loan.pk], business_date=date(2026, 3, 20))

    do_run_daily(NIGHT, actor=nightly_run())

    late, routine = book["L"], book["R"]
    r, el = routine.borrower_id, late.borrower_id
    assert tasks(routine) == {
        f"call:{r}:{OPENED}": ("open", "CLS-2"),
        f"call:{r}:2026-03-21": ("open", "CLS-2"),
        f"letter_follow_up:{Letter.objects.get(borrower_id=r).pk}": ("open", "LTR-3"),
        f"legal_review:{r}:{OPENED}": ("open", "LGL-1"),
        f"phone_reminder:{book['loans']['R'][0].pk}:2026-03-21": ("open", "REM-1"),
    }
    assert tasks(late) == {
        f"call:{el}:{OPENED}": ("cancelled", "CLS-2"),
        f"phone_reminder:{book['loans']['L'][0].pk}:2026-03-21": ("open", "REM-1"),
    }
    (withdrawn,) = sealed_changes(action="collection.withdraw_task")
    task = Task.objects.get(key=f"call:{el}:{OPENED}")
    assert (withdrawn.subject_type, withdrawn.subject_id, withdrawn.basis["clause"]) == (
        "collection.task",
        str(task.pk),
        "CLS-2",
    )
    assert withdrawn.changes == {"status": ["open", "cancelled"]}
    assert (
        withdrawn.reason
        == {
            "litigation": "in litigation: out of routine collection",
            "written_off": "written off: out of routine collection",
        }[stage]
    )
    assert withdrawn.actor_username == nightly_run().username

    for name in ("L", "R"):
        reminder = Notice.objects.get(loan=book["loans"][name][1], kind="reminder")
        assert (reminder.due_date, reminder.queued_on, reminder.channel, reminder.status) == (
            date(2026, 3, 24),
            NIGHT,
            "sms",
            "queued",
        )
    late.refresh_from_db()
    routine.refresh_from_db()
    supervisor_ids = [u.pk for u in book["supervisors"]]
    assert (late.dpd, late.overdue_fen, late.pool, late.owner_id in supervisor_ids) == (90, 260_391, "supervisor", True)
    assert (routine.dpd, routine.overdue_fen, routine.pool, routine.owner_id) == (
        90,
        310_400,
        "senior",
        book["senior"].pk,
    )
    assert late.events.filter(kind="moved", to_pool="supervisor", clause="AUTH-3").count() == 1


def test_the_night_run_again_from_its_first_borrower_withdraws_nothing_more(book):
    """Clause: CLS-2, AUTH-4 — the run of 18 March withdraws L's call once; the same night run again from its first
    borrower (as a failed run resumed) finds nothing more to withdraw and writes no second audit event."""
    into_the_late_stage(book, "litigation")
    do_run_daily(LATE_FROM, actor=nightly_run())
    assert list(Task.objects.filter(status="cancelled").values_list("key", flat=True)) == [
        f"call:{book['L'].borrower_id}:{OPENED}"
    ]
    Run.objects.filter(business_date=LATE_FROM).update(status="failed", cursor=0)
    (again,) = do_run_daily(LATE_FROM, actor=nightly_run())
    assert (again.attempts, again.changes.get("tasks_withdrawn")) == (2, 1)  # the ledger's total: still the one
    assert Task.objects.filter(status="cancelled").count() == 1
    assert len(sealed_changes(action="collection.withdraw_task")) == 1


def test_a_closed_lawsuit_returns_the_borrower_to_routine_collection(book):
    """Clause: CLS-2, LGL-1 — in litigation until the runs of 18–20 March: no legal review at DPD 89 and no call;
    the lawsuit closed on 21 March (the borrower's case goes on): the run of 21 March (DPD 90) gives L the legal
    review R has (three failed attempts), and L's case goes back to the senior pool (TEAM-2)."""
    litigation = sue(book["L"], book["supervisors"][0], on=LATE_FROM, stage="filed")
    do_run_daily(date(2026, 3, 20), actor=nightly_run())
    late = book["L"]
    assert [key for key, (status, _) in tasks(late).items() if status == "open" and key.startswith("call")] == []
    Task.objects.filter(kind="letter_follow_up").update(status="done")
    litigation.stage, litigation.closed_on, litigation.closed_reason = "closed", NIGHT, "settled in mediation"
    litigation.save()
    do_run_daily(NIGHT, actor=nightly_run())
    assert tasks(late)[f"legal_review:{late.borrower_id}:{OPENED}"] == ("open", "LGL-1")
    late.refresh_from_db()
    assert (late.pool, late.owner_id) == ("senior", book["senior"].pk)


def test_a_write_off_only_proposed_leaves_the_borrower_in_routine_collection(book):
    """Clause: CLS-2, LGL-1 — a write-off proposed but not approved changes nothing: at DPD 90 L has the legal
    review and the moderate stage's call as R does."""
    first, second = book["supervisors"]
    write_off(book["L"], first, second, on=LATE_FROM, status="proposed")
    do_run_daily(NIGHT, actor=nightly_run())
    late = book["L"]
    assert {key: status for key, (status, _) in tasks(late).items() if not key.startswith(("phone", "letter"))} == {
        f"call:{late.borrower_id}:{OPENED}": "open",
        f"call:{late.borrower_id}:2026-03-21": "open",
        f"legal_review:{late.borrower_id}:{OPENED}": "open",
    }
