"""The phone-reminder queue sorted by due date, amount or customer, and reminders left from an earlier day
marked overdue in words (Issue 15 item 3)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from desk import SHANGHAI, night

from arrears.collection import views
from arrears.collection.models import Task
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: MORNING)


@pytest.fixture
def reminders():
    """C-3 owes 511.86 on 19 March (its reminder from the run of the 18th is still open on the 19th: late);
    C-1 owes 1,023.72 and C-2 255.93 on 20 March (reminders from the run of the 19th)."""
    loans = {}
    for external_id, principal, start in (
        ("C-3", "6000", date(2026, 2, 19)),
        ("C-1", "12000", date(2026, 2, 20)),
        ("C-2", "3000", date(2026, 2, 20)),
    ):
        borrower = make_borrower(external_id=external_id, consent_phone=True)
        loans[external_id] = make_loan(borrower, principal=principal, rate="0.0435", start=start)
    night(date(2026, 3, 18))
    night(date(2026, 3, 19))
    return {ext: Task.objects.get(kind="phone_reminder", loan=loan) for ext, loan in loans.items()}


def order(client, **query) -> list[str]:
    html = client.get("/reminders/", query).content.decode()
    return re.findall(r'<tr id="reminder-\d+"[^>]*><td>[^<]*(?:<span[^>]*>[^<]*</span>)?</td><td>([^<]+)</td>', html)


def test_the_queue_sorts_by_due_date_amount_and_customer(client, reminders):
    client.force_login(make_user("junior_collector"))
    tie = sorted(["C-1", "C-2"], key=lambda ext: reminders[ext].pk)  # same due date: by task
    assert order(client) == ["C-3", *tie]
    assert order(client, sort="due") == ["C-3", *tie]
    assert order(client, sort="-due") == [*tie, "C-3"]
    assert order(client, sort="-amount") == ["C-1", "C-3", "C-2"]
    assert order(client, sort="amount") == ["C-2", "C-3", "C-1"]
    assert order(client, sort="customer") == ["C-1", "C-2", "C-3"]
    assert order(client, sort="-customer") == ["C-3", "C-2", "C-1"]
    assert order(client, sort="nonsense") == ["C-3", *tie]
    html = client.get("/reminders/", {"sort": "-amount"}).content.decode()
    assert "1,023.72 元" in html
    assert "511.86 元" in html
    assert "255.93 元" in html
    assert re.search(r'aria-sort="descending"><a href="\?sort=amount"', html)


def test_a_reminder_left_from_an_earlier_day_is_marked_overdue(client, reminders):
    """C-3's reminder was due on the 18th and is still open on the 19th: its row has the class and the word."""
    client.force_login(make_user("junior_collector"))
    html = client.get("/reminders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    late = re.findall(r'<tr id="reminder-(\d+)" class="overdue"><td>[^<]*<span class="late">已逾期</span>', html)
    assert late == [str(reminders["C-3"].pk)]
    assert html.count('class="overdue"') == 1


def test_recording_a_call_returns_to_the_queue_in_its_order(client, reminders):
    client.force_login(make_user("junior_collector"))
    task = reminders["C-1"]
    response = client.post(
        "/reminders/?sort=-amount", {"task": task.pk, "outcome": "no_answer", "duration_seconds": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/reminders/?sort=-amount"
