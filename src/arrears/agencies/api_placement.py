"""Placements through the API (see arrears.api.site for the conventions; Clause: LGL-1, LGL-2, AUTH-3, AGY-1,
AGY-2).

* `POST /cases/{id}/placement` {"agency": code, "days": N} places the case (supervisors): 201 with the placement;
  409 with the reason when the case is not eligible under LGL-1, the agency not under AGY-1 (or suspended,
  AGY-3), a placement already stands or no mandate is approved; 422 for a period out of range or an agency code
  that names no agency.
* `DELETE /cases/{id}/placement` recalls the standing placement (optional body {"reason", "note"}): 200 with it,
  ended; 409 when none stands. The agency's access ends with it.
* `GET /cases/{id}/placements` the case's placements, newest first (its placement history), for whoever may open
  the case — an agency user sees only their own agency's.
* A case outside the caller's reach is answered 404, like one that does not exist; a role that sees it but may
  not place gets 403, nothing changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm
from arrears.agencies.errors import PlacementError
from arrears.agencies.models import Placement
from arrears.agencies.placement import do_place_case, do_recall_placement, placement_ref, standing_placement
from arrears.api.errors import REFUSALS, ErrorOut
from arrears.api.schemas import Id, yuan
from arrears.collection.models import CollectionCase
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import require
from arrears.legal.escalation_actions import MAX_REASON

router = Router(tags=["agencies"])

PLACEMENT_REFUSALS = {**REFUSALS, 409: ErrorOut}


class PlacementIn(Schema):
    agency: str = Field(..., max_length=16, description="the agency's code, e.g. AGY-001")
    days: int | None = Field(None, description="the period in days; default agency.placement_days")
    reason: str = Field("", max_length=MAX_REASON, description="why (recorded with the decision to place)")


class RecallIn(Schema):
    reason: Literal["supervisor", "complaint", "eligibility"] = "supervisor"
    note: str = Field("", max_length=MAX_REASON)


class PlacementOut(Schema):
    id: int
    reference: str
    case_id: int
    agency: str = Field(description="the agency's code")
    agency_name: str
    placed_on: date
    days: int
    last_day: date = Field(description="the period's last day (inclusive)")
    in_force: bool = Field(description="standing and within its period on the business date")
    commission_percent: str
    overdue: str = Field(description="yuan overdue when placed")
    decision_id: int
    placed_by: str
    placed_at: datetime
    ended_on: date | None
    end_reason: str
    mandate_template: str


class PlacementList(Schema):
    items: list[PlacementOut]
    count: int


def _case(request: HttpRequest, case_id: int) -> CollectionCase:
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))
    return case


def _out(placement: Placement, on: date) -> dict:
    return {
        "id": placement.pk,
        "reference": placement_ref(placement),
        "case_id": placement.case_id,
        "agency": placement.agency.code,
        "agency_name": placement.agency.name,
        "placed_on": placement.placed_on,
        "days": placement.days,
        "last_day": placement.last_day,
        "in_force": placement.in_force_on(on),
        "commission_percent": f"{placement.commission_percent:.2f}",
        "overdue": yuan(placement.overdue_fen),
        "decision_id": placement.decision_id,
        "placed_by": placement.placed_by.username,
        "placed_at": placement.placed_at,
        "ended_on": placement.ended_on,
        "end_reason": placement.end_reason,
        "mandate_template": placement.mandate_template,
    }


def _loaded(placement: Placement) -> Placement:
    return Placement.objects.select_related("agency", "placed_by").get(pk=placement.pk)


@router.post("/cases/{case_id}/placement", response={201: PlacementOut, **PLACEMENT_REFUSALS})
def place_case(request: HttpRequest, case_id: Id, payload: PlacementIn):
    """Place the case with an agency for a period (Clause: LGL-1, LGL-2, AUTH-3, AGY-1, AGY-2). Supervisors."""
    require(request.user, Perm.DECIDE_ESCALATION)
    case = _case(request, case_id)
    agency = Agency.objects.filter(code=payload.agency.strip().upper()).first()
    if agency is None:
        raise PlacementError(
            _("There is no agency with the code %(code)s; GET /api/v1/agencies lists them.") % {"code": payload.agency},
            conflict=False,
        )
    on = today()
    placed = do_place_case(case, agency=agency, days=payload.days, reason=payload.reason, actor=request.user, today=on)
    return Status(201, _out(_loaded(placed), on))


@router.delete("/cases/{case_id}/placement", response={200: PlacementOut, **PLACEMENT_REFUSALS})
def recall_case(request: HttpRequest, case_id: Id, payload: RecallIn | None = None):
    """Recall the case from its agency now (Clause: AUTH-3, LGL-2): the agency's access ends at once."""
    require(request.user, Perm.DECIDE_ESCALATION)
    case = _case(request, case_id)
    payload = payload or RecallIn()
    standing = standing_placement(case)
    if standing is None:
        raise PlacementError(
            _("Case %(case)s is not placed with an agency; there is nothing to recall.") % {"case": case.pk}
        )
    on = today()
    ended = do_recall_placement(standing, reason=payload.reason, note=payload.note, actor=request.user, today=on)
    return _out(_loaded(ended), on)


@router.get("/cases/{case_id}/placements", response={200: PlacementList, **REFUSALS})
def case_placements(request: HttpRequest, case_id: Id):
    """The case's placements, newest first. An agency's user sees only their own agency's."""
    case = _case(request, case_id)
    rows = Placement.objects.filter(case=case).select_related("agency", "placed_by").order_by("-placed_at", "-pk")
    agency_id = getattr(request.user, "agency_id", None)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    on = today()
    items = [_out(p, on) for p in rows]
    return {"items": items, "count": len(items)}
