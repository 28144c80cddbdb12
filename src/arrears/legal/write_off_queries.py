"""Reads of write-offs: the proposals awaiting a decision, the decided ones, and the recoveries after write-off.

A write-off is approved on a business date (`decided_on`, the desk's business date when it was decided). From
the next day on, a payment on any loan of the written-off borrower still posts as every payment does (the feed and the
finance core do not change), and it is reported here separately as a recovery after write-off: the list of such
payments and their sum (the loss written off is reduced by them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum

from arrears.legal.models import WriteOff, WriteOffStatus
from arrears.portfolio.models import Payment

__all__ = ["Recoveries", "approved_on", "recoveries", "write_offs"]


def write_offs() -> QuerySet[WriteOff]:
    """Every write-off: those awaiting a decision first (oldest first), then the decided ones, newest first."""
    return WriteOff.objects.select_related("case", "borrower", "proposed_by", "decided_by").order_by(
        F("decided_at").desc(nulls_first=True), "proposed_at", "pk"
    )


def approved_on(write_off: WriteOff) -> date | None:
    """The business date a write-off was approved, or None."""
    return write_off.decided_on if write_off.status == WriteOffStatus.APPROVED else None


@dataclass(frozen=True)
class Recoveries:
    """Payments received on written-off borrowers' loans after the write-off was approved."""

    payments: QuerySet[Payment]
    total_fen: int


def recoveries(until: date | None = None) -> Recoveries:
    """The payments after write-off (paid after the approval day, up to `until` when given), newest first, each
    with `write_off_id` and `written_off_on`; and their sum. Two queries."""
    approved = WriteOff.objects.filter(borrower=OuterRef("loan__borrower"), status=WriteOffStatus.APPROVED).order_by(
        "decided_on", "pk"
    )
    payments = (
        Payment.objects.select_related("loan", "loan__borrower")
        .annotate(
            write_off_id=Subquery(approved.values("pk")[:1]),
            written_off_on=Subquery(approved.values("decided_on")[:1]),
        )
        .filter(write_off_id__isnull=False, paid_on__gt=F("written_off_on"))
    )
    if until is not None:
        payments = payments.filter(paid_on__lte=until)
    total = payments.aggregate(total=Sum("amount_fen"))["total"] or 0
    return Recoveries(payments.order_by("-paid_on", "-pk"), int(total))
