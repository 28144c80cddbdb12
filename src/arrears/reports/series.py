"""The KPIs month by month, for the dashboards' charts and the monthly review (`docs/kpi.md`): each figure of each
month of a window, None where the month has none (not measured yet, nothing to divide, roll rates of the month
under way). Plain data: the pages, the PDF and the spreadsheets draw and write the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from arrears.agencies.commissions import Month
from arrears.reports.costs import month_cost
from arrears.reports.indicators import contact_rate, opening_rows, promises_kept, rolls
from arrears.reports.kpi import CLASSES, Filters, KpiUnavailable, frozen, month_state, rate, recovery
from arrears.reports.rolls import RollMatrix

__all__ = ["BUCKETS", "CLASSES", "MonthFigures", "month_figures", "months_figures", "window"]

BUCKETS = ("M1", "M2", "M3", "M3+")


def window(last: Month, months: int) -> list[Month]:
    """The `months` months ending with `last`, oldest first."""
    found = [last]
    while len(found) < months:
        found.insert(0, found[0].previous())
    return found


@dataclass
class MonthFigures:
    month: Month
    measured: bool = False
    closed: bool = False
    recovery_rate: dict[str, Decimal | None] = field(default_factory=dict)  # by class, and "total"
    opening_fen: dict[str, int] = field(default_factory=dict)
    recovered_fen: dict[str, int] = field(default_factory=dict)
    bucket_loans: dict[str, int] = field(default_factory=dict)
    bucket_fen: dict[str, int] = field(default_factory=dict)
    cost_fen: int | None = None
    cost_rate: Decimal | None = None
    promises: tuple[int, int] = (0, 0)  # kept, decided
    contacts: tuple[int, int] = (0, 0)  # reached, outbound
    matrix: RollMatrix | None = None

    @property
    def promises_kept_rate(self) -> Decimal | None:
        return rate(*self.promises)

    @property
    def contact_rate(self) -> Decimal | None:
        return rate(*self.contacts)

    @property
    def cure_rate(self) -> Decimal | None:
        return None if self.matrix is None else self.matrix.cure_rate


def month_figures(month: Month, where: Filters | None = None) -> MonthFigures:
    """Every dashboard figure of `month` for the loans `where` selects (costs: the whole department's)."""
    figures = MonthFigures(month)
    try:
        figures.closed, _through = month_state(month)
    except KpiUnavailable:
        return figures
    figures.measured = True
    found = recovery(month, "class", where)
    for row in found.rows:
        figures.recovery_rate[row.key] = row.recovery_rate
        figures.opening_fen[row.key] = row.opening_overdue_fen
        figures.recovered_fen[row.key] = row.recovered_fen
    figures.recovery_rate["total"] = rate(found.recovered_fen, found.opening_overdue_fen)
    figures.opening_fen["total"], figures.recovered_fen["total"] = found.opening_overdue_fen, found.recovered_fen

    def bucket_sizes() -> dict[str, tuple[int, int]]:
        found = opening_rows(month, where).values("bucket").annotate(n=Count("pk"), fen=Sum("overdue_fen"))
        return {row["bucket"]: (row["n"], row["fen"]) for row in found.order_by()}

    sizes = frozen(month, f"buckets:{where}", bucket_sizes)  # the opening never changes
    figures.bucket_loans = {bucket: sizes.get(bucket, (0, 0))[0] for bucket in BUCKETS}
    figures.bucket_fen = {bucket: sizes.get(bucket, (0, 0))[1] for bucket in BUCKETS}
    if where is None:
        figures.cost_fen = month_cost(month).total_fen
        figures.cost_rate = rate(figures.cost_fen, found.recovered_fen)
    if where is None or where.product is None:  # calls and promises have no product
        figures.promises = promises_kept(month, None, where)[None]
        figures.contacts = contact_rate(month, None, where)[None]
    if figures.closed:
        figures.matrix = rolls(month, where)
    return figures


def months_figures(last: Month, months: int, where: Filters | None = None) -> list[MonthFigures]:
    return [month_figures(month, where) for month in window(last, months)]
