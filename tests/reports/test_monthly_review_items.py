"""The monthly review's action items (REV-1): agreed with an owner and a due date, followed up in the next pack
(closed there, or carried on while open), frozen with each approved pack; and the edits the actions refuse.

The months are closed directly (`MonthClose` rows, an empty book): the items do not depend on the figures."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from arrears.agencies.commissions import Month
from arrears.compliance.actions import system_actor
from arrears.compliance.models import AuditEvent
from arrears.reports.actions_review import (
    CaseChoice,
    ReviewConflict,
    ReviewError,
    do_add_action_item,
    do_approve_review,
    do_edit_review,
    do_prepare_review,
    do_update_action_item,
)
from arrears.reports.models import MonthClose
from arrears.reports.models_review import ActionItem, ReviewCase
from arrears.reports.queries_review import follow_up
from factories import make_user

pytestmark = pytest.mark.django_db
NOV, DEC, JAN = Month(2026, 11), Month(2026, 12), Month(2027, 1)


def close(*months: Month) -> None:
    for month in months:
        MonthClose.objects.create(
            month=month.first,
            closed_on=month.last,
            closed_at=datetime(month.last.year, month.last.month, month.last.day, 15, tzinfo=UTC),
            opening_loans=0,
            next_opening_loans=0,
        )


def prepared(month: Month):
    return do_prepare_review(month, actor=system_actor(), today=month.next().first)


def shown(pack) -> list[tuple]:
    return [(f.text, f.owner, f.status, f.note, f.agreed_in) for f in follow_up(pack)]


def test_action_items_are_followed_up_in_the_next_pack_and_frozen_at_approval():
    """Clause: REV-1 — November's meeting agrees two items; December's pack lists both in its follow-up: one is
    done there with a note, the other stays open and is frozen so in December's approved pack (and its PDF);
    January's pack follows up only the one still open, and cannot touch the one closed in December."""
    close(Month(2026, 10), NOV, DEC, JAN)
    boss = make_user("supervisor", first_name="李主管")
    wang, zhao = make_user("senior_collector", first_name="王芳"), make_user("junior_collector", first_name="赵强")
    november = prepared(NOV)
    first = do_add_action_item(
        november, text="复核违约的分期方案", owner=wang, due_on=date(2026, 12, 15), actor=boss, today=date(2026, 12, 1)
    )
    second = do_add_action_item(
        november,
        text="重度逾期客户上门核实",
        owner=zhao.pk,
        due_on=date(2026, 12, 20),
        actor=boss,
        today=date(2026, 12, 1),
    )
    do_edit_review(november, commentary="十一月评述", actor=boss)
    november = do_approve_review(november, actor=boss)
    assert november.follow_up == []
    december = prepared(DEC)
    assert shown(december) == [
        ("复核违约的分期方案", "王芳", "open", "", "2026-11"),
        ("重度逾期客户上门核实", "赵强", "open", "", "2026-11"),
    ]
    do_update_action_item(first, pack=december, status="done", note="已复核，三户重新议定", actor=boss)
    do_update_action_item(second, pack=december, status="open", note="已安排，下月完成", actor=boss)
    first.refresh_from_db()
    assert (first.status, first.closed_in, first.follow_up_note) == ("done", december, "已复核，三户重新议定")
    do_edit_review(december, commentary="十二月评述", actor=boss)
    december = do_approve_review(december, actor=boss)
    frozen = [(row["text"], row["status"], row["note"]) for row in december.follow_up]
    assert frozen == [
        ("复核违约的分期方案", "done", "已复核，三户重新议定"),
        ("重度逾期客户上门核实", "open", "已安排，下月完成"),
    ]
    with default_storage.open(december.pdf_path, "rb") as stored:
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(stored.read())).pages))
    for words in (
        "往期待办事项跟进",
        "2026-11",
        "复核违约的分期方案",
        "王芳",
        "已复核，三户重新议定",
        "重度逾期客户上门核实",
    ):
        assert words in text, words
    january = prepared(JAN)
    assert shown(january) == [("重度逾期客户上门核实", "赵强", "open", "已安排，下月完成", "2026-11")]
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewConflict, match="followed up in another month's pack"):
        do_update_action_item(first, pack=january, status="open", note="", actor=boss)
    do_update_action_item(second, pack=january, status="dropped", note="客户已结清", actor=boss)
    assert AuditEvent.objects.count() == events + 1
    december.refresh_from_db()
    assert [row["status"] for row in december.follow_up] == ["done", "open"]  # December's pack as approved
    event = AuditEvent.objects.filter(action="reports.update_action_item").latest("pk")
    assert (event.subject_id, event.changes["status"], event.changes["note"]) == (
        "2027-01",
        ["open", "dropped"],
        ["已安排，下月完成", "客户已结清"],
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"text": "  "}, "The action is empty"),
        ({"text": "x" * 501}, "shorten it to 500"),
        ({"text": "a\x00b"}, "cannot be stored"),
        ({"owner": "system"}, "Choose the owner"),
        ({"owner": "agency"}, "Choose the owner"),
        ({"owner": "inactive"}, "Choose the owner"),
        ({"owner": 10**12}, "Choose the owner"),
        ({"owner": "12"}, "Choose the owner"),
        ({"due_on": date(2026, 11, 30)}, "before today \\(2026-12-01\\)"),
        ({"due_on": "2026-12-31"}, "as a date"),
    ],
)
def test_an_action_item_needs_what_who_and_a_due_date_not_past(given, message):
    """Clause: REV-1 — refused with what to do, nothing written: no text, too long, an owner who is not one of the
    bank's people signing in (the nightly run, an agency's user, an inactive account, no such id), a due date
    before today or not a date."""
    close(Month(2026, 10), NOV)
    boss = make_user("supervisor")
    pack = prepared(NOV)
    owners = {
        "system": system_actor(),
        "agency": make_user("agency_user"),
        "inactive": make_user("senior_collector", is_active=False),
    }
    values = {"text": "复核", "owner": make_user("senior_collector"), "due_on": date(2026, 12, 10), **given}
    values["owner"] = (
        owners.get(values["owner"], values["owner"]) if isinstance(values["owner"], str) else values["owner"]
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewError, match=message):
        do_add_action_item(pack, **values, actor=boss, today=date(2026, 12, 1))
    assert (ActionItem.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_edits_refuse_a_case_of_another_pack_and_a_status_that_is_not_one():
    """Clause: REV-1 — choosing a case proposed for another month, or following an item up with an unknown status,
    is refused; nothing changes."""
    close(Month(2026, 10), NOV, DEC)
    boss = make_user("supervisor")
    november, december = prepared(NOV), prepared(DEC)
    other = ReviewCase.objects.create(
        pack=december,
        kind="failure",
        rule="plan_broken",
        subject_type="plan",
        subject_id="1",
        reference="P1",
        occurred_on=date(2026, 12, 3),
    )
    item = do_add_action_item(
        november,
        text="复核",
        owner=make_user("senior_collector"),
        due_on=date(2026, 12, 9),
        actor=boss,
        today=date(2026, 12, 1),
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewError, match="not one of this pack's proposed cases"):
        do_edit_review(november, commentary="评述", cases={other.pk: CaseChoice(True, "x")}, actor=boss)
    with pytest.raises(ReviewError, match="Choose the item's status"):
        do_update_action_item(item, pack=november, status="finished", note="", actor=boss)
    with pytest.raises(ReviewError, match="shorten it to 10000"):
        do_edit_review(november, commentary="长" * 10_001, actor=boss)
    november.refresh_from_db()
    other.refresh_from_db()
    assert (november.commentary, other.chosen, AuditEvent.objects.count()) == ("", False, events)
