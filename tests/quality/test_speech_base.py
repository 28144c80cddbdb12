"""Speech to text, the interface: transcripts as inspection reads them, failures, and the recogniser chosen."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from arrears.quality.speech.base import (
    PROBLEMS,
    Recogniser,
    RecognitionFailed,
    Transcript,
    Utterance,
    recogniser_from_settings,
)
from arrears.quality.speech.funasr import FunAsrRecogniser
from arrears.quality.speech.platform import PlatformTranscripts
from arrears.quality.speech.sphinx import SphinxRecogniser


def test_a_chinese_transcript_is_one_utterance_a_line_with_the_speakers_prefix():
    """Clause: QA-1"""
    transcript = Transcript(
        (
            Utterance("agent", "您好，这里是示例银行信用卡中心。", 0, 2600),
            Utterance("customer", "是我，什么事？", 2700, 2950),
            Utterance("agent", "您的账单已逾期15天。"),
        ),
        source="funasr",
        language="zh",
    )
    assert (
        transcript.as_text()
        == "坐席:您好，这里是示例银行信用卡中心。\n客户:是我，什么事？\n坐席:您的账单已逾期15天。\n"
    )


def test_an_english_transcript_has_english_prefixes_and_one_line_per_utterance():
    transcript = Transcript(
        (Utterance("agent", "Hello, this is the bank.\nAbout your payment."), Utterance("customer", "Yes.")),
        source="platform",
        language="en",
    )
    assert transcript.as_text() == "Agent: Hello, this is the bank. About your payment.\nCustomer: Yes.\n"


def test_an_unknown_speaker_is_rendered_as_the_agent_so_prohibited_language_is_still_judged():
    transcript = Transcript((Utterance("unknown", "不还钱就等着吧"),), source="funasr", language="zh")
    assert transcript.as_text() == "坐席:不还钱就等着吧\n"


def test_an_empty_transcript_is_empty_text():
    assert Transcript((), source="pocketsphinx", language="en").as_text() == ""


@pytest.mark.parametrize(
    ("speaker", "text", "start_ms", "end_ms"),
    [
        ("collector", "hello", None, None),
        ("agent", "   ", None, None),
        ("agent", "hello", -1, None),
        ("agent", "hello", 500, 400),
        ("agent", "hello", True, None),
        ("agent", "hello", 1.5, None),
    ],
)
def test_an_utterance_refuses_what_cannot_be(speaker, text, start_ms, end_ms):
    with pytest.raises(ValueError, match=r"."):
        Utterance(speaker, text, start_ms, end_ms)


def test_a_transcript_refuses_an_unknown_source_or_language():
    with pytest.raises(ValueError, match="source"):
        Transcript((), source="whisper", language="zh")
    with pytest.raises(ValueError, match="language"):
        Transcript((), source="funasr", language="yue")


def test_a_failure_carries_its_code_an_english_detail_and_a_translated_sentence():
    failure = RecognitionFailed("bad_transcript", "line 3 does not start with a speaker", line=3)
    assert (failure.problem, failure.detail, failure.line) == (
        "bad_transcript",
        "line 3 does not start with a speaker",
        3,
    )
    with translation.override("en"):
        assert str(failure.message) == "The transcript delivered by the call platform cannot be read. See line 3."
    with translation.override("zh-hans"):
        assert str(failure.message) == "通话平台提供的转写文本无法读取。请查看第 3 行。"


def test_every_problem_has_a_chinese_sentence():
    with translation.override("zh-hans"):
        untranslated = [code for code, sentence in PROBLEMS.items() if str(sentence).isascii()]
    assert untranslated == []


def test_a_failure_survives_copying_and_pickling_with_its_line_or_item():
    """deepcopy goes through the same __reduce__ as pickle (a task queue's stored result)."""
    failure = copy.deepcopy(RecognitionFailed("bad_transcript", "item 2 has no text", item=2))
    assert (failure.problem, failure.detail, failure.line, failure.item) == (
        "bad_transcript",
        "item 2 has no text",
        None,
        2,
    )
    assert str(failure) == "bad_transcript: item 2 has no text"


def test_a_transcript_keeps_its_utterances_as_a_tuple():
    transcript = Transcript([Utterance("agent", "您好")], source="platform", language="zh")
    assert transcript.utterances == (Utterance("agent", "您好"),)


@pytest.mark.parametrize("language", ["fr", ["zh"], None, "ZH"])
def test_a_language_other_than_chinese_or_english_is_refused(language):
    with pytest.raises(RecognitionFailed) as caught:
        PlatformTranscripts().transcribe("坐席:您好".encode(), content_type="text/plain", language=language)
    assert caught.value.problem == "unsupported_language"


def test_a_failure_with_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="not a recognition problem"):
        RecognitionFailed("oops", "whatever")


def test_the_default_is_transcripts_from_the_call_platform(settings):
    settings.ARREARS_SPEECH = "platform"
    recogniser = recogniser_from_settings()
    assert isinstance(recogniser, PlatformTranscripts)
    assert isinstance(recogniser, Recogniser)


def test_funasr_is_configured_from_the_settings(settings):
    settings.ARREARS_SPEECH = "funasr"
    settings.ARREARS_FUNASR_URL = "ws://10.0.0.5:10095"
    settings.ARREARS_FUNASR_TIMEOUT = 120
    settings.ARREARS_FUNASR_CONNECT_TIMEOUT = 5
    settings.ARREARS_FUNASR_HOTWORDS = ["逾期", "还款"]
    settings.ARREARS_SPEECH_AGENT_CHANNEL = "right"
    recogniser = recogniser_from_settings()
    assert isinstance(recogniser, FunAsrRecogniser)
    assert (recogniser.url, recogniser.timeout, recogniser.connect_timeout) == ("ws://10.0.0.5:10095", 120, 5)
    assert (recogniser.hotwords, recogniser.agent_channel) == (("逾期", "还款"), "right")


def test_pocketsphinx_is_chosen_by_the_settings(settings):
    settings.ARREARS_SPEECH = "pocketsphinx"
    settings.ARREARS_SPEECH_AGENT_CHANNEL = "left"
    recogniser = recogniser_from_settings()
    assert isinstance(recogniser, SphinxRecogniser)
    assert recogniser.agent_channel == "left"


def test_an_unknown_recogniser_in_the_settings_fails_loudly(settings):
    settings.ARREARS_SPEECH = "whisper"
    with pytest.raises(ImproperlyConfigured, match="ARREARS_SPEECH='whisper'"):
        recogniser_from_settings()


def test_funasr_without_an_address_fails_loudly(settings):
    settings.ARREARS_SPEECH = "funasr"
    settings.ARREARS_FUNASR_URL = ""
    with pytest.raises(ImproperlyConfigured, match="ARREARS_FUNASR_URL"):
        recogniser_from_settings()


def settings_in_a_fresh_process(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """arrears.settings imported with exactly these speech variables (and none from the calling shell)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ARREARS_SPEECH", "ARREARS_FUNASR"))}
    code = (
        "import json, arrears.settings as s; print(json.dumps([s.ARREARS_SPEECH, s.ARREARS_FUNASR_URL, "
        "s.ARREARS_FUNASR_TIMEOUT, s.ARREARS_FUNASR_CONNECT_TIMEOUT, s.ARREARS_FUNASR_HOTWORDS, "
        "s.ARREARS_SPEECH_AGENT_CHANNEL], ensure_ascii=False))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "ARREARS_VAR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_speech_settings_are_read_from_the_environment(tmp_path):
    result = settings_in_a_fresh_process(
        tmp_path,
        ARREARS_SPEECH="FunASR",
        ARREARS_FUNASR_URL="ws://10.0.0.5:10095",
        ARREARS_FUNASR_TIMEOUT="600",
        ARREARS_FUNASR_HOTWORDS="逾期, 分期还款",
        ARREARS_SPEECH_AGENT_CHANNEL="right",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["funasr", "ws://10.0.0.5:10095", 600, 10, ["逾期", "分期还款"], "right"]


def test_without_speech_settings_transcripts_come_from_the_platform(tmp_path):
    result = settings_in_a_fresh_process(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[:4] == ["platform", "", 300, 10]
    assert "逾期" in json.loads(result.stdout)[4]
    assert json.loads(result.stdout)[5] == "left"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ARREARS_SPEECH": "funasr"}, "ARREARS_SPEECH=funasr: set ARREARS_FUNASR_URL"),
        ({"ARREARS_FUNASR_URL": "http://10.0.0.5:10095"}, "is not a WebSocket address"),
        ({"ARREARS_SPEECH": "kaldi"}, "ARREARS_SPEECH='kaldi' is not a recogniser"),
        ({"ARREARS_SPEECH_AGENT_CHANNEL": "centre"}, "ARREARS_SPEECH_AGENT_CHANNEL='centre' is not left or right"),
    ],
)
def test_a_bad_speech_setting_is_refused_at_start_up(tmp_path, env, message):
    result = settings_in_a_fresh_process(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
