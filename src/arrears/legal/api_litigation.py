"""The late stage's API endpoints (see arrears.api.site for the conventions).

The court stages (Clause: LIT-2) and the litigation file (Clause: LIT-1), under /api/v1/:

* `GET /litigations/{id}` — a lawsuit: its stage and court facts, its deadlines on today's date (the calendar day
  in Beijing) with their state, the stages that may come next, every recorded stage with its documents (name,
  type, size, SHA-256; the content is downloaded from the web page, an audited read) and its legal costs with
  their total. Needs `legal.view_litigation` (supervisors and legal officers); a lawsuit of a case outside the
  caller's view is 404.
* `POST /litigations/{id}/stages` — `{"stage", "on", …the stage's facts, "note"}` records one stage (legal
  officers: `legal.keep_litigation`) → 201 with the lawsuit as the GET answers it. 409 when the order refuses it
  (the message says what must come first, or that the date is before the previous stage's or in the future); 422
  for a fact that is missing or malformed. Documents are uploaded on the web page.
* `POST /litigations/{id}/costs` — `{"kind", "amount", "incurred_on", "note"}` → 201 with the cost and the
  lawsuit's new total.
* `GET /cases/{id}/litigation/file` — the newest version of the case's litigation file, its PDF
  (application/pdf), to supervisors and legal officers once litigation is decided; an audited read.

Money is yuan as a string both ways ("52000.00"; a JSON number is refused), with fen as integers beside it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS, WRITE_REFUSALS
from arrears.api.schemas import Id, yuan
from arrears.collection.queries import visible_cases
from arrears.compliance.actions import require
from arrears.legal import deadlines as deadline_states
from arrears.legal import queries_litigation
from arrears.legal.court import StageOrderError, do_record_cost, do_record_stage, next_stages
from arrears.legal.deadlines import Deadline
from arrears.legal.litigation_file import do_open_litigation_file, latest_file
from arrears.legal.models import Litigation

router = Router(tags=["late stage"])

# -- the court stages (LIT-2) -----------------------------------------------------------------------------

Yuan = Annotated[str, Field(max_length=32, description='yuan as a string, e.g. "52000.00"', examples=["52000.00"])]
StageCode = Literal["filed", "accepted", "hearing", "mediation", "judgment", "enforcement", "enforced", "closed"]


class DeadlineOut(Schema):
    kind: str = Field(description="limitation (filing) | enforcement (applying for enforcement)")
    starts_on: date = Field(description="counted from: the earliest unpaid due date, or the judgment's effect")
    ends_on: date = Field(description="the last day to act")
    warn_from: date
    state: str = Field(description=" | ".join((*deadline_states.PENDING, deadline_states.MET, deadline_states.MOOT)))
    met_on: date | None = Field(description="the day it was met (filed, enforcement applied for)")
    clause: str


class DocumentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    sha256: str


class StageOut(Schema):
    id: int
    stage: str
    on: date
    details: dict[str, Any] = Field(description="the stage's facts as recorded (amounts in fen)")
    note: str
    recorded_by: str
    recorded_at: datetime
    documents: list[DocumentOut]


class CostOut(Schema):
    id: int
    kind: str = Field(description="court_fee | lawyer | preservation | enforcement | other")
    amount: str
    amount_fen: int
    incurred_on: date
    note: str


class CostsOut(Schema):
    items: list[CostOut]
    count: int
    total: str
    total_fen: int


class LitigationOut(Schema):
    id: int
    case: int
    customer: str = Field(description="the borrower's customer number")
    stage: str
    as_of: date = Field(description="the day the deadlines' states are for")
    opened_on: date = Field(description="the day litigation was decided")
    court: str
    court_case_no: str = Field(description="案号")
    filed_on: date | None
    claimed: str | None
    court_fee: str | None
    accepted_on: date | None
    judgment_on: date | None
    judgment_amount: str | None
    judgment_effective_on: date | None
    enforcement_applied_on: date | None
    enforcement_case_no: str
    recovered: str
    closed_on: date | None
    closed_reason: str = Field(description="paid | settled | enforced | terminated | withdrawn | dismissed | other")
    next_stages: list[str] = Field(description="the stages that may be recorded next")
    deadlines: list[DeadlineOut]
    next_deadline: DeadlineOut | None = Field(description="the nearest deadline not met")
    stages: list[StageOut]
    costs: CostsOut


class StageIn(Schema):
    stage: StageCode
    on: date = Field(description="the stage's date: not before the previous stage's, not in the future")
    court: str = Field("", max_length=200, description="filed: the competent court")
    court_case_no: str = Field("", max_length=64, description="filed (if known) or accepted: 案号")
    claimed: Yuan | None = Field(None, description="filed: the amount claimed")
    court_fee: Yuan | None = Field(None, description="filed: the court fee (also recorded as a legal cost)")
    result: str = Field("", max_length=20, description="mediation: agreed | failed | continued")
    amount: Yuan | None = Field(None, description="judgment: the amount awarded; enforced: the amount recovered")
    effective_on: date | None = Field(None, description="judgment: the day it takes effect")
    enforcement_case_no: str = Field("", max_length=64, description="enforcement: the enforcement case number")
    reason: str = Field(
        "", max_length=20, description="closed: paid | settled | enforced | terminated | withdrawn | dismissed | other"
    )
    note: str = Field("", max_length=2000)


class CostIn(Schema):
    kind: Literal["court_fee", "lawyer", "preservation", "enforcement", "other"]
    amount: Yuan
    incurred_on: date
    note: str = Field("", max_length=500)


class CostRecordedOut(CostOut):
    total: str = Field(description="the lawsuit's legal costs now")
    total_fen: int


def _fen(fen: int | None) -> str | None:
    return None if fen is None else yuan(fen)


def _deadline_out(deadline: Deadline | None, on: date) -> dict | None:
    if deadline is None:
        return None
    return {
        "kind": deadline.kind,
        "starts_on": deadline.starts_on,
        "ends_on": deadline.ends_on,
        "warn_from": deadline.warn_from,
        "state": deadline.state(on),
        "met_on": deadline.met_on,
        "clause": deadline.clause,
    }


def _cost_out(cost) -> dict:
    return {
        "id": cost.pk,
        "kind": cost.kind,
        "amount": yuan(cost.amount_fen),
        "amount_fen": cost.amount_fen,
        "incurred_on": cost.incurred_on,
        "note": cost.note,
    }


def _litigation(request: HttpRequest, litigation_id: int) -> Litigation:
    require(request.user, Perm.VIEW_LITIGATION)
    found = queries_litigation.visible_litigations(request.user).select_related("borrower").filter(pk=litigation_id)
    litigation = found.first()
    if litigation is None:
        raise HttpError(404, _("No such lawsuit."))
    return litigation


def _litigation_out(litigation: Litigation) -> dict:
    on = queries_litigation.court_today()
    earliest = queries_litigation.earliest_unpaid_dues([litigation.borrower_id]).get(litigation.borrower_id)
    found = queries_litigation.deadlines_for(litigation, earliest, on)
    stages = queries_litigation.stages_of(litigation)
    sizes = queries_litigation.document_sizes(stages)
    costs = queries_litigation.costs_of(litigation)
    return {
        "id": litigation.pk,
        "case": litigation.case_id,
        "customer": litigation.borrower.external_id,
        "stage": litigation.stage,
        "as_of": on,
        "opened_on": litigation.opened_on,
        "court": litigation.court,
        "court_case_no": litigation.court_case_no,
        "filed_on": litigation.filed_on,
        "claimed": _fen(litigation.claimed_fen),
        "court_fee": _fen(litigation.court_fee_fen),
        "accepted_on": litigation.accepted_on,
        "judgment_on": litigation.judgment_on,
        "judgment_amount": _fen(litigation.judgment_fen),
        "judgment_effective_on": litigation.judgment_effective_on,
        "enforcement_applied_on": litigation.enforcement_applied_on,
        "enforcement_case_no": litigation.enforcement_case_no,
        "recovered": yuan(litigation.recovered_fen),
        "closed_on": litigation.closed_on,
        "closed_reason": litigation.closed_reason,
        "next_stages": list(next_stages(litigation)),
        "deadlines": [_deadline_out(d, on) for d in found],
        "next_deadline": _deadline_out(deadline_states.next_deadline(found, on), on),
        "stages": [
            {
                "id": event.pk,
                "stage": event.stage,
                "on": event.on,
                "details": event.details,
                "note": event.note,
                "recorded_by": event.recorded_by.username,
                "recorded_at": event.recorded_at,
                "documents": [
                    {
                        "id": doc.pk,
                        "filename": doc.filename,
                        "content_type": doc.content_type,
                        "size": sizes.get(doc.pk, 0),
                        "sha256": doc.sha256,
                    }
                    for doc in event.documents.all()
                ],
            }
            for event in stages
        ],
        "costs": {
            "items": [_cost_out(cost) for cost in costs.items],
            "count": len(costs.items),
            "total": yuan(costs.total_fen),
            "total_fen": costs.total_fen,
        },
    }


@router.get("/litigations/{litigation_id}", response={200: LitigationOut, **WRITE_REFUSALS}, tags=["litigation"])
def get_litigation(request: HttpRequest, litigation_id: Id):
    """A lawsuit: its stage, facts, deadlines (with their warnings), stages with documents and legal costs (Clause:
    LIT-2). Needs `legal.view_litigation`."""
    return _litigation_out(_litigation(request, litigation_id))


@router.post(
    "/litigations/{litigation_id}/stages", response={201: LitigationOut, **WRITE_REFUSALS}, tags=["litigation"]
)
def record_stage(request: HttpRequest, litigation_id: Id, payload: StageIn):
    """Record a court stage (Clause: LIT-2). Needs `legal.keep_litigation` (403 otherwise, nothing changed); 409
    when the order refuses it (what must come first), 422 for a missing or malformed fact."""
    litigation = _litigation(request, litigation_id)
    facts = payload.model_dump()
    stage, on = facts.pop("stage"), facts.pop("on")
    try:
        do_record_stage(litigation, stage, on=on, today=queries_litigation.court_today(), actor=request.user, **facts)
    except StageOrderError as exc:
        raise HttpError(409, str(exc)) from exc
    return Status(201, _litigation_out(litigation))


@router.post(
    "/litigations/{litigation_id}/costs", response={201: CostRecordedOut, **WRITE_REFUSALS}, tags=["litigation"]
)
def record_cost(request: HttpRequest, litigation_id: Id, payload: CostIn):
    """Record a legal cost: kind, amount (yuan, above 0), the day incurred, a note (Clause: LIT-2, KPI-2). Needs
    `legal.keep_litigation`."""
    litigation = _litigation(request, litigation_id)
    cost = do_record_cost(
        litigation,
        kind=payload.kind,
        amount=payload.amount,
        incurred_on=payload.incurred_on,
        note=payload.note,
        today=queries_litigation.court_today(),
        actor=request.user,
    )
    total = queries_litigation.costs_of(litigation).total_fen
    return Status(201, {**_cost_out(cost), "total": yuan(total), "total_fen": total})


# -- the litigation file (LIT-1) ------------------------------------------------------------------------------


_PDF = {
    "200": {
        "description": "the newest version of the litigation file, one PDF with its index, exactly as built",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/cases/{case_id}/litigation/file", response=REFUSALS, openapi_extra={"responses": _PDF})
def litigation_file_pdf(request: HttpRequest, case_id: Id):
    """The newest version of the case's litigation file as its PDF (Clause: LIT-1, PRV-1), to supervisors and
    legal officers once litigation is decided on the case. It carries the borrower's full name, ID number and
    address (it is for the court), so each call is an audited read. 404 when the case is outside the caller's
    reach, litigation was not decided on it or no file was built yet; 403 for a role that may see the case but
    not the litigation file."""
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))
    require(request.user, Perm.VIEW_LITIGATION)
    litigation = Litigation.objects.filter(case=case).order_by("-opened_on", "-pk").first()
    if litigation is None:
        raise HttpError(404, _("Litigation has not been decided on this case."))
    built = latest_file(litigation)
    if built is None:
        raise HttpError(
            404, _("No litigation file has been built for this case yet; a legal officer builds it on its page.")
        )
    response = HttpResponse(
        do_open_litigation_file(built, kind="pdf", actor=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="litigation-file-{litigation.pk:06d}-v{built.version}.pdf"'
    response["Cache-Control"] = "private, no-store"  # full name, ID number and address
    return response
