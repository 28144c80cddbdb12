"""Transcripts the call platform delivers, taken as they are (the default: no recogniser runs here).

Many call platforms transcribe their own recordings. Their transcript is accepted in one of two forms:

* text (text/plain, UTF-8): one utterance a line, prefixed `坐席:` / `客户:` or `Agent:` / `Customer:` (the
  colon may be full-width, the English prefixes in any case); blank lines are ignored, as is a prefix with no
  words after it; any other line is refused with its line number;
* JSON (application/json): `[{"speaker": "agent"|"customer"|"unknown", "text": "…", "start_ms": 0,
  "end_ms": 1500}, …]`, times in milliseconds from the start of the call or null; other keys are ignored.

Both are checked before anything is believed: at most MAX_BYTES, UTF-8 (a byte-order mark is dropped), no NUL
bytes or other control characters, at most MAX_UTTERANCES utterances of at most MAX_UTTERANCE_CHARS characters,
times within a day. A transcript that fails is a `RecognitionFailed("bad_transcript")` naming the line (text) or
item (JSON, counted from 1), never a crash. Audio sent here is refused with "not_configured": set
ARREARS_SPEECH=funasr to transcribe recordings here.
"""

from __future__ import annotations

import json
import re

from arrears.quality.speech.base import (
    PREFIXES,
    SPEAKERS,
    RecognitionFailed,
    Transcript,
    Utterance,
    check_language,
    media_type,
    shown,
)

__all__ = ["MAX_BYTES", "PlatformTranscripts", "parse_json", "parse_text"]

MAX_BYTES = 2 * 1024 * 1024  # two hours of talk is about 100 KB of Chinese text
MAX_UTTERANCES = 20_000
MAX_UTTERANCE_CHARS = 10_000
MAX_MS = 24 * 3600 * 1000  # no call lasts a day
TEXT_TYPES = frozenset({"text/plain"})
JSON_TYPES = frozenset({"application/json"})

_SPEAKER_OF = {prefix.casefold(): speaker for table in PREFIXES.values() for speaker, prefix in table.items()}
_LINE = re.compile(
    r"(?P<prefix>" + "|".join(sorted(map(re.escape, _SPEAKER_OF), key=len, reverse=True)) + r")\s*[:：]\s*(?P<text>.*)",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line ends are whitespace between words


class PlatformTranscripts:
    """The "recogniser" when the call platform transcribes: reads its transcript, refuses audio."""

    source = "platform"

    @classmethod
    def from_settings(cls) -> PlatformTranscripts:
        return cls()

    def transcribe(self, audio: bytes, *, content_type: str, language: str) -> Transcript:
        language = check_language(language)
        kind = media_type(content_type)
        if kind in TEXT_TYPES:
            utterances = parse_text(_decoded(bytes(audio)))
        elif kind in JSON_TYPES:
            utterances = parse_json(_decoded(bytes(audio)))
        elif kind.startswith("audio/"):
            raise RecognitionFailed(
                "not_configured",
                "no speech recogniser is configured (ARREARS_SPEECH=platform): the call platform must deliver the "
                "transcript (text/plain or application/json), or set ARREARS_SPEECH=funasr and ARREARS_FUNASR_URL",
            )
        else:
            raise RecognitionFailed(
                "unsupported_content_type",
                f"a transcript is text/plain or application/json, not {shown(content_type)}",
            )
        return Transcript(utterances, source=self.source, language=language)


def _decoded(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise RecognitionFailed("too_large", f"the transcript is {len(data)} bytes; at most {MAX_BYTES} are taken")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise RecognitionFailed("bad_transcript", f"line {line} holds a NUL byte", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecognitionFailed(
            "bad_transcript", f"line {line} is not UTF-8 (byte {exc.start + 1})", line=line
        ) from None
    return text.removeprefix("\ufeff")


def _checked_text(text: str, where: str, at: dict[str, int]) -> str:
    if _CONTROL.search(text):
        raise RecognitionFailed("bad_transcript", f"{where} holds a control character", **at)
    if len(text) > MAX_UTTERANCE_CHARS:
        raise RecognitionFailed(
            "bad_transcript", f"{where} is {len(text)} characters long; at most {MAX_UTTERANCE_CHARS}", **at
        )
    return " ".join(text.split())


def _counted(utterances: list[Utterance], where: str, at: dict[str, int]) -> None:
    if len(utterances) > MAX_UTTERANCES:
        raise RecognitionFailed("bad_transcript", f"more than {MAX_UTTERANCES} utterances by {where}", **at)


def parse_text(text: str) -> tuple[Utterance, ...]:
    """`坐席:…` / `客户:…` / `Agent:…` / `Customer:…` lines as utterances, without times."""
    utterances: list[Utterance] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r").strip()
        if not line:
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            known = " ".join(f"{prefix}:" for table in PREFIXES.values() for prefix in table.values())
            raise RecognitionFailed(
                "bad_transcript",
                f"line {number} does not start with a speaker ({known}): {line[:40]!r}",
                line=number,
            )
        words = _checked_text(match["text"], f"line {number}", {"line": number})
        if words:
            utterances.append(Utterance(_SPEAKER_OF[match["prefix"].casefold()], words))
            _counted(utterances, f"line {number}", {"line": number})
    return tuple(utterances)


def parse_json(text: str) -> tuple[Utterance, ...]:
    """`[{"speaker", "text", "start_ms", "end_ms"}, …]` as utterances, in the order given."""
    try:
        items = json.loads(text)
    except RecursionError:
        raise RecognitionFailed("bad_transcript", "the JSON is nested too deeply") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise RecognitionFailed("bad_transcript", f"the transcript is not valid JSON: {exc}", line=line) from None
    if not isinstance(items, list):
        raise RecognitionFailed("bad_transcript", "the JSON transcript is not a list of utterances")
    utterances: list[Utterance] = []
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item, dict):
            raise RecognitionFailed("bad_transcript", f"{where} is not an object", item=number)
        speaker, words = item.get("speaker"), item.get("text")
        if speaker not in SPEAKERS:
            raise RecognitionFailed(
                "bad_transcript",
                f"{where}: speaker {str(speaker)[:20]!r} is not agent, customer or unknown",
                item=number,
            )
        if not isinstance(words, str):
            raise RecognitionFailed("bad_transcript", f"{where} has no text", item=number)
        start, end = _time(item.get("start_ms"), where, number), _time(item.get("end_ms"), where, number)
        if start is not None and end is not None and end < start:
            raise RecognitionFailed("bad_transcript", f"{where} ends before it starts", item=number)
        words = _checked_text(words, where, {"item": number})
        if words:
            utterances.append(Utterance(speaker, words, start, end))
            _counted(utterances, where, {"item": number})
    return tuple(utterances)


def _time(value: object, where: str, number: int) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 <= value <= MAX_MS:
        raise RecognitionFailed(
            "bad_transcript", f"{where}: {str(value)[:20]!r} is not milliseconds from 0 to {MAX_MS}", item=number
        )
    return value
