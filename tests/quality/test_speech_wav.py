"""Recordings as the recognisers take them: WAV checked and split by side, resampled, the sides merged by time."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from speech_audio import fmt, riff, samples, wav

from arrears.quality.speech.audio import Channel, ChannelRecogniser, Segment, merge, read_wav, resample
from arrears.quality.speech.base import RecognitionFailed


def refused(audio: bytes, problem: str, words: str) -> None:
    with pytest.raises(RecognitionFailed) as caught:
        read_wav(audio)
    assert caught.value.problem == problem
    assert words in caught.value.detail


def test_a_mono_recording_is_one_channel_whose_speaker_is_unknown():
    (channel,) = read_wav(wav(samples([0, 1, -1, 32767, -32768]), rate=8000))
    assert channel == Channel("unknown", samples([0, 1, -1, 32767, -32768]), 8000)


def test_a_stereo_recording_is_the_agent_on_the_left_and_the_customer_on_the_right():
    audio = wav(samples([1, 3, 5]), samples([2, 4, 6]), rate=8000)
    assert audio[44:56] == samples([1, 2, 3, 4, 5, 6])  # interleaved, as WAV keeps them
    assert read_wav(audio) == [
        Channel("agent", samples([1, 3, 5]), 8000),
        Channel("customer", samples([2, 4, 6]), 8000),
    ]


def test_a_setting_may_put_the_agent_on_the_right():
    audio = wav(samples([1, 3, 5]), samples([2, 4, 6]), rate=8000)
    assert read_wav(audio, agent_channel="right") == [
        Channel("agent", samples([2, 4, 6]), 8000),
        Channel("customer", samples([1, 3, 5]), 8000),
    ]


def test_extensible_wav_with_pcm_samples_is_read_like_plain_pcm():
    pcm_guid = bytes.fromhex("0100000000001000800000aa00389b71")
    extra = (22).to_bytes(2, "little") + (16).to_bytes(2, "little") + (3).to_bytes(4, "little") + pcm_guid
    audio = riff(fmt(tag=0xFFFE, channels=2, rate=8000, extra=extra), samples([1, 2, 3, 4]))
    assert read_wav(audio) == [Channel("agent", samples([1, 3]), 8000), Channel("customer", samples([2, 4]), 8000)]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (fmt(tag=6, rate=8000, bits=8), "A-law (G.711), not PCM"),
        (fmt(tag=7, rate=8000, bits=8), "μ-law (G.711), not PCM"),
        (fmt(tag=3, bits=32), "IEEE float, not PCM"),
        (fmt(tag=0xFFFE, extra=bytes(2) + bytes(6) + bytes.fromhex("0300")), "sub-format other than PCM"),
        (fmt(bits=8), "8-bit PCM, not 16-bit"),
        (fmt(bits=24), "24-bit PCM, not 16-bit"),
        (fmt(channels=3), "3 channels"),
        (fmt(rate=4000), "4000 samples a second"),
        (fmt(rate=96000), "96000 samples a second"),
    ],
)
def test_anything_but_16_bit_pcm_in_one_or_two_channels_is_refused_with_how_to_convert(header, words):
    refused(riff(header, bytes(96)), "unsupported_audio", words)


def test_a_recording_cut_short_is_refused_as_truncated():
    whole = wav(samples(range(1000)))
    refused(whole[:-10], "truncated", "declares 2000 bytes of samples but the file holds 1990")
    refused(whole[:30], "truncated", "no complete fmt chunk")
    refused(whole[:40], "truncated", "ends before its data chunk")
    refused(whole[:6], "truncated", "ends after 6 bytes")


def test_nul_bytes_empty_files_and_other_files_are_refused_as_not_a_wav():
    refused(bytes(4096), "bad_audio", "4096 NUL bytes")
    refused(b"", "bad_audio", "empty")
    refused(b"ID3\x04\x00" + bytes(100), "bad_audio", "it looks like an MP3: send it as audio/mpeg")
    refused("坐席:您好".encode(), "bad_audio", "does not start with RIFF")
    refused(riff(fmt(), samples([1, 2]), fmt_first=False), "bad_audio", "no complete fmt chunk before its samples")
    refused(riff(fmt()[:12], samples([1, 2])), "bad_audio", "no complete fmt chunk")


def test_a_recording_without_samples_is_empty():
    refused(wav(b""), "empty_audio", "no samples")


def test_an_odd_frame_size_is_refused():
    header = fmt(channels=2)[:12] + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    refused(riff(header, samples([1, 2, 3, 4])), "bad_audio", "frames are 2 bytes long, not 4")


VALID = wav(samples([100, -200, 300, -400]), samples([5, 6, 7, 8]), rate=8000)


@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8), st.integers(0, len(VALID)))
def test_no_damage_to_a_wav_file_makes_the_reader_crash(changes, length):
    """Any bytes changed and any cut: channels read, or RecognitionFailed; never another exception."""
    damaged = bytearray(VALID)
    for index, value in changes:
        damaged[index] = value
    try:
        outcome = read_wav(bytes(damaged[:length]))
    except RecognitionFailed as failure:
        outcome = failure
    if isinstance(outcome, RecognitionFailed):
        assert outcome.problem in {"bad_audio", "unsupported_audio", "truncated", "empty_audio"}
    else:
        assert 1 <= len(outcome) <= 2


@given(st.binary(max_size=200))
def test_no_bytes_at_all_make_the_reader_crash(data):
    with contextlib.suppress(RecognitionFailed):
        read_wav(b"RIFF" + data)


def test_resampling_keeps_a_steady_level_steady_and_the_duration():
    level = samples([1000] * 800)
    up = np.frombuffer(resample(level, 8000, 16000), dtype="<i2")
    assert len(up) == 1600
    assert set(up[100:-100]) == {1000}  # away from the ends, where the filter runs into the silence around
    down = np.frombuffer(resample(samples([1000] * 22050), 22050, 16000), dtype="<i2")
    assert len(down) == 16000
    assert set(down[200:-200]) == {1000}
    assert resample(level, 16000, 16000) is level


def test_resampling_keeps_a_tone_in_the_passband_and_removes_one_above_the_new_nyquist_frequency():
    t = np.arange(48000) / 48000
    speech_band = samples(np.rint(10000 * np.sin(2 * np.pi * 1000 * t)))
    above = samples(np.rint(10000 * np.sin(2 * np.pi * 12000 * t)))
    kept = np.frombuffer(resample(speech_band, 48000, 16000), dtype="<i2")[1000:-1000]
    removed = np.frombuffer(resample(above, 48000, 16000), dtype="<i2")[1000:-1000]
    assert 9900 <= kept.max() <= 10000
    assert np.abs(removed).max() < 10000 * 10 ** (-60 / 20)  # at least 60 dB down instead of folding to 4 kHz


def test_the_sides_are_merged_by_start_time_the_agent_first_on_a_tie_untimed_last():
    merged = merge(
        [
            (
                "agent",
                [Segment("您好", 0, 900), Segment("请问是张伟先生吗？", 2000, 3100), Segment("没有时间", None, None)],
            ),
            ("customer", [Segment("喂？", 0, 400), Segment("是我。", 2000, 2500), Segment("  ", 3000, 3100)]),
        ]
    )
    assert [(u.speaker, u.text, u.start_ms) for u in merged] == [
        ("agent", "您好", 0),
        ("customer", "喂？", 0),
        ("agent", "请问是张伟先生吗？", 2000),
        ("customer", "是我。", 2000),
        ("agent", "没有时间", None),
    ]


class Scripted(ChannelRecogniser):
    """Hears in each channel what a test scripted for its first sample, and notes what it was given."""

    source = "pocketsphinx"

    def __init__(self, script, **kwargs):
        super().__init__(**kwargs)
        self.script, self.heard = script, []

    def recognise_channel(self, channel, language):
        self.heard.append((channel.speaker, channel.rate, len(channel.pcm)))
        return self.script[np.frombuffer(channel.pcm, dtype="<i2")[0]]


def test_each_side_of_a_stereo_call_is_recognised_on_its_own_and_merged():
    recogniser = Scripted(
        {1: [Segment("Hello, this is the bank.", 0, 1500)], 2: [Segment("Who is calling?", 800, 1200)]}
    )
    transcript = recogniser.transcribe(wav(samples([1] * 8), samples([2] * 8)), content_type="audio/wav", language="en")
    assert recogniser.heard == [("agent", 16000, 16), ("customer", 16000, 16)]
    assert transcript.as_text() == "Agent: Hello, this is the bank.\nCustomer: Who is calling?\n"
    assert transcript.source == "pocketsphinx"


def test_a_silent_side_is_not_sent_to_the_recogniser():
    recogniser = Scripted({1: [Segment("Hello?", 0, 500)]})
    transcript = recogniser.transcribe(wav(samples([1] * 8), bytes(16)), content_type="audio/x-wav", language="en")
    assert recogniser.heard == [("agent", 16000, 16)]
    assert [(u.speaker, u.text) for u in transcript.utterances] == [("agent", "Hello?")]


def test_a_mono_call_gives_utterances_of_unknown_speaker():
    recogniser = Scripted({7: [Segment("Hello?", 0, 500)]})
    transcript = recogniser.transcribe(wav(samples([7] * 8)), content_type="audio/wav; codecs=1", language="zh")
    assert [(u.speaker, u.text) for u in transcript.utterances] == [("unknown", "Hello?")]


def test_a_file_that_is_not_audio_or_a_language_not_handled_is_refused():
    recogniser = Scripted({})
    with pytest.raises(RecognitionFailed) as caught:
        recogniser.transcribe(b"%PDF-1.7", content_type="application/pdf", language="zh")
    assert caught.value.problem == "unsupported_content_type"
    assert "'application/pdf'" in caught.value.detail
    with pytest.raises(RecognitionFailed) as caught:
        recogniser.transcribe(wav(samples([1])), content_type="audio/wav", language="fr")
    assert caught.value.problem == "unsupported_language"
    assert recogniser.heard == []
