"""Refusals of call quality's actions: the message says what was wrong and what to do, in the active language;
`status` is the HTTP answer the API gives it (422 input that is never right, 409 the state refuses it now or a
repeat that contradicts what was received, 413 too large)."""

from __future__ import annotations


class QualityError(ValueError):
    status = 422


class QualityConflict(QualityError):
    status = 409


class TooLarge(QualityError):
    status = 413


class RecordingExists(QualityConflict):
    """The call has a recording already; `.recording` is it (an import compares its SHA-256)."""

    def __init__(self, message: str, recording) -> None:
        super().__init__(message)
        self.recording = recording
