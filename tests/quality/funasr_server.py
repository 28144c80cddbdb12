"""A FunASR runtime server on loopback for tests: it speaks the offline WebSocket protocol and checks the client.

`FunAsrServer(answers)` listens on 127.0.0.1 at a port the system picks (websockets' sync server, in a thread)
and holds FunASR's side of an offline recognition, one per connection:

* it expects, strictly and in this order, a JSON text frame with the configuration (mode "offline", wav_name,
  wav_format "pcm" with audio_fs, or "mp3", is_speaking true, itn, hotwords as a JSON object in a string), one or
  more binary frames of audio, and `{"is_speaking": false}`; anything else is recorded in `violations` and the
  connection is closed with code 1002 (protocol error), so a test sees the client's mistake;
* it answers as FunASR's C++ server does: one message of mode "offline" with `is_final` false, `text`,
  `timestamp` (a string, one [start, end] pair per character) and `stamp_sents` (clauses: characters separated
  by spaces, the punctuation apart). The sentences come from `answers`, keyed by the SHA-256 of the audio
  received (unknown audio gets an empty text, as silence would); `style="sentence_info"` answers as FunASR's
  Python server may (`sentence_info`, `is_final` true), `style="plain"` with the text alone.

`behaviour` makes it misbehave: "close" (closes without an answer once the audio has ended), "garbage" (answers
with text that is not JSON), "stall" (sends nothing for `stall_seconds`, then only a partial result of another
mode, never the final one), "error" (reports a failure as FunASR's Python server does: `is_end` true,
`is_final` false, `error`). A stall ends with a message so that the client's deadline is tested under CI's fake
clock too, where a timed wait lasts until something arrives (.ci/run): the client then finds its deadline past. `requests` keeps each configuration received with the
SHA-256 and length of its audio and the number of binary frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

_CONFIG_KEYS = {"mode", "wav_name", "wav_format", "audio_fs", "is_speaking", "itn", "hotwords"}
_PUNCTUATION = re.compile(r"([，。？！、,.?!])")


@dataclass
class Request:
    config: dict
    audio_sha256: str = ""
    audio_bytes: int = 0
    frames: int = 0


@dataclass
class FunAsrServer:
    answers: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    behaviour: str = "answer"
    style: str = "stamp_sents"
    stall_seconds: float = 0
    violations: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = serve(self._handle, "127.0.0.1", 0, subprotocols=["binary"], max_size=4 * 1024 * 1024)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._thread.join()

    def _refuse(self, connection: ServerConnection, violation: str) -> None:
        self.violations.append(violation)
        connection.close(1002, violation[:100])

    def _handle(self, connection: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):  # a client that went away: its test sees why
            self._converse(connection)

    def _converse(self, connection: ServerConnection) -> None:
        if connection.subprotocol != "binary":
            return self._refuse(
                connection, f"the client did not ask for the binary subprotocol: {connection.subprotocol}"
            )
        first = connection.recv()
        if not isinstance(first, str):
            return self._refuse(connection, "the first message is not a text frame")
        problem = _check_config(first)
        if problem:
            return self._refuse(connection, problem)
        request = Request(json.loads(first))
        self.requests.append(request)
        digest = hashlib.sha256()
        while True:
            message = connection.recv()
            if isinstance(message, bytes):
                if not message:
                    return self._refuse(connection, "an empty binary frame")
                digest.update(message)
                request.frames += 1
                request.audio_bytes += len(message)
                continue
            try:
                end = json.loads(message)
            except ValueError:
                end = None
            if end != {"is_speaking": False}:
                return self._refuse(connection, f"a text frame amid the audio that is not the end: {message[:80]}")
            break
        if not request.frames:
            return self._refuse(connection, "the audio ended before any was sent")
        request.audio_sha256 = digest.hexdigest()
        if self.behaviour == "close":
            connection.close(1011, "internal error")
            return None
        if self.behaviour == "garbage":
            connection.send("<html>502 Bad Gateway</html>")
        elif self.behaviour == "error":
            connection.send(json.dumps({"is_end": True, "is_final": False, "error": "decoder failed: out of memory"}))
        elif self.behaviour == "stall":
            time.sleep(self.stall_seconds)
            connection.send(json.dumps({"mode": "2pass-online", "text": "您好", "is_final": False}, ensure_ascii=False))
            self._stopping.wait()
            return None
        else:
            connection.send(json.dumps(self._answer(request), ensure_ascii=False))
        try:
            extra = connection.recv(timeout=30)
        except (ConnectionClosed, TimeoutError):
            return None
        self.violations.append(f"a message after the result: {str(extra)[:80]}")
        return None

    def _answer(self, request: Request) -> dict:
        sentences = self.answers.get(request.audio_sha256, [])
        text = "".join(sentence for sentence, _, _ in sentences)
        result = {"mode": "offline", "wav_name": request.config["wav_name"], "text": text, "is_final": False}
        if self.style == "plain":
            return result | {"is_final": True}
        if self.style == "sentence_info":
            info = [{"text": sentence, "start": start, "end": end} for sentence, start, end in sentences]
            return result | {"is_final": True, "sentence_info": info}
        stamps, clauses = [], []
        for sentence, start, end in sentences:
            for clause, punctuation, clause_start, clause_end, pairs in _clauses(sentence, start, end):
                stamps.extend(pairs)
                clauses.append(
                    {
                        "text_seg": " ".join(clause),
                        "punc": punctuation,
                        "start": clause_start,
                        "end": clause_end,
                        "ts_list": pairs,
                    }
                )
        if stamps:
            result |= {"timestamp": json.dumps(stamps), "stamp_sents": clauses}
        return result


def _clauses(sentence: str, start: int, end: int):
    """A sentence cut at its punctuation as FunASR cuts it, the time shared equally among its characters."""
    parts = _PUNCTUATION.split(sentence)
    count = sum(len(part) for part in parts[0::2])
    bounds = [start + (end - start) * i // max(count, 1) for i in range(count + 1)]
    at = 0
    for index in range(0, len(parts), 2):
        clause = parts[index]
        punctuation = parts[index + 1] if index + 1 < len(parts) else ""
        if not clause:
            continue
        pairs = [[bounds[at + i], bounds[at + i + 1]] for i in range(len(clause))]
        at += len(clause)
        yield clause, punctuation, pairs[0][0], pairs[-1][1], pairs


def _check_config(message: str) -> str:
    """What is wrong with the client's first message, or ""."""
    try:
        config = json.loads(message)
    except ValueError:
        return f"the first message is not JSON: {message[:80]}"
    if not isinstance(config, dict):
        return "the first message is not a JSON object"
    if set(config) - _CONFIG_KEYS:
        return f"unknown configuration keys: {sorted(set(config) - _CONFIG_KEYS)}"
    if config.get("mode") != "offline":
        return f"mode is {config.get('mode')!r}, not offline"
    if not isinstance(config.get("wav_name"), str) or not config["wav_name"]:
        return "wav_name is missing"
    if config.get("is_speaking") is not True:
        return "is_speaking is not true"
    if not isinstance(config.get("itn"), bool):
        return "itn is not a boolean"
    if config.get("wav_format") == "pcm":
        if type(config.get("audio_fs")) is not int or not 8000 <= config["audio_fs"] <= 48000:
            return f"PCM without a sample rate in audio_fs: {config.get('audio_fs')!r}"
    elif config.get("wav_format") == "mp3":
        if "audio_fs" in config:
            return "audio_fs given for MP3 (it is for PCM only)"
    else:
        return f"wav_format is {config.get('wav_format')!r}, not pcm or mp3"
    hotwords = config.get("hotwords")
    if not isinstance(hotwords, str):
        return "hotwords is not a string"
    if hotwords:
        try:
            table = json.loads(hotwords)
        except ValueError:
            return f"hotwords is not JSON: {hotwords[:80]}"
        if not isinstance(table, dict) or not all(type(weight) is int for weight in table.values()):
            return "hotwords is not a JSON object of word → weight"
    return ""
