"""Phone reminders before a due date (REM-1: "1 day before by a phone reminder — an outbound call task").

The nightly run creates a `phone_reminder` task the day before an instalment falls due (key
`phone_reminder:<loan>:<due date>`). Most of these borrowers have no collection case, so the reminders form a
queue of their own for the collectors who make phone reminders (AUTH-1: junior collectors, and anyone who may
call). A reminder call is recorded as a call to the borrower; reaching the borrower settles the task, an
unanswered attempt leaves it open for another try that day. An instalment paid meanwhile needs no call: it
leaves the queue, and the action refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection.errors import CollectionError
from arrears.collection.models import Call, CallOutcome, CallParty, Task, TaskKind, TaskStatus
from arrears.collection.queries import contact_verdict, refusal
from arrears.collection.urgency import refresh_urgency
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ensure_clean
from arrears.engine.schema import REACHED_OUTCOMES
from arrears.home.sorting import Sort
from arrears.portfolio.models import Instalment
from arrears.rules.queries import policy_on

__all__ = [
    "REMINDER_OUTCOMES",
    "REMINDER_SORTS",
    "ReminderCall",
    "do_record_reminder_call",
    "reminder_calls_due",
    "sorted_calls",
]

REMINDER_OUTCOMES = (
    CallOutcome.REACHED_OTHER,
    CallOutcome.NO_ANSWER,
    CallOutcome.BUSY,
    CallOutcome.WRONG_PARTY,
    CallOutcome.NUMBER_INVALID,
)


@dataclass(frozen=True)
class ReminderCall:
    task: Task
    due_date: date
    instalment: int
    amount_fen: int


def _due_date(task: Task) -> date:
    return date.fromisoformat(task.key.rsplit(":", 1)[1])


def _instalments(tasks: list[Task]) -> dict[tuple[int, date], Instalment]:
    wanted = {(t.loan_id, _due_date(t)) for t in tasks}
    found = Instalment.objects.filter(loan_id__in={w[0] for w in wanted}, due_date__in={w[1] for w in wanted})
    return {(i.loan_id, i.due_date): i for i in found if (i.loan_id, i.due_date) in wanted}


def reminder_calls_due(on: date, *, limit: int | None = 200, borrowers: QuerySet | None = None) -> list[ReminderCall]:
    """Open phone reminders available by `on`, earliest due first, less those whose instalment is settled
    (three queries whatever the count); only those of `borrowers` when given (the caller's visible ones)."""
    tasks = Task.objects.filter(kind=TaskKind.PHONE_REMINDER, status=TaskStatus.OPEN, available_from__lte=on)
    if borrowers is not None:
        tasks = tasks.filter(borrower__in=borrowers)
    tasks = list(tasks.select_related("borrower", "loan").order_by("due_on", "pk")[:limit])
    instalments = _instalments(tasks)
    due = []
    for task in tasks:
        instalment = instalments.get((task.loan_id, _due_date(task)))
        if instalment is None or instalment.settled_on is not None:
            continue
        due.append(
            ReminderCall(task, instalment.due_date, instalment.n, instalment.principal_fen + instalment.interest_fen)
        )
    return due


# The columns the reminder queue may be sorted by (`arrears.home.sorting`): the instalment's due date, the
# amount due, the customer number. The queue is read whole (at most `limit` rows), so it is sorted here.
REMINDER_SORTS = {
    "due": lambda call: call.due_date,
    "amount": lambda call: call.amount_fen,
    "customer": lambda call: call.task.borrower.external_id,
}


def sorted_calls(calls: list[ReminderCall], sort: Sort) -> list[ReminderCall]:
    """`calls` by a column of REMINDER_SORTS, ties by task (a stable order); unsorted: as they came (earliest
    due first)."""
    if sort.key not in REMINDER_SORTS:
        return calls
    by_task = sorted(calls, key=lambda call: call.task.pk)
    return sorted(by_task, key=REMINDER_SORTS[sort.key], reverse=sort.descending)


def do_record_reminder_call(
    task: Task,
    *,
    outcome: str,
    duration_seconds: int,
    note: str = "",
    actor,
    today: date,
    at: datetime | None = None,
) -> Call:
    """Record a phone reminder call (Clause: REM-1, AUTH-1, AUTH-4). Needs Perm.CALL. Refused with
    CollectionError (nothing written) when the outcome is not one of a reminder call's, the task is not an
    open phone reminder, its instalment is paid, or the contact rules forbid a call now (quiet hours, a hold,
    the daily caps). A note with prohibited language is refused and the hit recorded (LANG-1).

    One transaction: the call (to the borrower's mobile), the task done when the borrower was reached, and the
    audit event."""
    require(actor, Perm.CALL)
    at = at or timezone.now()
    if outcome not in REMINDER_OUTCOMES:
        raise CollectionError(
            _("Choose how the reminder call went: %(allowed)s.")
            % {"allowed": ", ".join(str(CallOutcome(o).label) for o in REMINDER_OUTCOMES)}
        )
    if task.kind != TaskKind.PHONE_REMINDER or task.status != TaskStatus.OPEN:
        raise CollectionError(_("This is not an open phone reminder; reload the reminder queue."))
    longest = policy_on(today).calls.max_duration_seconds  # CALL-3
    if duration_seconds < 0 or duration_seconds > longest:
        raise CollectionError(_("The duration must be between 0 and %(max)s seconds.") % {"max": f"{longest:,}"})
    instalment = _instalments([task]).get((task.loan_id, _due_date(task)))
    if instalment is None or instalment.settled_on is not None:
        raise CollectionError(_("The instalment is already paid; no reminder call is needed."))
    borrower = task.borrower
    verdict = contact_verdict(borrower.pk, at, number=borrower.mobile)
    if not verdict.allowed:
        raise CollectionError(_("No call can be made now: %(reason)s.") % {"reason": refusal(verdict)["reason"]})
    note = (note or "").strip()
    if note:
        ensure_clean(note, actor=actor, where="call_note", subject=task)
    with audited(  # the collector's note is the event's reason (AUTH-4)
        actor, ActionCode.RECORD_CALL, permission=Perm.CALL, subject=task, clause="REM-1", at=at, reason=note
    ) as record:
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise CollectionError(_("Someone else settled this reminder meanwhile; reload the reminder queue."))
        call = Call.objects.create(
            borrower=borrower,
            case=locked.case,
            collector=actor,
            called_at=at,
            called_on=today,
            party=CallParty.BORROWER,
            number=borrower.mobile,
            outcome=outcome,
            duration_seconds=duration_seconds,
            greeted=True,
            purpose_stated=True,
            note=note,
        )
        record.change("call", None, call.pk)
        record.change("outcome", None, outcome)
        if outcome in REACHED_OUTCOMES:
            Task.objects.filter(pk=locked.pk).update(status=TaskStatus.DONE)
            record.change("task", TaskStatus.OPEN, TaskStatus.DONE)
            refresh_urgency(today, [borrower.pk])  # a phone reminder due is a follow-up in the queue's order
    return call
