"""The queue's stored urgency: each open case's `urgency` on the business date of `UrgencyAsOf`.

The queue's order begins with a case's urgency on the business date — 0 a promise to pay due, 1 a call or
follow-up due, 2 a broken promise, 3 nothing due (`queries.urgency_case`) — which depends on the borrower's open
promises and tasks and on the date. Computed for every open case on each request, it made the supervisor's view
a sort of every open case (an on-disk sort at a million loans); stored, with the DPD and the overdue total the
nightly run keeps, the queue is an index scan stopped after a page (`case_queue_idx`, `case_owner_queue_idx`).

Who keeps it: the nightly run, for every open case after its chunks (the date moved; tasks, promises and cases
changed), which then records its date in `UrgencyAsOf`; and each action that changes a case's open tasks or
promises, for that borrower, in its transaction. Only the cases whose urgency differs are written. The queue
uses the stored urgency only when `UrgencyAsOf` is the desk's business date (`queries.urgency_current`), and
computes the order otherwise. It is a sort key derived from what the ledger records, not a decision: writing
it is not an audited change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import F

from arrears.collection.models import CaseStatus, CollectionCase, UrgencyAsOf
from arrears.collection.queries import urgency_case

__all__ = ["refresh_urgency"]


def refresh_urgency(on: date, borrower_ids: Iterable[int] | None = None) -> int:
    """Store the urgency on `on` of the open cases of `borrower_ids`, or of every open case (then `on` becomes
    the date of `UrgencyAsOf`), writing only those whose stored urgency differs; returns how many were written.
    With `borrower_ids` (an action's borrower) their open cases are locked first, so two actions on one borrower
    store the urgency of both their writes. Call inside the caller's transaction."""
    cases = CollectionCase.objects.filter(status=CaseStatus.OPEN)
    few = borrower_ids is not None
    if few:
        cases = cases.filter(borrower_id__in=list(borrower_ids))
        list(cases.select_for_update().values_list("pk", flat=True))
    computed = urgency_case(on, per_row=few)
    rows = cases.annotate(computed=computed).exclude(urgency=F("computed")).values_list("pk", "computed")
    by_urgency: dict[int, list[int]] = defaultdict(list)
    for pk, urgency in rows:
        by_urgency[urgency].append(pk)
    written = 0
    for urgency, pks in by_urgency.items():  # one UPDATE per urgency value (a few), the ids as one parameter
        written += CollectionCase.objects.filter(pk__among=pks).update(urgency=urgency)
    if not few:
        UrgencyAsOf.objects.update_or_create(pk=1, defaults={"business_date": on})
    return written
