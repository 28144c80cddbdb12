"""The retention purge deletes a stored recording's audio past its `retain_until`, keeping its row.

Clause: QA-1 — the recording of the call of 2026-03-20 is kept until 2031-03-20 (five years): the purge as of
that day keeps it; the purge as of 2031-03-21 deletes the audio from the storage, keeps the row with its SHA-256
and the day it was deleted, and records it; the case page then says the recording was deleted under the retention
period, and the player's URL answers 410.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.files.storage import default_storage
from recording_files import wav
from telephony_book import open_book, record

from arrears.collection.models import Call
from arrears.compliance.actions import system_actor
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Loan
from arrears.quality.models_recording import Recording, RecordingSource, TelephonyCall, TelephonyEvent
from arrears.quality.recordings import Audio, do_store_recording
from arrears.retention.actions import do_purge_expired
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

CONTENT = wav()


@pytest.fixture
def stored():
    book = open_book()
    call = record(book.cases["P20"], book.junior)
    row = do_store_recording(
        call,
        Audio(io.BytesIO(CONTENT), len(CONTENT)),
        source=RecordingSource.UPLOAD,
        actor=book.platform,
        today=call.called_on,
    )
    return book, call, row


def test_the_audio_is_deleted_the_day_after_retain_until_and_the_row_stays(stored, client):
    """Clause: QA-1 — as of 2031-03-20 nothing; a dry run of 2031-03-21 counts one and changes nothing; the purge
    of 2031-03-21 deletes the file, keeps the row (SHA-256, size) with `purged_on` 2031-03-21, writes a
    `retention.purge_recording` event and counts it in `retention.purge_expired`; a second purge changes nothing."""
    _book, call, row = stored
    assert row.retain_until == date(2031, 3, 20)
    actor = system_actor()
    assert do_purge_expired(date(2031, 3, 20), actor=actor).recordings_deleted == 0
    dry = do_purge_expired(date(2031, 3, 21), actor=actor, dry_run=True)
    assert (dry.recordings_deleted, dry.events_written) == (1, 0)
    assert default_storage.exists(row.path)
    events = AuditEvent.objects.count()
    report = do_purge_expired(date(2031, 3, 21), actor=actor)
    assert (report.recordings_deleted, report.changed, report.events_written) == (1, 1, 2)
    assert not default_storage.exists(row.path)
    kept = Recording.objects.get()
    assert (kept.path, kept.purged_on, kept.sha256, kept.size) == ("", date(2031, 3, 21), row.sha256, 1644)
    purged, summary = AuditEvent.objects.order_by("pk")[events:]
    assert (purged.action, purged.subject_type, purged.subject_id, purged.basis["clause"]) == (
        "retention.purge_recording",
        "quality.recording",
        str(row.pk),
        "QA-1",
    )
    assert purged.changes == {
        "audio": [f"sha256:{row.sha256}", "deleted"],
        "call": [None, call.pk],
        "retain_until": [None, "2031-03-20"],
    }
    assert summary.changes["recordings_deleted"] == [None, 1]
    again = do_purge_expired(date(2031, 3, 22), actor=actor)
    assert (again.recordings_deleted, again.events_written) == (0, 0)


def test_after_the_purge_the_case_page_says_the_recording_was_deleted(stored, client):
    """Clause: QA-1 — the player is replaced by the day and the reason; the URL answers 410 with the same words
    and writes no play."""
    book, call, _row = stored
    do_purge_expired(date(2031, 3, 21), actor=system_actor())
    client.force_login(make_user("compliance_officer"))
    page = client.get(f"/cases/{book.cases['P20'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    words = "Recording deleted on 2031-03-21 under the retention period (kept until 2031-03-20)."
    assert words in page
    assert "<audio" not in page
    gone = client.get(f"/quality/calls/{call.pk}/recording", HTTP_ACCEPT_LANGUAGE="en")
    assert gone.status_code == 410
    assert "This recording was deleted on 2031-03-21 under the retention period (kept until 2031-03-20)." in (
        gone.content.decode()
    )
    assert not AuditEvent.objects.filter(action="quality.play_recording").exists()


def test_the_platforms_number_goes_with_the_borrowers_personal_data():
    """Clause: PRV-1 — a borrower closed out on 2019-06-30 is anonymised as of 2024-07-01: the number on the call
    platform's record of their call is erased with the call record's, and its event keeps its kind and instant but
    not the JSON that came (which held the number)."""
    borrower = make_borrower()
    loan = make_loan(borrower, start=date(2018, 1, 15), status="closed")
    Loan.objects.filter(pk=loan.pk).update(feed_date=date(2019, 6, 30))
    collector = make_user("junior_collector")
    call = Call.objects.create(
        borrower=borrower,
        collector=collector,
        called_at=datetime(2019, 3, 1, 2, 0, tzinfo=UTC),
        called_on=date(2019, 3, 1),
        number=borrower.mobile,
        outcome="promised",
    )
    platform = TelephonyCall.objects.create(
        platform_call_id="CTI-2019",
        agent=collector,
        number=borrower.mobile,
        call=call,
        linked="matched",
        linked_at=datetime(2019, 3, 1, 2, 5, tzinfo=UTC),
    )
    TelephonyEvent.objects.create(
        telephony_call=platform,
        kind="call.started",
        at=datetime(2019, 3, 1, 1, 58, tzinfo=UTC),
        payload={"event": "call.started", "number": borrower.mobile},
        received_at=datetime(2019, 3, 1, 1, 58, tzinfo=UTC),
        received_by=collector,
    )
    do_purge_expired(date(2024, 7, 1), actor=system_actor())
    assert (Call.objects.get().number, TelephonyCall.objects.get().number) == ("", "")
    event = TelephonyEvent.objects.get()
    assert (event.kind, event.at, event.payload) == ("call.started", datetime(2019, 3, 1, 1, 58, tzinfo=UTC), {})
