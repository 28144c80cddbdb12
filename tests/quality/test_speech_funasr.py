"""The FunASR client against a loopback server that speaks FunASR's offline WebSocket protocol and checks ours."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading

import pytest
from funasr_server import FunAsrServer
from speech_audio import pattern, wav

from arrears.quality.speech.base import RecognitionFailed
from arrears.quality.speech.funasr import FunAsrRecogniser, segments_from_result
from net import free_port

# Two sides of a call at 8 kHz, 2.5 s each: different sample patterns, so the server can tell which it was sent.
AGENT = pattern(20_000, 50, 100)
CUSTOMER = pattern(20_000, 70, 90)
STEREO = wav(AGENT, CUSTOMER, rate=8000)


def sha(audio: bytes) -> str:
    return hashlib.sha256(audio).hexdigest()


ANSWERS = {
    sha(AGENT): [
        ("您好，这里是示例银行信用卡中心。", 0, 2600),
        ("请问是张伟先生吗？", 3000, 4500),
        ("您的账单已逾期十五天，请今天还款。", 6000, 9000),
    ],
    sha(CUSTOMER): [("喂，是我，什么事？", 2700, 2950), ("好的，我今天下午还。", 9500, 11000)],
}


@pytest.fixture
def start_server():
    servers = []

    def start(answers=ANSWERS, **kwargs) -> FunAsrServer:
        servers.append(FunAsrServer(answers, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
    assert [violation for server in servers for violation in server.violations] == []


def failure(server_url: str, audio: bytes = STEREO, **kwargs) -> RecognitionFailed:
    with pytest.raises(RecognitionFailed) as caught:
        FunAsrRecogniser(server_url, **kwargs).transcribe(audio, content_type="audio/wav", language="zh")
    return caught.value


def test_chinese_sentences_come_back_as_utterances_of_each_side_in_time_order(start_server):
    """Clause: QA-1"""
    server = start_server()
    recogniser = FunAsrRecogniser(server.url, hotwords=["逾期", "还款"])
    transcript = recogniser.transcribe(STEREO, content_type="audio/wav", language="zh")
    assert [(u.speaker, u.text, u.start_ms, u.end_ms) for u in transcript.utterances] == [
        ("agent", "您好，这里是示例银行信用卡中心。", 0, 2600),
        ("customer", "喂，是我，什么事？", 2700, 2950),
        ("agent", "请问是张伟先生吗？", 3000, 4500),
        ("agent", "您的账单已逾期十五天，请今天还款。", 6000, 9000),
        ("customer", "好的，我今天下午还。", 9500, 11000),
    ]
    assert transcript.as_text() == (
        "坐席:您好，这里是示例银行信用卡中心。\n"
        "客户:喂，是我，什么事？\n"
        "坐席:请问是张伟先生吗？\n"
        "坐席:您的账单已逾期十五天，请今天还款。\n"
        "客户:好的，我今天下午还。\n"
    )
    assert (transcript.source, transcript.language) == ("funasr", "zh")


def test_each_side_is_sent_as_its_own_pcm_stream_with_its_rate_and_the_hotwords(start_server):
    server = start_server()
    FunAsrRecogniser(server.url, hotwords=["逾期", "还款"], itn=False).transcribe(
        STEREO, content_type="audio/wav", language="zh"
    )
    agent, customer = server.requests
    assert agent.config == {
        "mode": "offline",
        "wav_name": "arrears-agent",
        "wav_format": "pcm",
        "audio_fs": 8000,
        "is_speaking": True,
        "itn": False,
        "hotwords": '{"逾期": 20, "还款": 20}',
    }
    assert (agent.audio_sha256, agent.audio_bytes, agent.frames) == (sha(AGENT), 40_000, 2)
    assert (customer.config["wav_name"], customer.audio_sha256) == ("arrears-customer", sha(CUSTOMER))


def test_a_swapped_recording_puts_the_agent_on_the_right(start_server):
    server = start_server()
    swapped = wav(CUSTOMER, AGENT, rate=8000)
    transcript = FunAsrRecogniser(server.url, agent_channel="right").transcribe(
        swapped, content_type="audio/wav", language="zh"
    )
    assert [u.speaker for u in transcript.utterances] == ["agent", "customer", "agent", "agent", "customer"]
    assert transcript.utterances[0].text == "您好，这里是示例银行信用卡中心。"


def test_a_mono_recording_gives_utterances_of_unknown_speaker_rendered_as_the_agent(start_server):
    server = start_server()
    transcript = FunAsrRecogniser(server.url).transcribe(wav(AGENT, rate=8000), content_type="audio/wav", language="zh")
    assert [u.speaker for u in transcript.utterances] == ["unknown", "unknown", "unknown"]
    assert transcript.as_text().splitlines()[0] == "坐席:您好，这里是示例银行信用卡中心。"
    assert server.requests[0].config["wav_name"] == "arrears-unknown"


def test_an_mp3_is_passed_through_for_the_server_to_decode(start_server):
    mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 300
    server = start_server({sha(mp3): [("您好，请问是张伟先生吗？", 0, 2000)]})
    transcript = FunAsrRecogniser(server.url).transcribe(mp3, content_type="audio/mpeg", language="zh")
    assert [(u.speaker, u.text) for u in transcript.utterances] == [("unknown", "您好，请问是张伟先生吗？")]
    (request,) = server.requests
    assert (request.config["wav_format"], "audio_fs" in request.config) == ("mp3", False)
    assert (request.audio_sha256, request.frames) == (sha(mp3), 3)


def test_sentences_from_funasrs_python_server_are_taken_too(start_server):
    server = start_server(style="sentence_info")
    transcript = FunAsrRecogniser(server.url).transcribe(STEREO, content_type="audio/wav", language="zh")
    assert [(u.speaker, u.start_ms) for u in transcript.utterances] == [
        ("agent", 0),
        ("customer", 2700),
        ("agent", 3000),
        ("agent", 6000),
        ("customer", 9500),
    ]


def test_a_server_without_a_timestamp_model_gives_one_untimed_utterance_a_side(start_server):
    server = start_server(style="plain")
    transcript = FunAsrRecogniser(server.url).transcribe(STEREO, content_type="audio/wav", language="zh")
    assert [(u.speaker, u.text, u.start_ms) for u in transcript.utterances] == [
        ("agent", "您好，这里是示例银行信用卡中心。请问是张伟先生吗？您的账单已逾期十五天，请今天还款。", None),
        ("customer", "喂，是我，什么事？好的，我今天下午还。", None),
    ]


def test_audio_the_server_hears_nothing_in_gives_no_utterances(start_server):
    server = start_server({})
    transcript = FunAsrRecogniser(server.url).transcribe(STEREO, content_type="audio/wav", language="zh")
    assert transcript.utterances == ()
    assert len(server.requests) == 2


def test_a_server_that_closes_before_answering_is_a_clear_failure(start_server):
    server = start_server(behaviour="close")
    failed = failure(server.url)
    assert failed.problem == "protocol"
    assert "closed the connection before sending its result (code 1011, 'internal error')" in failed.detail
    assert "check the server's log" in failed.detail


def test_a_server_that_answers_garbage_is_a_clear_failure(start_server):
    server = start_server(behaviour="garbage")
    failed = failure(server.url)
    assert failed.problem == "protocol"
    assert (
        f"the FunASR server at {server.url} sent text that is not JSON ('<html>502 Bad Gateway</html>')"
        in failed.detail
    )
    assert "names a FunASR runtime server (funasr-wss-server)" in failed.detail


def test_a_server_that_never_sends_its_result_times_out(start_server):
    server = start_server(behaviour="stall", stall_seconds=1.5)
    failed = failure(server.url, timeout=1)
    assert failed.problem == "timeout"
    assert "did not send its result within 1 s (ARREARS_FUNASR_TIMEOUT)" in failed.detail


def test_nothing_listening_is_a_clear_failure():
    url = f"ws://127.0.0.1:{free_port()}"
    failed = failure(url)
    assert failed.problem == "unreachable"
    assert f"nothing answers at {url}" in failed.detail
    assert "check that funasr-wss-server is running" in failed.detail


def test_wss_to_a_server_without_tls_says_what_to_check(start_server):
    server = start_server()
    failed = failure(server.url.replace("ws://", "wss://"))
    assert failed.problem == "unreachable"
    assert f"the TLS connection to the FunASR server at wss://127.0.0.1:{server.port} failed" in failed.detail
    assert server.requests == []


def test_a_web_server_that_is_not_funasr_is_a_clear_failure():
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    web = http.server.HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    try:
        failed = failure(f"ws://127.0.0.1:{web.server_address[1]}")
    finally:
        web.shutdown()
        thread.join()
    assert failed.problem == "protocol"
    assert "did not accept a WebSocket connection" in failed.detail


def test_nul_garbage_is_refused_before_anything_is_sent(start_server):
    server = start_server()
    assert failure(server.url, bytes(1000)).problem == "bad_audio"
    with pytest.raises(RecognitionFailed) as caught:
        FunAsrRecogniser(server.url).transcribe(bytes(1000), content_type="audio/mpeg", language="zh")
    assert caught.value.problem == "bad_audio"
    with pytest.raises(RecognitionFailed) as caught:
        FunAsrRecogniser(server.url).transcribe(STEREO, content_type="audio/mpeg", language="zh")
    assert (
        caught.value.detail
        == "not an MP3 file: no ID3 tag or MPEG frame at its start; it is a WAV file: send it as audio/wav"
    )
    assert server.requests == []


def test_english_tokens_keep_their_spaces_and_clauses_join_into_sentences():
    result = {
        "mode": "offline",
        "text": "hello，我是 bank 的客服。ok",
        "is_final": False,
        "stamp_sents": [
            {"text_seg": "hello", "punc": "，", "start": 0, "end": 400},
            {"text_seg": "我 是 bank of china 的 客 服", "punc": "。", "start": 500, "end": 2000},
            {"text_seg": "ok", "punc": "", "start": 2500, "end": 2800},
        ],
    }
    assert [(s.text, s.start_ms, s.end_ms) for s in segments_from_result(result)] == [
        ("hello，我是bank of china的客服。", 0, 2000),
        ("ok", 2500, 2800),
    ]


def test_a_timestamp_gives_the_span_of_a_result_without_sentences():
    result = {"mode": "offline", "text": "您好", "timestamp": "[[100,300],[300,620]]", "stamp_sents": ""}
    assert [(s.text, s.start_ms, s.end_ms) for s in segments_from_result(result)] == [("您好", 100, 620)]
    result = {"mode": "offline", "text": "您好", "timestamp": [[100, 300], [300, 620]], "stamp_sents": []}
    assert [(s.text, s.start_ms, s.end_ms) for s in segments_from_result(result)] == [("您好", 100, 620)]


@pytest.mark.parametrize(
    ("result", "problem", "words"),
    [
        ({"mode": "offline", "text": 7}, "protocol", "text is not a string"),
        ({"mode": "offline", "text": "您好", "timestamp": "[[100,"}, "protocol", "timestamp that is not JSON"),
        ({"mode": "offline", "text": "您好", "timestamp": [[300, 100]]}, "protocol", "end before they start"),
        ({"mode": "offline", "text": "您好", "timestamp": [[-5, 100]]}, "protocol", "not milliseconds"),
        ({"mode": "offline", "text": "好", "stamp_sents": [{"text_seg": "好"}]}, "protocol", "not milliseconds"),
        ({"mode": "offline", "text": "好", "stamp_sents": {"a": 1}}, "protocol", "stamp_sents that is not a list"),
        ({"mode": "offline", "text": "好", "sentence_info": [7]}, "protocol", "sentence_info that is not an object"),
    ],
)
def test_a_result_that_is_not_funasrs_is_refused(result, problem, words):
    with pytest.raises(RecognitionFailed) as caught:
        segments_from_result(result)
    assert caught.value.problem == problem
    assert words in caught.value.detail


def test_an_error_the_server_reports_is_passed_on(start_server):
    server = start_server(behaviour="error")
    failed = failure(server.url)
    assert failed.problem == "engine"
    assert "reported an error: 'decoder failed: out of memory'" in failed.detail


def test_the_answer_is_json_the_fake_can_parse_back():
    """The loopback server's own answer has the shape FunASR documents (a guard on the test's fake)."""
    server = FunAsrServer(ANSWERS)
    try:
        answer = server._answer(type("R", (), {"audio_sha256": sha(AGENT), "config": {"wav_name": "x"}})())
    finally:
        server.stop()
    assert (answer["mode"], answer["is_final"]) == ("offline", False)
    assert json.loads(answer["timestamp"])[:3] == [[0, 185], [185, 371], [371, 557]]  # 2,600 ms over 14 characters
    assert answer["stamp_sents"][0] == {
        "text_seg": "您 好",
        "punc": "，",
        "start": 0,
        "end": 371,
        "ts_list": [[0, 185], [185, 371]],
    }
