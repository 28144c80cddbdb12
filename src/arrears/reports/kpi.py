"""Recovery rate by amount (Clause: KPI-1) and cost rate (Clause: KPI-2) for a month, as `docs/kpi.md` defines
them, read from the month's facts (`arrears.reports.facts`).

- opening overdue = per loan of the month's opening, its overdue principal, interest, penalty and compound
  interest at the end of the day before the month began;
- recovered = per loan, the smaller of what it paid during the month and its opening overdue amount;
- rate = Σ recovered ÷ Σ opening overdue, 4 decimals half-up (none when nothing was overdue);
- cost rate = the month's collection cost ÷ Σ recovered, 4 decimals half-up (none when nothing was recovered).

A closed month reads the outcomes stored when it closed; the month under way reads the payments delivered up to
the last completed night and is marked provisional. One SQL statement, grouped in the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from arrears.agencies.commissions import Month
from arrears.daily.models import Run, RunStatus
from arrears.portfolio.models import Payment
from arrears.reports.facts import paid_after
from arrears.reports.models import MonthClose, MonthOutcome, OpeningPosition
from arrears.rules.queries import policy_book

__all__ = ["CLASSES", "DIMENSIONS", "Filters", "KpiUnavailable", "Recovery", "RecoveryRow", "rate", "recovery"]

CLASSES = ("mild", "moderate", "severe")
# What a month's figures may be split by: the column of the opening that says it.
DIMENSIONS = {
    "class": "delinquency_class",
    "team": "team_id",
    "collector": "collector_id",
    "agency": "agency_id",
    "product": "product",
}
FOUR = Decimal("0.0001")
T = TypeVar("T")


class KpiUnavailable(ValueError):
    """The month has no figures yet; the message says why and what to do."""


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator to 4 decimals, half-up; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(FOUR, ROUND_HALF_UP)


@dataclass(frozen=True)
class Filters:
    """Narrow a month's loans to one team, collector, agency or product (None: all)."""

    team: int | None = None
    collector: int | None = None
    agency: int | None = None
    product: str | None = None

    def chosen(self) -> dict[str, Any]:
        """The opening's columns narrowed, with their values."""
        columns = {"team_id": self.team, "collector_id": self.collector, "agency_id": self.agency}
        return {name: value for name, value in {**columns, "product": self.product}.items() if value is not None}

    def sql(self) -> tuple[str, list[Any]]:
        """The narrowing as SQL on the opening (alias `o`), with its parameters."""
        chosen = self.chosen()
        return "".join(f" AND o.{name} = %s" for name in chosen), list(chosen.values())


@dataclass(frozen=True)
class RecoveryRow:
    key: Any  # the class code, a team/collector/agency id (None: none), a product
    loans: int
    opening_overdue_fen: int
    recovered_fen: int
    target: Decimal | None = None

    @property
    def recovery_rate(self) -> Decimal | None:
        return rate(self.recovered_fen, self.opening_overdue_fen)

    @property
    def met(self) -> bool | None:
        """Whether the rate is above its target (None: no target or no figure)."""
        if self.target is None or self.recovery_rate is None:
            return None
        return self.recovery_rate > self.target


@dataclass(frozen=True)
class Recovery:
    month: Month
    by: str
    closed: bool  # False: the month is under way, figures through `through`
    through: date
    rows: list[RecoveryRow] = field(default_factory=list)

    @property
    def opening_overdue_fen(self) -> int:
        return sum(row.opening_overdue_fen for row in self.rows)

    @property
    def recovered_fen(self) -> int:
        return sum(row.recovered_fen for row in self.rows)


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def frozen(month: Month, key: str, compute: Callable[[], T]) -> T:
    """A closed month's figure computed once and kept in the cache (Django's, in the database): its facts never
    change once the month is closed. A month not closed is computed each time."""
    closed_at = MonthClose.objects.filter(month=month.first).values_list("closed_at", flat=True).first()
    if closed_at is None:
        return compute()
    digest = hashlib.sha256(f"{month}|{closed_at.isoformat()}|{key}".encode()).hexdigest()
    return cache.get_or_set(f"reports:{digest}", compute, timeout=None)


def month_state(month: Month) -> tuple[bool, date]:
    """(closed, through): whether `month` is closed, and the last business date its figures include. Raises
    KpiUnavailable when the month was never opened (the nightly run of the day before it did not run)."""
    if not MonthClose.objects.filter(month=month.previous().first).exists():
        raise KpiUnavailable(
            _(
                "%(month)s has no opening figures: the nightly run of %(eve)s keeps them, and it has not run. "
                "Months are measured from the first month that began after arrears' first nightly run."
            )
            % {"month": month, "eve": month.previous().last.isoformat()}
        )
    if MonthClose.objects.filter(month=month.first).exists():
        return True, month.last
    through = (
        Run.objects.filter(status=RunStatus.DONE, business_date__range=(month.first, month.last))
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )
    return False, through or month.previous().last


def targets(month: Month) -> dict[str, Decimal | None]:
    """KPI-1's targets by class in the policy in force on the month's last day (the policy sets none for
    moderate)."""
    kpi = policy_book().on(month.last).kpi
    return {"mild": kpi.recovery_target_mild, "moderate": None, "severe": kpi.recovery_target_severe}


def recovery(month: Month, by: str = "class", where: Filters | None = None) -> Recovery:
    """Clause: KPI-1 — the month's opening overdue and recovered amounts split by `by` (a key of DIMENSIONS)."""
    if by not in DIMENSIONS:
        raise KpiUnavailable(_("Split the figures by one of: %(choices)s.") % {"choices": ", ".join(DIMENSIONS)})
    closed, through = month_state(month)
    column = DIMENSIONS[by]
    narrow, narrow_params = (where or Filters()).sql()
    if closed:  # one outcome per loan of the opening, stored when the month closed
        per_loan = f"""
            SELECT o.{column} AS k, o.overdue_fen AS owed, COALESCE(x.paid_fen, 0) AS paid
            FROM {_t(OpeningPosition)} o LEFT JOIN {_t(MonthOutcome)} x ON x.month = o.month AND x.loan_id = o.loan_id
            WHERE o.month = %s{narrow}
        """  # noqa: S608 (the column from DIMENSIONS, values as parameters)
        params: list[Any] = [month.first, *narrow_params]
    else:
        # The payments of `facts.paid_sql` (delivered by the feeds of the month's business dates through `through`,
        # made after `paid_after`), joined to the opening's loans before they are summed per loan: only those
        # loans' payments are added up, not the whole book's (bench/kpi_month.py: 1.7x faster for a 92,000-loan
        # opening in a book of a million, 2.4x with every loan in the opening).
        per_loan = f"""
            SELECT o.{column} AS k, o.overdue_fen AS owed, COALESCE(SUM(x.amount_fen), 0) AS paid
            FROM {_t(OpeningPosition)} o LEFT JOIN {_t(Payment)} x
                ON x.loan_id = o.loan_id AND x.feed_date >= %s AND x.feed_date <= %s AND x.paid_on > %s
            WHERE o.month = %s{narrow}
            GROUP BY o.id
        """  # noqa: S608
        params = [month.first, through, paid_after(month), month.first, *narrow_params]
    sql = f"""
        SELECT k, COUNT(*), SUM(owed), SUM(CASE WHEN paid < owed THEN paid ELSE owed END)
        FROM ({per_loan}) t GROUP BY k
    """  # noqa: S608

    def grouped() -> dict[Any, tuple[int, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {key: (int(n), int(opening), int(recovered)) for key, n, opening, recovered in cursor.fetchall()}

    found = frozen(month, f"recovery:{by}:{where}", grouped) if closed else grouped()
    if by == "class":
        goals = targets(month)
        rows = [RecoveryRow(key, *found.get(key, (0, 0, 0)), target=goals[key]) for key in CLASSES]
    else:
        rows = [RecoveryRow(key, *found[key]) for key in sorted(found, key=lambda k: (k is None, str(k)))]
    return Recovery(month, by, closed, through, rows)
