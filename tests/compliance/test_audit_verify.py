"""`arrears audit verify` finds the first broken link of the hash chain: edited, deleted or reordered events."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import connection

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.cli import main
from arrears.compliance import append_only
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import HASHED_FIELDS, event_hash
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


def test_an_intact_chain_exits_0_with_the_number_checked(capsys, ledger_anchors):
    """Clause: AUTH-4 — an untouched ledger verifies, and says when no anchor backs it."""
    four_events()
    assert verify(capsys) == (
        0,
        "audit ledger intact: 4 events checked\n"
        f"no anchor in {ledger_anchors}: a chain rewritten consistently would not show "
        "(publish one with `arrears audit anchor`)\n",
    )
    status, out = verify(capsys, "--json")
    assert (status, json.loads(out)) == (
        0,
        {"ok": True, "checked": 4, "first_broken": None, "reason": None, "anchors": 0},
    )


def test_an_empty_ledger_is_intact(capsys):
    """No events yet: nothing to break."""
    status, out = verify(capsys)
    assert (status, out.splitlines()[0]) == (0, "audit ledger intact: 0 events checked")


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


# --- events past the head, a rewritten head, and the anchors kept outside the database (issue 14, item 18) ----


def insert_event(fields: dict) -> None:
    """INSERT one ledger row as someone with database access would (values prepared as Django stores them)."""
    names = list(fields)
    params = [AuditEvent._meta.get_field(n).get_db_prep_save(fields[n], connection) for n in names]
    columns = ", ".join("actor_id" if n in ("actor", "actor_id") else n for n in names)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO compliance_auditevent ({columns}) VALUES ({marks})", params)  # noqa: S608


def next_event_after(last_id: int, reason: str) -> dict:
    """A correctly hashed event chained after event `last_id`: a copy of it with the next id and a new reason."""
    fields = AuditEvent.objects.values(*HASHED_FIELDS, "hash").get(id=last_id)
    fields.update(id=last_id + 1, prev_hash=fields.pop("hash"), reason=reason)
    fields["hash"] = event_hash(fields)
    return fields


def rewrite_chain(reasons: dict[int, str]) -> None:
    """Change the reasons of some events and re-hash the whole chain and the head consistently, with the
    triggers dropped: the chain alone then verifies."""
    append_only.remove(connection)
    prev = "0" * 64
    with connection.cursor() as cursor:
        for fields in AuditEvent.objects.order_by("id").values(*HASHED_FIELDS):
            fields["reason"] = reasons.get(fields["id"], fields["reason"])
            fields["prev_hash"] = prev
            prev = event_hash(fields)
            cursor.execute(
                "UPDATE compliance_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [fields["reason"], fields["prev_hash"], prev, fields["id"]],
            )
        cursor.execute("UPDATE compliance_ledgerhead SET last_hash = %s WHERE id = 1", [prev])


def hash_of(event_id: int) -> str:
    return AuditEvent.objects.values_list("hash", flat=True).get(id=event_id)


def test_an_event_written_past_the_head_is_found(capsys):
    """Clause: AUTH-4 — a correctly hashed event inserted after the last one, the head left as it was (triggers
    dropped, as only a database owner can): verify names it and exits 1."""
    four_events()
    append_only.remove(connection)
    insert_event(next_event_after(4, "slipped in"))
    status, out = verify(capsys, "--json")
    assert (status, json.loads(out)) == (
        1,
        {
            "ok": False,
            "checked": 4,
            "first_broken": 5,
            "reason": "event #5 lies beyond the ledger head (#4): it was written into the database directly, "
            "not appended by arrears",
            "anchors": 0,
        },
    )


def test_a_head_rewritten_back_over_the_last_event_is_found(capsys):
    """The head moved back to #3 (with #3's hash) while #4 is still there: #4 lies beyond the head."""
    four_events()
    tamper(("UPDATE compliance_ledgerhead SET last_id = 3, last_hash = %s WHERE id = 1", [hash_of(3)]))
    status, out = verify(capsys)
    assert status == 1
    assert out.startswith("audit ledger BROKEN at event #4: event #4 lies beyond the ledger head (#3)")


def test_a_head_with_another_hash_is_found(capsys):
    """The head's hash rewritten: it no longer names the chain's last event."""
    four_events()
    tamper("UPDATE compliance_ledgerhead SET last_hash = '" + "f" * 64 + "' WHERE id = 1")
    status, out = verify(capsys)
    assert status == 1
    assert out.startswith("audit ledger BROKEN at event #4: event #4's hash differs from the one the ledger head")


def test_a_deleted_head_row_is_found(capsys):
    four_events()
    tamper("DELETE FROM compliance_ledgerhead")
    status, out = verify(capsys)
    assert (status, out.splitlines()[0]) == (1, "audit ledger BROKEN: the ledger head row is missing: it was deleted")


def test_an_event_with_an_id_below_the_chain_is_found(capsys):
    """An event given id 0 (not after the head, so no gap shows at the end): found at the start."""
    four_events()
    append_only.remove(connection)
    fields = next_event_after(4, "before everything")
    fields["id"] = 0
    insert_event(fields)
    status, out = verify(capsys)
    assert status == 1
    assert out.startswith("audit ledger BROKEN at event #0: event #0 has an id outside the chain's order")


def anchor_now(capsys) -> str:
    assert main(["audit", "anchor"]) == 0
    return capsys.readouterr().out


def test_anchor_publishes_the_signed_head_once(capsys, ledger_anchors, settings):
    """Clause: AUTH-4 — `arrears audit anchor` appends one signed line naming the head; again with nothing new,
    it writes nothing; after one more event, a second line."""
    four_events()
    assert anchor_now(capsys) == f"ledger anchored at event #4 ({hash_of(4)}) in {ledger_anchors}\n"
    (line,) = ledger_anchors.read_text().splitlines()
    data = json.loads(line)
    key = settings.ARREARS_LEDGER_ANCHOR_KEY_FILE.read_text().strip().encode()
    assert (data["head_id"], data["head_hash"], data["v"]) == (4, hash_of(4), 1)
    assert data["key"] == hashlib.sha256(key).hexdigest()[:16]
    message = json.dumps(
        {"at": data["at"], "head_hash": data["head_hash"], "head_id": 4, "v": 1}, sort_keys=True, separators=(",", ":")
    )
    assert data["sig"] == hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    assert anchor_now(capsys).startswith("ledger head #4 already anchored at ")
    assert len(ledger_anchors.read_text().splitlines()) == 1
    with audited(make_user("administrator"), ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None):
        pass
    anchor_now(capsys)
    assert [json.loads(x)["head_id"] for x in ledger_anchors.read_text().splitlines()] == [4, 5]
    status, out = verify(capsys)
    assert (status, out.splitlines()) == (
        0,
        ["audit ledger intact: 5 events checked", f"checked against 2 anchors in {ledger_anchors}"],
    )


def test_deleting_the_tail_and_rewriting_the_head_is_caught_by_the_anchor(capsys, ledger_anchors):
    """The chain alone cannot show it: #4 deleted and the head set to #3 with #3's hash is a consistent, shorter
    chain. The anchor published at #4 names what is missing."""
    four_events()
    anchor_now(capsys)
    tamper(
        "DELETE FROM compliance_auditevent WHERE id = 4",
        ("UPDATE compliance_ledgerhead SET last_id = 3, last_hash = %s WHERE id = 1", [hash_of(3)]),
    )
    at = json.loads(ledger_anchors.read_text())["at"]
    status, out = verify(capsys)
    assert status == 1
    assert out.splitlines()[0] == (
        f"audit ledger BROKEN at event #4: the chain ends at #3 but the anchor of {at} (anchors.jsonl line 1) "
        "recorded event #4: events after #3 were deleted and the ledger head rewritten"
    )
    assert out.splitlines()[2] == (
        f"If this database was replaced on purpose (a fresh demo, a restore from an older backup), "
        f"move {ledger_anchors} aside: its anchors belong to the ledger that was replaced."
    )


def test_a_chain_rehashed_throughout_is_caught_by_the_anchor(capsys, ledger_anchors):
    """Event #2's reason changed and every hash from #2 on recomputed, the head too: each link holds, but #4's
    hash is no longer the one anchored."""
    four_events()
    anchor_now(capsys)
    rewrite_chain({2: "nothing to see"})
    at = json.loads(ledger_anchors.read_text())["at"]
    status, out = verify(capsys)
    assert status == 1
    assert out.splitlines()[0] == (
        f"audit ledger BROKEN at event #4: event #4's hash differs from the one the anchor of {at} "
        "(anchors.jsonl line 1) recorded: the chain was rewritten since (events edited, deleted or inserted, "
        "and re-hashed)"
    )
    assert main(["audit", "anchor"]) == 1  # and no anchor vouches for the rewritten chain
    assert len(ledger_anchors.read_text().splitlines()) == 1


def test_a_forged_anchor_line_is_refused(capsys, ledger_anchors):
    """A line appended by someone without the key (here: a head the chain does have, signed with another key)."""
    four_events()
    anchor_now(capsys)
    forged = json.loads(ledger_anchors.read_text())
    forged["sig"] = hmac.new(b"a guess", b"anything", hashlib.sha256).hexdigest()
    with ledger_anchors.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
    status, out = verify(capsys, "--json")
    result = json.loads(out)
    assert (status, result["first_broken"], result["anchors"]) == (1, None, 2)
    assert result["reason"] == (
        f"the anchor of {forged['at']} (anchors.jsonl line 2) has a bad signature: it was forged or altered, "
        "or signed with another key"
    )


def test_an_altered_anchor_line_is_refused(capsys, ledger_anchors):
    """Changing the anchored head (to let a shortened chain pass) breaks the line's signature."""
    four_events()
    anchor_now(capsys)
    ledger_anchors.write_text(ledger_anchors.read_text().replace('"head_id":4', '"head_id":3'))
    status, out = verify(capsys)
    assert status == 1
    assert "(anchors.jsonl line 1) has a bad signature" in out


def test_anchors_without_their_key_cannot_vouch(capsys, ledger_anchors, settings):
    """The key file lost (or the verifier not given it): verify says so and fails rather than skip the anchors."""
    four_events()
    anchor_now(capsys)
    settings.ARREARS_LEDGER_ANCHOR_KEY_FILE.unlink()
    status, out = verify(capsys)
    assert (status, out.splitlines()[0]) == (
        1,
        "audit ledger BROKEN: anchors.jsonl holds 1 anchors but no anchor key is configured to check them: set "
        "ARREARS_LEDGER_ANCHOR_KEY or restore the key file",
    )


def test_the_anchor_key_may_come_from_the_environment(capsys, ledger_anchors, settings):
    """ARREARS_LEDGER_ANCHOR_KEY signs instead of a key file (none is made); another key fails the anchors."""
    settings.ARREARS_LEDGER_ANCHOR_KEY = "kept by the operators, not the DBA"
    four_events()
    anchor_now(capsys)
    assert not settings.ARREARS_LEDGER_ANCHOR_KEY_FILE.exists()
    assert verify(capsys)[0] == 0
    settings.ARREARS_LEDGER_ANCHOR_KEY = "another key"
    status, out = verify(capsys)
    assert (status, "has a bad signature" in out) == (1, True)


def test_anchor_refuses_a_broken_ledger_and_writes_nothing(capsys, ledger_anchors):
    """An anchor must never vouch for a chain already broken: exit 1, the reason, no file written."""
    four_events()
    tamper("UPDATE compliance_auditevent SET reason = 'nothing to see' WHERE id = 3")
    assert main(["audit", "anchor"]) == 1
    err = capsys.readouterr().err
    # The security log (stderr, with the error handler of `settings.LOGGING`) may come first; then the command's line.
    assert any(
        line.startswith("arrears: error: the audit ledger is broken at event #3: event #3's hash")
        for line in err.splitlines()
    )
    assert "run `arrears audit verify`" in err
    assert not ledger_anchors.exists()
