"""Transcripts delivered by the call platform: read as they are, checked before anything is believed."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from arrears.quality.speech.base import RecognitionFailed, Utterance
from arrears.quality.speech.platform import MAX_BYTES, PlatformTranscripts

PLATFORM = PlatformTranscripts()


def read(data: bytes | str, content_type: str = "text/plain; charset=utf-8", language: str = "zh"):
    body = data.encode() if isinstance(data, str) else data
    return PLATFORM.transcribe(body, content_type=content_type, language=language)


def refused(data: bytes | str, content_type: str = "text/plain") -> RecognitionFailed:
    with pytest.raises(RecognitionFailed) as caught:
        read(data, content_type)
    return caught.value


def test_a_text_transcript_is_read_line_by_line_and_rendered_back_the_same():
    """Clause: QA-1"""
    text = "坐席:您好，这里是示例银行。\n客户：是我。\n\n   \n坐席: 您的账单已逾期15天。\n"
    transcript = read(text)
    assert transcript.utterances == (
        Utterance("agent", "您好，这里是示例银行。"),
        Utterance("customer", "是我。"),
        Utterance("agent", "您的账单已逾期15天。"),
    )
    assert transcript.source == "platform"
    assert transcript.as_text() == "坐席:您好，这里是示例银行。\n客户:是我。\n坐席:您的账单已逾期15天。\n"


def test_english_prefixes_in_any_case_windows_line_ends_and_a_byte_order_mark_are_read():
    transcript = read(
        "\ufeffAgent: Hello, this is the bank.\r\nCUSTOMER:Yes?\r\nagent :  About your payment.\r\n", language="en"
    )
    assert transcript.as_text() == "Agent: Hello, this is the bank.\nCustomer: Yes?\nAgent: About your payment.\n"


def test_a_prefix_without_words_is_ignored():
    assert read("坐席:您好\n客户:\n").utterances == (Utterance("agent", "您好"),)


def test_a_line_without_a_known_prefix_is_refused_with_its_number():
    failure = refused("坐席:您好\n\n客户经理:我是客户经理\n")
    assert (failure.problem, failure.line) == ("bad_transcript", 3)
    assert (
        failure.detail == "line 3 does not start with a speaker (坐席: 客户: Agent: Customer:): '客户经理:我是客户经理'"
    )
    with translation.override("zh-hans"):
        assert str(failure.message) == "通话平台提供的转写文本无法读取。请查看第 3 行。"


def test_nul_bytes_bad_utf8_and_control_characters_are_refused_with_the_line():
    assert (refused("坐席:您好\n客户:是\x00我\n").line, refused("坐席:您好\n客户:是\x00我\n").problem) == (
        2,
        "bad_transcript",
    )
    assert refused(b"\xe5\x9d\x90\xe5\xb8\xad:ok\n\xff\xfe").detail == "line 2 is not UTF-8 (byte 11)"
    assert refused("坐席:您\x1b[31m好\n").detail == "line 1 holds a control character"


def test_a_transcript_over_the_size_limit_is_refused_before_it_is_read():
    failure = refused(b"a" * (MAX_BYTES + 1))
    assert failure.problem == "too_large"
    assert f"at most {MAX_BYTES}" in failure.detail


def test_an_utterance_of_more_than_ten_thousand_characters_is_refused():
    failure = refused("坐席:" + "好" * 10_001)
    assert failure.detail == "line 1 is 10001 characters long; at most 10000"


def test_a_json_transcript_keeps_its_speakers_and_times():
    items = [
        {"speaker": "agent", "text": "您好，这里是示例银行。", "start_ms": 0, "end_ms": 1800},
        {"speaker": "customer", "text": "是我。", "start_ms": 1900, "end_ms": 2300, "confidence": 0.93},
        {"speaker": "unknown", "text": "（噪音）", "start_ms": None, "end_ms": None},
        {"speaker": "agent", "text": "  "},
    ]
    transcript = read(json.dumps(items, ensure_ascii=False), "application/json")
    assert transcript.utterances == (
        Utterance("agent", "您好，这里是示例银行。", 0, 1800),
        Utterance("customer", "是我。", 1900, 2300),
        Utterance("unknown", "（噪音）"),
    )


@pytest.mark.parametrize(
    ("items", "detail", "item"),
    [
        ({"speaker": "agent"}, "the JSON transcript is not a list of utterances", None),
        ([["agent", "您好"]], "item 1 is not an object", 1),
        (
            [{"speaker": "agent", "text": "好"}, {"speaker": "collector", "text": "好"}],
            "item 2: speaker 'collector'",
            2,
        ),
        ([{"speaker": "agent", "text": 5}], "item 1 has no text", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": -1}], "item 1: '-1' is not milliseconds", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": 10**30}], "is not milliseconds from 0 to 86400000", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": 1.5}], "item 1: '1.5' is not milliseconds", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": True}], "item 1: 'True' is not milliseconds", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": "100"}], "item 1: '100' is not milliseconds", 1),
        ([{"speaker": "agent", "text": "好", "start_ms": 900, "end_ms": 100}], "item 1 ends before it starts", 1),
    ],
)
def test_a_json_transcript_that_is_not_a_list_of_utterances_is_refused_with_the_item(items, detail, item):
    failure = refused(json.dumps(items, ensure_ascii=False), "application/json")
    assert failure.problem == "bad_transcript"
    assert detail in failure.detail
    assert failure.item == item


def test_broken_or_deeply_nested_json_is_refused():
    broken = refused('[{"speaker": "agent",\n "text": }]', "application/json")
    assert (broken.problem, broken.line) == ("bad_transcript", 2)
    assert "not valid JSON" in broken.detail
    assert refused("[" * 100_000, "application/json").detail == "the JSON is nested too deeply"
    assert refused("[1" + "0" * 5000 + "]", "application/json").problem == "bad_transcript"


def test_audio_is_refused_here_because_no_recogniser_is_configured():
    failure = refused(b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav")
    assert failure.problem == "not_configured"
    assert "ARREARS_SPEECH=funasr" in failure.detail
    with translation.override("zh-hans"):
        assert str(failure.message) == "本系统未配置语音识别：此通话的转写文本须由通话平台提供。"


def test_another_kind_of_file_is_refused():
    failure = refused(b"<xml/>", "application/xml")
    assert failure.problem == "unsupported_content_type"


@given(st.binary(max_size=300), st.sampled_from(["text/plain", "application/json"]))
def test_no_bytes_make_the_reader_crash(data, content_type):
    """Any bytes: a transcript, or RecognitionFailed("bad_transcript"); never another exception."""
    try:
        outcome = read(data, content_type)
    except RecognitionFailed as failure:
        outcome = failure
    if isinstance(outcome, RecognitionFailed):
        assert outcome.problem == "bad_transcript"
    else:
        assert all(utterance.text for utterance in outcome.utterances)
