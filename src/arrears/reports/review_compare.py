"""The monthly review's comparison (Clause: REV-1): every indicator of a pack's figures (`review.month_figures`),
this month against last month, with the change, whether it went the right way, and the target met or missed.

No database: the figures in, rows out, worded in the active language (the page's, or zh-Hans for the PDF).

- rates are shown as percentages to two places (0.5310 → 53.10%), their change in percentage points;
- amounts in yuan to the fen with thousands separators, their change signed;
- `better` says which way is good: recovery, cure, promises kept, contact and quality up; cost rate, roll rates
  into a worse bucket, DPD, bucket sizes and violations down;
- `met`: recovery rates above their target (mild, severe), the cost rate below its target; None where there is no
  target or no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.finance.money import format_money, from_fen

__all__ = ["Row", "bucket_rows", "change_text", "class_label", "indicator_rows", "shown"]

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class Row:
    key: str  # stable: "recovery.mild", "roll.M1>M2", …
    label: str
    unit: str  # rate | fen | count | days | score
    this: Any  # as the figures keep it: a rate or decimal string, int fen or count, or None
    last: Any
    better: str  # up | down | "" (neither way is better)
    target: str | None = None
    met: bool | None = None

    @property
    def this_text(self) -> str:
        return shown(self.unit, self.this)

    @property
    def last_text(self) -> str:
        return shown(self.unit, self.last)

    @property
    def target_text(self) -> str:
        return shown(self.unit, self.target) if self.target is not None else ""

    @property
    def change(self) -> Decimal | None:
        if self.this is None or self.last is None:
            return None
        return Decimal(str(self.this)) - Decimal(str(self.last))

    @property
    def direction(self) -> str | None:
        """up, down, same; None when either month has no figure."""
        change = self.change
        if change is None:
            return None
        return UP if change > 0 else DOWN if change < 0 else "same"

    @property
    def good(self) -> bool | None:
        """Whether the change went the right way (None: no change, or no figure)."""
        if self.direction in (None, "same") or self.better not in (UP, DOWN):
            return None
        return self.direction == self.better

    @property
    def arrow(self) -> str:
        return {UP: "▲", DOWN: "▼", "same": "＝"}.get(self.direction or "", "")

    @property
    def change_text(self) -> str:
        return change_text(self.unit, self.change)

    @property
    def met_text(self) -> str:
        if self.met is None:
            return ""
        return pgettext("target", "met") if self.met else pgettext("target", "missed")


def shown(unit: str, value: Any) -> str:
    """A figure as the pack shows it (module docstring); "—" for none."""
    if value is None or value == "":
        return "—"
    if unit == "rate":
        return f"{Decimal(str(value)) * 100:.2f}%"
    if unit == "fen":
        return format_money(from_fen(int(value)), grouping=True)
    return str(value)


def change_text(unit: str, change: Decimal | None) -> str:
    if change is None:
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    size = abs(change)
    if unit == "rate":
        return pgettext("percentage points", "%(sign)s%(n)s pp") % {"sign": sign, "n": f"{size * 100:.2f}"}
    if unit == "fen":
        return sign + format_money(from_fen(int(size)), grouping=True)
    return f"{sign}{size}"


def _get(side: dict | None, *path: str) -> Any:
    value: Any = side
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _met(value: str | None, target: str | None, above: bool) -> bool | None:
    if value is None or target is None:
        return None
    return Decimal(value) > Decimal(target) if above else Decimal(value) < Decimal(target)


def class_label(code: str) -> str:
    return {"mild": _("mild"), "moderate": _("moderate"), "severe": _("severe")}.get(code, code)


def indicator_rows(figures: dict) -> list[Row]:
    """Clause: REV-1, KPI-1, KPI-2 — every indicator of the pack, this month against last month."""
    this, last = figures.get("this"), figures.get("last")

    def both(key: str, label: str, unit: str, better: str, *path: str) -> Row:
        """The indicator at `path` of the figures, this month and last."""
        return Row(key, label, unit, _get(this, *path), _get(last, *path), better)

    rows = []
    for code in figures.get("classes", ()):
        target = _get(this, "recovery", code, "target")
        value = _get(this, "recovery", code, "rate")
        rows.append(
            Row(
                f"recovery.{code}",
                _("Recovery rate, %(class)s") % {"class": class_label(code)},
                "rate",
                value,
                _get(last, "recovery", code, "rate"),
                UP,
                target,
                _met(value, target, above=True),
            )
        )
    rows += [
        both("recovery.all", _("Recovery rate, all classes"), "rate", UP, "total", "rate"),
        both("opening_overdue", _("Overdue at the opening (yuan)"), "fen", DOWN, "total", "opening_overdue_fen"),
        both("recovered", _("Recovered (yuan)"), "fen", UP, "total", "recovered_fen"),
        both("cost", _("Collection cost (yuan)"), "fen", DOWN, "cost_fen"),
    ]
    cost_rate, cost_target = _get(this, "cost_rate"), _get(this, "cost_target")
    rows.append(
        Row(
            "cost_rate",
            _("Cost rate"),
            "rate",
            cost_rate,
            _get(last, "cost_rate"),
            DOWN,
            cost_target,
            _met(cost_rate, cost_target, above=False),
        )
    )
    for step in ("M0>M1", "M1>M2", "M2>M3", "M3>M3+"):
        start, end = step.split(">")
        label = _("Roll rate %(start)s → %(end)s") % {"start": start, "end": end}
        rows.append(both(f"roll.{step}", label, "rate", DOWN, "rolls", "main", step))
    rows += [
        both("cure_rate", _("Cure rate"), "rate", UP, "rolls", "cure_rate"),
        both("promises_kept", _("Promises kept"), "rate", UP, "promises_kept"),
        both("contact_rate", _("Right-party contact rate"), "rate", UP, "contact_rate"),
    ]
    for code in figures.get("classes", ()):
        label = _("Average DPD, %(class)s") % {"class": class_label(code)}
        rows.append(both(f"average_dpd.{code}", label, "days", DOWN, "average_dpd", code))
    rows += [
        both("quality.average", _("Quality score, collectors' mean"), "score", UP, "quality", "average_score"),
        both("quality.lowest", _("Quality score, lowest collector"), "score", UP, "quality", "lowest_score"),
        both("quality.calls", _("Calls inspected"), "count", "", "quality", "calls"),
        both("quality.violations", _("Violations confirmed"), "count", DOWN, "quality", "violations"),
        *_card_rows(this, last),
        both("quality.dissatisfied", _("Dissatisfied calls"), "count", DOWN, "quality", "dissatisfied"),
    ]
    return rows


def _card_rows(this: dict | None, last: dict | None) -> list[Row]:
    """The scorecards in brief (QA-2): collectors' and agencies' mean and lowest score, substantiated complaints."""
    shown = (
        ("collectors", "average_score", _("Scorecard, collectors' mean"), "score", UP),
        ("collectors", "lowest_score", _("Scorecard, lowest collector"), "score", UP),
        ("collectors", "complaints", _("Substantiated complaints against collectors"), "count", DOWN),
        ("agencies", "average_score", _("Scorecard, agencies' mean"), "score", UP),
        ("agencies", "lowest_score", _("Scorecard, lowest agency"), "score", UP),
        ("agencies", "complaints", _("Substantiated complaints against agencies"), "count", DOWN),
    )
    return [
        Row(
            f"scorecards.{side}.{key}",
            label,
            unit,
            _get(this, "scorecards", side, key),
            _get(last, "scorecards", side, key),
            better,
        )
        for side, key, label, unit, better in shown
    ]


def bucket_rows(figures: dict) -> list[tuple[Row, Row]]:
    """Clause: REV-1 — per bucket at the opening: (loans, overdue amount), this month against last month."""
    this, last = figures.get("this"), figures.get("last")
    return [
        (
            Row(
                f"bucket.{b}.loans",
                b,
                "count",
                _get(this, "buckets", b, "loans"),
                _get(last, "buckets", b, "loans"),
                DOWN,
            ),
            Row(
                f"bucket.{b}.overdue",
                b,
                "fen",
                _get(this, "buckets", b, "overdue_fen"),
                _get(last, "buckets", b, "overdue_fen"),
                DOWN,
            ),
        )
        for b in figures.get("buckets", ())
    ]
