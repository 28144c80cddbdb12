"""Offline English speech recognition with pocketsphinx, whose US English model ships inside its package.

What it is for: a recogniser that needs no server, no download and no network — demos of the quality pipeline
on a laptop (ARREARS_SPEECH=pocketsphinx) and the test that runs real speech recognition end to end, on audio
made with espeak-ng. What it is not for: the bank's calls. Its model is US English and far less accurate than a
FunASR server on Mandarin; for production, run FunASR (funasr.py).

Each channel is resampled to 16 kHz mono (the model's rate; audio.resample), cut into speech regions by
pocketsphinx's voice activity detector (`Segmenter`), and each region decoded with the model's language model:
one utterance per region, with its start and end. The model is wideband: telephone-band audio (8 kHz, nothing
above 4 kHz) resampled to 16 kHz is recognised poorly — one more reason this adapter is not for real calls. The decoder is loaded once per recogniser (about a third of a
second) and used by one thread at a time.
"""

from __future__ import annotations

import io
import threading

from pocketsphinx import Decoder, Segmenter

from arrears.quality.speech.audio import Channel, ChannelRecogniser, Segment, resample
from arrears.quality.speech.base import RecognitionFailed

__all__ = ["SphinxRecogniser"]

RATE = 16_000  # the en-us acoustic model's sample rate
_TAIL_BYTES = RATE * 2  # a second of silence after the audio, so the detector closes the last speech region
# Each region is decoded with this much of the audio around it: cut tight at the detector's edges, a sentence's
# last word is misheard ("next week" became "and we"); with a little of the surrounding quiet it is not. Less
# than half the shortest pause the detector ends a region at (0.3 s), so a neighbour's words stay out.
_MARGIN_SECONDS = 0.15


class SphinxRecogniser(ChannelRecogniser):
    source = "pocketsphinx"
    languages = frozenset({"en"})

    def __init__(self, *, agent_channel: str = "left"):
        super().__init__(agent_channel=agent_channel)
        self._lock = threading.Lock()
        self._decoder = None

    @classmethod
    def from_settings(cls) -> SphinxRecogniser:
        from django.conf import settings

        return cls(agent_channel=settings.ARREARS_SPEECH_AGENT_CHANNEL)

    def recognise_channel(self, channel: Channel, language: str) -> list[Segment]:
        pcm = resample(channel.pcm, channel.rate, RATE)
        length_ms = len(pcm) // 2 * 1000 // RATE
        with self._lock:
            try:
                return self._decode(pcm, length_ms)
            except (RuntimeError, ValueError, IndexError) as exc:
                raise RecognitionFailed("engine", f"pocketsphinx failed on this recording: {exc}") from None

    def _decode(self, pcm: bytes, length_ms: int) -> list[Segment]:
        if self._decoder is None:
            self._decoder = Decoder(samprate=RATE, loglevel="FATAL")  # the package's en-us model
        decoder = self._decoder
        segmenter = Segmenter(sample_rate=RATE)
        # pocketsphinx's Segmenter drops a region still open when the stream ends on a frame boundary: end the
        # audio with silence, to a whole number of frames, so that every region is closed before the end.
        padded = pcm + bytes(_TAIL_BYTES + (-(len(pcm) + _TAIL_BYTES)) % segmenter.frame_bytes)
        segments = []
        for region in segmenter.segment(io.BytesIO(padded)):
            first = max(0, round((region.start_time - _MARGIN_SECONDS) * RATE)) * 2
            last = min(len(padded), round((region.end_time + _MARGIN_SECONDS) * RATE) * 2)
            decoder.start_utt()
            decoder.process_raw(padded[first:last], full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            text = hypothesis.hypstr.strip() if hypothesis is not None else ""
            if text:
                start = min(round(region.start_time * 1000), length_ms)
                segments.append(Segment(text, start, max(start, min(round(region.end_time * 1000), length_ms))))
        return segments
