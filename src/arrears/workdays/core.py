"""The working-day calendar: which dates are working days in mainland China, and counting in working days.

A working day is a Monday to Friday that is not a statutory holiday, or a Saturday or Sunday that is a
designated make-up working day (調休補班). A `Calendar` is built from plain data — holiday dates with names,
make-up working days with names, and the years that data covers completely — so the same code serves the
`chinese-calendar` package seed (`Calendar.from_package`), calendar files (`Calendar.from_toml`) and, later,
the calendar table staff edit. A date in a year the calendar does not cover raises `UnknownYearError`:
never a guess from weekdays alone, because a missed Spring Festival would move every deadline.

On construction the calendar lists the ordinal of every working day of its known years, in order (about
250 a year). `is_working_day` is a set lookup; `add_working_days` and `working_days_between` are two
binary searches in that list, however long the span, plus a check that every year crossed is known.

Counting is "exclusive of the start, inclusive of the end, in the direction of travel":
- `add_working_days(d, n)` for n > 0 is the n-th working day after d, not counting d itself. "Within 3
  working days after sending" (LTR-3) and "investigation completes within 3 working days" (CMP-3) have
  their deadline at `add_working_days(start, 3)`, inclusive. For n < 0 it is the |n|-th working day
  before d; `add_working_days(d, 0)` is d unchanged, working day or not (use `next_working_day` to roll).
- `working_days_between(a, b)` for b ≥ a counts the working days in (a, b]; for b < a it is minus the
  count in [b, a). So `working_days_between(d, add_working_days(d, n)) == n` for every d and n. It is not
  antisymmetric when an end is a non-working day: between(a, b) + between(b, a) = [b works] - [a works].
- `next_working_day(d)` is d if d is a working day, else the first working day after it (due-date roll).

Combining: `base.extended_with(other)` adds other's years. A year both know must have the same dates in
both (a file kept after the package learned its year is harmless) unless other marks it as an override,
in which case other's data replaces the whole year; any other overlap is a `CalendarConflictError`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

from arrears.workdays.errors import CalendarConflictError, CalendarError, UnknownYearError
from arrears.workdays.files import read_calendar_file

_SATURDAY = 5


def describe_years(years: Iterable[int]) -> str:
    """'2004–2026, 2031': the years as runs, for messages."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs) or "none"


def _ordinal(day: date) -> int:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError(f"expected a date, got {type(day).__name__} {day!r}")
    return day.toordinal()


class Calendar:
    """Working days of a set of completely known years; immutable once built."""

    __slots__ = ("_holidays", "_makeup", "_overrides", "_source", "_working", "_working_set", "_years")

    def __init__(
        self,
        holidays: Mapping[date, str],
        makeup_workdays: Mapping[date, str],
        known_years: Iterable[int],
        *,
        source: str = "calendar data",
        overrides: Iterable[int] = (),
    ) -> None:
        """`known_years` are the years the data covers completely; `overrides` are the years this data is
        meant to replace when it extends a calendar that already knows them (see `extended_with`)."""
        self._source = source
        self._years = frozenset(int(year) for year in known_years)
        self._overrides = frozenset(int(year) for year in overrides)
        self._holidays = MappingProxyType(dict(sorted(holidays.items())))
        self._makeup = MappingProxyType(dict(sorted(makeup_workdays.items())))
        self._check_data()
        holiday_ordinals = {day.toordinal() for day in self._holidays}
        makeup_ordinals = {day.toordinal() for day in self._makeup}
        working: list[int] = []
        for year in sorted(self._years):
            for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
                # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday, Monday = 0.
                weekday = (ordinal - 1) % 7
                if ordinal in makeup_ordinals or (weekday < _SATURDAY and ordinal not in holiday_ordinals):
                    working.append(ordinal)
        self._working = working
        self._working_set = frozenset(working)

    def _check_data(self) -> None:
        for kind, days in (("holiday", self._holidays), ("make-up working day", self._makeup)):
            for day, name in days.items():
                _ordinal(day)
                if day.year not in self._years:
                    raise CalendarError(
                        f"{self._source}: {kind} {day} ({name}) is in {day.year}, which is not among its "
                        f"known years ({describe_years(self._years)})"
                    )
                if not isinstance(name, str) or not name.strip():
                    raise CalendarError(f"{self._source}: {kind} {day} has no name")
        both = sorted(self._holidays.keys() & self._makeup.keys())
        if both:
            raise CalendarError(f"{self._source}: {both[0]} is both a holiday and a make-up working day")
        for day, name in self._makeup.items():
            if day.weekday() < _SATURDAY:
                raise CalendarError(
                    f"{self._source}: make-up working day {day} ({name}) is a {day:%A}, already a working day"
                )
        if not self._overrides <= self._years:
            stray = describe_years(self._overrides - self._years)
            raise CalendarError(f"{self._source}: overrides {stray}, which it does not define")

    # -- constructors -------------------------------------------------------------------------------------

    @classmethod
    def from_package(cls) -> Calendar:
        """The seed: every year the installed `chinese-calendar` package knows (a contiguous range)."""
        import chinese_calendar
        from chinese_calendar import constants

        years = {day.year for day in constants.holidays}
        version = getattr(chinese_calendar, "__version__", "?")
        return cls(
            constants.holidays,
            constants.workdays,
            range(min(years), max(years) + 1),
            source=f"chinese-calendar {version}",
        )

    @classmethod
    def from_toml(cls, path: Path | str) -> Calendar:
        """The years of one calendar file (format: `arrears.workdays.files`); refuses a malformed file."""
        data = read_calendar_file(path)
        return cls(data.holidays, data.makeup_workdays, data.years, source=str(path), overrides=data.overrides)

    def extended_with(self, other: Calendar) -> Calendar:
        """This calendar plus other's years. A year both know must agree on its dates, unless other
        overrides it (then other's data replaces that year whole); otherwise `CalendarConflictError`."""
        overlap = self._years & other._years
        for year in sorted(overlap - other._overrides):
            mine, theirs = self._dates_of(year), other._dates_of(year)
            if mine != theirs:
                raise CalendarConflictError(
                    f"{other._source} redefines {year}, which {self._source} already knows, with different "
                    f"dates ({_difference(mine, theirs)}); remove {year} from it, or set override = true "
                    f"in its [{year}] table to correct the known year deliberately"
                )
        from_other = (other._years - overlap) | (overlap & other._overrides)
        holidays = {day: name for day, name in self._holidays.items() if day.year not in from_other}
        holidays.update((day, name) for day, name in other._holidays.items() if day.year in from_other)
        makeup = {day: name for day, name in self._makeup.items() if day.year not in from_other}
        makeup.update((day, name) for day, name in other._makeup.items() if day.year in from_other)
        return Calendar(
            holidays,
            makeup,
            self._years | other._years,
            source=f"{self._source} + {other._source}",
            overrides=self._overrides | other._overrides,
        )

    def _dates_of(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        return (
            frozenset(day for day in self._holidays if day.year == year),
            frozenset(day for day in self._makeup if day.year == year),
        )

    # -- the data -----------------------------------------------------------------------------------------

    @property
    def known_years(self) -> frozenset[int]:
        return self._years

    @property
    def holidays(self) -> Mapping[date, str]:
        """Statutory holiday dates (weekend days inside a holiday block included) with their names."""
        return self._holidays

    @property
    def makeup_workdays(self) -> Mapping[date, str]:
        """Saturdays and Sundays worked to make up for a holiday, with the holiday's name."""
        return self._makeup

    @property
    def overrides(self) -> frozenset[int]:
        return self._overrides

    @property
    def source(self) -> str:
        return self._source

    def __repr__(self) -> str:
        return f"<Calendar {self._source}: {describe_years(self._years)}>"

    # -- questions ----------------------------------------------------------------------------------------

    def _known(self, day: date) -> int:
        ordinal = _ordinal(day)
        if day.year not in self._years:
            raise UnknownYearError(day.year)
        return ordinal

    def _check_span(self, from_year: int, to_year: int) -> None:
        """Every year crossed must be known: the working-day list has no entries for a missing year."""
        step = 1 if to_year >= from_year else -1
        for year in range(from_year, to_year + step, step):
            if year not in self._years:
                raise UnknownYearError(year)

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri that is not a holiday, or a make-up working Saturday/Sunday."""
        return self._known(day) in self._working_set

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n > 0, `day` not counted), the |n|-th before it (n < 0), or
        `day` itself (n = 0)."""
        ordinal = self._known(day)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"expected a whole number of working days, got {n!r}")
        if n == 0:
            return day
        # Forward: skip the working days up to and including `day`; backward: those from `day` on.
        forward = n > 0
        index = bisect_right(self._working, ordinal) + n - 1 if forward else bisect_left(self._working, ordinal) + n
        if not 0 <= index < len(self._working):
            step = 1 if forward else -1
            year = day.year
            while year in self._years:
                year += step
            raise UnknownYearError(year)
        result = date.fromordinal(self._working[index])
        self._check_span(day.year, result.year)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end] when end ≥ start; minus those in [end, start) when end < start."""
        start_ordinal, end_ordinal = self._known(start), self._known(end)
        self._check_span(start.year, end.year)
        if end_ordinal >= start_ordinal:
            return bisect_right(self._working, end_ordinal) - bisect_right(self._working, start_ordinal)
        return bisect_left(self._working, end_ordinal) - bisect_left(self._working, start_ordinal)


def _difference(mine: tuple[frozenset[date], frozenset[date]], theirs: tuple[frozenset[date], frozenset[date]]) -> str:
    parts = []
    for label, a, b in (("holidays", mine[0], theirs[0]), ("make-up working days", mine[1], theirs[1])):
        for where, days in (("only in the known year", a - b), ("only in the extension", b - a)):
            if days:
                shown = ", ".join(str(day) for day in sorted(days)[:4]) + (", …" if len(days) > 4 else "")
                parts.append(f"{label} {where}: {shown}")
    return "; ".join(parts)
