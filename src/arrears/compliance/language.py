"""Prohibited language (LANG-1): is there threatening, intimidating or insulting wording in this text?

The policy forbids language such as 不還錢就起訴你家人. Compliance officers keep a list of entries; free text a
collector writes (call notes, additions to letters, templates) is checked against it before it is saved. This
module is the pure part: `check_text(text, entries) -> list[Hit]`, no database, no Django.

How a text is compared with an entry:

1. **Normalise** text and entries alike: NFKC (full-width letters and digits become ASCII, compatibility forms
   fold), case-fold, traditional → simplified Chinese (OpenCC `t2s`), and drop whitespace, punctuation, symbols,
   control and combining characters. So 起訴 你 家人！ and 起·诉你家人 both read 起诉你家人, ＳＢ reads sb, and
   an entry written in traditional characters matches simplified text. Every normalised character remembers which
   stretch of the original text it came from, so a hit quotes the collector's own words.
2. **Segment** the normalised text into words with jieba (its dictionary only, no HMM guessing of new words:
   known phrases then split the same way every time).
3. **Match** an entry of one of two kinds:

   - `words`: key words separated by spaces ("起诉 家人"), which must appear in that order, each within
     `MAX_GAP` words of the one before. "起诉 家人" matches 不还钱就起诉你家人 and 我们会起诉你的家人.
   - `pattern`: a regular expression (case-insensitive) searched in the normalised text — no spaces or
     punctuation left there, so a pattern must not rely on them. Only patterns whose worst case is small may be
     used (no backreferences, lookarounds or repeated groups; see `arrears.compliance.pattern_safety`), and the
     text is searched in windows, so checking a text ends soon whatever the pattern and the text.

Why segment at all, rather than look for the key words as substrings? Because Chinese has no spaces, and a
short key word is very often part of a longer, innocent word: 死 in 死去活来, 滚 in 滚动还款, 家人 across
国家|人口. A key word matches only where it can be read as a word of the sentence:

- a key word of one character must be a whole word by itself (滚 matches 你给我滚, never 滚动);
- a longer key word must either cover whole words exactly (起诉 in 起诉|你|的|家人, 上门收拾 as 上门|收拾), or be
  aligned with a word boundary on one side and split a word on the other only where the piece left over is
  itself a word — one character or a dictionary word. jieba cuts 你家人 as 你家|人; 家人 ends on a boundary and
  the left-over 你 is a word, so 你|家人 is a valid reading and 起诉 家人 matches. In 国家|人口 the same two
  characters start and end inside words: no reading makes 家人 a word there, so nothing matches.

What this cannot know: negation and reported speech ("我们不会起诉你的家人", "借款人骂我们是骗子") match too.
That is deliberate — the text is blocked, the collector sees the phrase and rewords — and the hit is on record
for a compliance officer to judge. The one-sided rule still admits a reading a person would not make (过去死了
reads as 过|去死|了 too), and a one-character key word inside a longer word is missed on purpose (腿 in 狗腿):
an officer who wants that caught adds the longer word (打断 狗腿) as an entry.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from arrears.compliance.pattern_safety import pattern_problem, windows

__all__ = [
    "MAX_GAP",
    "Category",
    "Entry",
    "Hit",
    "InvalidEntry",
    "Kind",
    "check_text",
    "compile_entry",
    "normalise",
    "unusable_entries",
    "warm_up",
    "word_frequency",
]

log = logging.getLogger("arrears.compliance")

# How many words may stand between two consecutive key words of a `words` entry: 起诉|你|的|家人 has two.
MAX_GAP = 4


class Kind(StrEnum):
    WORDS = "words"
    PATTERN = "pattern"


class Category(StrEnum):
    THIRD_PARTY = "third_party"  # threats against family, employer, colleagues, contacts
    VIOLENCE = "violence"
    INSULT = "insult"
    FALSE_LEGAL = "false_legal"  # false claims about police, courts, criminal liability, credit records
    OTHER = "other"


@dataclass(frozen=True)
class Entry:
    """One entry of the list, as written by a compliance officer."""

    id: int | None
    text: str
    kind: str = Kind.WORDS
    category: str = Category.OTHER


@dataclass(frozen=True)
class Hit:
    """An entry found in a text: which entry, and the stretch of the original text (`text[start:end]`)."""

    entry_id: int | None
    phrase: str  # the entry as written
    category: str
    excerpt: str
    start: int
    end: int


class InvalidEntry(ValueError):
    """An entry that cannot be used. `problem` says which way: "empty", "kind", "whitespace" (a pattern with
    spaces, which the normalised text never has), "regex" (`detail` holds the compiler's message),
    "matches_empty" (a pattern that matches empty text would block every text), or one of the reasons of
    `pattern_safety.pattern_problem` ("too_long", "backreference", "lookaround", "repeated_group", "too_costly",
    "unsupported": a pattern that could take too long to check)."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem = problem
        self.detail = detail


# --- normalisation ------------------------------------------------------------------------------------------

_DROPPED = frozenset("PZCSM")  # punctuation, separators (spaces), control/format, symbols, combining marks

_lock = threading.Lock()
_converter: Any = None
_tokenizer: Any = None


def _t2s() -> Any:
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


def warm_up() -> None:
    """Load the tokenizer's dictionary now: the production server calls it before forking its workers, which
    then share it, instead of each worker's first screened note waiting for it (2.6 s on a busy box)."""
    _jieba()


def _jieba() -> Any:
    """One jieba tokenizer for the process, built on first use (loading the dictionary takes about a second),
    with jieba's chatter on stderr silenced."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def _clusters(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each base character with the combining marks that follow it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield start, i
            start = i


def _folded(text: str) -> Iterable[tuple[str, int, int, bool]]:
    """Each character after NFKC and case folding, the (start, end) of `text` it came from, and whether it is
    dropped (whitespace, punctuation, symbol, control or combining)."""
    for start, end in _clusters(text):
        for ch in unicodedata.normalize("NFKC", text[start:end]).casefold():
            yield ch, start, end, unicodedata.category(ch)[0] in _DROPPED


def _normalise_mapped(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The normalised text, and for each of its characters the (start, end) it came from in `text`."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for ch, start, end, dropped in _folded(text):
        if not dropped:
            chars.append(ch)
            spans.append((start, end))
    folded = "".join(chars)
    simplified = _t2s().convert(folded) if folded else ""
    if len(simplified) == len(folded):  # the usual case: t2s maps character for character
        return simplified, spans
    # A phrase conversion changed the length: convert character by character to keep the map exact.
    out_chars: list[str] = []
    out_spans: list[tuple[int, int]] = []
    for ch, span in zip(chars, spans, strict=True):
        for converted in _t2s().convert(ch):
            out_chars.append(converted)
            out_spans.append(span)
    return "".join(out_chars), out_spans


def normalise(text: str) -> str:
    """NFKC, case-folded, simplified, without whitespace, punctuation or symbols: what entries are matched in."""
    return _normalise_mapped(text)[0]


# --- segmentation -------------------------------------------------------------------------------------------


class _Segmented:
    """A normalised text cut into words, with the word boundaries and which word each character belongs to."""

    def __init__(self, text: str, spans: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.word_of: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        position = 0
        for n, word in enumerate(_latin_words(text, spans, _jieba().lcut(text, HMM=False)) if text else []):
            self.starts.append(position)
            self.word_of.extend([n] * len(word))
            position += len(word)
            self.ends.append(position)
        self.start_set = frozenset(self.starts)
        self.end_set = frozenset(self.ends)

    def reads_as_word(self, i: int, j: int) -> bool:
        """Can text[i:j] be read as a word (or run of words) of this sentence? See the module docstring."""
        at_start, at_end = i in self.start_set, j in self.end_set
        if at_start and at_end:
            return True
        if j - i == 1 or not (at_start or at_end):
            return False
        if not at_start:
            return _is_word(self.text[self.starts[self.word_of[i]] : i])
        return _is_word(self.text[j : self.ends[self.word_of[j - 1]]])

    def occurrences(self, key: str) -> list[tuple[int, int]]:
        found = []
        i = self.text.find(key)
        while i != -1:
            if self.reads_as_word(i, i + len(key)):
                found.append((i, i + len(key)))
            i = self.text.find(key, i + 1)
        return found

    def gap(self, before: tuple[int, int], after: tuple[int, int]) -> int:
        """Whole words strictly between two matched stretches (negative when they share a word)."""
        return self.word_of[after[0]] - self.word_of[before[1] - 1] - 1


def _latin_words(text: str, spans: list[tuple[int, int]] | None, words: list[str]) -> Iterable[str]:
    """jieba's words, with a run of Latin letters and digits cut again where the original text had a space or
    punctuation: normalising drops them, so "you idiot" reads youidiot, which jieba keeps as one word; cut where
    the space was, it reads you|idiot again, and an entry "idiot" matches it but not "idiotic"."""
    position = 0
    for word in words:
        start = 0
        if spans is not None and len(word) > 1 and word.isascii():
            for k in range(position + 1, position + len(word)):
                if spans[k - 1][1] < spans[k][0]:  # something was dropped between these two characters
                    yield word[start : k - position]
                    start = k - position
        yield word[start:]
        position += len(word)


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen `word` (0 for a word it does not know)."""
    return int(_jieba().FREQ.get(word, 0) or 0)


def _is_word(piece: str) -> bool:
    return len(piece) == 1 or _jieba().FREQ.get(piece, 0) > 0


# --- entries ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    keys: tuple[str, ...]

    def find(self, seg: _Segmented, text: str) -> tuple[int, int] | None:
        options = [seg.occurrences(key) for key in self.keys]
        for first in options[0]:
            previous = first
            for later in options[1:]:
                # Occurrences of one key word all have the same length: the first that starts after the previous
                # key word also ends first, so choosing it never loses a match a later one would have made.
                following = next((o for o in later if o[0] >= previous[1]), None)
                if following is None or seg.gap(previous, following) > MAX_GAP:
                    break
                previous = following
            else:
                return first[0], previous[1]
        return None


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]

    def find(self, seg: _Segmented, text: str) -> tuple[int, int] | None:
        for window_start, window_end in windows(len(text)):  # bounded work per window (pattern_safety)
            match = self.regex.search(text, window_start, window_end)
            if match is not None:
                start, end = match.span()
                return start, max(end, min(start + 1, len(text)))
        return None


def _key_words(text: str) -> list[str]:
    """An entry's key words: normalised like the text, split where it has spaces or punctuation (so
    "起訴，家人" reads as 起诉 and 家人)."""
    kept = "".join(" " if dropped else ch for ch, _start, _end, dropped in _folded(text))
    return _t2s().convert(kept).split()


@lru_cache(maxsize=4096)
def compile_entry(text: str, kind: str) -> _Words | _Pattern:
    """The matcher for an entry, or `InvalidEntry` saying why it cannot be used."""
    if kind == Kind.WORDS:
        keys = tuple(_key_words(text or ""))
        if not keys:
            raise InvalidEntry("empty")
        return _Words(keys)
    if kind == Kind.PATTERN:
        source = unicodedata.normalize("NFKC", (text or "").strip())
        if not source:
            raise InvalidEntry("empty")
        if any(c.isspace() for c in source):
            raise InvalidEntry("whitespace")
        source = _t2s().convert(source)
        try:
            regex = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise InvalidEntry("regex", str(exc)) from None
        if regex.search("") is not None:  # on empty text no pattern can take long
            raise InvalidEntry("matches_empty")
        problem = pattern_problem(source)  # LANG-1: no pattern that could backtrack for long
        if problem is not None:
            raise InvalidEntry(problem)
        return _Pattern(regex)
    raise InvalidEntry("kind", str(kind))


def check_text(text: str, entries: Iterable[Entry | Any]) -> list[Hit]:
    """Every entry found in `text`, in the order they occur, one hit per entry (its first place).

    `entries` are `Entry` values or anything with `id`, `text`, `kind` and `category` (e.g. model rows). An entry
    that cannot be used — refused when saved, so it reached the list some other way (written into the database
    directly, or stored before a rule tightened), e.g. a pattern that could backtrack for minutes — is skipped
    and logged at ERROR on the `arrears.compliance` logger with its id and the problem: it is never run, and the
    other entries still are. `unusable_entries` lists such entries for the officers' page.
    """
    entries = list(entries)
    if not text or not entries:
        return []
    normalised, spans = _normalise_mapped(text)
    if not normalised:
        return []
    seg = _Segmented(normalised, spans)
    hits = []
    for entry in entries:
        try:
            matcher = compile_entry(entry.text, str(entry.kind))
        except InvalidEntry as problem:
            log.error("prohibited phrase %s (%r) cannot be used and was skipped: %s", entry.id, entry.text, problem)
            continue
        found = matcher.find(seg, normalised)
        if found is None:
            continue
        start, end = spans[found[0]][0], spans[found[1] - 1][1]
        hits.append(Hit(entry.id, entry.text, str(entry.category), text[start:end], start, end))
    hits.sort(key=lambda hit: (hit.start, hit.end))
    return hits


def unusable_entries(entries: Iterable[Entry | Any]) -> dict[int | None, str]:
    """{entry id: problem} for the entries `check_text` skips (see there)."""
    unusable = {}
    for entry in entries:
        try:
            compile_entry(entry.text, str(entry.kind))
        except InvalidEntry as problem:
            unusable[entry.id] = problem.problem
    return unusable
