"""Phone reminders the day before a due date (REM-1): the nightly run's call tasks, in a queue of their own."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from desk import SHANGHAI, night

from arrears.collection import views
from arrears.collection.errors import CollectionError
from arrears.collection.models import Call, Task
from arrears.collection.reminder_calls import do_record_reminder_call, reminder_calls_due
from arrears.compliance.models import AuditEvent
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

EVE = date(2026, 3, 19)  # the day before instalment 1 falls due (Friday 20 March 2026)
MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: MORNING)


@pytest.fixture
def reminder():
    """A borrower who consents to calls, instalment 1 (1,023.72) due on 20 March; the nightly run of the 19th."""
    borrower = make_borrower(external_id="C-REMIND", name="赵六", mobile="13712345678", consent_phone=True)
    loan = make_loan(borrower, external_id="HT-REMIND", principal="12000", rate="0.0435", start=date(2026, 2, 20))
    night(EVE)
    return Task.objects.get(kind="phone_reminder", loan=loan)


def written() -> tuple[int, int, int]:
    return Call.objects.count(), Task.objects.filter(status="open").count(), AuditEvent.objects.count()


def test_the_reminder_is_in_the_queue_and_reaching_the_borrower_settles_it(client, reminder):
    """Clause: REM-1, AUTH-1, PRV-1 — a junior collector sees the reminder (name and mobile masked, the amount
    due 1,023.72), records that the borrower was reached: the call is stored and the reminder is done."""
    assert reminder.key == f"phone_reminder:{reminder.loan_id}:2026-03-20"
    junior = make_user("junior_collector")
    client.force_login(junior)
    page = client.get("/reminders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="reminder-{reminder.pk}"' in page
    assert "1,023.72" in page
    assert "137****5678" in page
    assert "13712345678" not in page
    assert "赵六" not in page

    response = client.post("/reminders/", {"task": reminder.pk, "outcome": "reached_other", "duration_seconds": "95"})
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.borrower_id, call.collector_id, call.outcome, call.duration_seconds, call.number) == (
        reminder.borrower_id,
        junior.pk,
        "reached_other",
        95,
        "13712345678",
    )
    reminder.refresh_from_db()
    assert reminder.status == "done"
    event = AuditEvent.objects.get(action="collection.record_call", subject_id=str(reminder.pk))
    assert event.basis["clause"] == "REM-1"
    assert f'id="reminder-{reminder.pk}"' not in client.get("/reminders/").content.decode()


def test_no_answer_leaves_it_open_for_another_try(reminder):
    """Clause: REM-1 — an unanswered reminder call is recorded and the reminder stays in the queue."""
    do_record_reminder_call(
        reminder, outcome="no_answer", duration_seconds=0, actor=make_user("junior_collector"), today=EVE, at=MORNING
    )
    reminder.refresh_from_db()
    assert (reminder.status, Call.objects.get().outcome) == ("open", "no_answer")
    assert [r.task.pk for r in reminder_calls_due(EVE)] == [reminder.pk]


def test_paid_before_the_call_it_leaves_the_queue_and_is_refused(reminder):
    """Clause: REM-1 — "nothing is sent for an instalment already paid": paid, the reminder is not listed and
    a call cannot be recorded against it; nothing is written."""
    make_payment(reminder.loan, EVE, "1023.72")
    allocate_payments([reminder.loan_id], business_date=EVE)
    assert reminder_calls_due(EVE) == []
    before = written()
    with pytest.raises(CollectionError, match="already paid"):
        do_record_reminder_call(
            reminder, outcome="reached_other", duration_seconds=30, actor=make_user("junior_collector"), today=EVE
        )
    assert written() == before


def test_quiet_hours_refuse_the_call_and_nothing_is_written(reminder):
    """Clause: REM-1 — at 22:30 Beijing time a reminder call is refused (quiet hours); nothing is written."""
    before = written()
    with pytest.raises(CollectionError, match="quiet hours"):
        do_record_reminder_call(
            reminder,
            outcome="reached_other",
            duration_seconds=30,
            actor=make_user("junior_collector"),
            today=EVE,
            at=datetime(2026, 3, 19, 22, 30, tzinfo=SHANGHAI),
        )
    assert written() == before


def test_only_those_who_call_see_the_queue(client, reminder):
    """Clause: AUTH-1 — an analyst has no reminder queue and cannot record a call (403, nothing written)."""
    client.force_login(make_user("analyst"))
    before = written()
    assert client.get("/reminders/").status_code == 403
    assert client.post("/reminders/", {"task": reminder.pk, "outcome": "reached_other"}).status_code == 403
    assert written() == before


@pytest.mark.parametrize(
    ("task", "duration", "status"),
    [("²", "95", 404), ("abc", "95", 404), (str(10**30), "95", 404), (None, str(10**14), 302), (None, "14401", 302)],
)
def test_odd_numbers_in_the_reminder_form_get_a_message_and_nothing_is_written(
    client, reminder, task, duration, status
):
    """Clause: REM-1, CALL-3 — a task id that is no number of a row: 404; a duration of 10^14 s or above the
    policy's 14,400: the form's message; nothing is written."""
    client.force_login(make_user("junior_collector"))
    before = written()
    response = client.post(
        "/reminders/", {"task": task or reminder.pk, "outcome": "reached_other", "duration_seconds": duration}
    )
    assert response.status_code == status
    if status == 302:
        page = client.get(response.url).content.decode()
        assert "通话时长须在 0 至 14,400 秒之间" in page
    assert written() == before
