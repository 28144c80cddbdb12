"""The dashboards' tables and charts, built once from the month figures (`series.py`): the page shows them, the CSV
and XLSX downloads write them, the monthly review's PDF draws the same charts. Headers and labels are translated
here, in the reader's language; cells stay typed (fen, Decimal rates, counts) until written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.portfolio.models import DelinquencyClass
from arrears.reports import charts
from arrears.reports.costs import SOURCES, Costs, source_label
from arrears.reports.kpi import CLASSES, Recovery, rate
from arrears.reports.rolls import FROM, TO
from arrears.reports.series import BUCKETS, MonthFigures
from arrears.reports.xlsx import Sheet

__all__ = ["Table", "dashboard_charts", "dashboard_tables"]


@dataclass(frozen=True)
class Table:
    key: str  # the download's name: recovery, months, buckets, rolls, activity, costs, split
    sheet: Sheet


def class_label(code: str) -> str:
    return str(DelinquencyClass(code).label) if code in DelinquencyClass.values else _("all classes")


def end_label(code: str) -> str:
    words = {
        "current": _("current again"),
        "closed": _("paid off"),
        "written_off": _("written off"),
        "M0": _("current"),
    }
    return words.get(code, code)


def _months_table(series: list[MonthFigures]) -> Sheet:
    headers = [
        _("month"),
        *[_("recovery rate, %(class)s") % {"class": class_label(c)} for c in CLASSES],
        _("recovery rate, all classes"),
        _("opening overdue (yuan)"),
        _("recovered (yuan)"),
        _("cost (yuan)"),
        _("cost rate"),
        _("promises kept"),
        _("right-party contact rate"),
        _("cure rate"),
    ]
    rows = [
        [
            str(f.month),
            *[f.recovery_rate.get(c) for c in CLASSES],
            f.recovery_rate.get("total"),
            f.opening_fen.get("total"),
            f.recovered_fen.get("total"),
            f.cost_fen,
            f.cost_rate,
            f.promises_kept_rate,
            f.contact_rate,
            f.cure_rate,
        ]
        for f in series
        if f.measured
    ]
    return Sheet(
        _("months"),
        headers,
        rows,
        money_columns=frozenset({5, 6, 7}),
        rate_columns=frozenset({1, 2, 3, 4, 8, 9, 10, 11}),
    )


def _buckets_table(series: list[MonthFigures]) -> Sheet:
    headers = [
        _("month"),
        *[_("%(bucket)s loans") % {"bucket": b} for b in BUCKETS],
        *[_("%(bucket)s overdue (yuan)") % {"bucket": b} for b in BUCKETS],
    ]
    rows = [
        [str(f.month), *[f.bucket_loans[b] for b in BUCKETS], *[f.bucket_fen[b] for b in BUCKETS]]
        for f in series
        if f.measured
    ]
    return Sheet(_("buckets at the opening"), headers, rows, money_columns=frozenset(range(5, 9)))


def _recovery_table(found: Recovery) -> Sheet:
    headers = [
        _("class"),
        _("loans"),
        _("opening overdue (yuan)"),
        _("recovered (yuan)"),
        _("recovery rate"),
        _("target (above)"),
    ]
    rows = [
        [class_label(row.key), row.loans, row.opening_overdue_fen, row.recovered_fen, row.recovery_rate, row.target]
        for row in found.rows
    ]
    total = [_("all classes"), sum(r.loans for r in found.rows), found.opening_overdue_fen, found.recovered_fen]
    rows.append([*total, rate(found.recovered_fen, found.opening_overdue_fen), None])
    return Sheet(_("recovery"), headers, rows, money_columns=frozenset({2, 3}), rate_columns=frozenset({4, 5}))


def _rolls_table(figures: MonthFigures | None) -> Sheet:
    headers = [_("at the opening"), *[end_label(end) for end in TO]]
    if figures is None or figures.matrix is None:
        return Sheet(_("roll rates"), headers, [])
    rows = [[end_label(start), *[figures.matrix.rate(start, end) for end in TO]] for start in FROM]
    return Sheet(
        _("roll rates %(month)s") % {"month": figures.month},
        headers,
        rows,
        rate_columns=frozenset(range(1, len(TO) + 1)),
    )


def _costs_table(costs: Costs | None) -> Sheet:
    headers = [_("source"), _("amount (yuan)")]
    rows = [] if costs is None else [[source_label(s), costs.by_source.get(s, 0)] for s in SOURCES]
    if costs is not None:
        rows.append([_("total"), costs.total_fen])
    return Sheet(_("costs"), headers, rows, money_columns=frozenset({1}))


def dashboard_tables(
    series: list[MonthFigures], found: Recovery | None, costs: Costs | None, split: Sheet | None = None
) -> list[Table]:
    """The dashboard's tables: the month's recovery by class, the months, the buckets, the last closed month's
    roll rates, the month's costs (and the split by team, collector, agency or product when asked)."""
    closed = next((f for f in reversed(series) if f.matrix is not None), None)
    tables = []
    if found is not None:
        tables.append(Table("recovery", _recovery_table(found)))
    tables += [
        Table("months", _months_table(series)),
        Table("buckets", _buckets_table(series)),
        Table("rolls", _rolls_table(closed)),
        Table("costs", _costs_table(costs)),
    ]
    if split is not None:
        tables.append(Table("split", split))
    return tables


def dashboard_charts(series: list[MonthFigures], targets: dict[str, Any], cost_target: Any) -> dict[str, str]:
    """The dashboard's charts as SVG: recovery against target for mild and severe (and moderate), bucket sizes,
    cost rate, promises kept and contact, the last closed month's roll rates."""
    measured = [f for f in series if f.measured]
    labels = [str(f.month) for f in measured]
    drawn = {}
    for code in CLASSES:
        drawn[f"recovery_{code}"] = charts.line_chart(
            _("Recovery rate, %(class)s") % {"class": class_label(code)},
            labels,
            [charts.Series(_("recovery rate"), [f.recovery_rate.get(code) for f in measured])],
            target=targets.get(code),
            percent=True,
            target_label=pgettext("chart", "Target"),
        )
    drawn["buckets"] = charts.bar_chart(
        _("Overdue loans at the opening, by bucket"),
        labels,
        [charts.Series(bucket, [f.bucket_loans.get(bucket, 0) for f in measured]) for bucket in BUCKETS],
        stacked=True,
    )
    drawn["cost_rate"] = charts.line_chart(
        _("Cost rate"),
        labels,
        [charts.Series(_("cost rate"), [f.cost_rate for f in measured])],
        target=cost_target,
        percent=True,
        target_label=pgettext("chart", "Target"),
    )
    drawn["activity"] = charts.line_chart(
        _("Promises kept and right-party contact"),
        labels,
        [
            charts.Series(_("promises kept"), [f.promises_kept_rate for f in measured]),
            charts.Series(_("right-party contact rate"), [f.contact_rate for f in measured]),
            charts.Series(_("cure rate"), [f.cure_rate for f in measured]),
        ],
        percent=True,
    )
    closed = next((f for f in reversed(measured) if f.matrix is not None), None)
    if closed is not None:
        drawn["rolls"] = charts.heat_table(
            _("Roll rates %(month)s") % {"month": closed.month},
            [end_label(start) for start in FROM],
            [end_label(end) for end in TO],
            closed.matrix.rates(),
        )
    return drawn
