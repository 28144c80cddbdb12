"""The automatic inspection of call transcripts (QA-1): pure, no database, no Django models.

`parse(text)` reads a transcript (`transcript`); `inspect(transcript, ...)` judges it (`rules`); `sentiment` is the
lexicon sentiment of what the other side said (jionlp)."""

from arrears.quality.inspect.rules import Finding, Inspection, Satisfaction, Step, Weights, inspect
from arrears.quality.inspect.transcript import Transcript, TranscriptError, parse

__all__ = [
    "Finding",
    "Inspection",
    "Satisfaction",
    "Step",
    "Transcript",
    "TranscriptError",
    "Weights",
    "inspect",
    "parse",
]
