"""Reads of the escalation decisions: the supervisors' queue, a case's decisions, what waits for one
(Clause: LGL-1, LGL-2, CLS-2, AUTH-3).

How this works
--------------
A case waits for a supervisor's decision (`waiting`) when it is open and

* the nightly run left an open task asking for one: a `legal_review` (LGL-1's grounds met tonight) or a
  `severe_review` (a severe case without them, CLS-2); a decision closes it (status done);
* or its last decision was "keep collecting" and the revisit date has come: the case is back in the queue from
  that day, without a new task (the nightly run's tasks are one per cause and case opening, so a decided
  review does not come back by itself; the revisit date is the decision's own reminder);
* or its last decision proposed a write-off that another supervisor rejected: the case needs a new decision.

The queue lists those cases in the order they fell due (the task's due date, the revisit date, the day of the
rejected proposal), larger overdue totals first on the same day, with their facts (`escalation.facts_for`)
read for the page's cases only. A case that waits may also be decided when it qualifies (LGL-1's grounds or
severe) and has had no decision since it (re)opened — a decision on the same case by two supervisors at once
meets that rule after the first commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import CaseStatus, CollectionCase, Task, TaskKind, TaskStatus
from arrears.collection.queries import visible_cases
from arrears.legal.models import Decision, EscalationDecision, WriteOff, WriteOffStatus

__all__ = [
    "REVIEW_KINDS",
    "WAITING_LABELS",
    "decided_since_opened",
    "decisions_of",
    "queue",
    "standing_write_off",
    "waiting",
]

# The nightly run's tasks that ask a supervisor for the late stage's decision.
REVIEW_KINDS = (TaskKind.LEGAL_REVIEW, TaskKind.SEVERE_REVIEW)

# Why a case is in the queue, in words (`waiting_for` of `queue`).
WAITING_LABELS = {
    "legal_review": _("legal review: the grounds of LGL-1 are met"),
    "severe_review": _("severe case: decide the next step"),
    "revisit": _("the revisit date of a decision to keep collecting has come"),
    "write_off_rejected": _("the proposed write-off was rejected"),
}


def _latest(field: str) -> Subquery:
    latest = EscalationDecision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-pk")
    return Subquery(latest.values(field)[:1])


def _annotated(cases: QuerySet[CollectionCase]) -> QuerySet[CollectionCase]:
    """Cases with what tells whether they wait: the first open review task's kind and due date, the last
    decision, its revisit date and business date, and the status of the write-off it proposed."""
    reviews = Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN, kind__in=REVIEW_KINDS).order_by(
        "due_on", "pk"
    )
    proposal = WriteOff.objects.filter(decision_id=OuterRef("last_decision_id"))
    return cases.annotate(
        review_kind=Subquery(reviews.values("kind")[:1]),
        review_due=Subquery(reviews.values("due_on")[:1]),
        last_decision_id=_latest("pk"),
        last_decision=_latest("decision"),
        last_revisit=_latest("revisit_on"),
        last_decided_on=_latest("business_date"),
    ).annotate(last_write_off=Subquery(proposal.values("status")[:1]))


def _waiting_condition(on: date) -> Q:
    return (
        Q(review_kind__isnull=False)
        | Q(last_decision=Decision.CONTINUE, last_revisit__lte=on)
        | Q(last_decision=Decision.WRITE_OFF, last_write_off=WriteOffStatus.REJECTED)
    )


def queue(user: Any, on: date) -> QuerySet[CollectionCase]:
    """The open cases `user` may see that wait for a decision on `on`, oldest first (Clause: LGL-1, CLS-2,
    AUTH-3). Each has `waiting_for` (a key of WAITING_LABELS) and `waiting_since` (a date)."""
    cases = _annotated(visible_cases(user).filter(status=CaseStatus.OPEN).select_related("borrower", "owner"))
    return (
        cases.filter(_waiting_condition(on))
        .annotate(
            waiting_for=Case(
                When(review_kind__isnull=False, then=F("review_kind")),
                When(last_decision=Decision.CONTINUE, then=Value("revisit")),
                default=Value("write_off_rejected"),
            ),
            waiting_since=Coalesce(
                "review_due",
                Case(When(last_decision=Decision.CONTINUE, then=F("last_revisit")), output_field=DateField()),
                "last_decided_on",
                output_field=DateField(),
            ),
        )
        .order_by("waiting_since", F("overdue_fen").desc(), F("dpd").desc(), "pk")
    )


def waiting(case: CollectionCase, on: date) -> str | None:
    """Why `case` waits for a decision on `on` (a key of WAITING_LABELS), or None."""
    if case.status != CaseStatus.OPEN:
        return None
    row = (
        _annotated(CollectionCase.objects.filter(pk=case.pk))
        .filter(_waiting_condition(on))
        .values("review_kind", "last_decision")
        .first()
    )
    if row is None:
        return None
    if row["review_kind"]:
        return row["review_kind"]
    return "revisit" if row["last_decision"] == Decision.CONTINUE else "write_off_rejected"


def decided_since_opened(case: CollectionCase) -> bool:
    """A decision was made on the case since it last (re)opened."""
    return EscalationDecision.objects.filter(case=case, business_date__gte=case.opened_on).exists()


def decisions_of(case: CollectionCase) -> QuerySet[EscalationDecision]:
    """The case's decisions, newest first, with who decided and what followed (litigation, write-off)."""
    return (
        EscalationDecision.objects.filter(case=case)
        .select_related("decided_by", "write_off", "write_off__decided_by", "litigation")
        .order_by("-decided_at", "-pk")
    )


def standing_write_off(case: CollectionCase) -> WriteOff | None:
    """The case's write-off awaiting a decision or approved, if any (at most one: `write_off_one_standing`)."""
    return (
        WriteOff.objects.filter(case=case, status__in=(WriteOffStatus.PROPOSED, WriteOffStatus.APPROVED))
        .select_related("proposed_by", "decided_by")
        .first()
    )
