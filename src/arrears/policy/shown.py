"""The policy table as staff read it: each parameter by its meaning, its value and its allowed range in words,
in English or Simplified Chinese — never the policy file's keys or literal values (`sms`, `true`, `0.50`).

`parameter_rows` (versions.py) keeps the keys and plain values for the CLI and for error messages about policy
files, which name what an administrator types. The page shows shares and rates as percentages ("50%"), yes/no
for switches, the words of each choice ("短信、电子邮件") and ranges as "1 至 15" / "from 1 to 15".
Pure (no Django): the caller says which language.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import annotated_types
from pydantic import BaseModel

from arrears.policy.labels import MEANINGS_ZH, SECTION_TITLES
from arrears.policy.model import Policy
from arrears.policy.versions import _bound, _literal_choices, _plain

# The words of each value a choice parameter may take: (English, zh-Hans).
CHOICE_WORDS: dict[Any, tuple[str, str]] = {
    "sms": ("SMS", "短信"),
    "email": ("email", "电子邮件"),
    "post": ("post", "邮寄"),
    "low": ("low", "低"),
    "medium": ("medium", "中"),
    "high": ("high", "高"),
    "penalty_interest": ("penalty interest", "罚息"),
    "compound_interest": ("compound interest", "复利"),
    "interest": ("interest", "利息"),
    "principal": ("principal", "本金"),
    "business_licence": ("business licence", "营业执照"),
    "collection_licence": ("collection licence", "催收业务许可"),
    "confidentiality_agreement": ("confidentiality agreement", "保密协议"),
}
# Where a parameter comes from when it is not a SPEC clause.
SOURCE_WORDS: dict[str, tuple[str, str]] = {
    "practice": ("industry practice", "行业惯例"),
    "guideline": ("regulatory guideline", "监管指引"),
    "penalty": ("penalty interest rules", "罚息规定"),
}
YES_NO = {True: ("yes", "是"), False: ("no", "否")}
RANGE = {
    # (low inclusive?, high inclusive?) → English and Chinese patterns
    "both": ("from {lo} to {hi}", "{lo} 至 {hi}"),
    "above_to": ("above {lo}, up to {hi}", "大于 {lo}，至多 {hi}"),
    "from": ("at least {lo}", "至少 {lo}"),
    "above": ("above {lo}", "大于 {lo}"),
    "to": ("at most {hi}", "至多 {hi}"),
    "below": ("below {hi}", "小于 {hi}"),
}
EACH_OF = ("any of: {choices}", "可选：{choices}")
ONE_OF = ("one of: {choices}", "其一：{choices}")


def _words(pair: tuple[str, str], chinese: bool) -> str:
    return pair[1] if chinese else pair[0]


def _is_share(field: Any) -> bool:
    """A Decimal parameter bounded by 1 is a share or a rate (0.50 = 50%); others (an amount in yuan) are not."""
    highs = [_bound(m) for m in field.metadata if isinstance(m, annotated_types.Le | annotated_types.Lt)]
    return field.annotation is not None and "Decimal" in repr(field.annotation) and bool(highs) and highs[0] <= 1


def _number(value: Any, share: bool) -> str:
    if share:
        scaled = (Decimal(str(value)) * 100).normalize()
        return f"{scaled:f}%"
    return _plain(value)


def value_words(value: Any, *, share: bool, chinese: bool) -> str:
    if isinstance(value, bool):
        return _words(YES_NO[value], chinese)
    if isinstance(value, tuple):
        return ("、" if chinese else ", ").join(value_words(v, share=share, chinese=chinese) for v in value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if value in CHOICE_WORDS:
        return _words(CHOICE_WORDS[value], chinese)
    return _number(value, share) if isinstance(value, int | Decimal) else str(value)


def allowed_words(field: Any, *, share: bool, chinese: bool) -> str:
    bounds = {type(m).__name__: m for m in field.metadata}
    low, high = bounds.get("Ge") or bounds.get("Gt"), bounds.get("Le") or bounds.get("Lt")
    lo = None if low is None else _number(_bound(low), share)
    hi = None if high is None else _number(_bound(high), share)
    if lo is not None and hi is not None:
        form = "both" if isinstance(low, annotated_types.Ge) else "above_to"
    elif lo is not None:
        form = "from" if isinstance(low, annotated_types.Ge) else "above"
    elif hi is not None:
        form = "to" if isinstance(high, annotated_types.Le) else "below"
    else:
        choices = _literal_choices(field.annotation)
        if not choices:
            return ""
        each = getattr(field.annotation, "__origin__", None) is tuple
        listed = ("、" if chinese else ", ").join(value_words(c, share=False, chinese=chinese) for c in choices)
        return _words(EACH_OF if each else ONE_OF, chinese).format(choices=listed)
    return _words(RANGE[form], chinese).format(lo=lo, hi=hi)


def table(policy: Policy, *, chinese: bool) -> list[dict[str, Any]]:
    """One section per policy section: {"key", "title", "rows": [{"key", "name", "value", "allowed", "clause"}]}.
    `key` (the policy file's dotted key) stays for links and tests, never as text."""
    sections = []
    for section, section_field in Policy.model_fields.items():
        model: type[BaseModel] = section_field.annotation  # type: ignore[assignment]
        values = getattr(policy, section)
        rows = []
        for key, field in model.model_fields.items():
            dotted = f"{section}.{key}"
            share = _is_share(field)
            clause = (field.json_schema_extra or {}).get("clause", "")  # type: ignore[union-attr]
            rows.append(
                {
                    "key": dotted,
                    "name": MEANINGS_ZH.get(dotted, "") if chinese else field.description or "",
                    "value": value_words(getattr(values, key), share=share, chinese=chinese),
                    "allowed": allowed_words(field, share=share, chinese=chinese),
                    "clause": _words(SOURCE_WORDS[clause], chinese) if clause in SOURCE_WORDS else clause,
                }
            )
        sections.append({"key": section, "title": _words(SECTION_TITLES[section], chinese), "rows": rows})
    return sections
