"""Recordings heard and inspected (QA-1): the stored recording of a call, spoken by espeak-ng on two channels, is
heard by pocketsphinx (the offline recogniser) and its transcript inspected like one the platform delivers."""

from __future__ import annotations

import io

import pytest
from review_book import DAY, make_call, make_case, people, sample_share
from speech_audio import espeak, wav

from arrears.compliance.actions import system_actor
from arrears.quality.models_inspection import Inspection
from arrears.quality.models_recording import RecordingSource
from arrears.quality.recordings import Audio, do_store_recording
from arrears.quality.speech.platform import PlatformTranscripts
from arrears.quality.speech.sphinx import SphinxRecogniser
from arrears.quality.transcription import transcribe_pending

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def spoken_call() -> bytes:
    agent, rate = espeak("you are a liar and a thief")
    customer, _ = espeak("i will complain about you")
    pause = bytes(rate)
    return wav(agent + pause + bytes(len(customer)), bytes(len(agent)) + pause + customer, rate=rate)


def store(call, data: bytes, platform) -> None:
    do_store_recording(
        call, Audio(io.BytesIO(data), len(data)), source=RecordingSource.UPLOAD, actor=platform, today=DAY
    )


def test_a_stored_recording_is_heard_inspected_and_queued_for_review():
    """Clause: QA-1 — the agent's insult heard on the left channel is a finding; the call waits for review; a
    second run hears nothing again."""
    sample_share("0")
    who = people()
    call = make_call(make_case(), who["junior"])
    store(call, spoken_call(), who["platform"])
    done = transcribe_pending(actor=system_actor(), today=DAY, recogniser=SphinxRecogniser())
    assert (done.inspected, done.flagged, done.failed) == (1, 1, {})
    inspection = Inspection.objects.get(call=call)
    assert inspection.transcript.source == "pocketsphinx"
    assert inspection.transcript.text.splitlines() == [
        "Agent: you are a liar and a thief",
        "Customer: i will complain and you",
    ]
    assert [f["rule"] for f in inspection.result["findings"]] == ["prohibited_language"]
    assert inspection.review.reason == "flagged"
    again = transcribe_pending(actor=system_actor(), today=DAY, recogniser=SphinxRecogniser())
    assert (again.inspected, again.failed) == (0, {})


def test_a_recording_the_recogniser_cannot_hear_is_counted_and_the_others_go_on():
    """An MP3 (pocketsphinx decodes WAV only) is refused with its reason; the WAV beside it is heard."""
    sample_share("0")
    who = people()
    case = make_case()
    mp3_call, wav_call = make_call(case, who["junior"]), make_call(case, who["junior"])
    store(mp3_call, b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 600, who["platform"])
    store(wav_call, spoken_call(), who["platform"])
    done = transcribe_pending(actor=system_actor(), today=DAY, recogniser=SphinxRecogniser())
    assert done.inspected == 1
    assert done.failed == {mp3_call.pk: "unsupported_content_type"}
    assert not Inspection.objects.filter(call=mp3_call).exists()


def test_with_the_platform_delivering_transcripts_nothing_is_heard_here():
    who = people()
    call = make_call(make_case(), who["junior"])
    store(call, spoken_call(), who["platform"])
    done = transcribe_pending(actor=system_actor(), today=DAY, recogniser=PlatformTranscripts())
    assert (done.inspected, done.failed) == (0, {})
    assert not Inspection.objects.exists()


def test_the_worker_hears_recordings_only_when_a_recogniser_is_configured(settings):
    """Clause: QA-1 — the day's schedule has the job due every ARREARS_WORKER_TRANSCRIBE_MINUTES with a recogniser,
    never with the platform delivering transcripts; its outcome counts what was heard."""
    from datetime import UTC, datetime

    from arrears.operations.jobs import JOBS, transcribe, transcribe_due

    now = datetime(2026, 11, 10, 2, 7, tzinfo=UTC)
    settings.ARREARS_SPEECH = "platform"
    assert transcribe_due(now) == []
    settings.ARREARS_SPEECH = "pocketsphinx"
    settings.ARREARS_WORKER_TRANSCRIBE_MINUTES = 15
    assert len(transcribe_due(now)) == 1
    assert JOBS["transcribe"].run is transcribe
    sample_share("0")
    who = people()
    store(make_call(make_case(), who["junior"]), spoken_call(), who["platform"])
    outcome = transcribe({}, system_actor())
    assert outcome.words[0] == ("transcribed", {"inspected": 1, "flagged": 1})
