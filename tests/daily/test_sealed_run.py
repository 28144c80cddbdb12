"""The nightly run's changes are sealed change records, and `arrears audit verify` checks them against their
seals: an edited, re-digested, deleted or added change record is found like an edited event (AUTH-4)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import IntegrityError, connection, transaction

from arrears.cli import main
from arrears.collection.models import CollectionCase
from arrears.compliance import append_only
from arrears.compliance.models import AuditEvent, ChangeRecord
from arrears.compliance.sealed import object_trail, sealed_changes
from arrears.compliance.seals import change_digest
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from book import build_book, nightly_run

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 20)


@pytest.fixture
def two_nights(ledger_anchors):
    """A book of 12 borrowers run on two dates in chunks of 4 borrowers: several seals a date."""
    build_book(12, seed=7, as_of=AS_OF)
    do_run_daily(AS_OF, actor=nightly_run(), chunk_borrowers=4)
    do_run_daily(AS_OF + timedelta(days=1), actor=nightly_run(), chunk_borrowers=4)


def verify(capsys) -> tuple[int, list[str]]:
    status = main(["audit", "verify"])
    return status, capsys.readouterr().out.splitlines()


def tamper(sql: str, params: list | None = None) -> None:
    """Raw SQL as someone with database access would run it, the append-only triggers dropped first (inside
    the test's transaction)."""
    append_only.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def seals() -> list[dict]:
    return [
        {"id": event.id, **event.changes["sealed"][1]}
        for event in AuditEvent.objects.filter(action="engine.seal_changes").order_by("id")
    ]


def test_each_chunk_is_sealed_by_one_event_over_its_changes(two_nights, capsys):
    """Clause: AUTH-4 — the run's changes are all on record: numbered 1, 2, 3 … per date, every one within a
    seal, the seals' counts adding up to the records; the ledger holds one event per chunk, not one per change;
    `audit verify` recomputes the seals and finds the ledger intact."""
    found = seals()
    assert len(found) > 2
    records = ChangeRecord.objects.count()
    assert sum(seal["count"] for seal in found) == records > len(found)
    for batch in ("daily:2026-03-20", "daily:2026-03-21"):
        numbers = list(ChangeRecord.objects.filter(batch=batch).order_by("seq").values_list("seq", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        ranges = [(s["first"], s["last"]) for s in found if s["batch"] == batch]
        assert (ranges[0][0], ranges[-1][1]) == (1, len(numbers))
        assert all(a[1] + 1 == b[0] for a, b in pairwise(ranges))
    run = Run.objects.get(business_date=AS_OF)
    assert run.changes["audit_events"] == ChangeRecord.objects.filter(batch="daily:2026-03-20").count()
    status, out = verify(capsys)
    assert (status, out[0]) == (0, f"audit ledger intact: {AuditEvent.objects.count()} events checked")


def test_an_edited_change_record_is_found(two_nights, capsys):
    """Clause: AUTH-4 — changing what a record says breaks its digest; verify names the record and its seal."""
    record = ChangeRecord.objects.filter(action="collection.open_case").order_by("id").first()
    seal = next(s for s in seals() if s["batch"] == record.batch and s["first"] <= record.seq <= s["last"])
    tamper("UPDATE compliance_changerecord SET clause = 'CLS-9' WHERE id = %s", [record.pk])
    status, out = verify(capsys)
    assert (status, out[0]) == (
        1,
        f"audit ledger BROKEN at event #{seal['id']}: sealed change {record.batch} #{record.seq} (sealed by "
        f"event #{seal['id']}) does not match its digest: it was edited",
    )


def test_an_edited_and_re_digested_change_record_is_found_by_its_seal(two_nights, capsys):
    """Clause: AUTH-4 — recomputing the edited record's own digest does not help: the seal's digest over the
    records no longer matches."""
    record = ChangeRecord.objects.filter(action="collection.open_case").order_by("id").first()
    seal = next(s for s in seals() if s["batch"] == record.batch and s["first"] <= record.seq <= s["last"])
    forged = json.dumps({"pool": [None, "junior"]}, separators=(",", ":"))
    digest = change_digest(
        record.batch, record.seq, record.action, record.subject_type, record.subject_id, record.clause, forged, ""
    )
    tamper(
        "UPDATE compliance_changerecord SET changes = %s, reason = '', digest = %s WHERE id = %s",
        [forged, digest, record.pk],
    )
    status, out = verify(capsys)
    assert (status, out[0]) == (
        1,
        f"audit ledger BROKEN at event #{seal['id']}: the changes sealed by event #{seal['id']} do not give the "
        "digest it records: a change record was edited and re-digested, or replaced",
    )


def test_a_deleted_change_record_is_found(two_nights, capsys):
    """Clause: AUTH-4 — removing a record leaves its seal short of a change."""
    seal = seals()[1]
    tamper(
        "DELETE FROM compliance_changerecord WHERE batch = %s AND seq = %s",
        [seal["batch"], seal["first"] + 1],
    )
    status, out = verify(capsys)
    assert (status, out[0]) == (
        1,
        f"audit ledger BROKEN at event #{seal['id']}: event #{seal['id']} sealed {seal['count']} changes but "
        f"1 are there in order: change records were deleted",
    )


def test_an_added_change_record_is_found(two_nights, capsys):
    """Clause: AUTH-4 — a record written into the table directly, even numbered next and with a correct digest
    of its own, is sealed by no event."""
    batch, last = "daily:2026-03-21", ChangeRecord.objects.filter(batch="daily:2026-03-21").count()
    case = CollectionCase.objects.first()
    fields = [batch, last + 1, "collection.close_case", "collection.collectioncase", str(case.pk), "CLS-1"]
    changes = '{"status":["open","closed"]}'
    digest = change_digest(*fields, changes, "")
    tamper(
        "INSERT INTO compliance_changerecord (batch, seq, action, subject_type, subject_id, clause, changes, "
        "reason, digest) VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s)",
        [*fields, changes, digest],
    )
    status, out = verify(capsys)
    assert (status, out[0]) == (
        1,
        f"audit ledger BROKEN: sealed change {batch} #{last + 1} is sealed by no event: it was written into the "
        "database directly, not recorded by arrears",
    )


def test_the_database_refuses_to_change_or_remove_a_change_record(two_nights):
    """Clause: AUTH-4 — the change records are append-only below the ORM, like the events."""
    for sql in ("UPDATE compliance_changerecord SET reason = 'x'", "DELETE FROM compliance_changerecord"):
        with (
            pytest.raises(IntegrityError, match="the audit ledger is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_a_case_s_trail_shows_the_run_s_changes_with_their_seal(two_nights):
    """Clause: AUTH-4 — read per object, the record still shows what the nightly run did to it: when, by whom,
    under which clause (the time and actor of the seal)."""
    case = CollectionCase.objects.order_by("pk").first()
    trail = object_trail("collection.collectioncase", case.pk)
    opened = trail[0]
    assert (opened["action"], opened["actor"], opened["clause"]) == ("collection.open_case", "nightly-run", "CLS-1")
    seal = AuditEvent.objects.get(id=opened["event"])
    assert (seal.action, opened["at"]) == ("engine.seal_changes", seal.at)
    assert opened["changes"]["pool"][0] is None
    (record,) = sealed_changes(
        subject_type="collection.collectioncase", subject_id=str(case.pk), action__endswith="open_case"
    )
    assert record.basis == {"permission": "engine.run_daily", "clause": "CLS-1", "approval": None}


def test_running_a_date_again_records_nothing(two_nights):
    """Idempotent: a date run again, or resumed from its first borrower, adds no change record and no seal."""
    before = (ChangeRecord.objects.count(), AuditEvent.objects.count())
    (again,) = do_run_daily(AS_OF + timedelta(days=1), actor=nightly_run())
    assert (again.already_done, (ChangeRecord.objects.count(), AuditEvent.objects.count())) == (True, before)
    Run.objects.filter(business_date=AS_OF + timedelta(days=1)).update(status="failed", cursor=0)
    (resumed,) = do_run_daily(AS_OF + timedelta(days=1), actor=nightly_run(), chunk_borrowers=4)
    assert resumed.attempts == 2
    assert ChangeRecord.objects.count() == before[0]
    assert not AuditEvent.objects.filter(action="engine.seal_changes", id__gt=before[1]).exists()


def test_a_compliance_officer_finds_a_case_s_changes_on_the_ledger_pages(two_nights, client):
    """Clause: AUTH-4 — beside the ledger, the sealed changes page lists what the run did to an object, found by
    its id; like the ledger, it cannot be changed."""
    from factories import make_user

    client.force_login(make_user("compliance_officer"))
    case = CollectionCase.objects.order_by("pk").first()
    page = client.get(
        "/admin/compliance/changerecord/", {"q": str(case.pk)}, headers={"accept-language": "en"}
    ).content.decode()
    assert "open a case" in page
    assert '<span translate="no">CLS-1</span>' in page or "CLS-1" in page
    record = ChangeRecord.objects.filter(subject_id=str(case.pk)).first()
    url = f"/admin/compliance/changerecord/{record.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert client.post(f"/admin/compliance/changerecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
