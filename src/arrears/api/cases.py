"""`GET /api/v1/cases`: the caller's open cases, in the order the desk works them (Issue 16, item 4).

"The caller's cases" are `visible_cases` — for a collector (or a collector's token) their own and their pool's,
TEAM-3; for a supervisor or a reader of every case, all — open ones, annotated and ordered as the queue orders
them (`collection.queries.annotated`: a promise due today first, then a follow-up due, a broken promise, the
highest DPD and overdue total). A service account owns no case, so its list is its role's reach, not "mine".
The borrower's name is masked as on every list (compliance.masking): the API has no unmasking.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from arrears.accounts.permissions import Perm, has_perm
from arrears.api.errors import REFUSALS
from arrears.collection.models import CaseStatus
from arrears.collection.queries import annotated, sees_every_case, today, visible_cases
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.finance import format_money, from_fen

router = Router(tags=["cases"])

MAX_LIMIT = 500


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"at most this many items (1–{MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=10**9, description="skip this many items first")


class BorrowerOut(Schema):
    id: int
    customer: str = Field(description="the bank's customer number")
    name: str = Field(description="masked, e.g. 王*")


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


@router.get("/cases", response={200: CaseList, **REFUSALS})
def list_cases(request: HttpRequest, page: Query[Page]):
    """The caller's open cases as the queue orders them, `limit`/`offset` paged, borrowers masked (Clause:
    TEAM-3, AUTH-1). A fixed number of queries whatever the page's size."""
    require(request.user, Perm.VIEW_PORTFOLIO)  # the web queue's gate (collection.views.case_queue)
    if not (has_perm(request.user, Perm.CALL) or sees_every_case(request.user)):
        require(request.user, Perm.CALL)
    on = today()
    cases = visible_cases(request.user).filter(status=CaseStatus.OPEN)
    count = cases.count()
    rows = annotated(cases.select_related("borrower", "owner"), on).order_by(
        "priority", F("dpd").desc(), F("overdue_fen").desc(), "pk"
    )[page.offset : page.offset + page.limit]
    return {
        "items": [
            {
                "id": case.pk,
                "borrower": {
                    "id": case.borrower_id,
                    "customer": case.borrower.external_id,
                    "name": masked("name", case.borrower.name),
                },
                "delinquency_class": case.delinquency_class,
                "pool": case.pool,
                "dpd": case.dpd,
                "overdue_fen": case.overdue_fen,
                "overdue": format_money(from_fen(case.overdue_fen)),
                "owner": case.owner.username if case.owner_id else None,
                "opened_on": case.opened_on,
                "attempts": case.attempts,
                "next_due": case.next_due,
                "priority": case.priority,
            }
            for case in rows
        ],
        "count": count,
    }
