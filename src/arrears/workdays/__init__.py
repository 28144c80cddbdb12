"""Mainland-China working days, with make-up working weekends (調休). Pure Python: never imports Django.

How it works: a `Calendar` (in `core`) holds the holidays and make-up working days of the years it knows
completely and answers `is_working_day`, `next_working_day`, `add_working_days` and
`working_days_between` (definitions in `core`'s docstring; in short, counting excludes the start day and
includes the end day). Asking about a date in any other year raises `UnknownYearError`, whose message says
how to add the year.

The default calendar is the `chinese-calendar` package's data, extended with the calendar files listed,
comma-separated, in the environment variable `ARREARS_CALENDAR_FILES` (format in `files`, example in
`data/calendar-example.toml`). It is built on first use and cached; the environment is read only then,
never inside date logic. `reset_default_calendar()` forgets it (tests, or after the files changed). The
module-level functions below ask the default calendar; code that is handed a calendar (a run that loaded
the calendar table, a test) calls the same methods on it.

Used by LTR-3 (delivery-confirmation call within 3 working days after sending) and CMP-3 (complaint
investigation within 3 working days): the deadline is `add_working_days(start, 3)`, inclusive.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from datetime import date

from arrears.workdays.core import Calendar, describe_years
from arrears.workdays.errors import (
    CALENDAR_FILES_ENV,
    CalendarConflictError,
    CalendarError,
    CalendarFileError,
    UnknownYearError,
)

__all__ = [
    "CALENDAR_FILES_ENV",
    "Calendar",
    "CalendarConflictError",
    "CalendarError",
    "CalendarFileError",
    "UnknownYearError",
    "add_working_days",
    "calendar_files",
    "calendar_from_environment",
    "default_calendar",
    "describe_years",
    "is_working_day",
    "next_working_day",
    "reset_default_calendar",
    "working_days_between",
]


def calendar_files(value: str) -> list[str]:
    """The paths in an `ARREARS_CALENDAR_FILES` value: comma-separated, blanks ignored."""
    return [part.strip() for part in value.split(",") if part.strip()]


def calendar_from_environment(environ: Mapping[str, str]) -> Calendar:
    """The package seed extended with each file listed in `environ[ARREARS_CALENDAR_FILES]`, in order."""
    calendar = Calendar.from_package()
    for path in calendar_files(environ.get(CALENDAR_FILES_ENV, "")):
        calendar = calendar.extended_with(Calendar.from_toml(path))
    return calendar


@functools.cache
def default_calendar() -> Calendar:
    """The calendar for this process, built once from the package and `ARREARS_CALENDAR_FILES`."""
    return calendar_from_environment(os.environ)


def reset_default_calendar() -> None:
    """Forget the default calendar; the next use rebuilds it (and rereads the environment)."""
    default_calendar.cache_clear()


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day in the default calendar."""
    return default_calendar().is_working_day(day)


def next_working_day(day: date) -> date:
    """`day` if it is a working day, else the first working day after it (default calendar)."""
    return default_calendar().next_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (before it for n < 0; `day` itself for 0), default calendar."""
    return default_calendar().add_working_days(day, n)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; minus those in [end, start) when end < start (default calendar)."""
    return default_calendar().working_days_between(start, end)
