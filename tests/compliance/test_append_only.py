"""The ledger is append-only: the ORM refuses changes, the database refuses them too, and concurrent appends
form one chain."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from arrears.accounts.models import User
from arrears.accounts.permissions import Perm
from arrears.compliance.actions import append_events_bulk, audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AppendOnlyError, AuditEvent
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
    """TRUNCATE bypasses row triggers; a statement trigger refuses it while the ledger has events."""
    one_event()
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # run the pending foreign-key checks, as a commit would
    with pytest.raises(IntegrityError, match="the audit ledger is append-only: TRUNCATE"):
        raw("TRUNCATE compliance_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


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
    from arrears.compliance.models import LedgerHead

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
