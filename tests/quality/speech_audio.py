"""Audio for the speech tests: WAV files built sample by sample, and speech made with espeak-ng."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import wave

import numpy as np
import pytest


def samples(values) -> bytes:
    """16-bit little-endian PCM of the given sample values."""
    return np.asarray(values, dtype="<i2").tobytes()


def pattern(count: int, period: int, step: int) -> bytes:
    """A deterministic sawtooth, different for each (period, step): audio whose SHA-256 a test can know."""
    return samples(np.arange(count) % period * step)


def wav(*channels: bytes, rate: int = 16000) -> bytes:
    """A WAV file (PCM, 16-bit) of one or two channels of equal length, interleaved as WAV keeps them."""
    arrays = [np.frombuffer(channel, dtype="<i2") for channel in channels]
    frames = np.stack(arrays, axis=1).reshape(-1) if len(arrays) > 1 else arrays[0]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(len(channels))
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(frames.astype("<i2").tobytes())
    return buffer.getvalue()


def riff(fmt: bytes, data: bytes, *, data_size: int | None = None, fmt_first: bool = True) -> bytes:
    """A RIFF/WAVE file from a raw fmt chunk body and samples, for headers `wave` will not write."""
    fmt_chunk = b"fmt " + struct.pack("<I", len(fmt)) + fmt + (b"\0" if len(fmt) % 2 else b"")
    data_chunk = b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    body = b"WAVE" + (fmt_chunk + data_chunk if fmt_first else data_chunk + fmt_chunk)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag: int = 1, channels: int = 1, rate: int = 16000, bits: int = 16, extra: bytes = b"") -> bytes:
    """A fmt chunk body: format tag, channels, rate, bytes a second, block align, bits a sample, extra."""
    align = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits) + extra


def espeak(text: str) -> tuple[bytes, int]:
    """`text` spoken by espeak-ng (voice en-us+f2, 120 words a minute): mono 16-bit samples and their rate.

    That voice and pace are the ones pocketsphinx's model recognises well (the default voice gives it noise).
    """
    program = shutil.which("espeak-ng")
    if program is None:
        pytest.fail("espeak-ng is not installed: apt-get install espeak-ng (scripts/bootstrap.sh dev installs it)")
    made = subprocess.run([program, "-v", "en-us+f2", "-s", "120", "--stdout", text], capture_output=True, check=True)
    # espeak-ng writes to a pipe with the lengths left at their streaming placeholder: read the samples directly.
    with wave.open(io.BytesIO(made.stdout)) as reader:
        rate = reader.getframerate()
    start = made.stdout.index(b"data") + 8
    pcm = made.stdout[start:]
    return pcm[: len(pcm) // 2 * 2], rate
