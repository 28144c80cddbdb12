"""The monthly review pack's charts (Clause: REV-1), drawn from the pack's figures by `reports.charts`, the same
in the page (inline SVG) and in the PDF (an image):

- recovery rate over the last months against its target, mild and severe (KPI-1);
- the cost rate over the last months against its target (KPI-2);
- this month's roll rates from bucket to bucket (a heat table);
- the bucket sizes at the opening, this month and last month (overdue amount).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from arrears.reports.charts import Series, bar_chart, data_uri, heat_table, line_chart
from arrears.reports.review_compare import class_label

__all__ = ["pack_charts"]


def _rate(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _end_label(code: str) -> str:
    return {"current": _("current"), "closed": _("paid off"), "written_off": _("written off")}.get(code, code)


def _charts(figures: dict) -> dict[str, str]:
    history = figures.get("history") or []
    months = [row["month"] for row in history]
    empty = _("No figures for these months.")
    drawn = {}
    for code in ("mild", "severe"):
        rates = [_rate((row.get("rates") or {}).get(code)) for row in history]
        targets = [_rate((row.get("targets") or {}).get(code)) for row in history if row.get("targets")]
        drawn[f"recovery_{code}"] = line_chart(
            _("Recovery rate, %(class)s, against target") % {"class": class_label(code)},
            months,
            [Series(class_label(code), rates)],
            target=targets[-1] if targets and targets[-1] is not None else None,
            percent=True,
            empty=empty,
        )
    cost_targets = [_rate(row.get("cost_target")) for row in history if row.get("cost_target")]
    drawn["cost_rate"] = line_chart(
        _("Cost rate against target"),
        months,
        [Series(_("Cost rate"), [_rate(row.get("cost_rate")) for row in history])],
        target=cost_targets[-1] if cost_targets else None,
        percent=True,
        empty=empty,
    )
    rolls = (figures.get("this") or {}).get("rolls")
    starts, ends = figures.get("roll_starts", []), figures.get("roll_ends", [])
    drawn["rolls"] = heat_table(
        _("Roll rates this month"),
        starts,
        [_end_label(end) for end in ends],
        [[_rate(value) for value in row] for row in rolls["rates"]] if rolls else [[None] * len(ends) for _s in starts],
        rows_title=_("At the opening"),
        columns_title=_("At the month's end"),
        empty=_("No roll rates: the month is under way."),
    )
    buckets = figures.get("buckets", [])

    def amounts(side: str) -> list[int | None]:
        found = (figures.get(side) or {}).get("buckets") or {}
        return [(found.get(b) or {}).get("overdue_fen") if found else None for b in buckets]

    drawn["buckets"] = bar_chart(
        _("Overdue at the opening by bucket"),
        buckets,
        [Series(_("This month"), amounts("this")), Series(_("Last month"), amounts("last"))],
        money=True,
        empty=empty,
    )
    return drawn


def pack_charts(figures: dict, *, image: bool = False) -> dict[str, str]:
    """The charts by name: inline SVG for a page (marked safe: drawn here, the labels escaped by the drawing),
    or `image=True` an image address for a PDF template."""
    drawn = _charts(figures)
    if image:
        return {name: data_uri(svg) for name, svg in drawn.items()}
    return {name: mark_safe(svg) for name, svg in drawn.items()}  # noqa: S308
