"""The inspection measured on the labelled calls (QA-1): a floor under precision, recall and F1, below the figures
`bench/qa_rules.py` prints, so that a change to the cues that loses ground fails here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from qa_entries import ENTRIES

from arrears.quality.inspect.measure import load, measure
from arrears.quality.inspect.sentiment import lexicon_sentiment

LABELLED = sorted((Path(__file__).parent / "labelled").glob("*.jsonl"))


def test_the_labelled_set_is_large_enough_to_measure():
    calls = load(LABELLED)
    assert len(calls) >= 400
    assert sum(bool(c["prohibited_language"]) for c in calls) >= 60
    assert sum(bool(c["privacy"]) for c in calls) >= 40
    assert sum(c["noise"] == "asr" for c in calls) >= 60
    assert len({c["id"] for c in calls}) == len(calls)


def test_precision_and_recall_stay_above_their_floors():
    """Clause: QA-1, LANG-1, PRV-1, CALL-2 — per call for the rules, per (call, step) for the script."""
    found = measure(load(LABELLED), entries=ENTRIES, sentiment=lexicon_sentiment)
    prohibited, privacy = found.rules["prohibited_language"], found.rules["privacy"]
    assert prohibited.precision >= Decimal("0.95"), prohibited.as_dict()
    assert prohibited.recall >= Decimal("0.93"), prohibited.as_dict()
    assert privacy.precision >= Decimal("0.88"), privacy.as_dict()
    assert privacy.recall >= Decimal("0.92"), privacy.as_dict()
    assert found.steps_overall.f1 >= Decimal("0.93"), found.steps_overall.as_dict()
    assert found.rules["dissatisfied"].f1 >= Decimal("0.74"), found.rules["dissatisfied"].as_dict()
