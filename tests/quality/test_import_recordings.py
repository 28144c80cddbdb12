"""`arrears qa import-recordings DIR`: the call platform's recordings from a directory with a manifest.

Clause: QA-1 — each row stored whole or not at all, checked against its SHA-256, with its own audit event under
the nightly run's identity; a bad row is reported with its line and what is wrong, the others are stored; running
it again stores nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from recording_files import PDF, mp3, wav
from telephony_book import event, open_book, record

from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.cli import main
from arrears.collection.models import Call
from arrears.compliance.models import AuditEvent
from arrears.quality.models_recording import Recording
from factories import make_user

pytestmark = pytest.mark.django_db

A, B, C = wav(), mp3(), wav(frames=400)


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def folder(tmp_path):
    """Three call records (P20's, M45's — tied to the platform's call CTI-0001 — and a third) and a directory of
    recordings whose manifest has two good rows, eight bad ones and the first again."""
    book = open_book()
    first = record(book.cases["P20"], book.junior)
    m45 = book.cases["M45"]
    at = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
    second, third = (
        Call.objects.create(
            borrower_id=m45.borrower_id,
            case=m45,
            collector=book.junior,
            called_at=at,
            called_on=at.date(),
            outcome="busy",
        )
        for _ in range(2)
    )
    body = {"number": m45.borrower.mobile, "agent": book.junior.username, "call": second.pk}
    assert book.send(**event("call.started", "2026-03-20T09:59:00+08:00", **body)).status_code == 201
    directory = tmp_path / "recordings-2026-03-20"
    (directory / "sub").mkdir(parents=True)
    (directory / "a.wav").write_bytes(A)
    (directory / "sub" / "b.mp3").write_bytes(B)
    (directory / "c.wav").write_bytes(C)
    (directory / "doc.wav").write_bytes(PDF)
    (tmp_path / "outside.wav").write_bytes(C)
    rows = [
        "call,platform_call_id,file,sha256",
        f"{first.pk},,a.wav,{sha(A).upper()}",  # line 2: stored (hex in capitals is the same hash)
        f",CTI-0001,sub/b.mp3,{sha(B)}",  # 3: stored, the platform's call names its record
        f"{third.pk},,c.wav,{sha(A)}",  # 4: another file's hash
        f"{third.pk},,../outside.wav,{sha(C)}",  # 5: outside the directory
        f"{third.pk},,missing.wav,{sha(C)}",  # 6: no such file
        f"{third.pk},,doc.wav,{sha(PDF)}",  # 7: a PDF named .wav
        f"999999,,c.wav,{sha(C)}",  # 8: no such call record
        f"１２,,c.wav,{sha(C)}",  # 9: an id in full-width digits
        f",CTI-NOPE,c.wav,{sha(C)}",  # 10: the platform never reported it
        f"{third.pk},,c\x00.wav,{sha(C)}",  # 11: a NUL in the file's name
        f"{first.pk},,a.wav,{sha(A)}",  # 12: the same recording again
    ]
    (directory / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return directory, first, second, third


def test_each_row_is_stored_whole_or_refused_with_its_line(folder, capsys, media_root):
    """Clause: QA-1 — two recordings stored (P20's call by its id, M45's by the platform's call id), each with a
    `quality.store_recording` event by the nightly run; each bad row on stderr with its line and what is wrong,
    none of them stored; the line 12 repeat counted as already stored; exit status 1."""
    directory, first, second, _third = folder
    assert main(["qa", "import-recordings", str(directory)]) == 1
    out, err = capsys.readouterr()
    assert out == f"recordings imported from {directory}: 2 stored, 1 already stored, 8 refused\n"
    assert err.splitlines() == [
        f"line 4 (c.wav): The file's SHA-256 is {sha(C)}, not the {sha(A)} announced; the file is not the one meant.; "
        "not imported",
        f"line 5 (../outside.wav): file '../outside.wav' is not inside {directory}; not imported",
        f"line 6 (missing.wav): file 'missing.wav' does not exist in {directory}; not imported",
        "line 7 (doc.wav): The file is not a WAV or MP3 recording (its first bytes say otherwise); send the call's "
        "audio as WAV or MP3.; not imported",
        "line 8 (c.wav): call '999999' is no call record (an id is digits 0-9); not imported",
        "line 9 (c.wav): call '１２' is no call record (an id is digits 0-9); not imported",
        "line 10 (c.wav): platform_call_id 'CTI-NOPE' is not a call the platform reported tied to a call record; "
        "not imported",
        "line 11 (c.wav): file contains a NUL character; not imported",
    ]
    stored = {r.call_id: (r.sha256, r.content_type, r.source) for r in Recording.objects.all()}
    assert stored == {first.pk: (sha(A), "audio/wav", "import"), second.pk: (sha(B), "audio/mpeg", "import")}
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 2
    events = AuditEvent.objects.filter(action="quality.store_recording").select_related("actor")
    assert sorted((e.subject_id, e.actor.username) for e in events) == sorted(
        [(str(first.pk), SYSTEM_USERNAME), (str(second.pk), SYSTEM_USERNAME)]
    )


def test_running_it_again_stores_nothing_twice(folder, capsys):
    """A second run: the two recordings (and the repeat) are already stored, nothing new; `--json` gives the
    summary with each refused line."""
    directory, *_ = folder
    main(["qa", "import-recordings", str(directory)])
    capsys.readouterr()
    events = AuditEvent.objects.count()
    assert main(["qa", "import-recordings", str(directory), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["already_stored"]) == (0, 3)
    assert [row["line"] for row in summary["refused"]] == [4, 5, 6, 7, 8, 9, 10, 11]
    assert (Recording.objects.count(), AuditEvent.objects.count()) == (2, events)


def test_a_manifest_that_cannot_be_read_imports_nothing(tmp_path, capsys):
    """No manifest, a manifest without the columns, or one with no rows: one line saying so, exit 1, nothing
    stored; a user who may not store recordings is refused before anything is read."""
    open_book()
    assert main(["qa", "import-recordings", str(tmp_path)]) == 1
    assert "manifest.csv does not exist" in capsys.readouterr().err
    (tmp_path / "manifest.csv").write_text("name,hash\nx.wav,00\n", encoding="utf-8")
    assert main(["qa", "import-recordings", str(tmp_path)]) == 1
    assert "needs the columns file, sha256 and call or platform_call_id (found: hash, name)" in capsys.readouterr().err
    (tmp_path / "manifest.csv").write_text("call,file,sha256\n", encoding="utf-8")
    assert main(["qa", "import-recordings", str(tmp_path)]) == 1
    assert "has no rows; nothing imported" in capsys.readouterr().err
    make_user("junior_collector", username="wang")
    assert main(["qa", "import-recordings", str(tmp_path), "--user", "wang"]) == 1
    assert "quality.telephony" in capsys.readouterr().err
    assert Recording.objects.count() == 0
