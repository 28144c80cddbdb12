"""Precision and recall of the call inspection per rule on the labelled calls, and its throughput (QA-1).

    .venv/bin/python bench/qa_rules.py [--transcripts 10000] [FILE.jsonl ...]

Reads tests/quality/labelled/*.jsonl (or the files given), inspects every call with the prohibited-language list
as the migrations seed it, and prints, per rule, true and false positives, misses, precision and recall (per call
and per line), F1 per script step, and the satisfaction's accuracy. Then inspects `--transcripts` calls (the
labelled ones repeated) and prints transcripts/s, the time per call and the peak RSS, beside a baseline in the
same process: the LANG-1 check alone (`check_text`) on the same agent lines, which every inspection includes.
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from arrears.compliance.language import Entry, check_text  # noqa: E402
from arrears.quality.inspect import inspect, parse  # noqa: E402
from arrears.quality.inspect.measure import load, measure  # noqa: E402
from arrears.quality.inspect.sentiment import lexicon_sentiment  # noqa: E402

SEEDINGS = ("0004_seed_prohibited_phrases", "0006_seed_workplace_phrases", "0008_seed_english_phrases")


def entries() -> list[Entry]:
    phrases = [p for s in SEEDINGS for p in importlib.import_module(f"arrears.compliance.migrations.{s}").PHRASES]
    return [Entry(n, text, kind, category) for n, (text, kind, category, _note) in enumerate(phrases, 1)]


def row(name: str, count: dict) -> str:
    return (
        f"  {name:<22} {count['tp']:>5} {count['fp']:>5} {count['fn']:>5}"
        f"   {count['precision'] or '-':>9} {count['recall'] or '-':>9} {count['f1'] or '-':>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--transcripts", type=int, default=10_000)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "tests/quality/labelled").glob("*.jsonl"))
    calls = load(files)
    listed = entries()
    found = measure(calls, entries=listed, sentiment=lexicon_sentiment).as_dict()
    print(f"{found['calls']} labelled calls from {', '.join(f.name for f in files)}")
    header = f"  {'':<22} {'tp':>5} {'fp':>5} {'fn':>5}   {'precision':>9} {'recall':>9} {'f1':>9}"
    print("per call" + header[8:])
    for name, count in found["rules"].items():
        print(row(name, count))
    print("per line")
    for name, count in found["lines"].items():
        print(row(name, count))
    print("script steps, per (call, step)")
    for name, count in found["steps"].items():
        print(row(name, count))
    print(row("all steps", found["steps_overall"]))
    print(f"satisfaction level right: {found['satisfaction_accuracy']}")

    texts = ["\n".join(c["lines"]) for c in calls]
    batch = [(texts[i % len(texts)], calls[i % len(calls)]) for i in range(args.transcripts)]
    started = time.perf_counter()
    for text, call in batch:
        inspect(parse(text), party=call["party"], entries=listed, sentiment=lexicon_sentiment)
    inspected = time.perf_counter() - started
    agent_lines = [line for text, _ in batch for line in parse(text).agent_lines]
    started = time.perf_counter()
    for line in agent_lines:
        check_text(line.text, listed)
    baseline = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"throughput: {len(batch):,} transcripts in {inspected:.1f} s = {len(batch) / inspected:,.0f} transcripts/s "
        f"({1000 * inspected / len(batch):.2f} ms each); baseline, the LANG-1 check alone on their "
        f"{len(agent_lines):,} agent lines: {baseline:.1f} s (inspection = {inspected / baseline:.1f}× the "
        f"baseline); peak RSS {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
