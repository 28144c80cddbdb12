"""CSV export of a list page: the rows the page would list (every page of them, in its order), with the cells as
the page shows them, as one audited read (Clause: PRV-1, AUTH-4).

A list view offers it through `?format=csv` with the page's own filters. The per-app `exports` modules name
each list's columns — a translated header and a function of a row giving the cell as the page shows it (names
and numbers masked through `compliance.masking`, money in yuan, dates ISO, labels rather than codes) — and
call `export_csv`, which

- checks the page's permission (a refusal raises `ActionDenied` before anything is read or written),
- reads the rows and writes one audit event (`home.export_list`: the list, its filters, the row count and the
  columns) in the same transaction,
- answers UTF-8 with a byte-order mark (so a spreadsheet reads the Chinese right), a header row, a file name
  with the business date (`cases-2026-03-20.csv`), never cached.

A cell that a spreadsheet would take for a formula (starting with =, +, -, @, a tab or a carriage return, and
not a number) gets a leading apostrophe: a borrower's or a collector's text must not run in the reader's Excel.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.finance import format_money, from_fen
from arrears.portfolio.queries import business_date

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?%?")


@dataclass(frozen=True)
class Column:
    """One column of an export: a stable key (recorded in the audit event), the header as the page words it,
    and the cell of a row."""

    key: str
    header: Any  # a lazy translation, read in the request's language
    cell: Callable[[Any], Any]


def wanted(request: HttpRequest) -> bool:
    """The request asks for the list as CSV (`?format=csv`); any other value is the page."""
    return request.GET.get("format") == "csv"


def yuan(fen: int | None) -> str:
    """Integer fen as the pages show yuan: 4,053.02 (the header says the unit)."""
    return "" if fen is None else format_money(from_fen(int(fen)), grouping=True)


def text(value: Any) -> str:
    """A cell's value as text: dates ISO, instants in local time to the minute as the pages show them, yes/no
    in words, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def defused(cell: str) -> str:
    """A cell a spreadsheet would evaluate as a formula, quoted with a leading apostrophe; numbers (-12.50,
    +4.35%) stay numbers."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_bytes(columns: list[Column], rows: list) -> bytes:
    """The header row and one line per row, UTF-8 with a byte-order mark, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([defused(str(column.header)) for column in columns])
    for row in rows:
        writer.writerow([defused(text(column.cell(row))) for column in columns])
    return out.getvalue().encode("utf-8-sig")


def export_csv(
    request: HttpRequest,
    list_name: str,
    permission: Perm,
    columns: list[Column],
    rows: Iterable | Callable[[], Iterable],
    filters: Mapping[str, Any],
) -> HttpResponse:
    """The list as a CSV attachment, recorded as one audited read (Clause: PRV-1, AUTH-4). `rows` is read inside
    the event's transaction (pass a queryset, or a function returning the rows); `filters` are what narrowed the
    list, as the page read them (recorded, empty ones left out)."""
    with audited(
        request.user, ActionCode.EXPORT_LIST, permission=permission, subject=("list", list_name), clause="PRV-1"
    ) as record:
        listed = list(rows() if callable(rows) else rows)
        content = csv_bytes(columns, listed)
        record.change("filters", None, {k: text(v) for k, v in filters.items() if v not in (None, "")})
        record.change("rows", None, len(listed))
        record.change("columns", None, [column.key for column in columns])
        on = business_date() or timezone.localdate()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{list_name}-{on:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "private, no-store"  # masked, but still a copy of the book: never kept
    return response
