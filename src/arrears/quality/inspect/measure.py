"""How well the inspection does on labelled calls: precision and recall per rule, F1 per script step.

A labelled call is a JSON object a line (JSONL): `id`, `lang`, `party` (borrower | third_party), `dpd`, `noise`
(clean | asr), `lines` (the transcript, one utterance each, prefixed as `transcript` reads them), and the truth as
a person judged it: `steps` (the step codes the agent performed), `prohibited_language` and `privacy` (0-based
indexes of the agent's lines that break LANG-1 / PRV-1), `satisfaction` (satisfied | neutral | dissatisfied).

- Prohibited language and privacy are counted per call (a call with such a line, found or not) and per line.
- Steps are counted per (call, step): present in the labels and found, found but not labelled, labelled but
  missed.
- Satisfaction: precision and recall of "dissatisfied", and the share of calls whose level is right.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from arrears.quality.inspect.cues import STEPS
from arrears.quality.inspect.rules import Inspection, Sentiment, inspect
from arrears.quality.inspect.transcript import parse

__all__ = ["Count", "Measurement", "load", "measure"]


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: bool, found: bool) -> None:
        self.tp += truth and found
        self.fp += found and not truth
        self.fn += truth and not found

    @staticmethod
    def _ratio(a: int, b: int) -> Decimal | None:
        return None if b == 0 else (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def precision(self) -> Decimal | None:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> Decimal | None:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> Decimal | None:
        return self._ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": _shown(self.precision),
            "recall": _shown(self.recall),
            "f1": _shown(self.f1),
        }


def _shown(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class Measurement:
    calls: int = 0
    rules: dict[str, Count] = field(default_factory=dict)  # per call
    lines: dict[str, Count] = field(default_factory=dict)  # per line
    steps: dict[str, Count] = field(default_factory=dict)
    satisfaction_right: int = 0
    errors: list[dict] = field(default_factory=list)  # the calls where the inspection and the labels differ

    @property
    def steps_overall(self) -> Count:
        total = Count()
        for count in self.steps.values():
            total.tp += count.tp
            total.fp += count.fp
            total.fn += count.fn
        return total

    def as_dict(self) -> dict:
        return {
            "calls": self.calls,
            "rules": {name: count.as_dict() for name, count in self.rules.items()},
            "lines": {name: count.as_dict() for name, count in self.lines.items()},
            "steps": {name: count.as_dict() for name, count in self.steps.items()},
            "steps_overall": self.steps_overall.as_dict(),
            "satisfaction_accuracy": str(Count._ratio(self.satisfaction_right, self.calls)),
        }


def load(paths: Iterable[Path | str]) -> list[dict]:
    """The labelled calls of JSONL files, in order; a line that is not a labelled call raises ValueError naming it."""
    calls = []
    for path in paths:
        for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if raw.strip():
                try:
                    call = json.loads(raw)
                    missing = {"lines", "steps", "party"} - set(call)
                    if missing:
                        raise KeyError(", ".join(sorted(missing)))
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError(f"{path}:{number}: not a labelled call ({exc})") from None
                calls.append(call)
    return calls


def measure(
    calls: Sequence[dict],
    *,
    entries: Sequence,
    sentiment: Sentiment | None = None,
    consequences_from_dpd: int = 31,
    inspector: Callable[..., Inspection] = inspect,
) -> Measurement:
    m = Measurement()
    for name in ("prohibited_language", "privacy", "dissatisfied"):
        m.rules[name] = Count()
    for name in ("prohibited_language", "privacy"):
        m.lines[name] = Count()
    for step in STEPS:
        m.steps[step] = Count()
    for call in calls:
        m.calls += 1
        result = inspector(
            parse("\n".join(call["lines"])),
            party=call["party"],
            consequences_required=int(call.get("dpd") or 0) >= consequences_from_dpd,
            entries=entries,
            sentiment=sentiment,
        )
        differences = []
        for rule in ("prohibited_language", "privacy"):
            truth = {int(i) + 1 for i in call.get(rule, [])}  # labels are 0-based, lines 1-based
            found = {f.line for f in result.findings if f.rule == rule}
            m.rules[rule].add(bool(truth), bool(found))
            for line in truth | found:
                m.lines[rule].add(line in truth, line in found)
            if truth != found:
                differences.append({"rule": rule, "labelled": sorted(truth), "found": sorted(found)})
        present = {s.step for s in result.steps if s.present}
        for step in STEPS:
            m.steps[step].add(step in call["steps"], step in present)
        if present != set(call["steps"]):
            differences.append(
                {
                    "steps_missed": sorted(set(call["steps"]) - present),
                    "steps_extra": sorted(present - set(call["steps"])),
                }
            )
        level = result.satisfaction.level
        m.rules["dissatisfied"].add(call.get("satisfaction") == "dissatisfied", level == "dissatisfied")
        m.satisfaction_right += level == call.get("satisfaction")
        if level != call.get("satisfaction"):
            differences.append({"satisfaction": call.get("satisfaction"), "found": level})
        if differences:
            m.errors.append({"id": call.get("id"), "differences": differences})
    return m
