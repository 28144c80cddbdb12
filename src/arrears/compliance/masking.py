"""Personal data is classified and shown masked by default (PRV-1).

Every page, API response and export renders a borrower's sensitive fields through `masked()`; only an
`unmask` action (permission `portfolio.unmask`, a reason, an audit event) reveals one field of one borrower.

    ID number   last 4            110101********1234  →  **************1234
    mobile      first 3, last 4   13812345678          →  138****5678
    name        surname and *     张三丰                →  张**
    address, employer, email      hidden               →  (hidden)

Compound surnames (欧阳, 司马 …) keep both characters.
"""

from __future__ import annotations

from enum import StrEnum

HIDDEN = "●●●"
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    ]
)


class Sensitivity(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    HIDDEN = "hidden"


# Borrower and contact fields that hold personal data, and how each is masked.
SENSITIVE_FIELDS: dict[str, Sensitivity] = {
    "name": Sensitivity.NAME,
    "id_number": Sensitivity.ID_NUMBER,
    "mobile": Sensitivity.PHONE,
    "phone_alt": Sensitivity.PHONE,
    "phone": Sensitivity.PHONE,
    "email": Sensitivity.HIDDEN,
    "address": Sensitivity.HIDDEN,
    "employer": Sensitivity.HIDDEN,
}


def mask_id_number(value: str) -> str:
    return "*" * max(len(value) - 4, 0) + value[-4:] if value else ""


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    if not value:
        return ""
    keep = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def masked(field: str, value: str | None) -> str:
    """The value of a sensitive field as everyone without an unmask sees it; non-sensitive fields unchanged."""
    if value is None:
        return ""
    kind = SENSITIVE_FIELDS.get(field)
    if kind is None:
        return value
    if kind is Sensitivity.ID_NUMBER:
        return mask_id_number(value)
    if kind is Sensitivity.PHONE:
        return mask_phone(value)
    if kind is Sensitivity.NAME:
        return mask_name(value)
    return HIDDEN if value else ""
