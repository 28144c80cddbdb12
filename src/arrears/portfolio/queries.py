"""Reads for the portfolio pages: a fixed number of queries whatever the page size, personal data masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext_lazy

from arrears.compliance.masking import SENSITIVE_FIELDS, masked
from arrears.finance.account import DUE_TODAY, NOT_DUE, OVERDUE, PAID, PART_PAID, AccountPosition
from arrears.home.sorting import Sort, order_by
from arrears.portfolio.models import (
    Borrower,
    DelinquencyRecord,
    FeedLoad,
    Hold,
    Instalment,
    Loan,
    LoanPosition,
    LoanStatus,
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


# The columns the borrower list may be sorted by (`arrears.home.sorting`): query word → annotation or field.
BORROWER_SORTS = {"customer": "external_id", "dpd": "max_dpd", "overdue": "overdue_total_fen"}


def _of_borrower(subquery: QuerySet, output) -> Coalesce:
    return Coalesce(Subquery(subquery, output_field=output), Value(0), output_field=output)


def listed(qs: QuerySet[Borrower], cases: QuerySet | None = None) -> QuerySet[Borrower]:
    """`qs` with what the borrower list shows, in the same query (subqueries, no join to multiply rows): the
    number of loans; the highest DPD and the overdue total (principal, interest, penalty and compound, fen)
    of the active loans' positions the nightly run stored — the figures it also writes on the open case; and
    `case_id`, the borrower's open case among `cases` (the cases the user may open: `visible_cases`), else
    None (a case one may not open is not even hinted at, TEAM-3)."""
    loans = Loan.objects.filter(borrower=OuterRef("pk")).order_by().values("borrower")
    positions = (
        LoanPosition.objects.filter(borrower=OuterRef("pk"), loan__status=LoanStatus.ACTIVE)
        .order_by()
        .values("borrower")
    )
    amount = F("overdue_principal_fen") + F("overdue_interest_fen") + F("penalty_fen") + F("compound_fen")
    open_case = (
        Value(None, output_field=IntegerField())
        if cases is None
        else Subquery(cases.filter(borrower=OuterRef("pk"), status="open").order_by("pk").values("pk")[:1])
    )
    return qs.annotate(
        loan_count=_of_borrower(loans.annotate(n=Count("pk")).values("n"), IntegerField()),
        max_dpd=_of_borrower(positions.annotate(m=Max("dpd")).values("m"), IntegerField()),
        overdue_total_fen=_of_borrower(positions.annotate(s=Sum(amount)).values("s"), BigIntegerField()),
        case_id=open_case,
    )


def borrowers(
    text: str = "", *, within: QuerySet[Borrower] | None = None, cases: QuerySet | None = None, sort: Sort | None = None
) -> QuerySet[Borrower]:
    """Borrowers by customer number or contract number prefix (no personal data in the filter), `within` the
    ones the user may see, with the list's figures (`listed`), by customer number or by `sort`."""
    qs = Borrower.objects.all() if within is None else within
    text = text.strip()
    if text:
        contracts = Loan.objects.filter(external_id__startswith=text).values("borrower_id")
        qs = qs.filter(Q(external_id__startswith=text) | Q(pk__in=contracts))
    qs = listed(qs, cases)
    if sort is not None and sort.key in BORROWER_SORTS:
        return qs.order_by(*order_by(sort, BORROWER_SORTS))
    return qs.order_by("external_id")


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


# An instalment's status as the loan page words it (`AccountPosition.status_of`).
SCHEDULE_STATUS_LABELS = {
    PAID: pgettext_lazy("instalment status", "paid"),
    PART_PAID: pgettext_lazy("instalment status", "part paid"),
    OVERDUE: pgettext_lazy("instalment status", "overdue"),
    DUE_TODAY: pgettext_lazy("instalment status", "due today"),
    NOT_DUE: pgettext_lazy("instalment status", "not yet due"),
}


@dataclass(frozen=True)
class ScheduleRow:
    """One line of the loan page's schedule: the contract's instalment, its status on the as-of date in words,
    whether it is late (due before the as-of date, something still owed) and what is still due of it (yuan)."""

    instalment: Instalment
    status: str
    label: str
    late: bool
    still_due: Decimal


def schedule_rows(loan: Loan, position: AccountPosition) -> list[ScheduleRow]:
    """The loan's schedule (prefetched) with each instalment's status by the finance core's replay."""
    states = {state.n: state for state in position.instalments}
    rows = []
    for instalment in loan.instalments.all():
        state = states.get(instalment.n)
        if state is None:  # not replayed (cannot happen for a loan's own schedule): say nothing rather than guess
            continue
        status = position.status_of(state)
        rows.append(
            ScheduleRow(instalment, status, str(SCHEDULE_STATUS_LABELS[status]), position.is_late(state), state.owed)
        )
    return rows
