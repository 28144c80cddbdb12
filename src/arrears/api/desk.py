"""The collector desk's endpoints (Issue 16, item 4): the open tasks of the caller's borrowers, and recording a
call — with or without a promise to pay — on a case (Clause: CALL-2, CALL-3, CALL-4, SCR-1, SCR-2, PRV-1).

* `GET /tasks` lists the open work available on the business date of the borrowers the caller may see
  (`visible_borrowers`: a junior collector's token never sees a senior pool's), by due date, as the workspace
  lists a borrower's tasks; gated like the queue.
* `POST /cases/{id}/calls` is the web's call record: the JSON becomes a `CallEntry` and goes to the same action,
  `collection.calls.do_record_call`, at the same clock (`now()`, the instant the call is recorded) and business
  date. Every rule of the web form holds: the script's steps, the contact rules (quiet hours, daily caps, holds),
  the cadence (CALL-4), the contact person only when the borrower is unreachable (PRV-1), prohibited language
  (LANG-1). `POST /cases/{id}/promises` is the same call record with the outcome "promised": a promise to pay is
  always a call's (CALL-3), so it takes the same fields and needs the amount and the date.
* Refusals, each in the error shape with a code of its own: an incomplete record → 422 `incomplete_record`,
  `details` field by field; the contact rules → 409 `contact_refused`, `details` naming the rule and the
  instant it next allows a call; the cadence → 409 `cadence_refused`, with the last connected call and the first
  day allowed; an agency's placements frozen (its AGY-1 documents lapsed) → 409 `placement_frozen`; any other
  refusal of the action → 422. Nothing is stored on a refusal. An agency's user records calls on the cases placed
  with their agency (`visible_cases`), through the same action and rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.cases import PromiseOut, promise_out, queue_gate
from arrears.api.errors import WRITE_REFUSALS
from arrears.api.schemas import BorrowerOut, Id, Page, borrower_out
from arrears.collection.calls import CallEntry, IncompleteRecord, do_record_call
from arrears.collection.models import (
    Attitude,
    CallOutcome,
    CallParty,
    NextAction,
    Obstacle,
    Suggestion,
    Task,
    TaskKind,
    TaskStatus,
)
from arrears.collection.queries import today, visible_borrowers, visible_cases
from arrears.compliance.actions import require
from arrears.rules.queries import policy_on

__all__ = ["now", "router"]

router = Router(tags=["desk"])


def now() -> datetime:
    """The instant a call is recorded and the contact rules are checked at (the web desk's clock)."""
    return timezone.now()


def _choice(values: list[str], blank: bool = False):
    return Literal[tuple([*([""] if blank else []), *values])]


# -- tasks ------------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    kind: str = Field(description=" | ".join(TaskKind.values))
    borrower: BorrowerOut
    case_id: int | None
    loan: str | None = Field(description="the contract number, when the task is about one loan")
    available_from: date
    due_on: date
    late: bool = Field(description="due before the business date")
    reason: str
    clause: str


class TaskList(Schema):
    items: list[TaskOut]
    count: int


class TaskFilter(Page):
    kind: _choice(TaskKind.values, blank=True) = Field("", description="only this kind of task")


@router.get("/tasks", response={200: TaskList, **WRITE_REFUSALS})
def list_tasks(request: HttpRequest, page: Query[TaskFilter]):
    """The open tasks available on the business date of the borrowers the caller may see, by due date (Clause:
    TEAM-3, CALL-3). Gated like the queue, but the bank's own: an agency's user sees its placed cases, not the
    bank's task lists (LGL-2, PRV-1); `limit`/`offset` paged; a fixed number of queries."""
    require(request.user, Perm.VIEW_PORTFOLIO)
    queue_gate(request.user)
    on = today()
    tasks = Task.objects.filter(
        status=TaskStatus.OPEN, available_from__lte=on, borrower__in=visible_borrowers(request.user)
    )
    if page.kind:
        tasks = tasks.filter(kind=page.kind)
    count = tasks.count()
    rows = tasks.select_related("borrower", "loan").order_by("due_on", "pk")[page.offset : page.offset + page.limit]
    return {
        "items": [
            {
                "id": task.pk,
                "kind": task.kind,
                "borrower": borrower_out(task.borrower),
                "case_id": task.case_id,
                "loan": task.loan.external_id if task.loan_id else None,
                "available_from": task.available_from,
                "due_on": task.due_on,
                "late": task.due_on < on,
                "reason": task.reason,
                "clause": task.clause,
            }
            for task in rows
        ],
        "count": count,
    }


# -- calls ------------------------------------------------------------------------------------------------


class ScriptSteps(Schema):
    """What the collector did on the call (CALL-2, SCR-1): the same ticks as the web form."""

    duration_seconds: int = Field(0, ge=0, le=86_400, description="the call's length in seconds")
    greeted: bool = False
    purpose_stated: bool = False
    identity_verified: bool = False
    facts_stated: bool = False
    consequences_stated: bool = False
    ability_asked: bool = False
    suggestion: _choice(Suggestion.values, blank=True) = ""
    attitude: _choice(Attitude.values, blank=True) = ""
    obstacle: _choice(Obstacle.values, blank=True) = ""
    note: str = Field("", max_length=4000, description="the collector's note (screened for prohibited language)")
    next_action: _choice(NextAction.values) = Field(description="what follows (CALL-3)")
    next_follow_up_on: date | None = None
    borrower_asked: bool = Field(False, description="the borrower asked to be called sooner (CALL-4)")
    party: _choice(CallParty.values) = CallParty.BORROWER
    contact: int | None = Field(None, ge=1, le=2**63 - 1, description="the contact person's id, when party=contact")
    inbound: bool = Field(False, description="the borrower called the bank (not limited by the contact rules)")


class CallIn(ScriptSteps):
    outcome: _choice(CallOutcome.values)
    promise_amount: str | None = Field(None, max_length=32, description='yuan, e.g. "1200.50": outcome promised')
    promise_due_on: date | None = None


class PromiseIn(ScriptSteps):
    amount: str = Field(max_length=32, description='the amount promised, yuan, e.g. "1200.50"')
    due_on: date = Field(description="the date the borrower promised to pay by")


class CallOut(Schema):
    id: int
    case_id: int
    called_at: datetime
    party: str
    inbound: bool
    outcome: str
    collector: str
    next_action: str
    next_follow_up_on: date | None
    promise: PromiseOut | None


def _amount(text: str | None, field: str) -> Decimal | None:
    """Yuan from the JSON string; a text that is not a plain ASCII number is refused like the form refuses it."""
    if text is None:
        return None
    raw = text.strip()
    try:
        if not raw.isascii():
            raise InvalidOperation
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise IncompleteRecord({field: _("enter the amount promised, in yuan (more than 0)")}) from None
    return value


def _entry(payload: ScriptSteps, outcome: str, amount: Decimal | None, due_on: date | None) -> CallEntry:
    steps = payload.model_dump(exclude={"outcome", "promise_amount", "promise_due_on", "amount", "due_on", "contact"})
    return CallEntry(outcome=outcome, contact_id=payload.contact, promise_amount=amount, promise_due_on=due_on, **steps)


def _record(request: HttpRequest, case_id: int, entry: CallEntry):
    require(request.user, Perm.CALL)  # before the lookup: a refused caller learns nothing of the case
    on = today()
    case = visible_cases(request.user).select_related("borrower").filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))
    call = do_record_call(
        case, entry, actor=request.user, today=on, dpd=case.dpd, calls=policy_on(on).calls, called_at=now()
    )
    promise = getattr(call, "promise", None) if entry.outcome == CallOutcome.PROMISED else None
    return Status(
        201,
        {
            "id": call.pk,
            "case_id": case.pk,
            "called_at": call.called_at.astimezone(UTC),  # instants in UTC, as read back from the database
            "party": call.party,
            "inbound": call.inbound,
            "outcome": call.outcome,
            "collector": request.user.username,
            "next_action": call.next_action,
            "next_follow_up_on": call.next_follow_up_on,
            "promise": promise_out(promise) if promise else None,
        },
    )


@router.post("/cases/{case_id}/calls", response={201: CallOut, **WRITE_REFUSALS})
def record_call(request: HttpRequest, case_id: Id, payload: CallIn):
    """Record a call on the case, as the web desk does (Clause: CALL-2, CALL-3, CALL-4, SCR-1, SCR-2, PRV-1,
    LANG-1, AUTH-1). Needs `collection.call`. 422 `incomplete_record` with the fields to fix; 409
    `contact_refused` (quiet hours, daily caps, a hold) or `cadence_refused` (CALL-4); nothing is stored then."""
    require(request.user, Perm.CALL)
    amount = _amount(payload.promise_amount, "promise_amount")
    return _record(request, case_id, _entry(payload, payload.outcome, amount, payload.promise_due_on))


@router.post("/cases/{case_id}/promises", response={201: CallOut, **WRITE_REFUSALS})
def record_promise(request: HttpRequest, case_id: Id, payload: PromiseIn):
    """Record the call in which the borrower promised to pay `amount` by `due_on` (Clause: CALL-3): the call
    record with the outcome "promised", through the same action and rules as `POST /cases/{id}/calls`."""
    require(request.user, Perm.CALL)
    amount = _amount(payload.amount, "promise_amount")
    return _record(request, case_id, _entry(payload, CallOutcome.PROMISED, amount, payload.due_on))
