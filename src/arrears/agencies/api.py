"""`GET /api/v1/agencies`: every agency with its code and its eligibility today (Clause: AGY-1); supervisors and
administrators (see `queries.may_see_agencies`)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from arrears.accounts.permissions import Perm
from arrears.agencies.queries import agencies_on, may_see_agencies
from arrears.api.errors import REFUSALS
from arrears.compliance.actions import require

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    code: str
    name: str
    eligible: bool = Field(description="AGY-1: both licences on file and not expired, confidentiality signed")
    problems: list[str] = Field(description="why not eligible, in the request's language")
    expires_on: date | None = Field(description="the earlier licence expiry (valid through that day)")
    expiring_soon: bool = Field(description="eligible, but a licence expires within agency.expiry_warning_days")


class AgencyList(Schema):
    items: list[AgencyOut]
    count: int


@router.get("/agencies", response={200: AgencyList, **REFUSALS})
def list_agencies(request: HttpRequest):
    """Every agency with its eligibility today in Beijing (Clause: AGY-1)."""
    if not may_see_agencies(request.user):
        require(request.user, Perm.DECIDE_ESCALATION)
    rows = agencies_on(timezone.localdate())
    items = [
        {
            "code": row.agency.code,
            "name": row.agency.name,
            "eligible": row.status.eligible,
            "problems": row.problems,
            "expires_on": row.status.expires_on,
            "expiring_soon": row.status.expiring_soon,
        }
        for row in rows
    ]
    return {"items": items, "count": len(items)}
