"""Policy versions with effective dates, loaded from TOML.

A version is the SPEC defaults with a file's overrides laid over them, in force from its `effective_from`
date until the next version's. Each file states everything that differs from the SPEC, so a version can be
read on its own. `policy_on(date)` answers which version governs a business date.

    effective_from = 2027-01-01        # required
    name = "2027 revision"             # optional
    [penalty]
    markup = 0.40                       # read as Decimal, never float

An invalid file is refused whole: every error names the key, the value given and the allowed range.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, get_args

import annotated_types
from pydantic import BaseModel, ValidationError

from arrears.policy.labels import MEANINGS_ZH
from arrears.policy.model import Policy

SPEC_DEFAULTS = Policy()
SPEC_NAME = "SPEC defaults"


class PolicyError(ValueError):
    """A policy file or version that cannot be used; `problems` holds one line per fault."""

    def __init__(self, source: str, problems: Sequence[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class PolicyVersion:
    effective_from: date
    policy: Policy
    name: str = SPEC_NAME
    source: str = "built-in"

    def overrides(self) -> dict[str, Any]:
        """The parameters this version changes from the SPEC defaults, as dotted keys."""
        mine, spec = flatten(self.policy), flatten(SPEC_DEFAULTS)
        return {key: value for key, value in mine.items() if spec[key] != value}


SPEC_VERSION = PolicyVersion(effective_from=date.min, policy=SPEC_DEFAULTS)


class PolicyBook:
    """The versions a bank has had, ordered by effective date; the SPEC defaults govern before the first."""

    def __init__(self, versions: Iterable[PolicyVersion] = ()):
        ordered = sorted([SPEC_VERSION, *versions], key=lambda v: v.effective_from)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_from == later.effective_from:
                raise PolicyError(
                    later.source,
                    [f"effective_from {later.effective_from} is already taken by {earlier.name!r} ({earlier.source})"],
                )
        self.versions: tuple[PolicyVersion, ...] = tuple(ordered)

    def version_on(self, on: date) -> PolicyVersion:
        current = self.versions[0]
        for version in self.versions:
            if version.effective_from > on:
                break
            current = version
        return current

    def on(self, on: date) -> Policy:
        return self.version_on(on).policy


def _allowed(model: type[BaseModel], loc: Sequence[str | int]) -> str | None:
    """The allowed values or range of the field at `loc`, for error messages."""
    field = None
    for part in loc:
        if not isinstance(part, str) or part not in model.model_fields:
            break
        field = model.model_fields[part]
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    if field is None:
        return None
    bounds = {type(m).__name__: m for m in field.metadata}
    low, high = bounds.get("Ge") or bounds.get("Gt"), bounds.get("Le") or bounds.get("Lt")
    if low is not None or high is not None:
        lo = "" if low is None else ("from " if isinstance(low, annotated_types.Ge) else "above ") + _plain(_bound(low))
        hi = (
            "" if high is None else ("to " if isinstance(high, annotated_types.Le) else "below ") + _plain(_bound(high))
        )
        if lo and hi:
            return f"{lo} {hi}"
        return lo or (f"up {hi}" if hi.startswith("to") else hi)
    choices = _literal_choices(field.annotation)
    if choices:
        prefix = "each one of " if get_args(field.annotation) and field.annotation.__origin__ is tuple else "one of "
        return prefix + ", ".join(repr(c) for c in choices)
    return None


def _bound(constraint: Any) -> Any:
    for attr in ("ge", "gt", "le", "lt"):
        if hasattr(constraint, attr):
            return getattr(constraint, attr)
    return constraint


def _literal_choices(annotation: Any) -> tuple[Any, ...]:
    args = get_args(annotation)
    if not args:
        return ()
    if all(not get_args(a) for a in args) and not any(isinstance(a, type) for a in args):
        return args
    for arg in args:
        inner = _literal_choices(arg)
        if inner:
            return inner
    return ()


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _describe(error: Mapping[str, Any]) -> str:
    loc = [p for p in error["loc"] if p not in ("function-after", "function-before")]
    key = ".".join(str(p) for p in loc) or "(file)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown parameter; check the spelling against `arrears policy show`"
    if error["type"] == "missing":
        return f"{key}: required"
    allowed = _allowed(Policy, [p for p in loc if isinstance(p, str)])
    if error["type"] in _RANGE_ERRORS and allowed:
        message = "outside the allowed range"
    elif error["type"] == "literal_error" and allowed:
        message = "not an allowed value"
    else:
        message = error["msg"].removeprefix("Value error, ")
        allowed = allowed if allowed and error["type"] not in ("value_error", "assertion_error") else None
    value = error.get("input")
    shown = f" = {_plain(value)}" if not isinstance(value, dict) else ""
    return f"{key}{shown}: {message}" + (f" (allowed: {allowed})" if allowed else "")


_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def build_policy(overrides: Mapping[str, Any], source: str = "overrides") -> Policy:
    """SPEC defaults with `overrides` (nested sections) laid over them; PolicyError lists every fault."""
    try:
        return Policy.model_validate(overrides)
    except ValidationError as exc:
        errors = exc.errors()
        # A bad item also empties its list; report the item, not the consequence.
        item_locs = {tuple(e["loc"][:-1]) for e in errors if isinstance(e["loc"][-1], int)}
        kept = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in item_locs)]
        raise PolicyError(source, [_describe(e) for e in kept]) from None


def parse_policy_toml(text: str, source: str = "<text>") -> PolicyVersion:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [f"not valid TOML: {exc}"]) from None
    problems = []
    effective = data.pop("effective_from", None)
    name = data.pop("name", None)
    if effective is None:
        problems.append("effective_from: required, the first business date the version governs, e.g. 2027-01-01")
    elif type(effective) is not date:
        problems.append(f"effective_from = {effective}: must be a TOML date without time, e.g. 2027-01-01")
    if name is not None and not isinstance(name, str):
        problems.append(f"name = {name}: must be a string")
    try:
        policy = build_policy(data, source)
    except PolicyError as exc:
        problems.extend(exc.problems)
    if problems:
        raise PolicyError(source, problems)
    return PolicyVersion(effective_from=effective, policy=policy, name=name or f"policy of {effective}", source=source)


def load_policy_file(path: str | os.PathLike[str]) -> PolicyVersion:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(str(path), ["no such file"]) from None
    except UnicodeDecodeError:
        raise PolicyError(str(path), ["not UTF-8 text; save the file as UTF-8"]) from None
    return parse_policy_toml(text, str(path))


def book_from_files(paths: Iterable[str | os.PathLike[str]]) -> PolicyBook:
    return PolicyBook(load_policy_file(p) for p in paths)


@cache
def default_book() -> PolicyBook:
    """SPEC defaults plus the versions listed in ARREARS_POLICY_FILES (comma-separated TOML paths)."""
    paths = [p.strip() for p in os.environ.get("ARREARS_POLICY_FILES", "").split(",") if p.strip()]
    return book_from_files(paths)


def policy_on(on: date, book: PolicyBook | None = None) -> Policy:
    """The policy in force on business date `on`."""
    return (book or default_book()).on(on)


def flatten(policy: Policy) -> dict[str, Any]:
    """`{"penalty.markup": Decimal("0.50"), …}` in declaration order."""
    return {
        f"{section}.{key}": value for section, fields in policy.model_dump().items() for key, value in fields.items()
    }


def to_jsonable(policy: Policy) -> dict[str, dict[str, Any]]:
    """Nested dict with Decimals as strings, times as HH:MM, tuples as lists."""
    return policy.model_dump(mode="json")


def parameter_rows(policy: Policy) -> list[dict[str, str]]:
    """One row per parameter: key, value, allowed range, clause, meaning in English and in Chinese."""
    rows = []
    for section, section_field in Policy.model_fields.items():
        model = section_field.annotation
        values = getattr(policy, section)
        for key, field in model.model_fields.items():
            rows.append(
                {
                    "key": f"{section}.{key}",
                    "value": display(getattr(values, key)),
                    "allowed": _allowed(Policy, [section, key]) or "",
                    "clause": (field.json_schema_extra or {}).get("clause", ""),
                    "meaning": field.description or "",
                    "meaning_zh": MEANINGS_ZH.get(f"{section}.{key}", ""),
                }
            )
    return rows


def display(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(display(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    return _plain(value)
