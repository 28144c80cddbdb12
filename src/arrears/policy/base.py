"""The building blocks of the policy's sections: the parameter, the frozen section, the types that refuse floats.

Kept apart from `model.py` so that sections may live in modules of their own (`model_kpi.py`) without a circle.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a float; write it as a decimal string, e.g. '{value}'")
    return value


def _time_of_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day; write HH:MM, e.g. '22:00'") from None
    return value


Dec = Annotated[Decimal, BeforeValidator(_refuse_float)]
TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
ReminderChannel = Literal["sms", "email"]
LetterChannel = Literal["email", "post"]
RiskLevel = Literal["low", "medium", "high"]
Component = Literal["penalty_interest", "compound_interest", "interest", "principal"]
AgencyDocument = Literal["business_licence", "collection_licence", "confidentiality_agreement"]


def param(default: Any, clause: str, text: str, **constraints: Any) -> Any:
    """A policy parameter: its SPEC default, the clause it implements, what it means, its allowed range."""
    return Field(default, description=text, json_schema_extra={"clause": clause}, **constraints)


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
