"""Real speech recognition end to end: sentences spoken by espeak-ng, heard by pocketsphinx's English model.

The words asserted are those pocketsphinx gets right on this audio every time (it is deterministic: the same
samples give the same words). It mishears others — "bank calling" comes back as "man falling" — which is why
the assertions name words rather than whole sentences.
"""

from __future__ import annotations

import numpy as np
import pytest
from speech_audio import espeak, wav

from arrears.quality.speech.audio import resample
from arrears.quality.speech.base import RecognitionFailed
from arrears.quality.speech.sphinx import SphinxRecogniser

AGENT_SAYS = "hello this is the bank calling about your overdue payment"
CUSTOMER_SAYS = "i will pay the money next week"


@pytest.fixture(scope="module")
def recogniser():
    return SphinxRecogniser()  # one decoder for the module: loading the model takes a moment


@pytest.fixture(scope="module")
def call():
    """A stereo call at the rate espeak-ng speaks (22,050 Hz): the agent, half a second's pause, the customer."""
    agent, rate = espeak(AGENT_SAYS)
    customer, _ = espeak(CUSTOMER_SAYS)
    pause = bytes(rate)  # half a second of 16-bit silence
    left = agent + pause + bytes(len(customer))
    right = bytes(len(agent)) + pause + customer
    return wav(left, right, rate=rate), rate, len(agent) // 2 * 1000 // rate


def words(text: str) -> set[str]:
    return set(text.split())


def test_a_stereo_call_is_heard_side_by_side_in_the_order_it_was_spoken(recogniser, call):
    """Clause: QA-1"""
    audio, _, agent_ms = call
    transcript = recogniser.transcribe(audio, content_type="audio/wav", language="en")
    assert [u.speaker for u in transcript.utterances] == ["agent", "customer"]
    agent, customer = transcript.utterances
    assert {"hello", "this", "about", "overdue"} <= words(agent.text)
    assert {"pay", "money", "next", "week"} <= words(customer.text)
    assert agent.end_ms <= customer.start_ms
    assert customer.start_ms >= agent_ms  # the customer speaks after the agent's sentence and the pause
    assert transcript.as_text().startswith("Agent: hello this is")
    assert (transcript.source, transcript.language) == ("pocketsphinx", "en")


def test_audio_at_48_khz_is_resampled_to_the_models_16_khz(recogniser, call):
    """A softphone's 48 kHz recording, mono: brought to 16 kHz, the same words are heard."""
    _, rate, _ = call
    customer, _ = espeak(CUSTOMER_SAYS)
    softphone = resample(customer, rate, 48000)
    transcript = recogniser.transcribe(wav(softphone, rate=48000), content_type="audio/wav", language="en")
    (heard,) = transcript.utterances
    assert heard.speaker == "unknown"
    assert {"pay", "money", "next", "week"} <= words(heard.text)


def test_silence_and_noise_give_no_words_of_the_sentence(recogniser):
    hiss = np.random.default_rng(20).normal(0, 30, 16000).astype("<i2").tobytes()
    transcript = recogniser.transcribe(wav(hiss), content_type="audio/wav", language="en")
    assert not {"hello", "overdue", "payment"} & words(" ".join(u.text for u in transcript.utterances))


def test_pocketsphinx_refuses_chinese_rather_than_mishear_it(recogniser, call):
    audio, _, _ = call
    with pytest.raises(RecognitionFailed) as caught:
        recogniser.transcribe(audio, content_type="audio/wav", language="zh")
    assert caught.value.problem == "unsupported_language"
    assert "handles en only" in caught.value.detail


def test_an_mp3_is_refused_because_there_is_no_decoder_here(recogniser):
    with pytest.raises(RecognitionFailed) as caught:
        recogniser.transcribe(b"ID3\x04" + bytes(500), content_type="audio/mpeg", language="en")
    assert caught.value.problem == "unsupported_content_type"
