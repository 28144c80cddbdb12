"""The inspection of one transcript (QA-1): the script's steps, prohibited language, privacy, satisfaction, score.

Pure: a transcript, the party called, whether the stage requires the consequences (CALL-4), the prohibited-language
entries (LANG-1, the same list that screens what collectors write) and the score's weights in; an `Inspection` out.

- **Steps** (CALL-2, SCR-1): each of the call record's seven steps is present when an agent's line says it; the
  evidence is the first such line. `in_order` is false for a step said before one that must come ahead of it
  (`_MUST_FOLLOW`). A call that reached the borrower and is more than a greeting must have every step but the
  consequences, which CALL-4 requires from `calls.moderate_from_dpd` on: what is missing is one finding,
  `script_incomplete`; a step out of order is `script_order`.
- **Prohibited language** (LANG-1) is judged on the agent's lines only, on the words as written and again after
  homophones were restored (`homophones`), so 起素你加人 is caught like 起诉你家人.
- **Privacy** (PRV-1): a line of the agent's telling the debt, the borrower's address, employer or ID number while
  the person on the line is not verified as the borrower — in a call to a third party, all of it; in a call to
  the borrower, before the person answered the identity question, or after they said they are someone else.
- **Satisfaction**: the other side's complaints, anger and thanks, each with its line, and a lexicon sentiment of
  what they said (jionlp), which decides when no cue does.
- **Score**: 100 less the policy's points for each kind of finding (and for a dissatisfied borrower), never
  below 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from arrears.compliance.language import check_text, normalise, word_frequency
from arrears.quality.inspect import homophones
from arrears.quality.inspect.cues import STEPS, VOCABULARY, cues_for
from arrears.quality.inspect.transcript import Line, Speaker, Transcript

__all__ = ["Finding", "Inspection", "Satisfaction", "Step", "Weights", "inspect"]

Sentiment = Callable[[str], Decimal | None]


@dataclass(frozen=True)
class Weights:
    """Points taken from 100 per finding (the policy's `quality` section)."""

    prohibited_language: int = 40
    privacy: int = 30
    script_incomplete: int = 10  # per missing step
    script_order: int = 5
    dissatisfied: int = 0


@dataclass(frozen=True)
class Step:
    step: str
    present: bool
    evidence: str | None = None
    line: int | None = None
    in_order: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str  # prohibited_language | privacy | script_incomplete | script_order
    evidence: str | None
    line: int | None = None
    detail: tuple[str, ...] = ()  # the phrase and its category; the missing steps; the step out of order


@dataclass(frozen=True)
class Satisfaction:
    level: str  # satisfied | neutral | dissatisfied
    sentiment: Decimal | None
    reasons: tuple[tuple[str, str, int], ...] = ()  # (cue: complaint|anger|thanks, evidence, line)


@dataclass(frozen=True)
class Inspection:
    party: str
    language: str
    steps: tuple[Step, ...]
    findings: tuple[Finding, ...]
    satisfaction: Satisfaction
    score: int
    deductions: tuple[tuple[str, int], ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    def as_dict(self) -> dict:
        return {
            "party": self.party,
            "language": self.language,
            "steps": [
                {"step": s.step, "present": s.present, "evidence": s.evidence, "line": s.line, "in_order": s.in_order}
                for s in self.steps
            ],
            "findings": [
                {"rule": f.rule, "evidence": f.evidence, "line": f.line, "detail": list(f.detail)}
                for f in self.findings
            ],
            "satisfaction": {
                "level": self.satisfaction.level,
                "sentiment": None if self.satisfaction.sentiment is None else str(self.satisfaction.sentiment),
                "reasons": [{"cue": c, "evidence": e, "line": n} for c, e, n in self.satisfaction.reasons],
            },
            "score": self.score,
            "deductions": [{"rule": r, "points": p} for r, p in self.deductions],
        }


# --- reading a line -------------------------------------------------------------------------------------------

_EN_WORDS = re.compile(r"[^0-9a-z']+")
# How far before a hit a negation still governs it, in characters of the text as read.
NEGATION_REACH = 12


@lru_cache(maxsize=64)
def _vocabulary(keys: tuple[str, ...]) -> homophones.Vocabulary:
    return homophones.Vocabulary((*VOCABULARY, *keys), word_frequency)


def _entry_keys(entries: Sequence) -> tuple[str, ...]:
    keys: set[str] = set()
    for entry in entries:
        if str(entry.kind) == "words":
            keys.update(k for k in map(normalise, entry.text.split()) if len(k) >= 2 and not k.isascii())
    return tuple(sorted(keys))


class _Reader:
    """Each line as the cues read it: Chinese normalised then corrected for homophones, English in lower case."""

    def __init__(self, transcript: Transcript, vocabulary: homophones.Vocabulary) -> None:
        self.language = transcript.language
        self.cues = cues_for(transcript.language)
        self.vocabulary = vocabulary
        self._read: dict[int, str] = {}

    def __call__(self, line: Line) -> str:
        if line.number not in self._read:
            read = self.read_text(line.text)
            self._read[line.number] = homophones.correct(read, self.vocabulary) if self.language == "zh" else read
        return self._read[line.number]

    def read_text(self, text: str) -> str:
        """Any text read as a line is (without the homophones: a few words before a hit)."""
        if self.language == "zh":
            return normalise(text)
        return " ".join(_EN_WORDS.split(text.casefold())).strip()

    def negated_before(self, before: str, *, already_read: bool = False) -> bool:
        """Is there a negation among the last few characters before a hit (我们不会联系您的家人)?"""
        read = before if already_read else self.read_text(before)
        return self.cues.search("negated", read[-NEGATION_REACH:]) is not None

    def has(self, cue: str, line: Line) -> bool:
        return self.cues.search(cue, self(line)) is not None


# --- the rules ------------------------------------------------------------------------------------------------

_STEP_CUE = {
    "purpose_stated": "purpose",
    "identity_verified": "identity",
    "facts_stated": "facts",
    "consequences_stated": "consequences",
    "ability_asked": "ability",
    "suggestion": "suggestion",
}


# The order that matters (CALL-2, SCR-1): the greeting and who is calling come first; the person is verified
# before the debt is told them (PRV-1); the ability to repay is asked before a solution is offered. A step said
# before one of these, when both were said, is out of order; the script's other steps may come in either order
# (many scripts verify identity before stating the purpose, which protects the borrower better).
_MUST_FOLLOW = {
    "purpose_stated": ("greeted",),
    "identity_verified": ("greeted",),
    "facts_stated": ("greeted", "identity_verified"),
    "consequences_stated": ("greeted", "identity_verified"),
    "ability_asked": ("greeted",),
    "suggestion": ("greeted", "ability_asked"),
}


def _steps(transcript: Transcript, read: _Reader) -> list[Step]:
    agent = transcript.agent_lines
    found: dict[str, Line] = {}
    opening = agent[:2]
    if any(read.has("greeting", line) for line in opening):
        introduced = next((line for line in opening if read.has("self", line)), None)
        if introduced is not None:
            found["greeted"] = introduced
    for step, cue in _STEP_CUE.items():
        line = next((line for line in agent if read.has(cue, line)), None)
        if line is not None:
            found[step] = line
    steps = []
    for step in STEPS:
        line = found.get(step)
        if line is None:
            steps.append(Step(step, False))
            continue
        before = [found[b] for b in _MUST_FOLLOW.get(step, ()) if b in found]
        steps.append(Step(step, True, line.text, line.number, all(b.number <= line.number for b in before)))
    return steps


def _prohibited(transcript: Transcript, read: _Reader, entries: Sequence) -> list[Finding]:
    findings = []
    for line in transcript.agent_lines:
        searched = line.text
        hits = check_text(searched, entries)
        if not hits and transcript.language == "zh":
            corrected = read(line)
            if corrected != normalise(line.text):
                searched, hits = corrected, check_text(corrected, entries)
        # A hit's place is in the text it was found in: the words before it are read from there.
        hits = [h for h in hits if not read.negated_before(searched[: h.start])]
        detail = [f"{h.category}:{h.phrase}" for h in hits]
        detail += [f"{kind}:{match}" for kind, match in _intimidation(line, read)]
        if detail:
            findings.append(Finding("prohibited_language", line.text, line.number, tuple(dict.fromkeys(detail))))
    return findings


_INTIMIDATION = ("threat_third_party", "threat_violence", "insult", "false_legal", "menace")


def _intimidation(line: Line, read: _Reader) -> list[tuple[str, str]]:
    """The spoken-intimidation cues in a line, each unless a negation comes shortly before it in the line."""
    text = read(line)
    found = []
    for kind in _INTIMIDATION:
        for match in read.cues.patterns[kind].finditer(text):
            if not read.negated_before(text[: match.start()], already_read=True):
                found.append((kind, match.group(0)))
                break
    return found


def _discloses(line: Line, read: _Reader) -> str | None:
    for cue in ("debt", "address", "employer", "id_number"):
        if read.has(cue, line):
            return cue
    return None


def _privacy(transcript: Transcript, read: _Reader, party: str) -> list[Finding]:
    """PRV-1. In a call to a third party every disclosure counts. In a call to the borrower, a disclosure counts
    while the person is not verified: until they answered the agent's identity question without saying they are
    someone else (the debt told first and the person checked after, or never checked, is a disclosure), and
    again after they said they are someone else, until they are asked and answer again."""
    findings = []
    third_party = party != "borrower"
    verified = asked = False
    for line in transcript.lines:
        if line.speaker is Speaker.CUSTOMER:
            if read.has("deny", line) or (asked and read.has("denial", line)):
                verified, asked = False, False
            elif asked or read.has("self_named", line):
                verified, asked = True, False  # answered the question, or named themselves, not someone else
            continue
        if (third_party or not verified) and (kind := _discloses(line, read)):
            findings.append(Finding("privacy", line.text, line.number, (kind,)))
        if not third_party and read.has("identity", line):
            asked = True
    return findings


def _satisfaction(transcript: Transcript, read: _Reader, sentiment: Sentiment | None) -> Satisfaction:
    reasons = []
    for line in transcript.lines:
        if line.speaker is not Speaker.CUSTOMER:
            continue
        for cue in ("complaint", "anger", "thanks"):
            if read.has(cue, line):
                reasons.append((cue, line.text, line.number))
    said = "".join(line.text for line in transcript.lines if line.speaker is Speaker.CUSTOMER)
    value = sentiment(said) if (sentiment is not None and said) else None
    cues = {cue for cue, _, _ in reasons}
    if cues & {"complaint", "anger"}:
        level = "dissatisfied"
    elif "thanks" in cues:
        level = "satisfied"
    elif value is not None and value < Decimal("0.20"):
        level = "dissatisfied"
    elif value is not None and value > Decimal("0.90"):
        level = "satisfied"
    else:
        level = "neutral"
    return Satisfaction(level, value, tuple(reasons))


def inspect(
    transcript: Transcript,
    *,
    party: str = "borrower",
    consequences_required: bool = False,
    entries: Iterable = (),
    weights: Weights = Weights(),
    sentiment: Sentiment | None = None,
) -> Inspection:
    """Inspect one call's transcript (see the module docstring)."""
    if party not in ("borrower", "third_party"):
        raise ValueError(f"party must be borrower or third_party, not {party!r}")
    entries = list(entries)
    read = _Reader(transcript, _vocabulary(_entry_keys(entries)))
    steps = _steps(transcript, read)
    findings = _prohibited(transcript, read, entries)
    findings += _privacy(transcript, read, party)
    present = {s.step for s in steps if s.present}
    reached = party == "borrower" and len(transcript.agent_lines) >= 3
    if reached:
        required = [s for s in STEPS if s != "consequences_stated" or consequences_required]
        missing = tuple(s for s in required if s not in present)
        if missing:
            findings.append(Finding("script_incomplete", None, None, missing))
        findings += [Finding("script_order", s.evidence, s.line, (s.step,)) for s in steps if not s.in_order]
    satisfaction = _satisfaction(transcript, read, sentiment)
    findings.sort(key=lambda f: (f.line or 0, f.rule))
    deductions = []  # one per finding, in the findings' order, then the satisfaction's
    for finding in findings:
        points = getattr(weights, finding.rule)
        if finding.rule == "script_incomplete":
            points *= len(finding.detail)
        deductions.append((finding.rule, points))
    if satisfaction.level == "dissatisfied" and weights.dissatisfied:
        deductions.append(("dissatisfied", weights.dissatisfied))
    score = max(0, 100 - sum(points for _, points in deductions))
    return Inspection(party, transcript.language, tuple(steps), tuple(findings), satisfaction, score, tuple(deductions))
