"""Speech to findings, end to end with real parts: a call spoken by espeak-ng on two channels, heard by
pocketsphinx's English model, its transcript inspected (QA-1). The sentences are ones pocketsphinx hears right on
this audio (it is deterministic); the assertions are on what the inspection makes of what it heard."""

from __future__ import annotations

import pytest
from qa_entries import ENTRIES
from speech_audio import espeak, wav

from arrears.quality.inspect import inspect, parse
from arrears.quality.speech.sphinx import SphinxRecogniser

AGENT = ["hello this is the bank calling about your overdue payment", "you are a liar and a thief"]
CUSTOMER = "i will complain about you"


@pytest.fixture(scope="module")
def heard():
    """Agent, pause, customer, pause, agent — each side on its own channel, silence where the other speaks."""
    first, rate = espeak(AGENT[0])
    reply, _ = espeak(CUSTOMER)
    second, _ = espeak(AGENT[1])
    pause = bytes(rate)  # half a second of 16-bit silence
    left = first + pause + bytes(len(reply)) + pause + second
    right = bytes(len(first)) + pause + reply + pause + bytes(len(second))
    return SphinxRecogniser().transcribe(wav(left, right, rate=rate), content_type="audio/wav", language="en")


def test_the_recognised_call_is_inspected_and_the_insult_found_on_the_agents_line(heard):
    """Clause: QA-1, LANG-1 — the insult said by the agent is a prohibited-language finding whose evidence is what
    the recogniser heard; the customer's complaint makes the call dissatisfied; the greeting is a step."""
    text = heard.as_text()
    assert [line.split(":")[0] for line in text.splitlines()] == ["Agent", "Customer", "Agent"]
    result = inspect(parse(text), entries=ENTRIES)
    found = [(f.rule, f.line, f.evidence) for f in result.findings if f.rule == "prohibited_language"]
    assert found == [("prohibited_language", 3, "you are a liar and a thief")]
    assert {s.step for s in result.steps if s.present} >= {"greeted"}
    assert result.satisfaction.level == "dissatisfied"
    assert [cue for cue, _, line in result.satisfaction.reasons] == ["complaint"]
    assert result.score < 100
