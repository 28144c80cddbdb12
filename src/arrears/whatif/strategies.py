"""A strategy: the named policy changes a champion/challenger experiment tries on its challenger's borrowers.

A strategy is TOML in the policy file's own form, limited to how and when borrowers are contacted — the sections
`reminders` (timing and channels, REM-1), `calls` (the cadences, CALL-4, CLS-2) and `letters` (the confirmation
call and the notice's deadline, LTR-1, LTR-3): what a collections department may vary between borrowers without
treating their debts differently — and `script`, whose one key `version` names the call script the challenger's
collectors read (a version legal review approved, LANG-2; `whatif.scripts`). Anything else (classes, pools,
penalty, waivers, plans, the legal thresholds) is refused, as is a section or key the policy does not have.

The challenger's policy is the champion's — the version in force on the night — with the strategy laid over it,
validated whole: every range stops at the regulatory limit (`policy.model`), and the sections' own rules hold
(a phone reminder never before the written one, cadences that do not overlap), so a strategy can never take the
challenger outside them.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

from arrears.policy import Policy, PolicyError
from arrears.policy.versions import build_policy

__all__ = ["SCRIPT", "SECTIONS", "challenger_policy", "parse_strategy", "script_version"]

SECTIONS = ("reminders", "calls", "letters")
SCRIPT = "script"  # not a policy section: the call script is a template (notices.Template), versioned by legal review
MAX_VERSION = 32767


def _script_problems(value: Any) -> list[str]:
    if not isinstance(value, dict) or set(value) != {"version"}:
        return ["script: one key, version, the call script's version number, e.g. [script] version = 2"]
    version = value["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        return [f"script.version = {version}: a version number from 1 to {MAX_VERSION}"]
    return []


def parse_strategy(text: str, source: str = "strategy") -> dict[str, dict[str, Any]]:
    """The strategy's changes ({section: {key: value}}), or PolicyError listing every fault (each line the key and
    what is wrong, as the policy check words it)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [f"not valid TOML: {exc}"]) from None
    problems = []
    for key, value in data.items():
        if key == SCRIPT:
            problems.extend(_script_problems(value))
        elif key not in SECTIONS:
            problems.append(
                f"{key}: a strategy changes only how and when borrowers are contacted "
                f"({', '.join((*SECTIONS, SCRIPT))})"
            )
        elif not isinstance(value, dict) or not value:
            problems.append(f"{key}: a section of parameters, e.g. [{key}] with one or more keys under it")
    if not data:
        problems.append(
            "(file): no change; a strategy names at least one parameter of " + ", ".join((*SECTIONS, SCRIPT))
        )
    if problems:
        raise PolicyError(source, problems)
    build_policy(_policy_part(data), source)  # each key known and in range on its own (the SPEC's values around it)
    return data


def _policy_part(changes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {section: values for section, values in changes.items() if section != SCRIPT}


def script_version(changes: dict[str, dict[str, Any]]) -> int | None:
    """The call script version the strategy names, if any."""
    return changes.get(SCRIPT, {}).get("version")


def challenger_policy(champion: Policy, changes: dict[str, dict[str, Any]], source: str = "strategy") -> Policy:
    """`champion` with `changes` laid over it, validated whole (PolicyError when the two do not fit together)."""
    merged = champion.model_dump()
    for section, values in _policy_part(changes).items():
        merged[section] = {**merged[section], **values}
    return build_policy(merged, source)
