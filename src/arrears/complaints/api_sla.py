"""`GET /api/v1/complaints/sla?on=YYYY-MM-DD`: the SLA figures as of the end of Beijing day `on` (default today),
the numbers `arrears complaints sla --json` prints (Clause: CMP-2, CMP-3; rules in `complaints.queries`). Needs
`complaints.handle`. Its own router, added to the site before the complaints router, so `/complaints/sla` is not
read as `/complaints/{id}`."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS
from arrears.complaints.clocks import BEIJING
from arrears.complaints.queries import sla
from arrears.complaints.sla import sensible
from arrears.compliance.actions import require

__all__ = ["router"]

router = Router(tags=["complaints"])


class SlaOut(Schema):
    open: int = Field(description="received by the end of the day and not closed (unmatched ones too)")
    due_today: int = Field(description="open, with the first response or the investigation due that day")
    breached_response: int = Field(description="first response due by then and not given in time (CMP-2)")
    breached_investigation: int = Field(description="investigation due by then and not closed in time (CMP-3)")


@router.get("/complaints/sla", response={200: SlaOut, **REFUSALS})
def complaint_sla(request: HttpRequest, on: date | None = None):
    """The SLA figures as of the end of Beijing day `on` (default today), as `arrears complaints sla --json`
    (Clause: CMP-2, CMP-3). Needs `complaints.handle`."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    on = on or datetime.now(BEIJING).date()
    if not sensible(on):
        raise HttpError(422, _("Give the date as YYYY-MM-DD with a year from 1901 to 9998, e.g. 2026-03-18."))
    return sla(on).as_dict()
