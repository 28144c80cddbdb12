"""Reading through a speech recogniser's homophone errors: 起素你加人 is 起诉你家人 misheard.

A recogniser that hears the sound right may write the wrong characters (起诉 → 起素, 征信 → 争信, 逾期 → 余期).
Before the rules read an utterance, `correct(text, vocabulary)` puts back the words of the vocabulary — the words
the rules look for — wherever the text has characters that sound the same and differ from them in at most one
character of a two- or three-character word (two of a longer one), and only where what is written is not a more
common word than the one it would become (出生 stays 出生, though it sounds like 畜生): more would rewrite
innocent talk.

"Sound the same" is compared on toneless pinyin (pypinyin), every reading of a character that has several (还 is
hai and huan), with the distinctions Mandarin speakers and recognisers most often blur folded together: zh/z,
ch/c, sh/s, initial n/l, and -ng/-n at the end of a syllable. The correction keeps the text's length, so a place
in the corrected text is the same place in the original.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import lru_cache

__all__ = ["Vocabulary", "correct", "sounds"]

_lock = threading.Lock()


def _fold(syllable: str) -> str:
    for retroflex, flat in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if syllable.startswith(retroflex):
            syllable = flat + syllable[2:]
            break
    if syllable.startswith("n") and len(syllable) > 1 and syllable[1] != "g":
        syllable = "l" + syllable[1:]
    if syllable.endswith("ng") and len(syllable) > 2:
        syllable = syllable[:-1]
    return syllable


@lru_cache(maxsize=65_536)
def sounds(char: str) -> frozenset[str]:
    """The folded toneless readings of one character; empty for anything that is not a Chinese character."""
    if not ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"):
        return frozenset()
    with _lock:
        from pypinyin import Style, pinyin

        readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(_fold(r) for r in (readings[0] if readings else []) if r.isascii() and r.isalpha())


class Vocabulary:
    """The words to restore, indexed by the sounds of their first character."""

    def __init__(self, words: Iterable[str], frequency: Callable[[str], int] | None = None) -> None:
        self.frequency = frequency
        self.words = tuple(sorted({w for w in words if len(w) >= 2 and all(sounds(c) for c in w)}, key=len))[::-1]
        self._by_first: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
        for word in self.words:  # longest first: a longer word wins over a shorter one at the same place
            shape = tuple(sounds(c) for c in word)
            for syllable in shape[0]:
                self._by_first.setdefault(syllable, []).append((word, shape))

    def candidates(self, char: str) -> list[tuple[str, tuple[frozenset[str], ...]]]:
        found: list[tuple[str, tuple[frozenset[str], ...]]] = []
        seen: set[str] = set()
        for syllable in sounds(char):
            for word, shape in self._by_first.get(syllable, ()):
                if word not in seen:
                    seen.add(word)
                    found.append((word, shape))
        found.sort(key=lambda item: -len(item[0]))
        return found


# Characters so common that a recogniser rarely gets them wrong and a sentence has them everywhere: a window whose
# differing character is one of these is read as written (转过去是吧 is not 转过去死吧, 通过后会 not 通过后悔).
_KEPT = frozenset("是的了在我你他她们这那有不就也都和吧吗呢啊会要说到过还给")


def _allowed_differences(length: int) -> int:
    return 1 if length <= 3 else 2


def correct(text: str, vocabulary: Vocabulary) -> str:
    """`text` with every homophone of a vocabulary word replaced by the word (same length as `text`)."""
    chars = list(text)
    i = 0
    while i < len(chars):
        replaced = 0
        for word, shape in vocabulary.candidates(chars[i]):
            n = len(word)
            window = chars[i : i + n]
            if len(window) < n:
                continue
            differing = sum(1 for a, b in zip(window, word, strict=True) if a != b)
            if differing == 0:
                replaced = n  # the word itself: nothing to restore, and it is not read again as another
                break
            if differing > _allowed_differences(n) or any(
                a != b and a in _KEPT for a, b in zip(window, word, strict=True)
            ):
                continue
            written = "".join(window)
            if all(sounds(c) & s for c, s in zip(window, shape, strict=True)) and not (
                vocabulary.frequency is not None and vocabulary.frequency(written) > vocabulary.frequency(word)
            ):
                chars[i : i + n] = list(word)
                replaced = n
                break
        i += replaced or 1
    return "".join(chars)
