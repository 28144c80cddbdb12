"""The words a collector writes with an action are the reason on its audit event: a call's note, a reminder
call's note, a letter's addition (what the ledger shows when someone asks why the action was taken).

Clause: AUTH-4 — every collection action records its authorization basis, and with it the actor's own reason.
"""

from __future__ import annotations

import pytest
from desk import open_desk
from test_desk import reached_borrower, record
from test_letters import AT, TODAY, case, collector  # noqa: F401 - fixtures
from test_reminder_calls import EVE, MORNING, reminder  # noqa: F401 - fixture

from arrears.collection.letters import do_send_letter
from arrears.collection.reminder_calls import do_record_reminder_call
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def test_a_calls_note_is_the_events_reason_and_a_call_without_one_has_none():
    """Clause: AUTH-4, CALL-3 — 借款人称月底发工资后还款 as written (trimmed); an empty note, an empty reason."""
    desk = open_desk([("F20", 20, "12000", "low"), ("B45", 45, "8000", "low")], {"junior_collector": 1})
    junior = desk["users"]["junior_collector"][0]
    record(desk["cases"]["F20"], reached_borrower(note="  借款人称月底发工资后还款 "), junior, dpd=20)
    record(desk["cases"]["B45"], reached_borrower(note=""), junior, dpd=45)
    reasons = list(AuditEvent.objects.filter(action="collection.record_call").order_by("id").values_list("reason"))
    assert reasons == [("借款人称月底发工资后还款",), ("",)]


def test_a_reminder_calls_note_is_the_events_reason(reminder):  # noqa: F811
    """Clause: AUTH-4, REM-1."""
    do_record_reminder_call(
        reminder,
        outcome="no_answer",
        duration_seconds=0,
        note="无人接听，明早再拨",
        actor=make_user("junior_collector"),
        today=EVE,
        at=MORNING,
    )
    assert AuditEvent.objects.get(action="collection.record_call").reason == "无人接听，明早再拨"


@pytest.mark.usefixtures("approved_templates")
def test_a_letters_addition_is_the_events_reason(case, collector):  # noqa: F811
    """Clause: AUTH-4, LTR-1 — the collector's own lines added to the notice."""
    do_send_letter(
        case, channel="post", actor=collector, addition=" 如已还款请忽略。\n欢迎来电协商。", today=TODAY, at=AT
    )
    assert AuditEvent.objects.get(action="collection.send_letter").reason == "如已还款请忽略。\n欢迎来电协商。"
