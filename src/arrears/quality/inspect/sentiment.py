"""The sentiment of what the other side said: jionlp's lexicon sentiment (a maintained Chinese NLP package whose
sentiment dictionary ships inside it), 0 (negative) … 1 (positive), as a Decimal to two places.

jionlp prints a banner to standard output when imported and warns about its dictionary on the root logger: both
are silenced, so a `--json` command's output stays JSON."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from decimal import Decimal
from typing import Any

__all__ = ["lexicon_sentiment"]

_lock = threading.RLock()
_analyser: Any = None


def _load() -> Any:
    global _analyser
    if _analyser is None:
        with _lock:
            if _analyser is None:
                root = logging.getLogger()
                level = root.level
                root.setLevel(logging.ERROR)
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        import jionlp

                        _analyser = jionlp.sentiment.LexiconSentiment()
                finally:
                    root.setLevel(level)
    return _analyser


def lexicon_sentiment(text: str) -> Decimal | None:
    """0.00–1.00 for Chinese text; None when there is nothing to judge (no Chinese characters)."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return None
    with _lock:
        value = _load()(text)
    return Decimal(str(value)).quantize(Decimal("0.01"))
