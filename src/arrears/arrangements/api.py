"""The arrangements endpoints of the REST API (`arrears.api.site`, under /api/v1/): quote, propose and decide
instalment plans and penalty waivers (Clause: AUTH-2, PLAN-1, PLAN-2, PLAN-3, WVR-1, WVR-2).

* Nothing here decides anything. Each endpoint turns JSON into the arguments of one query or action and the
  result (or the refusal) into JSON; the actions check the permission, validate, change state and write the
  audit event (AUTH-4), with `actor=request.user` (a person, or a token's service account) and the desk's
  business date, `today()`.
* A case, plan or waiver outside `visible_cases(user)` is answered 404, exactly as the web pages do: one
  outside one's reach cannot be told from one that does not exist.
* Refusals, in the API's error shape (`arrears.api.errors`): `ActionDenied` (the role lacks the permission) →
  403; `ArrangementError`, a malformed figure or prohibited language (LANG-1) → 422; the message in the user's
  language and saying what to do. A decision on a proposal no longer awaiting one → 409; the proposer deciding
  their own proposal → 403 (maker–checker, AUTH-2: no change to the input can make it allowed).
* Money is yuan as a string both ways: in, e.g. "10000.00" (a JSON number is refused — a float cannot hold
  money exactly); out, always two decimals, e.g. "3000.00". Dates are ISO 8601, instants in UTC.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS, ErrorOut
from arrears.api.schemas import Id
from arrears.arrangements.actions import (
    do_decide_plan,
    do_decide_waiver,
    do_propose_plan,
    do_propose_waiver,
)
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Plan, PlanStatus, Waiver, WaiverStatus
from arrears.arrangements.queries import Quote, pending_plans, pending_waivers, quote
from arrears.collection.models import CollectionCase
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import require
from arrears.finance import format_money, from_fen
from arrears.portfolio.models import Loan

__all__ = ["router"]

router = Router()


# -- schemas ----------------------------------------------------------------------------------------------

Yuan = Annotated[
    str,
    Field(max_length=32, description='yuan as a string, e.g. "10000.00"', examples=["10000.00"]),
]


class MeansIn(Schema):
    """The borrower's monthly means as stated in the negotiation (PLAN-1)."""

    income: Yuan
    expenses: Yuan
    debts: Yuan


class PlanIn(MeansIn):
    instalments: int = Field(description="how many instalments: one of the quote's feasible options (PLAN-3)")
    note: str = Field("", description="at most 1,000 characters")


class DecisionIn(Schema):
    reason: str = Field("", description="why it is approved: not blank, at most 1,000 characters (AUTH-2)")


class RejectionIn(Schema):
    reason: str = Field(description="why it is rejected: not blank, at most 1,000 characters")


class WaiverIn(Schema):
    loan: str = Field(max_length=32, description="the contract number of one of the case borrower's loans")
    amount: Yuan
    note: str = Field("", description="at most 1,000 characters")


class ScheduleRow(Schema):
    n: int
    due_on: date
    amount: str


class MonthOut(Schema):
    month: int
    due_on: date = Field(description="the plan instalment's due date")
    plan: str = Field(description="the plan's instalment")
    own_instalments: str = Field(description="the covered loans' own instalments falling due in this plan month")
    total: str = Field(description="plan + own instalments: what the borrower must pay this month")
    fits: bool = Field(description="total ≤ the affordable monthly payment (PLAN-2)")


class OptionOut(Schema):
    instalments: int
    payment: str = Field(description="each instalment; the last may be smaller, so they sum to the amount")
    feasible: bool = Field(description="every month's total fits (PLAN-2)")
    reason: str = Field(
        description='why it does not fit, in figures (PLAN-2: "month 2: plan 2,000.00 + own instalments 1,023.72 = '
        '3,023.72 > 3,000.00 allowed"), or ""'
    )
    schedule: list[ScheduleRow]
    months: list[MonthOut]


class QuoteOut(Schema):
    as_of: date
    contracts: str
    amount: str = Field(description="what a plan would cover: the overdue amount, with the penalty where included")
    includes_penalty: bool
    max_monthly_payment: str = Field(
        description="min(income × the policy's share, 30%; income − expenses − debts), PLAN-2"
    )
    own_instalments: list[str] = Field(
        description="per plan month from the first: the covered loans' own instalments falling due in it (PLAN-2)"
    )
    options: list[OptionOut]
    reason: str = Field(description='why no option fits, in figures, or ""')


class InstalmentOut(ScheduleRow):
    cumulative: str
    met_on: date | None


class PlanOut(Schema):
    id: int
    status: str = Field(description=" | ".join(PlanStatus.values))
    case_id: int
    contracts: str
    amount: str
    includes_penalty: bool
    max_monthly_payment: str
    payment: str
    instalment_count: int
    instalments: list[InstalmentOut]
    note: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    agreement_sha256: str = Field(description='SHA-256 of the agreement stored on approval (PLAN-4), or ""')


class CallOut(Schema):
    id: int
    called_at: datetime


class WaiverOut(Schema):
    id: int
    status: str = Field(description=" | ".join(WaiverStatus.values))
    case_id: int
    loan: str
    amount: str
    max_amount: str = Field(description="the most that may be waived (WVR-2), as worked out when proposed")
    requested_on: date
    dpd: int
    first_delinquency: bool
    borrower_call: CallOut | None = Field(description="the borrower's own call during this delinquency (WVR-1)")
    penalty_accrued: str
    already_waived: str
    note: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    posted_on: date | None


class PlanList(Schema):
    items: list[PlanOut]
    count: int


class WaiverList(Schema):
    items: list[WaiverOut]
    count: int


def _yuan(fen: int) -> str:
    return format_money(from_fen(fen))


def _quote_out(offer: Quote) -> dict:
    return {
        "as_of": offer.as_of,
        "contracts": offer.debt.contracts,
        "amount": format_money(offer.amount),
        "includes_penalty": offer.debt.includes_penalty,
        "max_monthly_payment": format_money(offer.max_payment),
        "options": [
            {
                "instalments": o.option.instalments,
                "payment": format_money(o.option.payment),
                "feasible": o.option.feasible,
                "reason": o.reason,
                "schedule": [{"n": n, "due_on": d, "amount": format_money(a)} for n, d, a in o.schedule],
                "months": [
                    {
                        "month": m.month,
                        "due_on": day,
                        "plan": format_money(m.plan),
                        "own_instalments": format_money(m.own),
                        "total": format_money(m.total),
                        "fits": m.fits,
                    }
                    for m, day in o.months
                ],
            }
            for o in offer.options
        ],
        "own_instalments": [format_money(a) for a in offer.own_instalments],
        "reason": offer.reason,
    }


def _plan_out(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "status": plan.status,
        "case_id": plan.case_id,
        "contracts": plan.contracts,
        "amount": _yuan(plan.amount_fen),
        "includes_penalty": plan.includes_penalty,
        "max_monthly_payment": _yuan(plan.max_payment_fen),
        "payment": _yuan(plan.payment_fen),
        "instalment_count": plan.instalment_count,
        "instalments": [
            {
                "n": i.n,
                "due_on": i.due_on,
                "amount": _yuan(i.amount_fen),
                "cumulative": _yuan(i.cumulative_fen),
                "met_on": i.met_on,
            }
            for i in plan.instalments.all()
        ],
        "note": plan.note,
        "proposed_by": plan.proposed_by.username,
        "proposed_at": plan.proposed_at,
        "decided_by": plan.decided_by.username if plan.decided_by_id else None,
        "decided_at": plan.decided_at,
        "decision_reason": plan.decision_reason,
        "agreement_sha256": plan.agreement_sha256,
    }


def _waiver_out(waiver: Waiver) -> dict:
    call = waiver.initiating_call
    return {
        "id": waiver.pk,
        "status": waiver.status,
        "case_id": waiver.case_id,
        "loan": waiver.loan.external_id,
        "amount": _yuan(waiver.amount_fen),
        "max_amount": _yuan(waiver.max_fen),
        "requested_on": waiver.requested_on,
        "dpd": waiver.dpd,
        "first_delinquency": waiver.first_delinquency,
        "borrower_call": {"id": call.pk, "called_at": call.called_at} if call else None,
        "penalty_accrued": _yuan(waiver.penalty_accrued_fen),
        "already_waived": _yuan(waiver.already_waived_fen),
        "note": waiver.note,
        "proposed_by": waiver.proposed_by.username,
        "proposed_at": waiver.proposed_at,
        "decided_by": waiver.decided_by.username if waiver.decided_by_id else None,
        "decided_at": waiver.decided_at,
        "decision_reason": waiver.decision_reason,
        "posted_on": waiver.posted_on,
    }


# -- refusals ---------------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int) -> CollectionCase:
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))  # the web pages' words
    return case


def _refused_decision(model: type[Plan] | type[Waiver], obj: Plan | Waiver, actor: Any, exc: ArrangementError):
    """Which refusal a decision met: the proposal no longer awaits one (409), the actor proposed it (403), or
    anything else the action refused (422). The action's message is kept in every case."""
    status = model.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
    if status != "proposed":
        return HttpError(409, str(exc))
    if obj.proposed_by_id == actor.pk:
        return HttpError(403, str(exc))
    return HttpError(422, str(exc))


DECISION_REFUSALS = {**REFUSALS, 409: ErrorOut}


# -- plans ------------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/plans/quote", response={200: QuoteOut, **REFUSALS}, tags=["plans"])
def quote_plan(request: HttpRequest, case_id: Id, payload: MeansIn):
    """What a plan for the case would cover and cost on the business date: the affordable monthly payment and
    one option per instalment count, each with its schedule (Clause: PLAN-1, PLAN-2, PLAN-3). Needs the
    permission to propose plans (AUTH-2). A malformed or negative figure → 422 with the message."""
    case = _case(request, case_id)
    require(request.user, Perm.PROPOSE_PLAN)
    return _quote_out(quote(case, income=payload.income, expenses=payload.expenses, debts=payload.debts, as_of=today()))


@router.post("/cases/{case_id}/plans", response={201: PlanOut, **REFUSALS}, tags=["plans"])
def propose_plan(request: HttpRequest, case_id: Id, payload: PlanIn):
    """Propose a plan of one of the quote's feasible options for a supervisor to approve (Clause: PLAN-1,
    PLAN-2, PLAN-3, AUTH-2). 403 without the permission to propose plans; 422 with the reason, in figures,
    when the option does not fit, a plan is already live on the case, or the case is closed."""
    case = _case(request, case_id)
    plan = do_propose_plan(
        case,
        income=payload.income,
        expenses=payload.expenses,
        debts=payload.debts,
        instalments=payload.instalments,
        note=payload.note,
        actor=request.user,
        today=today(),
    )
    return Status(201, _plan_out(plan))


@router.get("/plans/pending", response={200: PlanList, **REFUSALS}, tags=["plans"])
def list_pending_plans(request: HttpRequest):
    """Plans awaiting a decision, oldest first (Clause: AUTH-2). Needs the permission to approve."""
    require(request.user, Perm.APPROVE)
    plans = pending_plans().filter(case__in=visible_cases(request.user))
    items = [_plan_out(plan) for plan in plans]
    return {"items": items, "count": len(items)}


def _decide_plan(request: HttpRequest, plan_id: int, *, approve: bool, reason: str) -> dict:
    plan = Plan.objects.filter(pk=plan_id, case__in=visible_cases(request.user)).select_related("proposed_by").first()
    if plan is None:
        raise HttpError(404, _("No such plan, or not one of yours"))
    try:
        plan = do_decide_plan(plan, approve=approve, reason=reason, actor=request.user, today=today())
    except ArrangementError as exc:
        raise _refused_decision(Plan, plan, request.user, exc) from exc
    return _plan_out(plan)


@router.post("/plans/{plan_id}/approve", response={200: PlanOut, **DECISION_REFUSALS}, tags=["plans"])
def approve_plan(request: HttpRequest, plan_id: Id, payload: DecisionIn | None = None):
    """Approve a proposed plan; the agreement is rendered and stored for the borrower to sign (Clause: AUTH-2,
    PLAN-4). Needs the permission to approve and a reason (422 without one, with the action's message). 409 when
    it was already decided; 403 for the proposer's own."""
    return _decide_plan(request, plan_id, approve=True, reason=payload.reason if payload else "")


@router.post("/plans/{plan_id}/reject", response={200: PlanOut, **DECISION_REFUSALS}, tags=["plans"])
def reject_plan(request: HttpRequest, plan_id: Id, payload: RejectionIn):
    """Reject a proposed plan, saying why (Clause: AUTH-2). Needs the permission to approve. 422 without a
    reason; 409 when it was already decided; 403 for the proposer's own."""
    return _decide_plan(request, plan_id, approve=False, reason=payload.reason)


# -- waivers ----------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/waivers", response={201: WaiverOut, **REFUSALS}, tags=["waivers"])
def propose_waiver(request: HttpRequest, case_id: Id, payload: WaiverIn):
    """Propose waiving part of a loan's penalty interest for a supervisor to approve (Clause: WVR-1, WVR-2,
    AUTH-2). 403 without the permission to propose waivers; 422 listing every WVR-1 condition that fails, or
    the WVR-2 cap the amount exceeds, with the figures."""
    case = _case(request, case_id)
    loan = Loan.objects.filter(borrower_id=case.borrower_id, external_id=payload.loan).first()
    if loan is None:
        raise ArrangementError(
            _("Loan %(loan)s is not one of this case's borrower's loans; give its contract number.")
            % {"loan": payload.loan}
        )
    waiver = do_propose_waiver(case, loan, amount=payload.amount, note=payload.note, actor=request.user, today=today())
    return Status(201, _waiver_out(waiver))


@router.get("/waivers/pending", response={200: WaiverList, **REFUSALS}, tags=["waivers"])
def list_pending_waivers(request: HttpRequest):
    """Waivers awaiting a decision, oldest first (Clause: AUTH-2, WVR-1). Needs the permission to approve."""
    require(request.user, Perm.APPROVE)
    waivers = pending_waivers().filter(case__in=visible_cases(request.user))
    items = [_waiver_out(waiver) for waiver in waivers]
    return {"items": items, "count": len(items)}


def _decide_waiver(request: HttpRequest, waiver_id: int, *, approve: bool, reason: str) -> dict:
    waiver = (
        Waiver.objects.filter(pk=waiver_id, case__in=visible_cases(request.user))
        .select_related("loan", "proposed_by", "initiating_call")
        .first()
    )
    if waiver is None:
        raise HttpError(404, _("No such waiver, or not one of yours"))
    try:
        waiver = do_decide_waiver(waiver, approve=approve, reason=reason, actor=request.user, today=today())
    except ArrangementError as exc:
        raise _refused_decision(Waiver, waiver, request.user, exc) from exc
    return _waiver_out(waiver)


@router.post("/waivers/{waiver_id}/approve", response={200: WaiverOut, **DECISION_REFUSALS}, tags=["waivers"])
def approve_waiver(request: HttpRequest, waiver_id: Id, payload: DecisionIn | None = None):
    """Approve a proposed waiver and post it on the business date (Clause: AUTH-2, WVR-2). Needs the permission
    to approve and a reason (422 without one, with the action's message). 409 when it was already decided; 403
    for the proposer's own; 422 when payments meanwhile left less penalty owed than the amount."""
    return _decide_waiver(request, waiver_id, approve=True, reason=payload.reason if payload else "")


@router.post("/waivers/{waiver_id}/reject", response={200: WaiverOut, **DECISION_REFUSALS}, tags=["waivers"])
def reject_waiver(request: HttpRequest, waiver_id: Id, payload: RejectionIn):
    """Reject a proposed waiver, saying why (Clause: AUTH-2). Needs the permission to approve. 422 without a
    reason; 409 when it was already decided; 403 for the proposer's own."""
    return _decide_waiver(request, waiver_id, approve=False, reason=payload.reason)
