"""A call's transcript as the inspection reads it: one utterance a line, each prefixed by who spoke.

`坐席:` / `Agent:` is the bank's side (a collector, or an agency's agent), `客户:` / `Customer:` the other side —
in a call to a third party the other side is still `客户:`. A full-width colon is accepted as well as the ASCII
one, the English prefixes in any case; blank lines are skipped. Anything else is refused with the line's number,
so a platform that sends a malformed file learns which line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["MAX_CHARS", "MAX_LINES", "Line", "Speaker", "Transcript", "TranscriptError", "parse"]

# A transcript is a call of minutes, not a book: these bound what one inspection reads (several hours of talk).
MAX_LINES = 5_000
MAX_CHARS = 500_000


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"


_PREFIX = re.compile(r"\s*(坐席|客户|客戶|agent|customer)\s*[:：]\s?", re.IGNORECASE)
_SPEAKERS = {"坐席": Speaker.AGENT, "客户": Speaker.CUSTOMER, "客戶": Speaker.CUSTOMER}
_LANGUAGE = {"坐席": "zh", "客户": "zh", "客戶": "zh", "agent": "en", "customer": "en"}


@dataclass(frozen=True)
class Line:
    """One utterance: its number among the transcript's lines (1-based, blank lines not counted), who spoke, what."""

    number: int
    speaker: Speaker
    text: str

    @property
    def is_agent(self) -> bool:
        return self.speaker is Speaker.AGENT


@dataclass(frozen=True)
class Transcript:
    lines: tuple[Line, ...]
    language: str  # "zh" or "en": the prefixes' language (Chinese when both appear)

    @property
    def agent_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.is_agent)


class TranscriptError(ValueError):
    """A transcript that cannot be read. `problem`: "empty", "too_long", "nul", "prefix" (`line` names the line
    of the file, 1-based)."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem if line is None else f"{problem} (line {line})")
        self.problem = problem
        self.line = line


def parse(text: str) -> Transcript:
    """The transcript in `text`, or `TranscriptError` saying what is wrong and where."""
    if len(text) > MAX_CHARS:
        raise TranscriptError("too_long")
    if "\x00" in text:
        raise TranscriptError("nul", text[: text.index("\x00")].count("\n") + 1)
    lines: list[Line] = []
    languages: set[str] = set()
    for file_line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        match = _PREFIX.match(raw)
        if match is None:
            raise TranscriptError("prefix", file_line)
        word = match.group(1)
        speaker = _SPEAKERS.get(word) or Speaker(word.lower())
        languages.add(_LANGUAGE[word.lower()] if word.isascii() else _LANGUAGE[word])
        lines.append(Line(len(lines) + 1, speaker, raw[match.end() :].strip()))
        if len(lines) > MAX_LINES:
            raise TranscriptError("too_long")
    if not lines:
        raise TranscriptError("empty")
    return Transcript(tuple(lines), "zh" if "zh" in languages else "en")
