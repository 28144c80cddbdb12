"""The reports' tables as spreadsheets (issue 21: CSV and XLSX of every table; the monthly review pack's XLSX).

How this works
--------------
* `workbook(sheets)` writes one XLSX with XlsxWriter, a sheet per `Sheet`: a bold header row that stays in view
  and filters, then the rows, each cell by what it holds —
  - money columns (`money_columns`): int fen, or Decimal yuan rounded half-up to the fen, as a number of yuan
    with two decimals (`#,##0.00`). Excel keeps numbers as doubles: the value becomes a float only here, at
    the file's edge, from the exact yuan, so it reads back to the fen;
  - rate columns (`rate_columns`): Decimal rates (0.2164) as numbers shown `0.00%`;
  - other ints and Decimals as numbers, dates as dates (`yyyy-mm-dd`), aware instants in local time;
  - text always as text (`write_string`), never as a formula: "=cmd|…" in a borrower's or collector's words
    stays a string in the reader's Excel; yes/no in words.
  Floats are refused, as everywhere in arrears.
* Sheet names follow Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe at either end, not
  "History", unique regardless of case.
* The same sheets give the same bytes: the creation date is fixed (`created`, e.g. the month's end), and
  XlsxWriter dates the files inside the zip 1980-01-01.
* `csv_bytes(headers, rows)` is the same table as CSV through the list pages' writer (`arrears.home.export`):
  UTF-8 with a byte-order mark, cells as the pages show them (money in yuan, rates as percentages), a cell that
  a spreadsheet would take for a formula quoted.

Who offers a download records it as a read, as the list pages do (`home.export_list`, Clause: PRV-1).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.utils import timezone

from arrears.finance import format_money, round_fen
from arrears.home import export

__all__ = ["Sheet", "csv_bytes", "sheet_names", "workbook"]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the creation date of a workbook that names none
MAX_TEXT = 32767  # Excel's longest cell text
MAX_EXACT_INT = 2**53  # past this a double no longer holds every integer: written as text
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """One table: its name, the (translated) column headers, the rows (one value per header), and which columns
    (0-based) hold money or rates."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    money_columns: frozenset[int] = frozenset()
    rate_columns: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "money_columns", frozenset(self.money_columns))
        object.__setattr__(self, "rate_columns", frozenset(self.rate_columns))
        _check_shape(self.headers, self.rows, self.money_columns, self.rate_columns)

    def kind(self, column: int) -> str:
        return "money" if column in self.money_columns else "rate" if column in self.rate_columns else ""


def _check_shape(headers: Sequence[str], rows: Sequence[Sequence[Any]], money: frozenset, rates: frozenset) -> None:
    if money & rates:
        raise ValueError(f"Columns {sorted(money & rates)} cannot hold both money and rates")
    if any(not 0 <= column < len(headers) for column in money | rates):
        raise ValueError(f"Money and rate columns are 0-based column numbers below {len(headers)}")
    for number, row in enumerate(rows, start=1):
        if len(row) != len(headers):
            raise ValueError(f"Row {number} has {len(row)} cells for {len(headers)} headers")


def _yuan(value: int | Decimal) -> Decimal:
    """Money as exact yuan: int fen, or Decimal yuan rounded half-up to the fen."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"money is int fen or Decimal yuan, not {value!r}")
    if isinstance(value, int):
        return Decimal(value) / 100
    if not value.is_finite():
        raise ValueError(f"money must be a finite amount, not {value}")
    return round_fen(value)


def _rate(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
        raise TypeError(f"a rate is a finite Decimal, not {value!r}")
    return Decimal(value)


def _refuse_float(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError(f"arrears writes no floats (got {value!r}): pass int fen, Decimal or text")


# -- names --------------------------------------------------------------------------------------------------


def sheet_names(names: Sequence[str]) -> list[str]:
    """Each name as Excel accepts it: forbidden characters as "_", at most 31 characters, no apostrophe at
    either end, never empty or "History", unique regardless of case ("Name (2)")."""
    taken: set[str] = set()
    out = []
    for number, name in enumerate(names, start=1):
        clean = _NOT_IN_NAME.sub("_", str(name)).strip()[:31].strip("'").strip() or f"Sheet{number}"
        if clean.casefold() == "history":
            clean += "_"
        base, copy = clean, 2
        while clean.casefold() in taken:
            suffix = f" ({copy})"
            clean = base[: 31 - len(suffix)].rstrip("'") + suffix
            copy += 1
        taken.add(clean.casefold())
        out.append(clean)
    return out


# -- XLSX ---------------------------------------------------------------------------------------------------


def _width(value: Any) -> int:
    """The column width a cell's text asks for, wide characters counting double."""
    text = export.text(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:100])


def _write(ws: Any, row: int, col: int, value: Any, kind: str, formats: dict[str, Any]) -> None:
    _refuse_float(value)
    if value is None:
        ws.write_blank(row, col, None)
    elif kind == "money":
        ws.write_number(row, col, float(_yuan(value)), formats["money"])
    elif kind == "rate":
        ws.write_number(row, col, float(_rate(value)), formats["rate"])
    elif isinstance(value, bool):
        ws.write_string(row, col, export.text(value))
    elif isinstance(value, int) and abs(value) < MAX_EXACT_INT:
        ws.write_number(row, col, value)
    elif isinstance(value, Decimal) and value.is_finite() and abs(value) < MAX_EXACT_INT:
        ws.write_number(row, col, float(value))
    elif isinstance(value, datetime):
        if not timezone.is_aware(value):
            raise ValueError(f"instants are aware datetimes, not {value!r}")
        ws.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, formats["date"])
    else:
        ws.write_string(row, col, str(value)[:MAX_TEXT])


def workbook(sheets: Sequence[Sheet], *, created: datetime = EPOCH) -> bytes:
    """The sheets as one XLSX file. `created` is the date the file says it was made (aware; give the report's
    own date so the same report gives the same bytes)."""
    import xlsxwriter  # a writer only downloads need

    if not sheets:
        raise ValueError("A workbook needs at least one sheet")
    if not timezone.is_aware(created):
        raise ValueError("created must be an aware datetime")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    book.set_properties({"created": created.astimezone(UTC)})
    formats = {
        "header": book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "rate": book.add_format({"num_format": "0.00%"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    for sheet, name in zip(sheets, sheet_names([s.name for s in sheets]), strict=True):
        ws = book.add_worksheet(name)
        widths = [_width(header) for header in sheet.headers]
        for col, header in enumerate(sheet.headers):
            ws.write_string(0, col, str(header)[:MAX_TEXT], formats["header"])
        for r, cells in enumerate(sheet.rows, start=1):
            for col, value in enumerate(cells):
                _write(ws, r, col, value, sheet.kind(col), formats)
                widths[col] = max(widths[col], _width(value) + (4 if sheet.kind(col) else 0))
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(max(width + 2, 8), 60))
        ws.freeze_panes(1, 0)
        if sheet.headers:
            ws.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.headers) - 1)
    book.close()
    return out.getvalue()


# -- CSV ----------------------------------------------------------------------------------------------------


def _shown(value: Any, kind: str) -> Any:
    """A cell as the pages show it: money in yuan with grouping, rates as percentages to two decimals."""
    _refuse_float(value)
    if value is None:
        return None
    if kind == "money":
        return format_money(_yuan(value), grouping=True)
    if kind == "rate":
        return f"{(_rate(value) * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"
    return value


def csv_bytes(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    money_columns: Sequence[int] = (),
    rate_columns: Sequence[int] = (),
) -> bytes:
    """The table as CSV, written as the list pages write theirs (`arrears.home.export.csv_bytes`)."""
    money, rates = frozenset(money_columns), frozenset(rate_columns)
    _check_shape(headers, rows, money, rates)

    def column(at: int, header: str) -> export.Column:
        kind = "money" if at in money else "rate" if at in rates else ""
        cell = itemgetter(at)
        return export.Column(key=str(at), header=header, cell=lambda row: _shown(cell(row), kind))

    return export.csv_bytes([column(at, header) for at, header in enumerate(headers)], list(rows))
