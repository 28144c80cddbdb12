"""`arrears audit verify` finds the first broken link of the hash chain: edited, deleted or reordered events."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.cli import main
from arrears.compliance import append_only
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import event_hash
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def four_events() -> None:
    admin = make_user("administrator")
    for name in ("一组", "二组", "三组", "四组"):
        with audited(admin, ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None, reason=name) as rec:
            rec.set_subject(Team.objects.create(name=name))
            rec.change("name", None, name)


def tamper(*statements: str | tuple[str, list]) -> None:
    """Raw SQL as someone with database access would run it. The append-only triggers are dropped first
    (inside the test's transaction, so they are back after the test)."""
    append_only.remove(connection)
    with connection.cursor() as cursor:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            cursor.execute(sql, params)


def verify(capsys, *args: str) -> tuple[int, str]:
    status = main(["audit", "verify", *args])
    return status, capsys.readouterr().out


def test_an_intact_chain_exits_0_with_the_number_checked(capsys):
    """Clause: AUTH-4 — an untouched ledger verifies."""
    four_events()
    assert verify(capsys) == (0, "audit ledger intact: 4 events checked\n")
    status, out = verify(capsys, "--json")
    assert (status, json.loads(out)) == (0, {"ok": True, "checked": 4, "first_broken": None, "reason": None})


def test_an_empty_ledger_is_intact(capsys):
    """No events yet: nothing to break."""
    assert verify(capsys) == (0, "audit ledger intact: 0 events checked\n")


def test_an_edited_event_is_reported_as_edited(capsys):
    """Changing a recorded reason breaks that event's own hash."""
    four_events()
    tamper("UPDATE compliance_auditevent SET reason = 'nothing to see' WHERE id = 2")
    status, out = verify(capsys)
    assert status == 1
    assert out.splitlines() == [
        "audit ledger BROKEN at event #2: event #2's hash does not match its contents: it was edited",
        "1 events before it checked and intact",
    ]


def test_an_edited_and_rehashed_event_breaks_the_next_link(capsys):
    """Recomputing the edited event's hash does not help: the next event still points at the old hash."""
    four_events()
    event = AuditEvent.objects.values().get(id=2)
    event["reason"] = "nothing to see"
    new_hash = event_hash(event)
    tamper(("UPDATE compliance_auditevent SET reason = 'nothing to see', hash = %s WHERE id = 2", [new_hash]))
    status, out = verify(capsys, "--json")
    result = json.loads(out)
    assert (status, result["first_broken"], result["checked"]) == (1, 3, 2)
    assert "prev_hash does not match" in result["reason"]


def test_a_deleted_event_is_reported_at_the_gap(capsys):
    """Removing an event leaves a gap in the ids and a dangling prev_hash after it."""
    four_events()
    tamper("DELETE FROM compliance_auditevent WHERE id = 2")
    status, out = verify(capsys)
    assert status == 1
    assert out.startswith("audit ledger BROKEN at event #3: event #2 is missing before #3: deleted\n")


def test_a_deleted_last_event_is_caught_by_the_ledger_head(capsys):
    """The tail has no successor to point at it; the head row records where the chain ends."""
    four_events()
    tamper("DELETE FROM compliance_auditevent WHERE id = 4")
    status, out = verify(capsys, "--json")
    result = json.loads(out)
    assert (status, result["first_broken"], result["checked"]) == (1, 4, 3)
    assert "the chain ends at #3 but the ledger head records #4" in result["reason"]


def test_a_reordered_pair_is_reported_at_the_first_moved_event(capsys):
    """Swapping two events' ids breaks the prev_hash link where the order changed."""
    four_events()
    tamper(
        "UPDATE compliance_auditevent SET id = -3 WHERE id = 3",
        "UPDATE compliance_auditevent SET id = 3 WHERE id = 2",
        "UPDATE compliance_auditevent SET id = 2 WHERE id = -3",
    )
    status, out = verify(capsys)
    assert status == 1
    assert out.startswith(
        "audit ledger BROKEN at event #2: event #2's prev_hash does not match the hash of the event before it: "
        "an event was deleted or events were reordered"
    )
