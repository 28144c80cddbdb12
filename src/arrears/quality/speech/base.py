"""Speech to text behind one interface (QA-1): what every recogniser returns, how it fails, and which one runs.

A call's words reach inspection as a `Transcript`: its utterances in time order, each with its speaker (the
agent, the customer, or unknown), its text and, where the recogniser knows them, its start and end in
milliseconds from the start of the recording. `Transcript.as_text()` is the form inspection reads: one utterance
a line, prefixed `坐席:` / `客户:` (Chinese) or `Agent:` / `Customer:` (English).

Every adapter is a `Recogniser`: `transcribe(audio, content_type=…, language=…)` → `Transcript`.

* `funasr.FunAsrRecogniser` — a FunASR runtime server the bank runs on its own premises (Mandarin), spoken to
  over its WebSocket protocol;
* `sphinx.SphinxRecogniser` — pocketsphinx, offline, with the English model inside its package: for demos and
  for a test that runs real speech recognition end to end;
* `platform.PlatformTranscripts` — transcripts the call platform delivers (text or JSON), taken as they are.

The audio adapters share `audio.ChannelRecogniser`: call centres record the agent and the customer on the two
channels of a stereo WAV, so each channel is recognised on its own and its utterances carry that channel's
speaker; a mono recording gives speaker "unknown".

A recording that cannot be transcribed raises `RecognitionFailed`: `problem` a code from `PROBLEMS` (for
programs: retry, or ask for another file), `detail` an English sentence for the operator's log that says what to
check, and `message` the translated sentence a person is shown. Codes never reach a page.

`recogniser_from_settings()` builds the adapter `settings.ARREARS_SPEECH` names. Nothing here touches the
database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

__all__ = [
    "LANGUAGES",
    "PROBLEMS",
    "SPEAKERS",
    "Recogniser",
    "RecognitionFailed",
    "Speaker",
    "Transcript",
    "Utterance",
    "check_language",
    "media_type",
    "recogniser_from_settings",
    "shown",
]

Speaker = Literal["agent", "customer", "unknown"]
SPEAKERS: frozenset[str] = frozenset({"agent", "customer", "unknown"})
LANGUAGES: frozenset[str] = frozenset({"zh", "en"})
SOURCES: frozenset[str] = frozenset({"funasr", "pocketsphinx", "platform"})

# The prefixes of `as_text()`; the platform adapter reads the same ones (with a full-width colon too).
PREFIXES: dict[str, dict[str, str]] = {
    "zh": {"agent": "坐席", "customer": "客户"},
    "en": {"agent": "Agent", "customer": "Customer"},
}


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech by one side. Times are milliseconds from the start of the recording, or None where
    the recogniser gives none (a transcript delivered without times, or a server without a timestamp model)."""

    speaker: Speaker
    text: str
    start_ms: int | None = None
    end_ms: int | None = None

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValueError(f"speaker {self.speaker!r} is not one of agent, customer, unknown")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("an utterance needs words")
        for name in ("start_ms", "end_ms"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 0):
                raise ValueError(f"{name}={value!r} is not a whole number of milliseconds from 0")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms < self.start_ms:
            raise ValueError(f"the utterance ends ({self.end_ms} ms) before it starts ({self.start_ms} ms)")


@dataclass(frozen=True)
class Transcript:
    """A call's utterances in time order, where they came from, and their language ("zh" or "en")."""

    utterances: tuple[Utterance, ...]
    source: str
    language: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "utterances", tuple(self.utterances))
        if self.source not in SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {', '.join(sorted(SOURCES))}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language {self.language!r} is not zh or en")
        if not all(isinstance(utterance, Utterance) for utterance in self.utterances):
            raise ValueError("a transcript holds utterances")

    def as_text(self) -> str:
        """One utterance a line, `坐席:您好` / `客户:…` in Chinese, `Agent: Hello` / `Customer: …` in English.

        An utterance whose speaker is unknown (a mono recording, where the two sides cannot be told apart) is
        rendered with the agent's prefix: inspection judges prohibited language on the agent's lines, so every
        line of such a call is held to the agent's rules rather than none of them. Line breaks inside an
        utterance become spaces, so that one line stays one utterance.
        """
        prefixes = PREFIXES[self.language]
        separator = ":" if self.language == "zh" else ": "
        lines = []
        for utterance in self.utterances:
            prefix = prefixes["customer" if utterance.speaker == "customer" else "agent"]
            lines.append(prefix + separator + " ".join(utterance.text.split()))
        return "".join(line + "\n" for line in lines)


# The problems a recognition can run into. The sentences are for people; the codes are for programs.
PROBLEMS = {
    "not_configured": gettext_lazy(
        "No speech recogniser is configured here: the call platform has to deliver the transcript of this call."
    ),
    "unsupported_content_type": gettext_lazy("This kind of file cannot be transcribed here."),
    "unsupported_language": gettext_lazy("The speech recogniser configured here does not handle this language."),
    "bad_audio": gettext_lazy("The recording is not a readable WAV or MP3 file."),
    "unsupported_audio": gettext_lazy(
        "The recording's format is not supported: it must be PCM with 16-bit samples, in one or two channels."
    ),
    "truncated": gettext_lazy("The recording is incomplete: the file was cut short."),
    "empty_audio": gettext_lazy("The recording holds no sound."),
    "unreachable": gettext_lazy("The speech recognition server cannot be reached."),
    "timeout": gettext_lazy("The speech recognition server did not answer in time."),
    "protocol": gettext_lazy("The speech recognition server gave an answer that cannot be used."),
    "engine": gettext_lazy("The speech recogniser failed on this recording."),
    "bad_transcript": gettext_lazy("The transcript delivered by the call platform cannot be read."),
    "too_large": gettext_lazy("The file is too large to be transcribed."),
}


def _message(problem: str, line: int | None, item: int | None) -> str:
    sentences = [str(PROBLEMS[problem])]
    if line is not None:
        sentences.append(gettext("See line %(line)s.") % {"line": line})
    if item is not None:
        sentences.append(gettext("See utterance %(item)s of the list.") % {"item": item})
    text = sentences[0]
    for sentence in sentences[1:]:  # Chinese sentences follow one another without a space
        text += (" " if text[-1].isascii() else "") + sentence
    return text


_message_lazy = lazy(_message, str)


class RecognitionFailed(Exception):
    """A recording (or a delivered transcript) that could not be turned into a transcript.

    `problem`: a code of `PROBLEMS`; `detail`: what went wrong and what to check, in English, for the operator's
    log; `line` / `item`: the line of a delivered text transcript, or the utterance of a JSON one (from 1), at
    fault; `message`: the sentence shown to a person, in the language active when it is shown.
    """

    def __init__(self, problem: str, detail: str, *, line: int | None = None, item: int | None = None):
        if problem not in PROBLEMS:
            raise ValueError(f"{problem!r} is not a recognition problem")
        super().__init__(problem, detail)  # the arguments again: a copy or a pickle (a task's result) is rebuilt
        self.problem = problem
        self.detail = detail
        self.line = line
        self.item = item

    def __str__(self) -> str:
        return f"{self.problem}: {self.detail}"

    @property
    def message(self) -> str:
        return _message_lazy(self.problem, self.line, self.item)


@runtime_checkable
class Recogniser(Protocol):
    """Anything that turns a call's audio (or a delivered transcript) into a `Transcript`."""

    source: str

    def transcribe(self, audio: bytes, *, content_type: str, language: str) -> Transcript: ...


def check_language(language: object, supported: frozenset[str] = LANGUAGES) -> str:
    """The language, if the recogniser handles it; else RecognitionFailed("unsupported_language")."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise RecognitionFailed("unsupported_language", f"language {str(language)[:20]!r} is not zh or en")
    if language not in supported:
        names = " or ".join(sorted(supported))
        raise RecognitionFailed("unsupported_language", f"this recogniser handles {names} only, not {language}")
    return str(language)


def media_type(content_type: object) -> str:
    """The media type of a Content-Type: "Audio/WAV; codecs=1" → "audio/wav"."""
    return str(content_type).split(";", 1)[0].strip().lower()


def shown(value: object, limit: int = 60) -> str:
    """A value quoted for a message, cut to `limit` characters, NUL bytes and other controls visible."""
    text = str(value)
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


# The adapter each value of ARREARS_SPEECH names, imported only when chosen (pocketsphinx loads a model).
ADAPTERS = {
    "funasr": "arrears.quality.speech.funasr.FunAsrRecogniser",
    "pocketsphinx": "arrears.quality.speech.sphinx.SphinxRecogniser",
    "platform": "arrears.quality.speech.platform.PlatformTranscripts",
}


def recogniser_from_settings() -> Recogniser:
    """The recogniser `settings.ARREARS_SPEECH` names, configured from the settings (default: "platform", none
    here: transcripts come from the call platform)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import import_string

    kind = getattr(settings, "ARREARS_SPEECH", "platform")
    if kind not in ADAPTERS:
        raise ImproperlyConfigured(f"ARREARS_SPEECH={kind!r} is not a recogniser; use funasr, pocketsphinx or platform")
    return import_string(ADAPTERS[kind]).from_settings()
