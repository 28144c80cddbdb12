"""The errors of the working-day calendar.

Two kinds: a question about a year nobody has told us about (`UnknownYearError`, a `LookupError`: the
answer is missing, not wrong), and calendar data that cannot be trusted (`CalendarError` and its
subclasses, `ValueError`s: the data is wrong and must be fixed before anything is computed from it).
Every message says what was wrong and what to do about it.
"""

from __future__ import annotations

from pathlib import Path

CALENDAR_FILES_ENV = "ARREARS_CALENDAR_FILES"
EXAMPLE_FILE = "src/arrears/workdays/data/calendar-example.toml"


class UnknownYearError(LookupError):
    """A date falls in a year the calendar has no holiday data for; we refuse to guess."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"no working-day calendar for {year}: add its holidays and make-up working days in a calendar "
            f"file (format: {EXAMPLE_FILE}) and list that file in {CALENDAR_FILES_ENV}, or, in the web "
            f"application, add the year under Administration → calendar years"
        )


class CalendarError(ValueError):
    """Calendar data is inconsistent (for example a date that is both a holiday and a make-up working day)."""


class CalendarConflictError(CalendarError):
    """An extension defines a year the base calendar already knows, with different dates, without `override`."""


class CalendarFileError(CalendarError):
    """A calendar file is missing, is not TOML, or breaks the format; the message names file, key and value."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        super().__init__(f"calendar file {self.path}: {message}")
