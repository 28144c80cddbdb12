"""The call platform uploads a call record's recording (`POST /api/v1/calls/{id}/recording`).

Clause: QA-1 — recordings are kept for the quality inspection: stored through Django's storage API with their
SHA-256, WAV or MP3 told by their bytes, one a call, kept for `retention.recordings_years` (5 years) after the
call's day. The junior collector's call on P20 of 2026-03-20 is kept until 2031-03-20.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from apicalls import bearer, events
from django.core.files.storage import default_storage
from recording_files import PDF, id3_mp3, mp3, wav
from telephony_book import open_book, record

from arrears.accounts.tokens import do_create_token
from arrears.collection.models import Call
from arrears.quality.models_recording import Recording
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return open_book()


@pytest.fixture
def call(book):
    return record(book.cases["P20"], book.junior)


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def unchanged(media_root) -> tuple:
    """What a refused upload must leave as it was: recordings, stored files, the ledger (the token's `api.call`
    records aside)."""
    return (
        list(Recording.objects.values()),
        stored_files(media_root),
        [e.action for e in events() if e.action != "api.call"],
    )


def test_a_wav_recording_is_stored_with_its_sha256_until_its_retention_ends(book, call, media_root):
    """Clause: QA-1 — 201 with the SHA-256, size, kind and `retain_until` 2031-03-20 (2026-03-20 + 5 years);
    the file is stored under recordings/2026/03/20/ exactly as sent, named by the call and its hash (no personal
    data); the ledger has `quality.store_recording` under the call platform's account."""
    content = wav()
    answer = book.upload(call.pk, content, name="13900001111.wav")
    assert answer.status_code == 201, answer.content
    digest = hashlib.sha256(content).hexdigest()
    body = answer.json()
    assert {k: body[k] for k in ("call", "sha256", "size", "content_type", "retain_until")} == {
        "call": call.pk,
        "sha256": digest,
        "size": 1644,
        "content_type": "audio/wav",
        "retain_until": "2031-03-20",
    }
    row = Recording.objects.get()
    assert row.path == f"recordings/2026/03/20/call-{call.pk}-{digest[:16]}.wav"
    assert stored_files(media_root) == [row.path]
    with default_storage.open(row.path, "rb") as stored:
        assert stored.read() == content
    assert (row.retain_until, row.source, row.stored_by, row.purged_on) == (
        date(2031, 3, 20),
        "upload",
        book.platform,
        None,
    )
    event = events("quality.store_recording")[0]
    assert (event.actor, event.subject_id, event.basis["clause"]) == (book.platform, str(call.pk), "QA-1")
    assert event.changes["recording_sha256"] == [None, digest]
    assert event.changes["retain_until"] == [None, "2031-03-20"]


@pytest.mark.parametrize(("content", "name"), [(mp3(), "call.bin"), (id3_mp3(), "call.wav")])
def test_an_mp3_is_told_by_its_bytes_not_by_its_name(book, call, content, name):
    """MPEG audio frames, bare or behind an ID3 tag, are MP3 whatever the file is called."""
    answer = book.upload(call.pk, content, name=name)
    assert answer.status_code == 201, answer.content
    assert answer.json()["content_type"] == "audio/mpeg"
    assert Recording.objects.get().path.endswith(".mp3")


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (PDF, 422, "The file is not a WAV or MP3 recording"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", 422, "The file is not a WAV or MP3 recording"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x05hello", 422, "The file is not a WAV or MP3 recording"),
        (b"", 422, "The recording is empty (0 bytes)"),
    ],
)
def test_what_is_not_a_recording_is_refused_and_nothing_stored(book, call, media_root, content, status, message):
    """A PDF named call.wav, an AVI (RIFF of another form), an ID3 tag with no audio after it, an empty file: 422
    with what was wrong; no row, no file, no audit event."""
    before = unchanged(media_root)
    answer = book.upload(call.pk, content, name="call.wav")
    assert answer.status_code == status, answer.content
    assert message in answer.json()["error"]["message"]
    assert unchanged(media_root) == before


def test_a_recording_over_the_size_limit_is_refused(book, call, media_root, settings):
    """ARREARS_MAX_RECORDING_BYTES (here 1 MiB): a 1.5 MB WAV is 413 with the limit; a body declared larger than
    the request limit is 413 before anything reads it."""
    settings.ARREARS_MAX_RECORDING_BYTES = 1024 * 1024
    before = unchanged(media_root)
    answer = book.upload(call.pk, wav(frames=800_000))
    assert answer.status_code == 413
    assert answer.json()["error"]["message"] == (
        "The recording is 1.5 MB; at most 1 MB is stored. Send a shorter or compressed (MP3) file."
    )
    huge = bearer(book.token).generic(
        "POST",
        f"/api/v1/calls/{call.pk}/recording",
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10**12),
    )
    assert (huge.status_code, huge.json()["error"]["code"]) == (413, "too_large")
    assert unchanged(media_root) == before


def test_a_call_has_one_recording(book, call, media_root):
    """A second upload for the same call is 409 and the first recording stays as it was."""
    assert book.upload(call.pk, wav()).status_code == 201
    before = unchanged(media_root)
    second = book.upload(call.pk, mp3())
    assert second.status_code == 409
    assert second.json()["error"]["message"].startswith(f"Call record {call.pk} has a recording already")
    assert unchanged(media_root) == before


def test_a_call_past_the_retention_period_is_not_stored(book, media_root):
    """Clause: QA-1 — a call of 2021-03-01 would be kept until 2026-03-01 (five years), before the business date:
    its recording is refused (422), not stored only to be deleted."""
    old = record(book.cases["P20"], book.junior)
    Call.objects.filter(pk=old.pk).update(called_on=date(2021, 3, 1))
    before = unchanged(media_root)
    answer = book.upload(old.pk, wav())
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == (
        "The call of 2021-03-01 is past the recordings' retention period (kept until 2026-03-01); its recording is "
        "not stored."
    )
    assert unchanged(media_root) == before


@pytest.mark.parametrize(
    ("path", "status"),
    [("999999", 404), ("０", 422), ("%EF%BC%91", 422), ("0", 422), (str(10**30), 422), ("abc", 422), ("1%002", 400)],
)
def test_an_id_that_is_no_call_is_refused(book, call, media_root, path, status):
    """An id that is no call record: 404; an id in full-width digits, zero, too large or not a number: 422; a NUL
    in the path: 400 — nothing stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = unchanged(media_root)
    upload = {"file": SimpleUploadedFile("c.wav", wav())}
    assert bearer(book.token).post(f"/api/v1/calls/{path}/recording", upload).status_code == status
    assert unchanged(media_root) == before


@pytest.mark.parametrize("role", ["junior_collector", "supervisor", "compliance_officer"])
def test_other_roles_may_not_upload(book, call, media_root, role, client):
    """Clause: AUTH-1 — a collector's, a supervisor's or a compliance officer's token, and a supervisor's session:
    403 and nothing stored, even for a call that exists."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = do_create_token(f"svc-{role}", role, actor=make_user("administrator"))[1]
    before = unchanged(media_root)
    assert book.upload(call.pk, wav(), token=token).status_code == 403
    client.force_login(make_user("supervisor"))
    session = client.post(f"/api/v1/calls/{call.pk}/recording", {"file": SimpleUploadedFile("c.wav", wav())})
    assert session.status_code == 403
    assert unchanged(media_root) == before


def test_a_nul_in_a_field_stores_nothing_and_the_file_name_is_never_kept(book, call, media_root):
    """A NUL in a form field: 400 before anything is stored. The uploaded file's name is not kept (the storage
    names the file by its call and hash), so a NUL there reaches nothing stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = unchanged(media_root)
    client = bearer(book.token)
    field = client.post(f"/api/v1/calls/{call.pk}/recording", {"file": SimpleUploadedFile("a.wav", wav()), "x": "\x00"})
    assert field.status_code == 400
    assert unchanged(media_root) == before
    named = client.post(f"/api/v1/calls/{call.pk}/recording", {"file": SimpleUploadedFile("a\x00.wav", wav())})
    assert named.status_code == 201
    assert "\x00" not in Recording.objects.get().path
