"""Playing a call recording on the case page (`/quality/calls/{id}/recording`), for the roles that may listen.

Clause: QA-1, PRV-1 — supervisors, compliance officers and QA reviewers listen (`quality.listen`); every play is
an audited read; collectors (even the call's own), agency users and everyone else are refused, and nothing is
written for them. The recording: the junior collector's call on P20 of 2026-03-20, a WAV of 1,644 bytes.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.apps import apps
from recording_files import wav
from telephony_book import event, open_book, record

from arrears.compliance.models import AuditEvent
from arrears.quality.models_recording import Recording, RecordingSource
from arrears.quality.recordings import Audio, do_store_recording
from factories import make_user

pytestmark = pytest.mark.django_db

CONTENT = wav()
LISTENERS = ["supervisor", "compliance_officer", "qa_reviewer"]
REFUSED = [
    "junior_collector",
    "senior_collector",
    "legal_officer",
    "agency_user",
    "analyst",
    "administrator",
    "telephony",
]


@pytest.fixture
def book():
    return open_book()


@pytest.fixture
def recorded(book):
    call = record(book.cases["P20"], book.junior)
    do_store_recording(
        call,
        Audio(io.BytesIO(CONTENT), len(CONTENT)),
        source=RecordingSource.UPLOAD,
        actor=book.platform,
        today=call.called_on,
    )
    return call


def url(call) -> str:
    return f"/quality/calls/{call.pk}/recording"


def plays() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="quality.play_recording").order_by("pk"))


def snapshot() -> dict[str, int]:
    """Row counts of every table arrears writes (sessions aside)."""
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "contenttypes", "auth"}
    }


@pytest.mark.parametrize("role", REFUSED)
def test_a_recording_read_by_a_role_without_permission_is_refused(book, recorded, role, client, caplog):
    """Clause: QA-1, PRV-1, AUTH-1 — the call's own collector, a senior collector, a legal officer, an agency's
    user, an analyst, an administrator and the call platform's account may not listen: 403, with or without a
    Range, no audio sent, no play written to the ledger and no table changed; the refusal is logged on
    `arrears.security`. The collector's case page shows no player."""
    user = book.junior if role == "junior_collector" else make_user(role)
    client.force_login(user)
    before = snapshot()
    with caplog.at_level(logging.WARNING, logger="arrears.security"):
        whole = client.get(url(recorded))
        ranged = client.get(url(recorded), HTTP_RANGE="bytes=0-99")
    assert (whole.status_code, ranged.status_code) == (403, 403)
    assert CONTENT not in whole.content
    assert whole["Content-Type"].startswith("text/html")
    assert snapshot() == before
    assert plays() == []
    assert any("lacks quality.listen" in r.getMessage() for r in caplog.records)
    if role == "junior_collector":
        page = client.get(f"/cases/{book.cases['P20'].pk}/").content.decode()
        assert "<audio" not in page
        assert url(recorded) not in page


@pytest.mark.parametrize("role", LISTENERS)
def test_each_play_is_an_audited_read(book, recorded, role, client):
    """Clause: QA-1, PRV-1 — a supervisor, a compliance officer, a QA reviewer: 200, the WAV exactly as stored
    with its content type, never cached; one `quality.play_recording` event per play, naming the call, the
    recording's SHA-256 and the bytes sent."""
    listener = make_user(role)
    client.force_login(listener)
    for _ in range(2):
        answer = client.get(url(recorded))
        assert answer.status_code == 200
        assert b"".join(answer.streaming_content) == CONTENT
        assert (answer["Content-Type"], answer["Content-Length"], answer["Accept-Ranges"]) == (
            "audio/wav",
            "1644",
            "bytes",
        )
        assert (answer["Cache-Control"], answer["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    sha = Recording.objects.get().sha256
    assert [(e.actor, e.subject_type, e.subject_id, e.basis["permission"], e.changes) for e in plays()] == [
        (
            listener,
            "collection.call",
            str(recorded.pk),
            "quality.listen",
            {"recording_sha256": [None, sha], "bytes": [None, "0-1643"]},
        )
    ] * 2


def test_a_player_seeks_with_http_range(book, recorded, client):
    """A single byte range is answered 206 with Content-Range (each an audited read of those bytes); a range past
    the end 416 (nothing read, nothing written); several ranges or a range in other digits are ignored (the whole
    file, 200)."""
    client.force_login(make_user("qa_reviewer"))
    cases = [
        ("bytes=44-", 206, CONTENT[44:], "bytes 44-1643/1644"),
        ("bytes=-100", 206, CONTENT[-100:], "bytes 1544-1643/1644"),
        ("bytes=0-99", 206, CONTENT[:100], "bytes 0-99/1644"),
        ("bytes=1000-99999", 206, CONTENT[1000:], "bytes 1000-1643/1644"),
        ("bytes=0-1,5-6", 200, CONTENT, None),
        ("bytes=٤٤-", 200, CONTENT, None),
    ]
    for header, status, body, content_range in cases:
        answer = client.get(url(recorded), HTTP_RANGE=header)
        assert (answer.status_code, b"".join(answer.streaming_content)) == (status, body), header
        assert answer.get("Content-Range") == content_range, header
    assert [e.changes["bytes"][1] for e in plays()] == ["44-1643", "1544-1643", "0-99", "1000-1643", "0-1643", "0-1643"]
    past = client.get(url(recorded), HTTP_RANGE="bytes=1644-")
    assert (past.status_code, past["Content-Range"]) == (416, "bytes */1644")
    assert len(plays()) == 6


def test_the_case_page_shows_the_player_to_listeners_and_the_measured_duration_to_all(book, client):
    """Clause: QA-1, CALL-3 — the call tied to the platform's call shows its measured duration (186 seconds,
    marked as the call platform's) to everyone who opens the case; a supervisor also gets the player
    (`<audio controls preload="none">`, so that opening the page plays nothing and writes no play), the junior
    collector none."""
    p20 = book.cases["P20"]
    body = {"number": p20.borrower.mobile, "agent": book.junior.username}
    book.send(**event("call.started", "2026-03-20T09:50:00+08:00", **body))
    book.send(**event("call.ended", "2026-03-20T09:53:06+08:00", **body))
    call = record(p20, book.junior)
    do_store_recording(
        call,
        Audio(io.BytesIO(CONTENT), len(CONTENT)),
        source=RecordingSource.UPLOAD,
        actor=book.platform,
        today=call.called_on,
    )
    client.force_login(make_user("supervisor"))
    page = client.get(f"/cases/{p20.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<audio controls preload="none" src="/quality/calls/{call.pk}/recording"></audio>' in page
    assert (
        '<td class="num">186 <span class="clause measured" title="measured by the call platform, not typed">'
        "call platform</span></td>" in page
    )
    assert plays() == []
    client.force_login(book.junior)
    own = client.get(f"/cases/{p20.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<audio" not in own
    assert "Recording</th>" not in own
    assert '186 <span class="clause measured"' in own


def test_a_call_without_a_recording_or_whose_file_is_missing(book, recorded, client, media_root):
    """404 for a call that has no recording; 404 with what to do when the storage lost the file (and no play is
    written: nothing was read)."""
    client.force_login(make_user("supervisor"))
    assert client.get("/quality/calls/999999/recording").status_code == 404
    (media_root / Recording.objects.get().path).unlink()
    missing = client.get(url(recorded), HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert "The recording&#x27;s audio is missing from the storage; tell an administrator." in missing.content.decode()
    assert plays() == []
