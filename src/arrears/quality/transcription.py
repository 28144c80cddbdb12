"""From recordings to inspections (Clause: QA-1): every stored recording without a transcript is heard by the
recogniser `ARREARS_SPEECH` names (`arrears.quality.speech`), and what it heard is kept and inspected like a
transcript the call platform delivers (`reviews.do_record_transcript`), so every recorded call is inspected.

`transcribe_pending` does a batch: the oldest recordings first, each on its own (one that cannot be heard — a
format the recogniser refuses, a server that does not answer — is counted with its reason and tried again next
time; the others go on). With `ARREARS_SPEECH=platform` nothing is heard here: the platform sends transcripts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.storage import default_storage

from arrears.quality.errors import QualityError
from arrears.quality.models_recording import Recording
from arrears.quality.reviews import do_record_transcript
from arrears.quality.speech.base import Recogniser, RecognitionFailed, recogniser_from_settings

__all__ = ["Transcribed", "transcribe_pending"]

log = logging.getLogger("arrears.quality")

# The language each recogniser hears: FunASR's Mandarin models, pocketsphinx's US English one.
LANGUAGE = {"funasr": "zh", "pocketsphinx": "en"}


@dataclass
class Transcribed:
    inspected: int = 0
    flagged: int = 0
    failed: dict[int, str] = field(default_factory=dict)  # call id → the recogniser's or the inspection's reason

    def as_dict(self) -> dict:
        return {"inspected": self.inspected, "flagged": self.flagged, "failed": self.failed}


def pending(limit: int) -> list[Recording]:
    """The stored recordings (audio not purged) whose call has no transcript yet, oldest first."""
    return list(
        Recording.objects.filter(purged_on__isnull=True, call__transcript__isnull=True)
        .select_related("call__case")
        .order_by("stored_at", "pk")[:limit]
    )


def transcribe_pending(
    *, actor: Any, today: date, limit: int = 500, recogniser: Recogniser | None = None
) -> Transcribed:
    """Hear and inspect up to `limit` recordings (module docstring). `actor` needs `quality.telephony`."""
    recogniser = recogniser or recogniser_from_settings()
    done = Transcribed()
    source = getattr(recogniser, "source", "platform")
    if source not in LANGUAGE:
        return done  # the call platform delivers its transcripts; nothing to hear here
    for recording in pending(limit):
        try:
            with default_storage.open(recording.path, "rb") as audio:
                heard = recogniser.transcribe(
                    audio.read(), content_type=recording.content_type, language=LANGUAGE[source]
                )
            text = heard.as_text()
            inspection = do_record_transcript(recording.call, text, source=source, actor=actor, today=today)
        except (RecognitionFailed, QualityError, OSError) as problem:
            reason = getattr(problem, "problem", None) or type(problem).__name__
            log.warning("call %s: recording not transcribed (%s): %s", recording.call_id, reason, problem)
            done.failed[recording.call_id] = str(reason)
            continue
        done.inspected += 1
        done.flagged += inspection.flagged
    return done
