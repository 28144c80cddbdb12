"""The ledger is append-only: the ORM refuses changes, the database refuses them too, and concurrent appends
form one chain."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from arrears.accounts.models import Team, User
from arrears.accounts.permissions import Perm
from arrears.bulk import insert_rows
from arrears.compliance import append_only
from arrears.compliance.actions import LedgerBroken, append_events_bulk, audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import HASHED_FIELDS, event_hash, verify_chain
from arrears.compliance.models import AppendOnlyError, AuditEvent, LedgerHead
from factories import make_user

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL behaviour; CI runs it on PostgreSQL")


def one_event() -> AuditEvent:
    with audited(make_user("administrator"), ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None) as rec:
        pass
    return rec.event


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: PostgreSQL aborts on error
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_orm_refuses_to_update_or_delete_events():
    """Clause: AUTH-4 — save(), delete(), update() and bulk delete all raise; the event is unchanged."""
    event = one_event()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent(id=99, reason="forged").save()
    assert list(AuditEvent.objects.values_list("id", "reason")) == [(event.pk, "")]


@pytest.mark.django_db
def test_the_database_refuses_raw_update_and_delete():
    """Below the ORM, triggers refuse UPDATE and DELETE (SQLite and PostgreSQL)."""
    event = one_event()
    for sql, params in (
        ("UPDATE compliance_auditevent SET reason = 'rewritten' WHERE id = %s", [event.pk]),
        ("DELETE FROM compliance_auditevent WHERE id = %s", [event.pk]),
        ("DELETE FROM compliance_auditevent", None),
    ):
        with pytest.raises(IntegrityError, match="the audit ledger is append-only"):
            raw(sql, params)
    assert list(AuditEvent.objects.values_list("id", "reason")) == [(event.pk, "")]
    assert verify_chain().ok


@postgresql_only
@pytest.mark.django_db
def test_postgresql_refuses_truncate_of_the_ledger():
    """TRUNCATE bypasses row triggers; a statement trigger refuses it, of the events or of the head, while the
    ledger has events."""
    one_event()
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # run the pending foreign-key checks, as a commit would
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: TRUNCATE"):
        raw("TRUNCATE compliance_auditevent CASCADE")
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: TRUNCATE on compliance_ledgerhead"):
        raw("TRUNCATE compliance_ledgerhead")
    assert AuditEvent.objects.count() == 1
    assert LedgerHead.objects.values_list("last_id", flat=True).get() == 1


@postgresql_only
def test_concurrent_appends_form_one_chain(ledger_transactional_db):
    """Threads appending at once (each its own transaction) wait for the ledger head in turn: contiguous ids,
    each event chained to the one before, nothing lost."""
    system = User.objects.get(username="nightly-run")
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def appender(n: int) -> None:
        try:
            start.wait()
            for i in range(15):
                if i % 5 == 4:
                    with transaction.atomic():
                        append_events_bulk(
                            [{"action": ActionCode.DAILY_RUN, "permission": Perm.RUN_DAILY}] * 3, actor=system
                        )
                else:
                    with audited(
                        system, ActionCode.DAILY_RUN, permission=Perm.RUN_DAILY, subject=("thread", str(n))
                    ) as rec:
                        rec.change("i", None, i)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    expected = 4 * (12 + 3 * 3)
    assert list(AuditEvent.objects.values_list("id", flat=True)) == list(range(1, expected + 1))
    assert verify_chain() == type(verify_chain())(True, expected)


@postgresql_only
def test_while_one_transaction_appends_no_other_can_take_the_ledger_head(ledger_transactional_db):
    """While one transaction holds the ledger head, another cannot read it (NOWAIT fails at once)."""
    system = User.objects.get(username="nightly-run")
    holding, release = threading.Event(), threading.Event()

    def hold_head() -> None:
        try:
            with audited(system, ActionCode.DAILY_RUN, permission=Perm.RUN_DAILY, subject=None):
                LedgerHead.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_head)
    thread.start()
    assert holding.wait(10)
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerHead.objects.select_for_update(nowait=True).get(pk=1)
    finally:
        release.set()
        thread.join(10)
    assert verify_chain().ok


# --- the ledger head is protected like the events; nothing can be written past it (issue 14, item 18) --------


def four_events() -> None:
    admin = make_user("administrator")
    for n in range(4):
        with audited(admin, ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=("team", str(n))):
            pass


def next_event_after(last_id: int) -> dict:
    """A correctly hashed event chained after `last_id` (a copy of it with the next id), ready to INSERT."""
    fields = AuditEvent.objects.values(*HASHED_FIELDS, "hash").get(id=last_id)
    fields.update(id=last_id + 1, prev_hash=fields.pop("hash"), reason="slipped in")
    fields["hash"] = event_hash(fields)
    return fields


def insert_sql(fields: dict) -> tuple[str, list]:
    names = list(fields)
    params = [AuditEvent._meta.get_field(n).get_db_prep_save(fields[n], connection) for n in names]
    columns = ", ".join("actor_id" if n == "actor_id" else n for n in names)
    return f"INSERT INTO compliance_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(names))})", params  # noqa: S608


def head() -> tuple[int, str]:
    return LedgerHead.objects.values_list("last_id", "last_hash").get(pk=1)


@pytest.mark.django_db
def test_the_database_refuses_an_event_past_the_head():
    """Clause: AUTH-4 — a correctly hashed event after the last one, without the head moved to it: refused (SQLite
    and PostgreSQL); the next audited action then appends #5 as usual."""
    four_events()
    before = head()
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: INSERT on compliance_auditevent"):
        raw(*insert_sql(next_event_after(4)))
    assert (AuditEvent.objects.count(), head()) == (4, before)
    event = one_event()
    assert (event.pk, head()[0]) == (5, 5)
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_bulk_insert_past_the_head_is_refused_too():
    """The nightly run's path (COPY on PostgreSQL, executemany on SQLite), two events at once past the head."""
    four_events()
    fifth = next_event_after(4)
    sixth = {**fifth, "id": 6, "prev_hash": fifth["hash"]}
    sixth["hash"] = event_hash(sixth)
    columns = [*HASHED_FIELDS, "hash"]
    refused = "the audit ledger is append-only: INSERT on compliance_auditevent"  # psycopg's error or Django's
    with pytest.raises(Exception, match=refused), transaction.atomic():
        insert_rows(
            AuditEvent,
            ["actor" if c == "actor_id" else c for c in columns],
            [[row[c] for c in columns] for row in (fifth, sixth)],
        )
    assert AuditEvent.objects.count() == 4
    assert one_event().pk == 5


@pytest.mark.django_db
def test_the_database_refuses_an_event_that_does_not_chain_on():
    """An event with the next id but another prev_hash, after the head was moved to it: refused."""
    four_events()
    fields = next_event_after(4)
    fields["prev_hash"] = "a" * 64
    fields["hash"] = event_hash(fields)
    raw("UPDATE compliance_ledgerhead SET last_id = 5, last_hash = %s WHERE id = 1", [fields["hash"]])
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: INSERT on compliance_auditevent"):
        raw(*insert_sql(fields))
    assert AuditEvent.objects.count() == 4


@pytest.mark.django_db
def test_the_database_refuses_to_move_the_head_back_rewrite_or_delete_it():
    """The head moves only forward, from the chain's last event; it is never deleted while events exist."""
    four_events()
    before = head()
    for sql, params in (
        ("UPDATE compliance_ledgerhead SET last_id = 3 WHERE id = 1", None),
        ("UPDATE compliance_ledgerhead SET last_hash = %s WHERE id = 1", ["f" * 64]),
        ("DELETE FROM compliance_ledgerhead", None),
        ("INSERT INTO compliance_ledgerhead (id, last_id, last_hash) VALUES (2, 9, %s)", ["f" * 64]),
    ):
        with pytest.raises(IntegrityError, match="the audit ledger is append-only"):
            raw(sql, params)
    assert head() == before
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_head_moved_ahead_of_the_chain_cannot_move_again():
    """Moving the head forward by hand (allowed: it is how an append starts) leaves it ahead of the chain: it
    cannot be moved again until an event with its hash fills the gap, and verify reports the missing event."""
    four_events()
    raw("UPDATE compliance_ledgerhead SET last_id = 5, last_hash = %s WHERE id = 1", ["f" * 64])
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: UPDATE on compliance_ledgerhead"):
        raw("UPDATE compliance_ledgerhead SET last_id = 6 WHERE id = 1")
    result = verify_chain()
    assert (result.ok, result.first_broken, result.problem) == (False, 5, "tail_deleted")


@pytest.mark.django_db
def test_an_event_written_past_the_head_with_the_triggers_dropped_stops_appends_with_a_clear_error():
    """Below the triggers (a database owner's doing), an event past the head would take the id the next append
    needs. The append sees the head no longer names the last event: it refuses, names `arrears audit verify`,
    and writes nothing — instead of failing on a duplicate id, or chaining onto the forgery."""
    four_events()
    append_only.remove(connection)
    raw(*insert_sql(next_event_after(4)))
    append_only.install(connection)
    admin = User.objects.get(username=AuditEvent.objects.get(id=4).actor_username)
    with (
        pytest.raises(LedgerBroken, match=r"head \(#4\) does not match its last event \(#5\).*arrears audit verify"),
        audited(admin, ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None),
    ):
        Team.objects.create(name="东区")
    assert (AuditEvent.objects.count(), head()[0], Team.objects.filter(name="东区").exists()) == (5, 4, False)
