"""Prohibited language (LANG-1): which regular expressions may be used, so that checking a text always ends soon.

Python's `re` engine backtracks: a pattern such as `(a+)+$` takes time exponential in the length of the text it
fails on, and a collector's note would hang while it is screened. An engine without backtracking (RE2) is not
a dependency of this project, so a pattern entry is examined when it is saved — and again before each use —
and refused unless its worst case is small:

- no backreferences (`\\1`, `(?P=name)`, `(?(1)…)`) and no lookarounds (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`);
- a quantifier that repeats more than once (`*`, `+`, `{2,}`, `{0,5}`) applies to one character only — a
  letter, `.`, a class `[…]` or `\\d` — never to a group: `(a+)+`, `(a|aa)*` and `(ab)+` are refused; a group
  may be made optional with `?`;
- its estimated work on one window of the text, `WINDOW` characters × the number of ways the pattern can be
  tried at one place (the product over the pattern of each repetition's choices, the sum over alternatives), is
  at most `COST_LIMIT` — about 0.05 s per window at worst. `.*x` passes, `.*x.*y` does not (use `.{0,20}`);
- it is at most `MAX_PATTERN` characters long.

The text is searched window by window (`WINDOW` characters, each overlapping the one before by `OVERLAP`), so the
time to check one entry grows with the text's length only linearly. A match longer than `OVERLAP` characters
that straddles two windows is missed; an entry is a phrase, far shorter.

This module is pure: no database, no Django.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from collections.abc import Iterable
from typing import Any

__all__ = ["COST_LIMIT", "MAX_PATTERN", "OVERLAP", "WINDOW", "pattern_problem", "windows"]

MAX_PATTERN = 200  # characters of a pattern (the entry's field is as long)
WINDOW = 1000  # characters of normalised text one search sees
OVERLAP = 100  # characters consecutive windows share
COST_LIMIT = 2_000_000  # estimated steps of one search over one window (at most about 0.05 s in CPython's engine)

_SINGLE = frozenset(
    {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.ANY, sre_constants.IN, sre_constants.CATEGORY}
)
_REPEATS = frozenset(
    {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)} - {None}
)
_BACKREFERENCES = frozenset({sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS, sre_constants.GROUPREF_IGNORE})
_LOOKAROUNDS = frozenset({sre_constants.ASSERT, sre_constants.ASSERT_NOT})
_ZERO_WIDTH = frozenset({sre_constants.AT})
_GROUPS = frozenset({sre_constants.SUBPATTERN, getattr(sre_constants, "ATOMIC_GROUP", None)} - {None})


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _is_single_character(items: Any) -> bool:
    """Does this sequence match exactly one character (possibly inside groups, e.g. `(你|您)` parsed as a class)?"""
    items = list(items)
    if len(items) != 1:
        return False
    op, av = items[0]
    if op in _SINGLE:
        return True
    if op in _GROUPS:
        return _is_single_character(av[-1])
    return False


def _cost(items: Iterable[Any]) -> int:
    """Ways the sequence `items` can be tried at one place in a window (an upper bound), or `_Refused`."""
    total = 1
    for op, av in items:
        if op in _BACKREFERENCES:
            raise _Refused("backreference")
        if op in _LOOKAROUNDS:
            raise _Refused("lookaround")
        if op in _SINGLE or op in _ZERO_WIDTH:
            continue
        if op in _GROUPS:
            total *= _cost(av[-1])
        elif op == sre_constants.BRANCH:
            total *= sum(_cost(branch) for branch in av[1])
        elif op in _REPEATS:
            low, high, body = av
            if high <= 1:
                total *= 1 + _cost(body)
            elif not _is_single_character(body):
                raise _Refused("repeated_group")
            else:
                total *= min(high, WINDOW) - min(low, WINDOW) + 1
        else:
            raise _Refused("unsupported")
        total = min(total, COST_LIMIT + 1)  # past the limit the exact figure no longer matters
    return total


def pattern_problem(source: str) -> str | None:
    """Why the (already compiled, valid) pattern `source` may not be used, or None: "too_long", "backreference",
    "lookaround", "repeated_group" (a group repeated more than once), "too_costly" or "unsupported"."""
    if len(source) > MAX_PATTERN:
        return "too_long"
    try:
        parsed = sre_parse.parse(source, re.IGNORECASE)
        if WINDOW * _cost(parsed) > COST_LIMIT:
            return "too_costly"
    except _Refused as refused:
        return refused.problem
    except re.error:  # not a valid pattern at all: the caller compiles it first and says so more precisely
        return "unsupported"
    return None


def windows(length: int) -> Iterable[tuple[int, int]]:
    """(start, end) of the windows a text of `length` characters is searched in: one when it is short."""
    start = 0
    while True:
        end = min(start + WINDOW, length)
        yield start, end
        if end >= length:
            return
        start = end - OVERLAP
