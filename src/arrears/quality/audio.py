"""WAV or MP3, told by the bytes, never by the name (pure: no Django), and a file's SHA-256 (Clause: QA-1).

`audio_kind` accepts a RIFF header of form WAVE; an ID3v2 tag (its header well-formed) followed by an MPEG audio
frame; or an MPEG audio frame header at the start (11 bits of frame sync, MPEG-1, -2 or -2.5, layer III, a bitrate
and a sample rate that exist). Anything else — another RIFF form (AVI), AAC's ADTS frames, a PDF named `.wav` — is
not a recording.
"""

from __future__ import annotations

import hashlib
from typing import IO

__all__ = ["CHUNK", "MP3", "WAV", "audio_kind", "sha256_of"]

CHUNK = 64 * 1024
WAV, MP3 = ("audio/wav", "wav"), ("audio/mpeg", "mp3")
# MPEG audio: bitrate index 0b1111 and sample-rate index 0b11 do not exist; version 0b01 is reserved.
_BAD_BITRATE, _BAD_RATE, _RESERVED_VERSION, _LAYER_III = 0b1111, 0b11, 0b01, 0b01


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header: 11 bits of sync, a real version, layer III, a real bitrate and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return (
        version != _RESERVED_VERSION and layer == _LAYER_III and bitrate not in (0, _BAD_BITRATE) and rate != _BAD_RATE
    )


def _id3_end(head: bytes) -> int | None:
    """Where the audio after an ID3v2 tag begins, or None when the tag's header is not well-formed."""
    major, flags, size = head[3], head[5], head[6:10]
    if major == 0xFF or head[4] == 0xFF or any(b & 0x80 for b in size):
        return None
    length = (size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3]
    return 10 + length + (10 if flags & 0x10 else 0)  # a footer after the tag when flag 0x10 is set


def audio_kind(stream: IO[bytes]) -> tuple[str, str] | None:
    """(content type, extension) of a WAV or MP3 file told by its bytes, or None. Reads from the start; leaves
    the stream at its start."""
    stream.seek(0)
    head = stream.read(12)
    kind = None
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        kind = WAV
    elif head[:3] == b"ID3" and len(head) >= 10:
        end = _id3_end(head)
        if end is not None:
            stream.seek(end)
            kind = MP3 if _mpeg_frame(stream.read(4)) else None
    elif _mpeg_frame(head):
        kind = MP3
    stream.seek(0)
    return kind


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    """(SHA-256 in hex, size in bytes) of the whole stream, read in chunks; leaves the stream at its start."""
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size
