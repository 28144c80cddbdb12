"""Call recordings as recognisers need them, and `ChannelRecogniser`, the part every audio adapter shares.

Call centres record the agent on one channel and the customer on the other: `read_wav()` checks a WAV file and
returns one `Channel` per side (left = agent, right = customer, unless ARREARS_SPEECH_AGENT_CHANNEL says
"right"); a mono recording is one channel whose speaker is unknown. Each channel is recognised on its own and
`merge()` puts the two sides' utterances back in time order.

Only PCM with 16-bit samples is taken (one or two channels, 8,000–48,000 samples a second). Anything else — A-law
or μ-law, float, 8- or 24-bit samples, a file cut short, a file of NUL bytes, something that is not a WAV at all
— is a `RecognitionFailed` whose detail names what was found and how to convert it; no input makes this module
crash. The file is read with the standard library's `wave`; a small walk over its RIFF chunks first gives the
precise complaint, and lets WAVE_FORMAT_EXTENSIBLE files whose samples are plain PCM through on every Python.

`resample()` converts 16-bit mono audio between rates with a windowed-sinc filter evaluated at exact rational
positions (integer arithmetic for the phase, numpy for the sums): pocketsphinx's model wants 16 kHz, telephony
gives 8 kHz and text-to-speech 22,050 Hz.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, gcd
from typing import ClassVar

import numpy as np

from arrears.quality.speech.base import (
    LANGUAGES,
    RecognitionFailed,
    Speaker,
    Transcript,
    Utterance,
    check_language,
    media_type,
    shown,
)

__all__ = [
    "MP3_TYPES",
    "WAV_TYPES",
    "Channel",
    "ChannelRecogniser",
    "Segment",
    "merge",
    "read_wav",
    "resample",
]

WAV_TYPES = frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"})
MP3_TYPES = frozenset({"audio/mpeg", "audio/mp3"})
MIN_RATE, MAX_RATE = 8000, 48000

_PCM, _EXTENSIBLE = 1, 0xFFFE
_FORMAT_NAMES = {
    2: "Microsoft ADPCM",
    3: "IEEE float",
    6: "A-law (G.711)",
    7: "μ-law (G.711)",
    0x11: "IMA ADPCM",
    0x31: "GSM 6.10",
    0x55: "MP3",
}
_CONVERT = "convert it to 16-bit PCM first, e.g. `sox in.wav -e signed-integer -b 16 out.wav`"


@dataclass(frozen=True)
class Channel:
    """One side of a call: 16-bit signed little-endian samples, `rate` of them a second."""

    speaker: Speaker
    pcm: bytes
    rate: int

    @property
    def silent(self) -> bool:
        """Digital silence (every sample zero): nothing to recognise."""
        return self.pcm.count(0) == len(self.pcm)


@dataclass(frozen=True)
class Segment:
    """What a recogniser heard in one channel: its words and, if known, when (ms from the channel's start)."""

    text: str
    start_ms: int | None = None
    end_ms: int | None = None


def _looks_like_mp3(audio: bytes) -> bool:
    return audio[:3] == b"ID3" or (len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0)


@dataclass(frozen=True)
class _Chunks:
    fmt_offset: int | None  # where the fmt chunk's body starts
    fmt: bytes  # its body, as much of it as the file holds
    data_offset: int | None  # where the samples start
    data_size: int  # the length the data chunk declares
    cut: bool  # the file ended inside a chunk header or the fmt chunk


def _walk_chunks(audio: bytes) -> _Chunks:
    """The fmt and data chunks of a RIFF/WAVE file; like `wave`, the walk stops at the data chunk."""
    position, fmt_offset, fmt, cut = 12, None, b"", False
    while True:
        if position + 8 > len(audio):
            cut = cut or position < len(audio) or fmt_offset is None
            return _Chunks(fmt_offset, fmt, None, 0, cut)
        name, size = audio[position : position + 4], int.from_bytes(audio[position + 4 : position + 8], "little")
        body = position + 8
        if name == b"fmt " and fmt_offset is None:
            fmt_offset, fmt = body, audio[body : body + size]
            cut = len(fmt) < size
        elif name == b"data":
            return _Chunks(fmt_offset, fmt, body, size, cut)
        position = body + size + (size & 1)


def read_wav(audio: bytes, *, agent_channel: str = "left") -> list[Channel]:
    """The channels of a WAV recording, each with its speaker; RecognitionFailed for anything not 16-bit PCM."""
    if not audio:
        raise RecognitionFailed("bad_audio", "the file is empty (0 bytes)")
    if audio.count(0) == len(audio):
        raise RecognitionFailed(
            "bad_audio",
            f"the file is {len(audio)} NUL bytes and nothing else: a recording never written, or a disk fault",
        )
    if audio[:4] != b"RIFF" or audio[8:12] != b"WAVE":
        if len(audio) < 12 and b"RIFF".startswith(audio[:4]):
            raise RecognitionFailed("truncated", f"the file ends after {len(audio)} bytes, inside the WAV header")
        hint = "; it looks like an MP3: send it as audio/mpeg" if _looks_like_mp3(audio) else ""
        raise RecognitionFailed("bad_audio", f"not a WAV file: it does not start with RIFF…WAVE{hint}")
    chunks = _walk_chunks(audio)
    if chunks.fmt_offset is None or len(chunks.fmt) < 16:
        problem = "truncated" if chunks.cut else "bad_audio"
        raise RecognitionFailed(problem, "the WAV file has no complete fmt chunk before its samples")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", chunks.fmt)
    if tag == _EXTENSIBLE:  # the sample format is the first two bytes of the sub-format GUID
        tag = struct.unpack_from("<H", chunks.fmt, 24)[0] if len(chunks.fmt) >= 26 else -1
        name = "WAVE_FORMAT_EXTENSIBLE with a sub-format other than PCM"
    else:
        name = _FORMAT_NAMES.get(tag, f"format {tag}")
    if tag != _PCM:
        raise RecognitionFailed("unsupported_audio", f"the samples are {name}, not PCM; {_CONVERT}")
    if bits != 16:
        raise RecognitionFailed("unsupported_audio", f"the samples are {bits}-bit PCM, not 16-bit; {_CONVERT}")
    if channels not in (1, 2):
        raise RecognitionFailed(
            "unsupported_audio", f"the file has {channels} channels; a call has one (mono) or two (agent and customer)"
        )
    if not MIN_RATE <= rate <= MAX_RATE:
        raise RecognitionFailed(
            "unsupported_audio", f"{rate} samples a second; from {MIN_RATE} to {MAX_RATE} are taken. {_CONVERT}"
        )
    if block_align != 2 * channels:
        raise RecognitionFailed(
            "bad_audio", f"its frames are {block_align} bytes long, not {2 * channels} ({channels} × 16 bits)"
        )
    if chunks.data_offset is None:
        raise RecognitionFailed("truncated", "the WAV file ends before its data chunk: it holds no samples")
    held = len(audio) - chunks.data_offset
    if chunks.data_size > held:
        raise RecognitionFailed(
            "truncated",
            f"its data chunk declares {chunks.data_size} bytes of samples but the file holds {held}: it was cut short "
            "(or written by a program that never filled in the length)",
        )
    if chunks.data_size < block_align:
        raise RecognitionFailed("empty_audio", "the WAV file holds no samples")
    return _split(_read_frames(audio, chunks, channels, rate), channels, rate, agent_channel)


def _read_frames(audio: bytes, chunks: _Chunks, channels: int, rate: int) -> bytes:
    source = audio
    if audio[chunks.fmt_offset : chunks.fmt_offset + 2] != b"\x01\x00":  # extensible PCM: plain PCM for `wave`
        source = audio[: chunks.fmt_offset] + b"\x01\x00" + audio[chunks.fmt_offset + 2 :]
    try:
        with wave.open(io.BytesIO(source), "rb") as reader:
            found = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError, struct.error, ValueError, OverflowError) as exc:
        raise RecognitionFailed("bad_audio", f"the WAV file cannot be read: {exc}") from None
    if found != (channels, 2, rate):
        raise RecognitionFailed("bad_audio", "the WAV file's header contradicts itself")
    if len(frames) != chunks.data_size // (2 * channels) * 2 * channels:
        raise RecognitionFailed("truncated", "the WAV file holds fewer samples than its header declares")
    return frames


def _split(frames: bytes, channels: int, rate: int, agent_channel: str) -> list[Channel]:
    if agent_channel not in ("left", "right"):
        raise ValueError(f"agent_channel={agent_channel!r} is not left or right")
    if channels == 1:
        return [Channel("unknown", frames, rate)]
    samples = np.frombuffer(frames, dtype="<i2")
    left, right = samples[0::2].tobytes(), samples[1::2].tobytes()
    agent, customer = (left, right) if agent_channel == "left" else (right, left)
    return [Channel("agent", agent, rate), Channel("customer", customer, rate)]


# The resampler's filter: a sinc cut off just below the lower rate's Nyquist frequency, under a Kaiser window
# reaching _HALF_TAPS samples of the lower rate either side (about 70 dB of stop-band rejection).
_HALF_TAPS, _ROLLOFF, _KAISER_BETA = 16, 0.94, 7.0
_BLOCK = 8192  # output samples computed at a time, bounding memory


def resample(pcm: bytes, rate_in: int, rate_out: int) -> bytes:
    """16-bit mono samples at `rate_in` as 16-bit mono samples at `rate_out` (same duration, DC gain 1)."""
    if rate_in <= 0 or rate_out <= 0:
        raise ValueError("sample rates are positive")
    if rate_in == rate_out or not pcm:
        return pcm
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    common = gcd(rate_in, rate_out)
    up, down = rate_out // common, rate_in // common  # output n sits at input position n·down/up
    stretch = max(1.0, down / up)  # decimating: the filter is wider, in input samples
    half = ceil(_HALF_TAPS * stretch)
    taps = np.arange(-half + 1, half + 1)
    # One row of weights per phase (the fractional part of n·down/up, in units of 1/up).
    distance = np.arange(up)[:, None] / up - taps[None, :]  # output instant minus tap position
    cutoff = _ROLLOFF / (2 * stretch)  # cycles per input sample
    window = np.i0(_KAISER_BETA * np.sqrt(np.clip(1 - (distance / half) ** 2, 0, None))) / np.i0(_KAISER_BETA)
    weights = np.sinc(2 * cutoff * distance) * window
    weights /= weights.sum(axis=1, keepdims=True)
    padded = np.concatenate([np.zeros(half), x, np.zeros(half + 1)])
    count = (len(x) * up + down - 1) // down
    out = np.empty(count)
    for first in range(0, count, _BLOCK):
        n = np.arange(first, min(first + _BLOCK, count), dtype=np.int64)
        base, phase = np.divmod(n * down, up)
        out[first : first + len(n)] = np.einsum(
            "ij,ij->i", padded[base[:, None] + taps[None, :] + half], weights[phase]
        )
    return np.clip(np.rint(out), -32768, 32767).astype("<i2").tobytes()


def merge(pieces: Sequence[tuple[Speaker, Sequence[Segment]]]) -> tuple[Utterance, ...]:
    """The sides' segments as utterances in time order; on a tie the earlier side (the agent) first. Segments
    without times keep their order after the timed ones; empty ones are dropped (silence has no words)."""
    keyed = []
    for side, (speaker, segments) in enumerate(pieces):
        for index, segment in enumerate(segments):
            text = " ".join(segment.text.split())
            if text:
                key = (segment.start_ms is None, segment.start_ms or 0, side, index)
                keyed.append((key, Utterance(speaker, text, segment.start_ms, segment.end_ms)))
    return tuple(utterance for _, utterance in sorted(keyed, key=lambda item: item[0]))


class ChannelRecogniser:
    """What the audio adapters share: the WAV read and split by side, each side recognised, the sides merged.

    A subclass names its `source`, the `languages` it handles, the media types it passes through undecoded
    (`encoded_types`, recognised by `recognise_encoded`), and recognises one channel in `recognise_channel`.
    """

    source: ClassVar[str]
    languages: ClassVar[frozenset[str]] = LANGUAGES
    encoded_types: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, agent_channel: str = "left"):
        if agent_channel not in ("left", "right"):
            raise ValueError(f"agent_channel={agent_channel!r} is not left or right")
        self.agent_channel = agent_channel

    def transcribe(self, audio: bytes, *, content_type: str, language: str) -> Transcript:
        language = check_language(language, self.languages)
        audio = bytes(audio)
        kind = media_type(content_type)
        if kind in WAV_TYPES:
            channels = read_wav(audio, agent_channel=self.agent_channel)
            pieces = [
                (channel.speaker, self.recognise_channel(channel, language))
                for channel in channels
                if not channel.silent  # digital silence: no words to look for
            ]
        elif kind in self.encoded_types:
            if not audio or audio.count(0) == len(audio):
                raise RecognitionFailed("bad_audio", f"the file is empty or NUL bytes only ({len(audio)} bytes)")
            if kind in MP3_TYPES and not _looks_like_mp3(audio):
                hint = "; it is a WAV file: send it as audio/wav" if audio[:4] == b"RIFF" else ""
                raise RecognitionFailed("bad_audio", f"not an MP3 file: no ID3 tag or MPEG frame at its start{hint}")
            pieces = [("unknown", self.recognise_encoded(audio, kind, language))]
        else:
            accepted = ", ".join(sorted(WAV_TYPES | self.encoded_types))
            raise RecognitionFailed(
                "unsupported_content_type", f"{self.source} takes {accepted}; not {shown(content_type)}"
            )
        return Transcript(merge(pieces), source=self.source, language=language)

    def recognise_channel(self, channel: Channel, language: str) -> Sequence[Segment]:
        raise NotImplementedError

    def recognise_encoded(self, audio: bytes, media: str, language: str) -> Sequence[Segment]:
        raise NotImplementedError
