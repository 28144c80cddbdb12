"""The inspection as the bank runs it (QA-1): the pure rules (`arrears.quality.inspect`) with what the database
holds — the prohibited-language list compliance officers keep (LANG-1) and the policy in force (the score's
points, the stage from which CALL-4 requires the consequences)."""

from __future__ import annotations

from datetime import date

from arrears.compliance.queries import active_entries
from arrears.quality.inspect import Inspection, Weights, inspect, parse
from arrears.quality.inspect.sentiment import lexicon_sentiment
from arrears.rules.queries import policy_on

__all__ = ["inspect_text", "weights_of"]


def weights_of(quality) -> Weights:
    """The score's points from the policy's `quality` section."""
    return Weights(
        prohibited_language=quality.points_prohibited_language,
        privacy=quality.points_privacy,
        script_incomplete=quality.points_missing_step,
        script_order=quality.points_out_of_order,
        dissatisfied=quality.points_dissatisfied,
    )


def inspect_text(text: str, *, party: str, dpd: int | None, on: date) -> Inspection:
    """Inspect a transcript's text under the policy in force on `on`; `TranscriptError` when it cannot be read.
    The consequences (CALL-4, SCR-1) are required from `calls.moderate_from_dpd` on, when the DPD is known."""
    policy = policy_on(on)
    return inspect(
        parse(text),
        party=party,
        consequences_required=dpd is not None and dpd >= policy.calls.moderate_from_dpd,
        entries=active_entries(),
        weights=weights_of(policy.quality),
        sentiment=lexicon_sentiment,
    )
