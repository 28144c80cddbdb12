"""Call recordings: storing one for a call record, and playing it (Clause: QA-1, CALL-3, PRV-1).

* What is audio is told by the bytes, never by the name (`quality.audio.audio_kind`): WAV or MP3, else refused.
* `do_store_recording` keeps the audio of one call record through Django's storage API (`default_storage`), as
  `recordings/YYYY/MM/DD/call-<id>-<sha256 prefix>.wav|mp3` (the call's day; no personal data in the name), with
  its SHA-256 and size, kept until the call's day plus `retention.recordings_years` of the policy in force on the
  business date it is stored. One recording a call: a second is refused (409), and an import compares it with
  the one stored (`RecordingExists`). A file that is empty, larger than ARREARS_MAX_RECORDING_BYTES, not WAV or
  MP3, whose SHA-256 is not the one announced, or already past its retention period is refused, and nothing is
  stored. The file is written first and the row with its audit event after; if the row cannot be written, the
  file is deleted again.
* `do_play_recording` opens the audio for a permitted listener (`quality.listen`: supervisors, compliance
  officers, QA reviewers): each play is an audited read, with the byte range asked for. A refusal is logged on
  `arrears.security` and writes nothing. After the retention purge the row says when the audio was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection.models import Call
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.quality.audio import CHUNK, audio_kind, sha256_of
from arrears.quality.errors import QualityError, RecordingExists, TooLarge
from arrears.quality.models_recording import Recording, RecordingSource
from arrears.retention.periods import anniversary
from arrears.rules.queries import policy_on

__all__ = ["CHUNK", "Audio", "do_play_recording", "do_store_recording", "retain_until"]


def retain_until(call: Call, today: date) -> date:
    """QA-1: the call's day plus `retention.recordings_years` of the policy in force on `today` (the day the
    recording is stored) — the same period as the recordings kept in `ARREARS_RECORDINGS_DIR`: the call of
    2026-03-20, five years, is kept through 2031-03-20 and deleted from 2031-03-21."""
    return anniversary(call.called_on, policy_on(today).retention.recordings_years)


@dataclass(frozen=True)
class Audio:
    """A recording's audio as sent: a binary stream that can seek (an upload, an open file), its size as
    declared, and the SHA-256 announced with it (an import's manifest), if any."""

    stream: IO[bytes]
    size: int
    sha256: str = ""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0")


def _checked(audio: Audio) -> tuple[tuple[str, str], str, int]:
    limit = settings.ARREARS_MAX_RECORDING_BYTES
    if audio.size > limit:
        raise TooLarge(
            _("The recording is %(mb)s MB; at most %(max)s MB is stored. Send a shorter or compressed (MP3) file.")
            % {"mb": _mb(audio.size), "max": _mb(limit)}
        )
    digest, size = sha256_of(audio.stream)
    if size == 0:
        raise QualityError(_("The recording is empty (0 bytes); send the call's audio itself."))
    if size > limit:
        raise TooLarge(
            _("The recording is %(mb)s MB; at most %(max)s MB is stored. Send a shorter or compressed (MP3) file.")
            % {"mb": _mb(size), "max": _mb(limit)}
        )
    kind = audio_kind(audio.stream)
    if kind is None:
        raise QualityError(
            _(
                "The file is not a WAV or MP3 recording (its first bytes say otherwise); send the call's audio as "
                "WAV or MP3."
            )
        )
    announced = audio.sha256.strip().lower()
    if announced and announced != digest:
        raise QualityError(
            _("The file's SHA-256 is %(found)s, not the %(announced)s announced; the file is not the one meant.")
            % {"found": digest, "announced": announced[:64]}
        )
    return kind, digest, size


def do_store_recording(call: Call, audio: Audio, *, source: str, actor: Any, today: date) -> Recording:
    """Store the recording of `call` (see the module docstring). Needs `quality.telephony`. Raises
    `QualityError` (422), `TooLarge` (413) or `RecordingExists` (409) — and then nothing is stored."""
    require(actor, Perm.TELEPHONY)
    if source not in RecordingSource.values:
        raise ValueError(f"unknown recording source {source!r}")
    (content_type, extension), digest, size = _checked(audio)
    existing = Recording.objects.filter(call=call).first()
    if existing is not None:
        raise _exists(existing)
    keep_until = retain_until(call, today)
    if keep_until < today:
        raise QualityError(
            _(
                "The call of %(day)s is past the recordings' retention period (kept until %(until)s); its recording "
                "is not stored."
            )
            % {"day": call.called_on.isoformat(), "until": keep_until.isoformat()}
        )
    name = f"recordings/{call.called_on:%Y/%m/%d}/call-{call.pk}-{digest[:16]}.{extension}"
    stored = default_storage.save(name, File(audio.stream, name=name))
    try:
        with audited(
            actor, ActionCode.STORE_RECORDING, permission=Perm.TELEPHONY, subject=call, clause="QA-1"
        ) as record:
            row = Recording.objects.create(
                call=call,
                path=stored,
                content_type=content_type,
                size=size,
                sha256=digest,
                source=source,
                stored_by=actor,
                stored_at=timezone.now(),
                retain_until=keep_until,
            )
            record.change("recording_sha256", None, digest)
            record.change("size", None, size)
            record.change("content_type", None, content_type)
            record.change("source", None, source)
            record.change("retain_until", None, keep_until)
    except IntegrityError:  # another upload for the same call won the race
        default_storage.delete(stored)
        raise _exists(Recording.objects.filter(call=call).first()) from None
    except BaseException:
        default_storage.delete(stored)
        raise
    return row


def _exists(existing: Recording | None) -> RecordingExists:
    return RecordingExists(
        _("Call record %(call)s has a recording already (SHA-256 %(sha)s); a call has one recording.")
        % {"call": existing.call_id if existing else "", "sha": existing.sha256 if existing else ""},
        existing,
    )


def do_play_recording(recording: Recording, *, actor: Any, first: int = 0, last: int | None = None) -> IO[bytes]:
    """Open the audio of `recording` for `actor` (`quality.listen`): an audited read of bytes `first`–`last`
    (PRV-1). Raises `ActionDenied` (nothing written), `RecordingDeleted` after the retention purge, or
    `FileNotFoundError` when the storage lost the file (no event then: nothing was read)."""
    require(actor, Perm.LISTEN_RECORDINGS)
    if recording.purged:
        raise RecordingDeleted(recording)
    stream = default_storage.open(recording.path, "rb")
    try:
        with audited(
            actor, ActionCode.PLAY_RECORDING, permission=Perm.LISTEN_RECORDINGS, subject=recording.call, clause="PRV-1"
        ) as record:
            record.change("recording_sha256", None, recording.sha256)
            record.change("bytes", None, f"{first}-{'' if last is None else last}")
    except BaseException:
        stream.close()
        raise
    return stream


class RecordingDeleted(QualityError):
    """The audio was deleted under the retention period; `.recording` says when."""

    status = 410

    def __init__(self, recording: Recording) -> None:
        super().__init__(
            _("This recording was deleted on %(day)s under the retention period (kept until %(until)s).")
            % {"day": recording.purged_on.isoformat(), "until": recording.retain_until.isoformat()}
        )
        self.recording = recording


__all__ += ["RecordingDeleted"]
