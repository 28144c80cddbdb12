"""Calendar files: the holidays and make-up working days of years the seed package does not know yet.

The State Council announces each year's holiday arrangement (國務院辦公廳關於部分節假日安排的通知) late in
the year before; until the `chinese-calendar` package ships it, an administrator writes it in a TOML file
and lists the file in `ARREARS_CALENDAR_FILES`. The format, one table per year (a complete year: every
holiday block, weekend days inside a block included, and every make-up working day; `makeup_workdays = []`
says there are none)::

    [2031]
    holidays = [
      { name = "New Year's Day", first = 2031-01-01 },                   # one day: `last` defaults to `first`
      { name = "Spring Festival", first = 2031-01-22, last = 2031-01-28 },
    ]
    makeup_workdays = [
      { name = "Spring Festival", date = 2031-01-19 },                   # a Saturday or Sunday worked
    ]
    # override = true   # only to correct a year the package already knows (see `Calendar.extended_with`)

Dates are TOML dates (or "YYYY-MM-DD" strings). The reader refuses, naming the file, the key and the value:
unknown keys, dates that are not dates or lie outside their year, a range whose `last` precedes `first`, a
date listed twice, a make-up day that is not a Saturday or Sunday, and a date that is both a holiday and a
make-up day. `data/calendar-example.toml` shows the format (with a fictitious year).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from arrears.workdays.errors import CalendarFileError

_YEAR_KEY = re.compile(r"[1-9][0-9]{3}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_KEYS = ("holidays", "makeup_workdays", "override")
_HOLIDAY_KEYS = ("name", "first", "last")
_MAKEUP_KEYS = ("name", "date")


@dataclass(frozen=True)
class CalendarData:
    """What a calendar file says, checked: plain data for `Calendar`."""

    holidays: dict[date, str]
    makeup_workdays: dict[date, str]
    years: frozenset[int]
    overrides: frozenset[int]


def read_calendar_file(path: Path | str) -> CalendarData:
    """Read and check one calendar file; any problem is a `CalendarFileError` naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise CalendarFileError(path, f"is not UTF-8 text ({exc.reason})") from exc
    return parse_calendar_toml(text, source=str(path))


def parse_calendar_toml(text: str, *, source: str) -> CalendarData:
    """Check the text of a calendar file; `source` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(source, f"is not valid TOML: {exc}") from exc
    if not document:
        raise CalendarFileError(source, "defines no year; write one table per year, e.g. [2031]")
    reader = _Reader(source)
    for key, table in document.items():
        reader.read_year(key, table)
    return CalendarData(
        holidays=dict(sorted(reader.holidays.items())),
        makeup_workdays=dict(sorted(reader.makeup.items())),
        years=frozenset(reader.years),
        overrides=frozenset(reader.overrides),
    )


def _show(value: Any) -> str:
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


class _Reader:
    """Accumulates the years of one file, remembering where each date was said so errors can point at it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.holidays: dict[date, str] = {}
        self.makeup: dict[date, str] = {}
        self.said_at: dict[date, str] = {}
        self.years: set[int] = set()
        self.overrides: set[int] = set()

    def fail(self, message: str) -> CalendarFileError:
        return CalendarFileError(self.source, message)

    def read_year(self, key: str, table: Any) -> None:
        if not _YEAR_KEY.fullmatch(key):
            raise self.fail(f"unknown key {key} = {_show(table)}: the top level holds one table per year, e.g. [2031]")
        if not isinstance(table, dict):
            raise self.fail(f"{key} = {_show(table)} must be a table: write [{key}] and its keys below it")
        year = int(key)
        self._no_unknown_keys(key, table, _YEAR_KEYS)
        for required in ("holidays", "makeup_workdays"):
            if required not in table:
                raise self.fail(f"{key}.{required} is missing (write {required} = [] if there are none)")
        override = table.get("override", False)
        if not isinstance(override, bool):
            raise self.fail(f"{key}.override = {_show(override)} must be true or false")
        holidays = self._entries(f"{key}.holidays", table["holidays"])
        if not holidays:
            raise self.fail(f"{key}.holidays is empty: a year always has statutory holidays")
        for i, entry in enumerate(holidays):
            where = f"{key}.holidays[{i}]"
            self._no_unknown_keys(where, entry, _HOLIDAY_KEYS)
            name = self._name(where, entry)
            first = self._date(f"{where}.first", entry.get("first"), year)
            last = self._date(f"{where}.last", entry.get("last", first), year)
            if last < first:
                raise self.fail(f"{where}.last = {_show(last)} is before {where}.first = {_show(first)}")
            for ordinal in range(first.toordinal(), last.toordinal() + 1):
                self._put(self.holidays, date.fromordinal(ordinal), name, where)
        for i, entry in enumerate(self._entries(f"{key}.makeup_workdays", table["makeup_workdays"])):
            where = f"{key}.makeup_workdays[{i}]"
            self._no_unknown_keys(where, entry, _MAKEUP_KEYS)
            name = self._name(where, entry)
            day = self._date(f"{where}.date", entry.get("date"), year)
            if day.weekday() < 5:
                raise self.fail(
                    f"{where}.date = {_show(day)} is a {day:%A}, already a working day: "
                    "a make-up working day is a Saturday or Sunday"
                )
            self._put(self.makeup, day, name, f"{where}.date")
        self.years.add(year)
        if override:
            self.overrides.add(year)

    def _put(self, into: dict[date, str], day: date, name: str, where: str) -> None:
        if day in self.said_at:
            kind = "a holiday" if day in self.holidays else "a make-up working day"
            raise self.fail(
                f"{where}: {_show(day)} is already {kind} at {self.said_at[day]} "
                "(a date is either a holiday or a make-up working day, listed once)"
            )
        into[day] = name
        self.said_at[day] = where

    def _entries(self, where: str, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise self.fail(f"{where} = {_show(value)} must be a list of inline tables, e.g. [{{ ... }}]")
        return value

    def _no_unknown_keys(self, where: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key, value in table.items():
            if key not in allowed:
                raise self.fail(f"unknown key {where}.{key} = {_show(value)} (allowed: {', '.join(allowed)})")

    def _name(self, where: str, entry: dict[str, Any]) -> str:
        name = entry.get("name")
        if name is None:
            raise self.fail(f'{where}.name is missing (the holiday\'s name, e.g. "元旦")')
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f'{where}.name = {_show(name)} must be the holiday\'s name, e.g. "元旦"')
        return name.strip()

    def _date(self, where: str, value: Any, year: int) -> date:
        if value is None:
            raise self.fail(f"{where} is missing (a date, e.g. {year}-01-01)")
        if isinstance(value, datetime):
            raise self.fail(f"{where} = {_show(value)} is a date-time; write a date, e.g. {year}-01-01")
        if isinstance(value, str):
            try:
                if not _ISO_DATE.fullmatch(value):
                    raise ValueError(value)
                value = date.fromisoformat(value)
            except ValueError:
                raise self.fail(f"{where} = {_show(value)} is not a date (write YYYY-MM-DD)") from None
        if not isinstance(value, date):
            raise self.fail(f"{where} = {_show(value)} is not a date (write YYYY-MM-DD)")
        if value.year != year:
            raise self.fail(f"{where} = {_show(value)} is not in {year}, the year of its table")
        return value
