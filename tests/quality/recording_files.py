"""Audio files for tests, made here byte by byte: a WAV of silence, MP3 frames (MPEG-1 layer III, 128 kbit/s,
44.1 kHz), the same behind an ID3v2 tag — and files that only look like them by name."""

from __future__ import annotations

import io
import wave


def wav(frames: int = 800, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of `frames` samples of silence (800 at 8 kHz: 0.1 s, 1,644 bytes)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


# An MPEG-1 layer III frame header (sync, no CRC; 128 kbit/s, 44.1 kHz, no padding): 417 bytes a frame.
FRAME = bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)


def mp3(frames: int = 3) -> bytes:
    return FRAME * frames


def id3_mp3(frames: int = 3) -> bytes:
    """An ID3v2.4 tag of 20 bytes (a title frame), then the frames."""
    body = b"TIT2" + bytes([0, 0, 0, 10]) + b"\x00\x00" + b"\x03call 0001"[:10]
    size = len(body)
    header = (
        b"ID3" + bytes([4, 0, 0]) + bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    )
    return header + body + mp3(frames)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
