"""Charts for the dashboards and the monthly review pack (issue 21): one SVG string, shown inline in the page and
embedded in the pack's PDF, so both show the same chart.

How this works
--------------
* Drawn with matplotlib's object-oriented API (`matplotlib.figure.Figure`, no pyplot and no GUI backend) and
  saved as SVG with every letter drawn as a path (`svg.fonttype = "path"`): the picture needs no font where it
  is shown, in a browser or in WeasyPrint. The letters come from the CJK font the printed documents embed
  (`collection.letters.letter_fonts`: `ARREARS_LETTER_FONT`, else Noto Sans CJK found with fontconfig).
* The functions take plain figures, never models: the caller passes translated labels, counts as int, rates as
  Decimal (0.2164 is 21.64 %), money as int fen or Decimal yuan (`money=True`, drawn in yuan). Floats are refused, as everywhere
  in arrears; values become floats only to be drawn. None is a gap (no point, no bar, an empty cell).
* The same input gives the same bytes: a fixed `svg.hashsalt`, no date in the metadata, and ids prefixed with a
  digest of the picture (`c1a2b3c4d-…`), so several charts in one page do not share ids.
* Each SVG is an image for assistive technology: `role="img"`, `aria-label` and a `<title>` with the chart's
  title. Each series is one group, `id="<prefix>series-<n>"`; the target line is `<prefix>target`.
* A page puts the string inline; a PDF template embeds it as an image, `<img src="{{ chart_uri }}">` with
  `data_uri(svg)` (WeasyPrint reads the style attributes of an inline SVG as the page's CSS and warns).
* matplotlib is imported on the first chart (it takes about half a second), so the web tier's start-up does not
  pay for it. Drawing holds a lock: matplotlib's settings are process-wide.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

__all__ = ["Series", "bar_chart", "data_uri", "heat_table", "line_chart"]

Value = Decimal | int | None

# Colour-blind safe (Okabe–Ito), then markers so that series differ in shape as well as colour.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
TARGET_COLOUR = "#C0392B"
WIDTH_INCHES = 8.0
HEIGHT_INCHES = 3.6
_LOCK = threading.Lock()
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    """One line or one set of bars: its (translated) name and one value per x label or category."""

    name: str
    values: Sequence[Value]

    def __post_init__(self) -> None:
        values = tuple(self.values)
        for value in values:
            if value is None or (isinstance(value, Decimal) and value.is_finite()):
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                continue
            raise TypeError(f"Series {self.name!r}: values are int, Decimal or None, not {value!r}")
        object.__setattr__(self, "values", values)


# -- the building blocks ------------------------------------------------------------------------------------


def _label(text: Any) -> str:
    """A label as matplotlib draws it: text without the characters XML cannot carry."""
    return _XML_INVALID.sub("", str(text))


def _number(value: Value, money: bool) -> float:
    """A value as drawn: NaN for a gap; with `money`, int fen as yuan (a Decimal is yuan already)."""
    if value is None:
        return float("nan")
    if money and isinstance(value, int):
        return float(Decimal(value) / 100)
    return float(value)


def _check(labels: Sequence[str], series: Sequence[Series], *, money: bool, percent: bool) -> None:
    if money and percent:
        raise ValueError("A chart shows money or rates, not both")
    for one in series:
        if not isinstance(one, Series):
            raise TypeError(f"a chart's series are Series, not {one!r}")
        if len(one.values) != len(labels):
            raise ValueError(f"Series {one.name!r} has {len(one.values)} values for {len(labels)} labels")


def _has_values(series: Sequence[Series]) -> bool:
    return any(value is not None for one in series for value in one.values)


@functools.cache
def _family(font_file: str) -> str:
    """The matplotlib family name of the CJK font file (its Simplified Chinese face in a collection)."""
    from matplotlib import font_manager

    real = os.path.realpath(font_file)

    def names() -> set[str]:
        return {entry.name for entry in font_manager.fontManager.ttflist if os.path.realpath(entry.fname) == real}

    found = names()
    if not found:
        font_manager.fontManager.addfont(real)
        found = names()
    return min(found, key=lambda name: (name != "Noto Sans CJK SC", " SC" not in name, "Mono" in name, name))


def _font_family() -> str:
    from arrears.collection.letters import letter_fonts

    return _family(str(letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "").regular))


@contextmanager
def _drawing() -> Iterator[Any]:
    """matplotlib's Figure class, with arrears' settings in force and the lock held."""
    import matplotlib
    from matplotlib.figure import Figure

    family = _font_family()
    with (
        _LOCK,
        matplotlib.rc_context(
            {
                "svg.fonttype": "path",
                "svg.hashsalt": "arrears",
                "font.family": [family, "DejaVu Sans"],
                "font.size": 10,
                "text.parse_math": False,  # a label with two $ is text, not a formula
                "axes.unicode_minus": False,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.titlesize": 12,
                "axes.titlelocation": "left",
                "axes.prop_cycle": matplotlib.cycler(color=COLOURS),
                "grid.color": "#DDDDDD",
                "legend.frameon": False,
            }
        ),
    ):
        yield Figure


def _svg(figure: Any, title: str) -> str:
    """The figure as an SVG element for a page: no XML prolog, ids prefixed, the style scoped to this chart,
    role, label and title for assistive technology."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    root = "c" + hashlib.sha256(svg.encode()).hexdigest()[:8]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{root}-\1"', svg)
    svg = re.sub(r'(xlink:href="#|url\(#)([^")]+)', rf"\1{root}-\2", svg)
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{root} *{{', 1)
    label = html.escape(_label(title), quote=True)
    opening_end = svg.index(">") + 1
    opening = svg[:opening_end].replace("<svg ", f'<svg id="{root}" role="img" aria-label="{label}" ', 1)
    return f"{opening}\n <title>{label}</title>{svg[opening_end:]}".rstrip() + "\n"


def _figure(Figure: Any, height: float = HEIGHT_INCHES) -> Any:
    return Figure(figsize=(WIDTH_INCHES, height), layout="constrained")


def _empty(title: str, empty: str | None) -> str:
    with _drawing() as Figure:
        figure = _figure(Figure, 1.6)
        ax = figure.subplots()
        ax.set_axis_off()
        ax.set_title(_label(title))
        ax.text(0.5, 0.45, _label(empty or _("No figures to show yet.")), ha="center", va="center", color="#555555")
        return _svg(figure, title)


def _value_axis(ax: Any, series: Sequence[Series], *, money: bool, percent: bool) -> None:
    """Rates as percentages; money in whole yuan with grouping; counts on whole numbers; anything else plain."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter, StrMethodFormatter

    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    elif money:
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    elif all(isinstance(value, int | None) for one in series for value in one.values):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    else:
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.grid(axis="y")
    ax.set_axisbelow(True)


def _category_axis(ax: Any, labels: Sequence[str]) -> None:
    ax.set_xticks(range(len(labels)), [_label(label) for label in labels])
    if len(labels) > 8:
        ax.tick_params(axis="x", labelrotation=45)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    ax.set_xlim(-0.6, len(labels) - 0.4)


def _legend(figure: Any, ax: Any, handles: list | None = None) -> None:
    handles = handles if handles is not None else ax.get_legend_handles_labels()[0]
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))


def data_uri(svg: str) -> str:
    """The chart as an image address for a document (`<img src="…">`), e.g. in a WeasyPrint template."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# -- the charts ---------------------------------------------------------------------------------------------


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    target: Decimal | int | None = None,
    percent: bool = False,
    money: bool = False,
    target_label: str | None = None,
    empty: str | None = None,
) -> str:
    """Lines over `x_labels` (months), one per series, with markers (a value between two gaps still shows);
    `target` draws a dashed horizontal line (in the values' unit: a rate, or fen with `money`). `percent`: the
    values are rates shown as percentages; `money`: int fen or Decimal yuan, shown in yuan. No value at all: the `empty` text."""
    _check(x_labels, series, money=money, percent=percent)
    if target is not None:
        Series("target", [target])  # the same rule as the values: int or Decimal
    if not series or not _has_values(series):
        return _empty(title, empty)
    with _drawing() as Figure:
        figure = _figure(Figure)
        ax = figure.subplots()
        positions = range(len(x_labels))
        for n, one in enumerate(series):
            ax.plot(
                positions,
                [_number(value, money) for value in one.values],
                marker=MARKERS[n % len(MARKERS)],
                color=COLOURS[n % len(COLOURS)],
                label=_label(one.name),
                gid=f"series-{n + 1}",
            )
        if target is not None:
            ax.axhline(
                _number(target, money),
                linestyle="--",
                color=TARGET_COLOUR,
                label=_label(target_label or pgettext("chart", "Target")),
                gid="target",
            )
        ax.set_title(_label(title))
        _category_axis(ax, x_labels)
        _value_axis(ax, series, money=money, percent=percent)
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, 0), high)
        _legend(figure, ax)
        return _svg(figure, title)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = False,
    percent: bool = False,
    money: bool = False,
    empty: str | None = None,
) -> str:
    """Bars per category (month): side by side, or `stacked` (values then may not be negative). Each series is
    one group of bars. `percent`: rates shown as percentages; `money`: int fen or Decimal yuan, shown in yuan."""
    _check(categories, series, money=money, percent=percent)
    if stacked and any(value is not None and value < 0 for one in series for value in one.values):
        raise ValueError("Stacked bars cannot show negative values")
    if not series or not _has_values(series):
        return _empty(title, empty)
    with _drawing() as Figure:
        from matplotlib.collections import PatchCollection
        from matplotlib.patches import Patch, Rectangle

        figure = _figure(Figure)
        ax = figure.subplots()
        width = 0.8 if stacked else 0.8 / len(series)
        bottoms = [0.0] * len(categories)
        handles = []
        for n, one in enumerate(series):
            colour = COLOURS[n % len(COLOURS)]
            bars = []
            for at, value in enumerate(one.values):
                if value is None:
                    continue
                height = _number(value, money)
                left = at - 0.4 + (0 if stacked else n * width)
                bars.append(Rectangle((left, bottoms[at] if stacked else 0.0), width, height))
                if stacked:
                    bottoms[at] += height
            ax.add_collection(
                PatchCollection(bars, facecolor=colour, edgecolor="white", linewidth=0.5, gid=f"series-{n + 1}")
            )
            handles.append(Patch(facecolor=colour, label=_label(one.name)))
        ax.autoscale_view()
        ax.set_title(_label(title))
        _category_axis(ax, categories)
        _value_axis(ax, series, money=money, percent=percent)
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, 0), high)
        _legend(figure, ax, handles)
        return _svg(figure, title)


def _percent_text(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def heat_table(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Decimal | None]],
    *,
    rows_title: str = "",
    columns_title: str = "",
    empty: str | None = None,
) -> str:
    """A matrix of rates (0 to 1) such as roll rates from bucket (row) to bucket (column): each cell shows its
    percentage to one decimal, coloured by value on a fixed 0–100 % scale; None is an empty grey cell."""
    if len(values) != len(rows) or any(len(row) != len(columns) for row in values):
        raise ValueError(f"A heat table of {len(rows)} rows × {len(columns)} columns needs as many values")
    for row in values:
        for value in row:
            if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
                raise TypeError(f"heat table values are Decimal rates or None, not {value!r}")
    if not any(value is not None for row in values for value in row):
        return _empty(title, empty)
    with _drawing() as Figure:
        import numpy as np
        from matplotlib import colormaps

        figure = _figure(Figure, max(2.4, 0.42 * len(rows) + 1.6))
        ax = figure.subplots()
        grid = np.ma.masked_invalid(np.array([[_number(v, False) for v in row] for row in values], dtype=float))
        ax.pcolormesh(
            grid,
            cmap=colormaps["Blues"].with_extremes(bad="#F2F2F2"),
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidth=1,
            gid="cells",
        )
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                text = "–" if value is None else _percent_text(value)
                dark = value is not None and value > Decimal("0.55")
                ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", color="white" if dark else "#222222")
        ax.set_xticks([c + 0.5 for c in range(len(columns))], [_label(c) for c in columns])
        ax.set_yticks([r + 0.5 for r in range(len(rows))], [_label(r) for r in rows])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if rows_title:
            ax.set_ylabel(_label(rows_title))
        if columns_title:
            ax.set_xlabel(_label(columns_title))
        ax.set_title(_label(title))
        return _svg(figure, title)
