"""A client for the FunASR runtime server: the open-source Mandarin recogniser a bank runs on its own premises.

The server is FunASR's `funasr-wss-server` (offline file transcription), reached at ARREARS_FUNASR_URL
(ws://host:port, or wss:// with a certificate this machine trusts; certificates are always verified). One
WebSocket connection per channel of a recording, as FunASR's protocol has it (runtime/docs/websocket_protocol.md
in the FunASR repository):

1. a JSON text frame: `mode` "offline", `wav_name`, `wav_format` ("pcm" for samples read from a WAV, "mp3" for an
   MP3 passed through for the server to decode), `audio_fs` (the PCM's sample rate; the server resamples),
   `is_speaking` true, `itn` (numbers written as digits) and `hotwords` (a JSON object, word → weight, as a
   string);
2. the audio as binary frames, in chunks;
3. `{"is_speaking": false}`: the end of the audio;
4. the server answers with JSON: `text`, and with a timestamp model `timestamp` ("[[start, end], …]" in ms, one
   pair per token) and `stamp_sents` (sentences: `text_seg`, tokens separated by spaces, `punc`, `start`,
   `end`); FunASR's Python server may give `sentence_info` (`text`, `start`, `end`) instead. The C++ server
   answers an offline request with exactly one message whose `is_final` is false, so a message of mode
   "offline" — or any with `is_final` true — ends the exchange; partial results of other modes are skipped.

Utterances are built per sentence where the server gives sentences (clauses joined until a sentence ends), else
one per channel with the span of its timestamps. Failures are `RecognitionFailed` whose detail says what to
check: nothing listening ("unreachable"), no answer within ARREARS_FUNASR_TIMEOUT ("timeout"), a server that
closes early or answers with something other than FunASR's JSON ("protocol"), an error the server reports
("engine"). Connections go directly to the server, never through a proxy from the environment: the server is
on the bank's own network.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Sequence
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidURI, WebSocketException
from websockets.sync.client import connect

from arrears.quality.speech.audio import MP3_TYPES, Channel, ChannelRecogniser, Segment
from arrears.quality.speech.base import RecognitionFailed, shown

__all__ = ["FunAsrRecogniser", "segments_from_result"]

CHUNK_BYTES = 32_000  # one second of 16 kHz 16-bit audio per binary frame
HOTWORD_WEIGHT = 20  # the weight FunASR's documentation gives its example hotwords
MAX_RESULT_BYTES = 16 * 1024 * 1024  # a long call's result with a timestamp per character stays well below
MAX_PARTIAL_RESULTS = 10_000  # partial messages skipped before the server is taken as broken
_SENTENCE_ENDS = frozenset("。！？!?.；;")


class FunAsrRecogniser(ChannelRecogniser):
    """Mandarin (or whatever model the server runs) from a FunASR runtime server, one connection a channel."""

    source = "funasr"
    encoded_types = MP3_TYPES

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 300,
        connect_timeout: float = 10,
        hotwords: Sequence[str] = (),
        itn: bool = True,
        agent_channel: str = "left",
    ):
        super().__init__(agent_channel=agent_channel)
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"the FunASR server's address {url!r} does not start with ws:// or wss://")
        self.url = url
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.hotwords = tuple(word for word in hotwords if word)
        self.itn = itn

    @classmethod
    def from_settings(cls) -> FunAsrRecogniser:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        if not settings.ARREARS_FUNASR_URL:
            raise ImproperlyConfigured("set ARREARS_FUNASR_URL to the FunASR server, e.g. ws://127.0.0.1:10095")
        return cls(
            settings.ARREARS_FUNASR_URL,
            timeout=settings.ARREARS_FUNASR_TIMEOUT,
            connect_timeout=settings.ARREARS_FUNASR_CONNECT_TIMEOUT,
            hotwords=settings.ARREARS_FUNASR_HOTWORDS,
            agent_channel=settings.ARREARS_SPEECH_AGENT_CHANNEL,
        )

    def recognise_channel(self, channel: Channel, language: str) -> list[Segment]:
        config = {"wav_name": f"arrears-{channel.speaker}", "wav_format": "pcm", "audio_fs": channel.rate}
        return self._exchange(config, channel.pcm)

    def recognise_encoded(self, audio: bytes, media: str, language: str) -> list[Segment]:
        return self._exchange({"wav_name": "arrears-mp3", "wav_format": "mp3"}, audio)

    def _config(self, fields: dict[str, Any]) -> str:
        hotwords = {word: HOTWORD_WEIGHT for word in self.hotwords}
        message = {
            "mode": "offline",
            **fields,
            "is_speaking": True,
            "itn": self.itn,
            "hotwords": json.dumps(hotwords, ensure_ascii=False) if hotwords else "",
        }
        return json.dumps(message, ensure_ascii=False)

    def _exchange(self, fields: dict[str, Any], audio: bytes) -> list[Segment]:
        deadline = time.monotonic() + self.timeout
        where = f"the FunASR server at {self.url}"
        try:
            connection = connect(
                self.url,
                open_timeout=self.connect_timeout,
                subprotocols=["binary"],  # as FunASR's own clients ask
                compression=None,  # audio does not compress; spare both sides the work
                proxy=None,
                ping_interval=None,  # the server may be busy decoding for minutes; the deadline guards instead
                close_timeout=2,
                max_size=MAX_RESULT_BYTES,
            )
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise _timed_out(where, f"accept the connection within {self.connect_timeout} s") from None
            if isinstance(exc, ssl.SSLError):
                raise RecognitionFailed(
                    "unreachable",
                    f"the TLS connection to {where} failed ({exc}); with wss:// this machine must trust the server's "
                    "certificate (add its CA to the system's store, or name a CA file in SSL_CERT_FILE)",
                ) from None
            raise RecognitionFailed(
                "unreachable",
                f"nothing answers at {self.url} ({exc.strerror or exc}); check that funasr-wss-server is running and "
                "that ARREARS_FUNASR_URL names its host and port (ws:// unless the server was started with a "
                "certificate)",
            ) from None
        except InvalidURI:
            raise RecognitionFailed("unreachable", f"{shown(self.url)} is not a WebSocket address") from None
        except WebSocketException as exc:  # an HTTP answer, a refused upgrade, a broken handshake
            raise RecognitionFailed(
                "protocol",
                f"{self.url} did not accept a WebSocket connection ({exc}); check that ARREARS_FUNASR_URL names the "
                "FunASR server's port and scheme (ws:// or wss://), not another service",
            ) from None
        with connection:
            try:
                connection.send(self._config(fields))
                for start in range(0, len(audio), CHUNK_BYTES):
                    connection.send(audio[start : start + CHUNK_BYTES])
                connection.send(json.dumps({"is_speaking": False}))
                for _ in range(MAX_PARTIAL_RESULTS):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    result = _parse(connection.recv(timeout=remaining), where)
                    if result.get("mode") == "offline" or result.get("is_final") is True:
                        return segments_from_result(result, where)
            except TimeoutError:
                raise _timed_out(where, f"send its result within {self.timeout} s (ARREARS_FUNASR_TIMEOUT)") from None
            except ConnectionClosed as exc:
                raise RecognitionFailed(
                    "protocol",
                    f"{where} closed the connection before sending its result ({_closing(exc)}); check the server's "
                    "log: a model that failed to load, audio it could not decode, or a client it refused",
                ) from None
            except (OSError, WebSocketException) as exc:
                raise RecognitionFailed(
                    "unreachable", f"the connection to {where} failed ({exc}); check the network to it"
                ) from None
        raise RecognitionFailed(
            "protocol", f"{where} sent {MAX_PARTIAL_RESULTS} partial results and no final one; is it in offline mode?"
        )


def _timed_out(where: str, what: str) -> RecognitionFailed:
    return RecognitionFailed(
        "timeout", f"{where} did not {what}; check that it is running and not overloaded, or raise the timeout"
    )


def _closing(exc: ConnectionClosed) -> str:
    frame = exc.rcvd or exc.sent
    if frame is None:
        return "no closing handshake"
    return f"code {frame.code}" + (f", {shown(frame.reason)}" if frame.reason else "")


def _parse(message: str | bytes, where: str) -> dict[str, Any]:
    if isinstance(message, bytes):
        raise RecognitionFailed("protocol", f"{where} sent binary data where FunASR sends a JSON result")
    try:
        result = json.loads(message)
    except (ValueError, RecursionError):
        raise RecognitionFailed(
            "protocol",
            f"{where} sent text that is not JSON ({shown(message)}); check that ARREARS_FUNASR_URL names a FunASR "
            "runtime server (funasr-wss-server), not another service",
        ) from None
    if not isinstance(result, dict):
        raise RecognitionFailed("protocol", f"{where} sent JSON that is not an object: {shown(message)}")
    error = result.get("error")
    if error:
        raise RecognitionFailed("engine", f"{where} reported an error: {shown(error, 200)}; check the server's log")
    return result


def segments_from_result(result: dict[str, Any], where: str = "the FunASR server") -> list[Segment]:
    """The segments of one channel from the server's final result: one per sentence where it gives sentences
    (`stamp_sents` or `sentence_info`), else one with the span of `timestamp`, else one without times."""
    text = result.get("text", "")
    if not isinstance(text, str):
        raise RecognitionFailed("protocol", f"{where} sent a result whose text is not a string")
    stamp_sents, sentence_info = result.get("stamp_sents"), result.get("sentence_info")
    if stamp_sents not in (None, ""):  # the C++ server sends "" when its own sentences fail to parse
        pieces = _pieces(stamp_sents, where, stamp=True)
    elif sentence_info not in (None, ""):
        pieces = _pieces(sentence_info, where, stamp=False)
    else:
        pieces = []
    if pieces:
        return _sentences(pieces)
    if not text.strip():
        return []
    span = _span(result.get("timestamp"), where)
    return [Segment(text.strip(), *span)]


def _ms(value: object, where: str) -> int:
    if type(value) is not int or not 0 <= value <= 24 * 3600 * 1000:
        raise RecognitionFailed("protocol", f"{where} sent a time that is not milliseconds: {shown(value)}")
    return value


def _pieces(items: object, where: str, *, stamp: bool) -> list[Segment]:
    field = "stamp_sents" if stamp else "sentence_info"
    if not isinstance(items, list):
        raise RecognitionFailed("protocol", f"{where} sent {field} that is not a list")
    pieces = []
    for item in items:
        if not isinstance(item, dict):
            raise RecognitionFailed("protocol", f"{where} sent an entry of {field} that is not an object")
        raw = item.get("text_seg") if stamp else item.get("text")
        punctuation = item.get("punc", "") if stamp else ""
        if not isinstance(raw, str) or not isinstance(punctuation, str):
            raise RecognitionFailed("protocol", f"{where} sent an entry of {field} without its text")
        start, end = _ms(item.get("start"), where), _ms(item.get("end"), where)
        if end < start:
            raise RecognitionFailed("protocol", f"{where} sent a sentence that ends before it starts")
        words = _join_tokens(raw.split()) if stamp else raw.strip()
        if words:
            pieces.append(Segment(words + punctuation, start, end))
    return pieces


def _join_tokens(tokens: list[str]) -> str:
    """FunASR's tokens as text: Chinese characters run together, Latin words keep a space between them."""
    text = ""
    for token in tokens:
        if text and text[-1].isascii() and text[-1].isalnum() and token[0].isascii() and token[0].isalnum():
            text += " "
        text += token
    return text


def _sentences(pieces: list[Segment]) -> list[Segment]:
    """Clauses (FunASR cuts at every comma) joined into sentences, each with the span of its clauses."""
    sentences: list[Segment] = []
    current: list[Segment] = []
    for piece in pieces:
        current.append(piece)
        if piece.text[-1] in _SENTENCE_ENDS:
            sentences.append(_joined(current))
            current = []
    if current:
        sentences.append(_joined(current))
    return sentences


def _joined(pieces: list[Segment]) -> Segment:
    text = ""
    for piece in pieces:
        text += (" " if text and text[-1].isascii() and piece.text[0].isascii() else "") + piece.text
    return Segment(text, pieces[0].start_ms, pieces[-1].end_ms)


def _span(timestamp: object, where: str) -> tuple[int | None, int | None]:
    """The first start and last end of `timestamp` ("[[100,200],[200,500]]", a string or a list), or no times."""
    if timestamp in (None, "", []):
        return None, None
    if isinstance(timestamp, str):
        try:
            timestamp = json.loads(timestamp)
        except (ValueError, RecursionError):
            raise RecognitionFailed(
                "protocol", f"{where} sent a timestamp that is not JSON: {shown(timestamp)}"
            ) from None
    if not isinstance(timestamp, list) or not timestamp:
        raise RecognitionFailed("protocol", f"{where} sent a timestamp that is not a list of [start, end] pairs")
    pairs = []
    for pair in timestamp:
        if not isinstance(pair, list) or len(pair) != 2:
            raise RecognitionFailed("protocol", f"{where} sent a timestamp that is not a list of [start, end] pairs")
        pairs.append((_ms(pair[0], where), _ms(pair[1], where)))
    start, end = pairs[0][0], pairs[-1][1]
    if end < start:
        raise RecognitionFailed("protocol", f"{where} sent timestamps that end before they start")
    return start, end
