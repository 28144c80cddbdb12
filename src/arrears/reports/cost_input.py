"""What an administrator types or uploads for a collection cost (Clause: KPI-2), read strictly, every refusal in
words saying what to write.

* **Month** `YYYY-MM` (`agencies.commissions.Month`), not after the business date's month: a cost is entered for
  a month under way or past, never ahead of it.
* **Team** a team's name exactly as the user administration lists it; empty is the whole department.
* **Kind** `staff`, `telephony` or `other` (`CostKind`).
* **Amount** yuan with the digits 0–9 and at most two decimals (`80000`, `80000.5`, `80000.05`), 0 or more (0
  takes a figure back), at most `finance.MAX_AMOUNT`; no sign, separator, exponent or other digits.
* **Note** at most 500 characters.

A file (`read_cost_file`) is CSV in UTF-8 (a BOM is fine) or GB18030 (what Excel writes on a Chinese Windows), a
header line naming the columns `month,team,kind,amount` and optionally `note`, in any order, then one cost a line;
blank lines are skipped. `check_rows` reads every line and reports every one that is wrong with its line number,
and a month, team and kind given twice; the import stores nothing unless no line is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from arrears.agencies.commissions import BadMonth, Month
from arrears.finance.money import MAX_AMOUNT, format_money, to_fen
from arrears.reports.models import CostKind

__all__ = [
    "MAX_FEN",
    "MAX_FILE_BYTES",
    "MAX_NOTE",
    "MAX_ROWS",
    "CostConflict",
    "CostError",
    "CostFileRefused",
    "CostLine",
    "Problem",
    "check_cost",
    "check_rows",
    "kind_of",
    "month_of",
    "note_of",
    "read_cost_file",
    "yuan_to_fen",
]

MAX_FEN = to_fen(MAX_AMOUNT)
MAX_NOTE = 500  # CostEntry.note
MAX_FILE_BYTES = 1024 * 1024  # a year of every team's costs is a few kilobytes
MAX_ROWS = 10_000
COLUMNS = ("month", "team", "kind", "amount", "note")
REQUIRED = ("month", "team", "kind", "amount")
YUAN = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


class CostError(ValueError):
    """A cost refused; the message says what was wrong and what to write. `status` is the API's answer."""

    status = 422


class CostConflict(CostError):
    """Someone entered the same month, team and kind at the same moment: nothing was stored, look again."""

    status = 409


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


class CostFileRefused(CostError):
    """A file of costs with at least one bad line (or unreadable as a whole): nothing was stored. `problems` lists
    each bad line with its number and what is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        where = _("line %(line)s: ") % {"line": first.line} if first.line else ""
        super().__init__(
            _("The file is refused and nothing was stored: %(count)s problem(s), the first %(where)s%(message)s")
            % {"count": len(problems), "where": where, "message": first.message}
        )


@dataclass(frozen=True)
class CostLine:
    """One cost as read: its month, team (None: the whole department), kind, amount in fen, note; `line` is its
    line in a file (None when typed in a form or sent to the API)."""

    month: Month
    team: Any  # accounts.Team | None
    kind: str
    amount_fen: int
    note: str = ""
    line: int | None = None

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (str(self.month), None if self.team is None else self.team.pk, self.kind)


# -- one field at a time -------------------------------------------------------------------------------------


def month_of(text: Any, latest: Month) -> Month:
    """`2027-01` → Month(2027, 1), refused when not YYYY-MM or after `latest` (the business date's month)."""
    try:
        month = Month.parse(str(text).strip()) if isinstance(text, str) else None
    except BadMonth as exc:
        raise CostError(str(exc)) from None
    if month is None:
        raise CostError(_("Write the month as YYYY-MM with a month from 01 to 12, e.g. 2026-03."))
    return check_month(month, latest)


def check_month(month: Month, latest: Month) -> Month:
    if month > latest:
        raise CostError(
            _("%(month)s is after the business date's month (%(latest)s): enter a cost for a month under way or past.")
            % {"month": month, "latest": latest}
        )
    return month


def kind_of(text: Any) -> str:
    kind = str(text or "").strip().lower()
    if kind not in CostKind.values:
        shown = str(text or "").replace("\x00", "")[:40]
        raise CostError(
            _(
                "“%(given)s” is not a kind of cost: write staff (%(staff)s), telephony (%(telephony)s) or other (%(other)s)."
            )
            % {
                "given": shown,
                "staff": CostKind.STAFF.label,
                "telephony": CostKind.TELEPHONY.label,
                "other": CostKind.OTHER.label,
            }
        )
    return kind


def yuan_to_fen(text: Any) -> int:
    """An amount written in yuan as integer fen: `80000.05` → 8000005. Refused, saying what to write: anything
    but the digits 0–9 and one decimal point, a sign, more than two decimals, more than `MAX_AMOUNT`."""
    if not isinstance(text, str) or not text.strip():
        raise CostError(_("Enter the amount in yuan, e.g. 80000.00."))
    value = text.strip()
    if not value.isascii():
        raise CostError(_("Write the amount with the digits 0–9 only (not full-width or other digits), e.g. 80000.00."))
    if value.startswith("-"):
        raise CostError(_("The amount cannot be negative: enter 0 or more (0 takes a figure back)."))
    found = YUAN.fullmatch(value)
    if found is None:
        raise CostError(
            _(
                "Write the amount in yuan with the digits 0–9 and at most one decimal point, no separators, e.g. 80000.00."
            )
        )
    whole, decimals = found[1].lstrip("0") or "0", found[2] or ""
    if len(decimals) > 2:
        raise CostError(_("The amount has more than two decimals: write it to the fen, e.g. 80000.05."))
    if len(whole) > len(str(MAX_FEN // 100)) or int(whole) * 100 + int(decimals.ljust(2, "0")) > MAX_FEN:
        raise CostError(
            _("The amount is beyond the largest amount handled (%(max)s yuan): check the figure.")
            % {"max": format_money(MAX_AMOUNT, grouping=True)}
        )
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


def note_of(text: Any) -> str:
    note = str(text or "").strip()
    if "\x00" in note:
        raise CostError(_("The note contains a NUL character; remove it."))
    if len(note) > MAX_NOTE:
        raise CostError(_("The note is longer than %(limit)s characters; shorten it.") % {"limit": MAX_NOTE})
    return note


def check_cost(line: CostLine, latest: Month) -> CostLine:
    """A cost given as values (a form's, the API's): the same rules as a file's line."""
    if not isinstance(line.month, Month):
        raise CostError(_("Write the month as YYYY-MM with a month from 01 to 12, e.g. 2026-03."))
    check_month(line.month, latest)
    kind_of(line.kind)
    amount = line.amount_fen
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount_fen must be an int number of fen, got {type(amount).__name__}")
    if amount < 0:
        raise CostError(_("The amount cannot be negative: enter 0 or more (0 takes a figure back)."))
    if amount > MAX_FEN:
        raise CostError(
            _("The amount is beyond the largest amount handled (%(max)s yuan): check the figure.")
            % {"max": format_money(MAX_AMOUNT, grouping=True)}
        )
    return CostLine(line.month, line.team, line.kind.strip().lower(), amount, note_of(line.note), line.line)


# -- a file --------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CostFileRefused([Problem(None, _("The file is not text in UTF-8 or GB18030: save it as CSV (UTF-8)."))])


def read_cost_file(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) of each line of a cost file that is not blank; the file refused as a whole
    when it is too large, not text, not CSV, or its header lacks a column or names an unknown one."""
    if isinstance(data, bytes) and len(data) > MAX_FILE_BYTES:
        raise CostFileRefused(
            [Problem(None, _("The file is larger than %(mb)s MB: split it.") % {"mb": MAX_FILE_BYTES // 1024 // 1024})]
        )
    text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            if header is None:
                header = [field.strip().lower() for field in fields]
                _check_header(header, reader.line_num)
                continue
            if len(rows) >= MAX_ROWS:
                raise CostFileRefused(
                    [Problem(None, _("The file has more than %(rows)s lines of costs: split it.") % {"rows": MAX_ROWS})]
                )
            row = {name: (fields[i] if i < len(fields) else "") for i, name in enumerate(header)}
            if len(fields) > len(header):
                row[""] = ",".join(fields[len(header) :])
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise CostFileRefused(
            [Problem(reader.line_num, _("the line is not CSV (%(error)s).") % {"error": str(exc)})]
        ) from None
    if header is None or not rows:
        raise CostFileRefused(
            [
                Problem(
                    None, _("The file has no costs: a header line month,team,kind,amount,note, then one cost a line.")
                )
            ]
        )
    return rows


def _check_header(header: list[str], line: int) -> None:
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or repeated:
        said = []
        if missing:
            said.append(_("missing %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            said.append(_("unknown %(names)s") % {"names": ", ".join(n.replace("\x00", "")[:40] for n in unknown)})
        if repeated:
            said.append(_("repeated %(names)s") % {"names": ", ".join(repeated)})
        raise CostFileRefused(
            [
                Problem(
                    line,
                    _("the header must name the columns month, team, kind, amount and optionally note (%(what)s).")
                    % {"what": "; ".join(said)},
                )
            ]
        )


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]], teams: Mapping[str, Any], latest: Month
) -> tuple[list[CostLine], list[Problem]]:
    """Every line read, every problem found (a line may have several: each is reported), and a month, team and
    kind given on an earlier line refused on the later one. `teams` maps each team's name to the team."""
    lines: list[CostLine] = []
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    for number, row in rows:
        found: list[str] = []
        if row.get(""):
            found.append(_("the line has more fields than the header names."))
        if any("\x00" in (value or "") for value in row.values()):
            found.append(_("the line contains a NUL character; remove it."))
        month = team = kind = amount = note = None
        for read in ("month", "team", "kind", "amount", "note"):
            value = (row.get(read) or "").replace("\x00", "")
            try:
                if read == "month":
                    month = month_of(value, latest)
                elif read == "team":
                    team = _team(value, teams)
                elif read == "kind":
                    kind = kind_of(value)
                elif read == "amount":
                    amount = yuan_to_fen(value)
                else:
                    note = note_of(value)
            except CostError as exc:
                found.append(str(exc))
        if not found:
            line = CostLine(month, team, kind, amount, note, number)
            if line.key in seen:
                found.append(
                    _("line %(line)s gave this month, team and kind already: one figure per month, team and kind.")
                    % {"line": seen[line.key]}
                )
            else:
                seen[line.key] = number
                lines.append(line)
        problems += [Problem(number, message) for message in found]
    return lines, problems


def _team(name: str, teams: Mapping[str, Any]) -> Any:
    name = name.strip()
    if not name:
        return None
    team = teams.get(name)
    if team is None:
        raise CostError(
            _("No team is named “%(name)s”: write a team's name as the user administration lists it, or leave it "
              "empty for the whole department.") % {"name": name[:100]}
        )  # fmt: skip
    return team
