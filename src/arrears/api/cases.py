"""`GET /api/v1/cases` and `GET /api/v1/cases/{id}`: the caller's open cases, and one case with what its
workspace shows (Issue 16, item 4).

"The caller's cases" are `visible_cases` — for a collector (or a collector's token) their own and their pool's,
TEAM-3; for a supervisor or a reader of every case, all; for an agency's user exactly the cases placed with their
agency while the placement is in force (LGL-2, `agencies.access`) — open ones, annotated and ordered as the queue orders
them (`collection.queries.annotated`: a promise due today first, then a follow-up due, a broken promise, the
highest DPD and overdue total). A service account owns no case, so its list is its role's reach, not "mine".
One case is `collection.queries.case_for`, the workspace's query: a case outside one's reach is 404, like one
that does not exist. Its loans' positions are the finance core's replay on the business date, as the workspace
shows them. Personal data is masked as on every page (compliance.masking): the API has no unmasking.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm, has_perm
from arrears.api.errors import REFUSALS
from arrears.api.schemas import (
    BorrowerOut,
    HoldOut,
    Id,
    Page,
    PositionOut,
    borrower_out,
    hold_out,
    position_out,
    yuan,
)
from arrears.collection.models import CaseStatus, CollectionCase
from arrears.collection.queries import (
    annotated,
    case_for,
    case_permission,
    queue_order,
    sees_every_case,
    split_loans,
    today,
    urgency_current,
    visible_cases,
)
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.portfolio import queries as portfolio
from arrears.quality.queries import duration_measured

__all__ = ["PromiseOut", "promise_out", "queue_gate", "router"]

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    borrower: BorrowerOut
    delinquency_class: str
    pool: str
    dpd: int
    overdue_fen: int
    overdue: str = Field(description='the overdue total in yuan, two decimals, e.g. "1027.43"')
    owner: str | None = Field(description="the owning collector's username, or null")
    opened_on: date
    attempts: int = Field(description="collection calls in the case (CLS-2)")
    next_due: date | None = Field(description="the borrower's next open task's due date")
    priority: int = Field(description="0 a promise due today, 1 a follow-up due, 2 a broken promise, 3 nothing")


class CaseList(Schema):
    items: list[CaseOut]
    count: int


class CaseLoanOut(Schema):
    id: int
    contract: str
    product: str
    position: PositionOut


class CallSummary(Schema):
    id: int
    called_at: datetime
    party: str = Field(description="borrower | contact")
    inbound: bool
    number: str = Field(description="the number dialled, masked, e.g. 170****0001")
    outcome: str
    duration_seconds: int
    duration_measured: bool = Field(description="the duration is the call platform's (CALL-3), not typed")
    collector: str
    note: str


class PromiseOut(Schema):
    id: int
    amount: str
    made_on: date
    due_on: date
    status: str = Field(description="open | kept | broken | …")
    paid: str
    call_id: int | None


class CaseDetail(CaseOut):
    status: str
    loans: list[CaseLoanOut] = Field(description="the delinquent loans the case covers, with their positions")
    holds_in_force: list[HoldOut]
    calls: list[CallSummary] = Field(description="the case's calls, newest first")
    promises: list[PromiseOut] = Field(description="the borrower's promises to pay, newest first")


def queue_gate(user) -> None:
    """The web queue's gate (collection.views.case_queue): the portfolio (an agency's user: their placed cases),
    and calls or reading every case."""
    require(user, case_permission(user))
    if not (has_perm(user, Perm.CALL) or sees_every_case(user)):
        require(user, Perm.CALL)


def _case_out(case: CollectionCase) -> dict:
    return {
        "id": case.pk,
        "borrower": borrower_out(case.borrower),
        "delinquency_class": case.delinquency_class,
        "pool": case.pool,
        "dpd": case.dpd,
        "overdue_fen": case.overdue_fen,
        "overdue": yuan(case.overdue_fen),
        "owner": case.owner.username if case.owner_id else None,
        "opened_on": case.opened_on,
        "attempts": case.attempts,
        "next_due": case.next_due,
        "priority": case.priority,
    }


@router.get("/cases", response={200: CaseList, **REFUSALS})
def list_cases(request: HttpRequest, page: Query[Page]):
    """The caller's open cases as the queue orders them, `limit`/`offset` paged, borrowers masked (Clause:
    TEAM-3, AUTH-1). A fixed number of queries whatever the page's size."""
    queue_gate(request.user)
    on = today()
    cases = visible_cases(request.user).filter(status=CaseStatus.OPEN)
    count = cases.count()
    stored = urgency_current(on)  # the queue's order, by the stored urgency when it is of today (as the queue)
    rows = annotated(cases.select_related("borrower", "owner"), on, stored=stored).order_by(*queue_order(stored))[
        page.offset : page.offset + page.limit
    ]
    return {"items": [_case_out(case) for case in rows], "count": count}


@router.get("/cases/{case_id}", response={200: CaseDetail, **REFUSALS})
def get_case(request: HttpRequest, case_id: Id):
    """One case as its workspace shows it: the queue's figures, the covered loans with their positions on the
    business date, the holds in force, the calls and the promises (Clause: TEAM-3, CALL-1). Needs what the
    workspace needs (`portfolio.view`; an agency's user `portfolio.view_agency_cases`: the cases placed with their
    agency, LGL-2); a case outside the caller's reach is 404."""
    require(request.user, case_permission(request.user))  # the workspace's gate (collection.views.case_detail)
    on = today()
    try:
        case = case_for(request.user, case_id, on)
    except CollectionCase.DoesNotExist:
        raise HttpError(404, _("No such case, or not one of yours")) from None
    borrower = case.borrower
    covered, _others = split_loans(borrower.loans.all())
    return {
        **_case_out(case),
        "status": case.status,
        "loans": [
            {
                "id": loan.pk,
                "contract": loan.external_id,
                "product": loan.product,
                "position": position_out(portfolio.loan_position(loan, on)),
            }
            for loan in covered
        ],
        "holds_in_force": [hold_out(hold, on) for hold in borrower.holds.all() if hold.in_force_on(on)],
        "calls": [
            {
                "id": call.pk,
                "called_at": call.called_at,
                "party": call.party,
                "inbound": call.inbound,
                "number": masked("phone", call.number),
                "outcome": call.outcome,
                "duration_seconds": call.duration_seconds,
                "duration_measured": duration_measured(call),
                "collector": call.collector.username,
                "note": call.note,
            }
            for call in case.calls.all()
        ],
        "promises": [promise_out(p) for p in borrower.promises.all()],
    }


def promise_out(promise) -> dict:
    return {
        "id": promise.pk,
        "amount": yuan(promise.amount_fen),
        "made_on": promise.made_on,
        "due_on": promise.due_on,
        "status": promise.status,
        "paid": yuan(promise.paid_fen),
        "call_id": promise.call_id,
    }
