"""Reads for the portfolio pages: a fixed number of queries whatever the page size, personal data masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from arrears.compliance.masking import SENSITIVE_FIELDS, masked
from arrears.finance.account import AccountPosition
from arrears.portfolio.models import (
    Borrower,
    DelinquencyRecord,
    FeedLoad,
    Hold,
    Loan,
    Payment,
    PaymentAllocation,
    WaiverAllocation,
    WaiverPosting,
)
from arrears.portfolio.posting import loan_account
from arrears.rules.queries import policy_on

PAGE_SIZE = 50


def business_date() -> date | None:
    """The business date of the newest feed loaded: the date the stored book describes."""
    return (
        FeedLoad.objects.filter(status="done")
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )


def borrowers(text: str = "") -> QuerySet[Borrower]:
    """Borrowers by customer number or contract number prefix (no personal data in the filter)."""
    qs = Borrower.objects.annotate(loan_count=Count("loans", distinct=True)).order_by("external_id")
    text = text.strip()
    if text:
        qs = qs.filter(Q(external_id__startswith=text) | Q(loans__external_id__startswith=text)).distinct()
    return qs


def page_of(qs: QuerySet, number: str | int | None) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(number)


@dataclass(frozen=True)
class Shown:
    """A borrower's field as the page shows it: masked unless this request unmasked it."""

    field: str
    label: str
    value: str
    masked: bool


def shown_fields(borrower: Borrower, unmasked: dict[str, str] | None = None) -> dict[str, Shown]:
    unmasked = unmasked or {}
    out = {}
    for field in SENSITIVE_FIELDS:
        if not hasattr(borrower, field):
            continue
        label = str(Borrower._meta.get_field(field).verbose_name)
        if field in unmasked:
            out[field] = Shown(field, label, unmasked[field], False)
        else:
            out[field] = Shown(field, label, masked(field, getattr(borrower, field)), True)
    return out


def borrower_detail(external_id: str, within: QuerySet[Borrower] | None = None) -> Borrower:
    """One borrower with their contacts, loans and holds; `Borrower.DoesNotExist` also when not `within`."""
    return (
        (Borrower.objects if within is None else within)
        .prefetch_related(
            "contacts",
            Prefetch("loans", queryset=Loan.objects.order_by("start_date")),
            Prefetch("holds", queryset=Hold.objects.select_related("loan").order_by("-starts_on", "-pk")),
        )
        .get(external_id=external_id)
    )


def payments_with_allocations() -> Prefetch:
    """A loan's payments in posting order, each with what it settled (the repayment history's rows)."""
    return Prefetch(
        "payments",
        queryset=Payment.objects.order_by("paid_on", "external_id").prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("instalment"))
        ),
    )


def loan_detail(external_id: str, within: QuerySet[Loan] | None = None) -> Loan:
    """One loan with what its page shows; `Loan.DoesNotExist` also when not `within`."""
    return (
        (Loan.objects if within is None else within)
        .select_related("borrower")
        .prefetch_related(
            "instalments",
            payments_with_allocations(),
            Prefetch(
                "waivers",
                queryset=WaiverPosting.objects.order_by("posted_on", "key").prefetch_related(
                    Prefetch("allocations", queryset=WaiverAllocation.objects.select_related("instalment"))
                ),
            ),
            Prefetch("delinquency_history", queryset=DelinquencyRecord.objects.order_by("business_date", "source")),
            "holds",
        )
        .get(external_id=external_id)
    )


def loan_position(loan: Loan, as_of: date) -> AccountPosition:
    """Where the loan stands on `as_of` by the finance core with the policy in force then (uses the prefetched
    schedule, payments and posted waivers; `posting.loan_account`)."""
    return loan_account(loan, as_of, policy_on(as_of))
