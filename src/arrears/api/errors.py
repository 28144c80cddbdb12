"""The API's one error shape, shared by the API's exception handlers and the middleware that answers before the
API runs (a NUL in the request, a request too large, a broken ledger):

    {"error": {"code": "forbidden", "message": "…, in the request's language", "details": [...]}}

`code` is a stable word a program may branch on (below, by HTTP status, or a more precise word where a refusal
has one: `incomplete_record`, `contact_refused`, `cadence_refused`, `placement_frozen`); `message` is for a person and says what to
do; `details` lists what was wrong where there is more than one thing: the fields of a body that does not match
the schema (pydantic's field errors), the fields of an incomplete call record, the rule that refused a contact.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from ninja import Field, Schema

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
}


# The refusals of a call record (`arrears.collection.calls`): a code of their own, so that a call platform can
# tell "fill in these fields" from "not now" without reading the message.
REFUSAL_CODES = ("incomplete_record", "contact_refused", "cadence_refused", "placement_frozen")


def error_body(status: int, message: str, details: Any = None, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": str(message)}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, message: str, details: Any = None, code: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(status, message, details, code), status=status)


class ErrorDetail(Schema):
    code: str = Field(description=" | ".join(sorted({*CODES.values(), *REFUSAL_CODES})))
    message: str = Field(description="what was wrong and what to do, in the request's language")
    details: list[dict[str, Any]] | None = Field(
        None, description="the fields that do not match (422), or the rule that refused a call (409)"
    )


class ErrorOut(Schema):
    error: ErrorDetail


REFUSALS = {code: ErrorOut for code in (400, 401, 403, 404, 422, 429)}
WRITE_REFUSALS = {**REFUSALS, 409: ErrorOut}
