"""Reads of the court stages (Clause: LIT-2, KPI-2): the litigation queue by the nearest deadline, one lawsuit
with its deadlines, stages, documents and costs, the case page's summary, and the legal costs per case over a
period (the collection costs KPI-2's cost rate will divide by the amount recovered).

The deadlines are `deadlines.py`'s, with the policy in force on the day asked about and the earliest unpaid
instalment's due date of the borrower's loans (an instalment is unpaid while the posting has not settled it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Min, Prefetch, QuerySet, Sum, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection.models import CollectionCase
from arrears.collection.queries import visible_cases
from arrears.legal import deadlines
from arrears.legal.deadlines import Deadline
from arrears.legal.models import CourtDocument, LegalCost, Litigation, Stage, StageEvent
from arrears.portfolio.models import Instalment
from arrears.rules.queries import policy_on


def court_today() -> date:
    """Today in Beijing (the site's time zone): court dates and their deadlines are calendar dates, not the feed's
    business date."""
    return timezone.localdate()


def visible_litigations(user: Any) -> QuerySet[Litigation]:
    """The lawsuits a user may see: with `legal.view_litigation`, those of the cases they may open."""
    if not has_perm(user, Perm.VIEW_LITIGATION):
        return Litigation.objects.none()
    return Litigation.objects.filter(case__in=visible_cases(user))


def earliest_unpaid_dues(borrower_ids: Iterable[int]) -> dict[int, date]:
    """borrower id → the earliest due date of an instalment of their loans not settled, in one query."""
    rows = (
        Instalment.objects.filter(loan__borrower_id__in=list(borrower_ids), settled_on__isnull=True)
        .values("loan__borrower_id")
        .annotate(earliest=Min("due_date"))
    )
    return {row["loan__borrower_id"]: row["earliest"] for row in rows}


def deadlines_for(litigation: Litigation, earliest_unpaid_due: date | None, on: date, legal=None) -> list[Deadline]:
    """The lawsuit's deadlines with the policy in force on `on` (its `legal` section, when the caller has it)."""
    return deadlines.deadlines_of(
        earliest_unpaid_due=earliest_unpaid_due,
        filed_on=litigation.filed_on,
        judgment_effective_on=litigation.judgment_effective_on,
        enforcement_applied_on=litigation.enforcement_applied_on,
        closed_on=litigation.closed_on,
        legal=legal or policy_on(on).legal,
    )


@dataclass(frozen=True)
class Row:
    """A lawsuit as the queue shows it: its deadlines and the nearest one not met, with its state on `on`."""

    litigation: Litigation
    deadlines: list[Deadline]
    next: Deadline | None
    state: str  # the next deadline's state, "" when none is pending


def _row(litigation: Litigation, earliest: date | None, on: date, legal=None) -> Row:
    found = deadlines_for(litigation, earliest, on, legal)
    nearest = deadlines.next_deadline(found, on)
    return Row(litigation, found, nearest, nearest.state(on) if nearest else "")


def queue(user: Any, on: date) -> list[Row]:
    """Every open lawsuit the user may see, the nearest deadline first (overdue ones first of all: they ended
    earliest); those without a pending deadline last, oldest first."""
    open_ = list(
        visible_litigations(user).exclude(stage=Stage.CLOSED).select_related("case", "borrower").order_by("pk")
    )
    earliest = earliest_unpaid_dues({lit.borrower_id for lit in open_})
    legal = policy_on(on).legal
    rows = [_row(lit, earliest.get(lit.borrower_id), on, legal) for lit in open_]
    return sorted(rows, key=lambda r: (r.next is None, r.next.ends_on if r.next else date.max, r.litigation.pk))


@dataclass(frozen=True)
class Costs:
    items: list[LegalCost]
    total_fen: int


def costs_of(litigation: Litigation) -> Costs:
    items = list(litigation.costs.select_related("recorded_by").order_by("incurred_on", "pk"))
    return Costs(items, sum(cost.amount_fen for cost in items))


def stages_of(litigation: Litigation) -> list[StageEvent]:
    """The recorded stages in order, each with its documents (their content left unread)."""
    documents = CourtDocument.objects.defer("data").order_by("pk")
    return list(
        litigation.stages.select_related("recorded_by")
        .prefetch_related(Prefetch("documents", queryset=documents))
        .order_by("on", "pk")
    )


def document_sizes(events: list[StageEvent]) -> dict[int, int]:
    """document id → its size in bytes, computed by the database (the content is not read)."""
    ids = [doc.pk for event in events for doc in event.documents.all()]
    if not ids:
        return {}
    return dict(CourtDocument.objects.filter(pk__in=ids).annotate(size=Length("data")).values_list("pk", "size"))


def case_summary(user: Any, case: CollectionCase, on: date) -> Row | None:
    """The case page's summary: the case's open lawsuit (else its latest), with its nearest deadline; None when
    the user may not see litigation or the case has none."""
    if not has_perm(user, Perm.VIEW_LITIGATION):
        return None
    # The open one first, else the latest: one query (a closed lawsuit sorts after every open one).
    closed = Case(When(stage=Stage.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())
    found = Litigation.objects.filter(case=case).order_by(closed, "-pk").first()
    if found is None:
        return None
    return _row(found, earliest_unpaid_dues([found.borrower_id]).get(found.borrower_id), on)


def legal_costs_per_case(start: date, end: date, cases: Iterable[int] | None = None) -> dict[int, int]:
    """case id → the legal costs incurred from `start` to `end` (both included), in fen (Clause: KPI-2: collection
    costs); cases without any are left out. `cases` narrows it to those case ids."""
    found = LegalCost.objects.filter(incurred_on__gte=start, incurred_on__lte=end)
    if cases is not None:
        found = found.filter(case_id__in=list(cases))
    return dict(found.values("case_id").annotate(total=Sum("amount_fen")).values_list("case_id", "total"))
