"""Months before arrears' first nightly run, reconstructed from the book's history (Clause: KPI-1; `docs/kpi.md`,
"Months before go-live").

A bank going live has years of payments in its first feed, and no month's facts: the nightly run keeps them from
its first month-end on. `do_reconstruct_months(first, actor=…)` fills the months from `first` up to the month of
the first nightly run (or of the book's business date when no night has run) as the nightly run would have,
with the engine deciding where every loan stood at each month's eve from the history:

- the opening of each month: the overdue loans' positions at the end of the day before it (the engine's, to the
  fen, as of that day), and the active loans per product that had started by then;
- the close of each month that ended before the first night: what each loan paid during the month (by the day it
  was paid: the history's feed dates are all the first feed's), where it stood at the month's end (the engine's
  positions then; paid off when every instalment was settled by then);
- the opening of the month of the first night, which the nightly run closes at its end as any other. Its
  payments are those made after its eve: the reconstructed opening already counts the ones made before.

The engine reads the loans active today: a loan closed or written off since is not in a reconstructed month, and
no case, collector, team or agency is known for it. Each month reconstructed is marked so (`MonthClose.
reconstructed`); months the nightly run measured are never touched (a month with facts is refused).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import Month
from arrears.bulk import insert_rows
from arrears.compliance.actions import append_events_bulk
from arrears.compliance.codes import ActionCode
from arrears.daily.models import Run
from arrears.daily.read import read_inputs
from arrears.engine.params import Terms
from arrears.engine.runner import decide
from arrears.portfolio.models import Instalment, Loan, LoanStatus, Payment
from arrears.portfolio.queries import business_date
from arrears.reports.models import EndState, MonthClose, MonthOutcome, OpeningBook, OpeningPosition
from arrears.rules.queries import calendar, policy_book

__all__ = ["ReconstructRefused", "Reconstructed", "do_reconstruct_months", "first_night", "positions_on"]

OPENING_FIELDS = [
    "month",
    "loan",
    "borrower_id",
    "product",
    "delinquency_class",
    "bucket",
    "dpd",
    "overdue_principal_fen",
    "overdue_interest_fen",
    "penalty_fen",
    "compound_fen",
    "overdue_fen",
]


class ReconstructRefused(ValueError):
    """Nothing to reconstruct, or a month already measured; the message says which and why."""


@dataclass(frozen=True)
class Reconstructed:
    months: list[str]  # the months closed from history
    opened: str  # the month opened last (the first night's)
    loans: dict[str, int]  # loans at each month's opening


def positions_on(day: date) -> pl.DataFrame:
    """The engine's positions of the overdue loans at the end of `day`, from the history in the book."""
    terms = Terms.of(policy_book().version_on(day).policy, day)
    positions = decide(read_inputs(terms), terms, calendar()).positions
    return positions.filter(pl.col("dpd") > 0)


def first_night() -> date | None:
    first = Run.objects.order_by("business_date").values_list("business_date", flat=True).first()
    return first or business_date()


def _open(month: Month, positions: pl.DataFrame) -> int:
    eve = month.previous().last
    products = dict(Loan.objects.filter(pk__in=positions["loan_id"].to_list()).values_list("pk", "product"))
    rows = (
        (
            month.first,
            row["loan_id"],
            row["borrower_id"],
            products[row["loan_id"]],
            row["delinquency_class"],
            row["bucket"],
            row["dpd"],
            row["overdue_principal_fen"],
            row["overdue_interest_fen"],
            row["penalty_fen"],
            row["compound_fen"],
            row["overdue_principal_fen"] + row["overdue_interest_fen"] + row["penalty_fen"] + row["compound_fen"],
        )
        for row in positions.iter_rows(named=True)
    )
    opened = insert_rows(OpeningPosition, OPENING_FIELDS, rows)
    books = (
        Loan.objects.filter(status=LoanStatus.ACTIVE, start_date__lte=eve)
        .values_list("product")
        .annotate(n=Count("pk"))
        .values_list("product", "n")
    )
    OpeningBook.objects.bulk_create(OpeningBook(month=month.first, product=p, active_loans=n) for p, n in books)
    return opened


def _close(month: Month, positions: pl.DataFrame) -> int:
    loans = list(OpeningPosition.objects.filter(month=month.first).values_list("loan_id", flat=True))
    paid = dict(
        Payment.objects.filter(loan_id__in=loans, paid_on__range=(month.first, month.last))
        .values_list("loan")
        .annotate(s=Sum("amount_fen"))
        .values_list("loan", "s")
    )
    at_end = {row["loan_id"]: (row["bucket"], row["dpd"]) for row in positions.iter_rows(named=True)}
    status = dict(Loan.objects.filter(pk__in=loans).values_list("pk", "status"))
    open_after = set(
        Instalment.objects.filter(loan_id__in=loans)
        .filter(Q(settled_on__isnull=True) | Q(settled_on__gt=month.last))
        .values_list("loan_id", flat=True)
    )
    rows = []
    for loan in loans:
        if status.get(loan) == LoanStatus.WRITTEN_OFF:
            state, bucket, dpd = EndState.WRITTEN_OFF, "", 0
        elif loan in at_end:
            state, (bucket, dpd) = EndState.DELINQUENT, at_end[loan]
        elif loan not in open_after:
            state, bucket, dpd = EndState.CLOSED, "", 0
        else:
            state, bucket, dpd = EndState.CURRENT, "", 0
        rows.append((month.first, loan, paid.get(loan, 0), state, bucket, dpd))
    return insert_rows(MonthOutcome, ["month", "loan", "paid_fen", "end_state", "end_bucket", "end_dpd"], rows)


def _refuse_measured(first: Month, last: Month) -> None:
    measured = MonthClose.objects.filter(month__gte=first.previous().first, month__lte=last.first)
    if measured.exists() or OpeningPosition.objects.filter(month__range=(first.first, last.first)).exists():
        done = measured.aggregate(m=Max("month"))["m"]
        raise ReconstructRefused(
            _(
                "Months from %(first)s on already have figures (up to %(done)s): only months before them are reconstructed."
            )
            % {"first": first, "done": f"{done:%Y-%m}" if done else last}
        )


def do_reconstruct_months(first: Month, *, actor: Any) -> Reconstructed:
    """Clause: KPI-1 — the months from `first` to the month of the first nightly run, from the history (module
    docstring); one transaction and one audit event. Refused (ReconstructRefused) without a book, for a month not
    before the first night, or when one of the months already has figures."""
    night = first_night()
    if night is None:
        raise ReconstructRefused(_("There is no book yet: import a feed first."))
    last = Month.of(night)
    if first >= last:
        raise ReconstructRefused(
            _("Only months before %(month)s, the month of the first nightly run, can be reconstructed.")
            % {"month": last}
        )
    _refuse_measured(first, last)
    loans: Counter[str] = Counter()
    closed: list[str] = []
    with transaction.atomic():
        loans[str(first)] = _open(first, positions_on(first.previous().last))
        MonthClose.objects.create(
            month=first.previous().first,
            closed_on=first.previous().last,
            closed_at=timezone.now(),
            opening_loans=0,
            next_opening_loans=loans[str(first)],
            reconstructed=True,
        )
        month = first
        while month < last:
            positions = positions_on(month.last)
            outcomes = _close(month, positions)
            loans[str(month.next())] = _open(month.next(), positions)
            MonthClose.objects.create(
                month=month.first,
                closed_on=month.last,
                closed_at=timezone.now(),
                opening_loans=outcomes,
                next_opening_loans=loans[str(month.next())],
                reconstructed=True,
            )
            closed.append(str(month))
            month = month.next()
        append_events_bulk(
            [
                {
                    "action": ActionCode.RECONSTRUCT_MONTHS,
                    "permission": Perm.RUN_DAILY,
                    "subject": ("month", str(first)),
                    "clause": "KPI-1",
                    "changes": {"months": (None, closed), "opened": (None, str(last)), "loans": (None, dict(loans))},
                    "reason": f"months {first} to {last} reconstructed from the book's history",
                }
            ],
            actor=actor,
        )
    return Reconstructed(closed, str(last), dict(loans))
