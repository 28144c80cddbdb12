"""The late stage's API endpoints (see arrears.api.site for the conventions): a case's escalation facts and the
supervisor's decision, and the write-offs awaiting a decision with their approval and rejection (Clause: LGL-1,
LGL-2, CLS-2, AUTH-3).

* A case outside `visible_cases(user)` is answered 404, like one that does not exist (the workspace's rule);
  a role that sees the case but may not decide (a collector, a legal or compliance officer) gets 403 on the
  decision, with nothing changed.
* Refusals of the action (`LegalError`, prohibited language) → 422 with the message; a body that does not
  match the schema (an unknown decision, a date that is not one) → 422 with the details. A write-off's
  proposer deciding it → 403 (maker–checker: no change to the input makes it allowed); one already decided →
  409.
* Money is yuan as a string to the fen ("50000.01"); dates ISO 8601, instants in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS, ErrorOut
from arrears.api.schemas import Id, yuan
from arrears.collection.models import CollectionCase
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import require
from arrears.legal.errors import LegalError
from arrears.legal.escalation import facts_of
from arrears.legal.escalation_actions import MAX_REASON, do_decide_escalation
from arrears.legal.models import EscalationDecision, WriteOff, WriteOffStatus
from arrears.legal.write_off_actions import do_decide_write_off, own_proposal, was_decided
from arrears.legal.write_off_queries import write_offs

router = Router(tags=["late stage"])

DECISION_REFUSALS = {**REFUSALS, 409: ErrorOut}


class EscalationOut(Schema):
    """A case's facts on the business date as the policy names them (LGL-1, LGL-2)."""

    dpd: int = Field(description="days past due: the highest of the borrower's loans in arrears")
    failed_attempts: int = Field(
        description="the bank's failed call attempts in this case since it (re)opened; inbound calls do not count"
    )
    refused: bool = Field(description="an explicit refusal to pay recorded in this case")
    days_since_reached: int = Field(description="days since anyone reached the borrower in this case (or it opened)")
    overdue: str = Field(
        description='overdue principal + interest + penalty + compound interest, yuan, e.g. "50000.01"'
    )
    eligible: bool = Field(description="LGL-1: DPD ≥ legal.min_dpd and (failed attempts, a refusal or lost contact)")
    route: Literal["litigation", "agency"] | None = Field(
        description="LGL-2: litigation over legal.litigation_min_amount, else an agency; null when not eligible"
    )
    clauses: list[str] = Field(description='the clauses these facts answer, e.g. ["LGL-1", "LGL-2"]')


class DecisionIn(Schema):
    decision: Literal["litigation", "agency", "continue", "write_off"]
    reason: str = Field(
        "",
        max_length=MAX_REASON,
        description="why: needed to keep collecting, for a write-off, and wherever the decision is not the route",
    )
    revisit_on: date | None = Field(None, description="to keep collecting: the day the case returns to the queue")


class DecisionOut(Schema):
    id: int
    case_id: int
    decision: str = Field(description="litigation | agency | continue | write_off")
    reason: str
    revisit_on: date | None
    business_date: date
    decided_by: str
    decided_at: datetime
    facts: EscalationOut = Field(description="the facts as decided on")
    task_id: int | None = Field(description="the review task the decision closed")
    litigation_id: int | None = Field(description="the lawsuit opened by a decision for litigation")
    write_off_id: int | None = Field(description="the write-off proposed by a decision to write off")


class WriteOffOut(Schema):
    id: int
    case_id: int
    status: str = Field(description=" | ".join(WriteOffStatus.values))
    as_of: date
    principal: str
    interest: str
    penalty: str
    compound: str
    total: str = Field(description="principal + interest + penalty + compound, yuan")
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str


class WriteOffList(Schema):
    items: list[WriteOffOut]
    count: int


class WriteOffDecisionIn(Schema):
    note: str = Field("", max_length=MAX_REASON, description="why: needed to reject")


def _case(request: HttpRequest, case_id: int) -> CollectionCase:
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))  # the web pages' words
    return case


def _decision_out(decided: EscalationDecision) -> dict:
    facts = {key: decided.facts[key] for key in EscalationOut.model_fields}
    litigation = getattr(decided, "litigation", None)
    write_off = getattr(decided, "write_off", None)
    return {
        "id": decided.pk,
        "case_id": decided.case_id,
        "decision": decided.decision,
        "reason": decided.reason,
        "revisit_on": decided.revisit_on,
        "business_date": decided.business_date,
        "decided_by": decided.decided_by.username,
        "decided_at": decided.decided_at,
        "facts": facts,
        "task_id": decided.task_id,
        "litigation_id": litigation.pk if litigation else None,
        "write_off_id": write_off.pk if write_off else None,
    }


def _write_off_out(w: WriteOff) -> dict:
    return {
        "id": w.pk,
        "case_id": w.case_id,
        "status": w.status,
        "as_of": w.as_of,
        "principal": yuan(w.principal_fen),
        "interest": yuan(w.interest_fen),
        "penalty": yuan(w.penalty_fen),
        "compound": yuan(w.compound_fen),
        "total": yuan(w.total_fen),
        "reason": w.reason,
        "proposed_by": w.proposed_by.username,
        "proposed_at": w.proposed_at,
        "decided_by": w.decided_by.username if w.decided_by_id else None,
        "decided_at": w.decided_at,
        "note": w.note,
    }


@router.get("/cases/{case_id}/escalation", response={200: EscalationOut, **REFUSALS})
def get_escalation(request: HttpRequest, case_id: Id):
    """A case's facts on the business date as the policy names them, and the route it proposes (Clause: LGL-1,
    LGL-2): the same figures as the nightly run's legal review and the case page. For whoever may open the case
    (`portfolio.view` and the case within their reach); otherwise 404."""
    require(request.user, Perm.VIEW_PORTFOLIO)  # the workspace's gate
    return facts_of(_case(request, case_id), today()).as_json()


@router.post("/cases/{case_id}/escalation", response={201: DecisionOut, **REFUSALS})
def decide_escalation(request: HttpRequest, case_id: Id, payload: DecisionIn):
    """Record a supervisor's decision on the case (Clause: LGL-1, LGL-2, CLS-2, AUTH-3): "litigation" (on LGL-1's
    grounds, overdue over the LGL-2 threshold), "agency", "continue" (with a reason and a revisit date after the
    business date) or "write_off" (a proposal another supervisor approves). It closes the case's open review
    task. 403 for a role that may see the case but not decide; 404 outside the caller's reach; 422 with the
    reason when the policy or the case's state refuses it. Nothing changes on a refusal."""
    case = _case(request, case_id)
    decided = do_decide_escalation(
        case,
        decision=payload.decision,
        reason=payload.reason,
        revisit_on=payload.revisit_on,
        actor=request.user,
        today=today(),
    )
    decided = EscalationDecision.objects.select_related("decided_by", "litigation", "write_off").get(pk=decided.pk)
    return Status(201, _decision_out(decided))


@router.get("/write-offs/pending", response={200: WriteOffList, **REFUSALS}, tags=["write-offs"])
def pending_write_offs(request: HttpRequest):
    """Write-offs awaiting approval, oldest first. Needs the permission to approve write-offs."""
    require(request.user, Perm.APPROVE_WRITE_OFF)
    rows = write_offs().filter(status=WriteOffStatus.PROPOSED, case__in=visible_cases(request.user))
    items = [_write_off_out(w) for w in rows]
    return {"items": items, "count": len(items)}


def _decide(request: HttpRequest, write_off_id: int, *, approve: bool, note: str) -> dict:
    write_off = (
        WriteOff.objects.select_related("case", "proposed_by")
        .filter(pk=write_off_id, case__in=visible_cases(request.user))
        .first()
    )
    if write_off is None:
        raise HttpError(404, _("No such write-off, or not one of yours"))
    try:
        do_decide_write_off(write_off, approve=approve, note=note, actor=request.user, today=today())
    except LegalError as exc:
        if was_decided(write_off):
            raise HttpError(409, str(exc)) from exc
        if own_proposal(write_off, request.user):
            raise HttpError(403, str(exc)) from exc
        raise
    return _write_off_out(WriteOff.objects.select_related("proposed_by", "decided_by").get(pk=write_off.pk))


@router.post(
    "/write-offs/{write_off_id}/approve", response={200: WriteOffOut, **DECISION_REFUSALS}, tags=["write-offs"]
)
def approve_write_off(request: HttpRequest, write_off_id: Id, payload: WriteOffDecisionIn | None = None):
    """Approve a proposed write-off: the case is written off (maker–checker). Needs the permission to approve
    write-offs; 403 for the proposer; 409 when already decided; 422 when payments since the proposal left less
    overdue than proposed."""
    return _decide(request, write_off_id, approve=True, note=payload.note if payload else "")


@router.post("/write-offs/{write_off_id}/reject", response={200: WriteOffOut, **DECISION_REFUSALS}, tags=["write-offs"])
def reject_write_off(request: HttpRequest, write_off_id: Id, payload: WriteOffDecisionIn):
    """Reject a proposed write-off, saying why: the case is back in the escalation queue and a write-off may be
    proposed again. 403 for the proposer; 409 when already decided; 422 without a note."""
    return _decide(request, write_off_id, approve=False, note=payload.note)
