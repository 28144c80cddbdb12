"""Calendar files: years the package does not know yet, the default calendar's environment variable,
refusing malformed files, and what happens when a file redefines a year the package already knows.

2031 here is a test-only year with fictitious dates; no real future holidays are invented.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import arrears.workdays as workdays
from arrears.workdays import (
    CALENDAR_FILES_ENV,
    Calendar,
    CalendarConflictError,
    CalendarError,
    CalendarFileError,
    UnknownYearError,
)
from arrears.workdays.errors import EXAMPLE_FILE

FICTITIOUS_2031 = """
[2031]
holidays = [
  { name = "元旦", first = 2031-01-01 },
  { name = "春节", first = 2031-01-22, last = 2031-01-28 },
]
makeup_workdays = [
  { name = "春节", date = 2031-01-19 },    # a Sunday
  { name = "春节", date = "2031-02-08" },  # a Saturday, written as a string
]
"""

FICTITIOUS_2032 = """
[2032]
holidays = [{ name = "元旦", first = 2032-01-01 }]
makeup_workdays = []
"""


def _write(tmp_path: Path, text: str, name: str = "calendar.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fresh_default(monkeypatch):
    """No calendar files from the outer environment, and no default calendar cached across tests."""
    monkeypatch.delenv(CALENDAR_FILES_ENV, raising=False)
    workdays.reset_default_calendar()
    yield
    workdays.reset_default_calendar()


def test_an_extension_file_adds_a_year_the_package_does_not_know(tmp_path):
    """A file for 2031 makes 2031 answerable: its holidays are off, its make-up Sunday works, counting
    runs across them; the package's years are unchanged."""
    base = Calendar.from_package()
    with pytest.raises(UnknownYearError):
        base.is_working_day(date(2031, 1, 19))
    calendar = base.extended_with(Calendar.from_toml(_write(tmp_path, FICTITIOUS_2031)))
    assert calendar.known_years == base.known_years | {2031}
    assert calendar.is_working_day(date(2031, 1, 19)) is True  # make-up Sunday
    assert calendar.is_working_day(date(2031, 2, 8)) is True  # make-up Saturday
    assert calendar.is_working_day(date(2031, 1, 22)) is False  # Spring Festival, a Wednesday
    assert calendar.is_working_day(date(2031, 1, 1)) is False
    assert calendar.add_working_days(date(2031, 1, 17), 1) == date(2031, 1, 19)
    assert calendar.add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 29)
    assert calendar.working_days_between(date(2031, 1, 16), date(2031, 1, 29)) == 5  # 17, 19, 20, 21, 29
    assert calendar.next_working_day(date(2031, 1, 25)) == date(2031, 1, 29)
    assert calendar.holidays[date(2031, 1, 25)] == "春节"
    assert calendar.is_working_day(date(2026, 10, 10)) is True
    with pytest.raises(UnknownYearError, match="2030"):
        calendar.is_working_day(date(2030, 12, 31))


def test_the_default_calendar_loads_the_files_listed_in_the_environment(tmp_path, monkeypatch, fresh_default):
    """ARREARS_CALENDAR_FILES lists calendar files, comma-separated (blanks ignored); the module-level
    functions then answer for their years."""
    first = _write(tmp_path, FICTITIOUS_2031, "2031.toml")
    second = _write(tmp_path, FICTITIOUS_2032, "2032.toml")
    monkeypatch.setenv(CALENDAR_FILES_ENV, f" {first} , ,{second},")
    assert {2026, 2031, 2032} <= workdays.default_calendar().known_years
    assert workdays.is_working_day(date(2031, 1, 19)) is True
    assert workdays.add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 29)
    assert workdays.working_days_between(date(2031, 1, 16), date(2031, 1, 29)) == 5
    assert workdays.next_working_day(date(2032, 1, 1)) == date(2032, 1, 2)


def test_the_environment_is_read_only_when_the_default_calendar_is_built(tmp_path, monkeypatch, fresh_default):
    """The default calendar is built once and cached: a later change of the variable has no effect until
    reset_default_calendar()."""
    assert 2031 not in workdays.default_calendar().known_years
    monkeypatch.setenv(CALENDAR_FILES_ENV, str(_write(tmp_path, FICTITIOUS_2031)))
    with pytest.raises(UnknownYearError):
        workdays.is_working_day(date(2031, 1, 19))
    workdays.reset_default_calendar()
    assert workdays.is_working_day(date(2031, 1, 19)) is True


def test_a_missing_file_in_the_environment_is_an_error_naming_it(tmp_path, monkeypatch, fresh_default):
    """A listed file that does not exist is refused loudly, not skipped."""
    missing = tmp_path / "nowhere.toml"
    monkeypatch.setenv(CALENDAR_FILES_ENV, str(missing))
    with pytest.raises(CalendarFileError, match=f"calendar file {missing}: cannot be read"):
        workdays.default_calendar()


def _year_2031(holidays: str, makeup: str = "[]", extra: str = "") -> str:
    return f"[2031]\nholidays = {holidays}\nmakeup_workdays = {makeup}\n{extra}"


_NEW_YEAR = '[{ name = "元旦", first = 2031-01-01 }]'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            _year_2031('[{ name = "元旦", first = "2031-13-01" }]'),
            ['2031.holidays[0].first = "2031-13-01" is not a date'],
            id="bad date",
        ),
        pytest.param(
            _year_2031('[{ name = "元旦", first = 2031-02-30 }]'),
            ["is not valid TOML", "line 2"],
            id="impossible TOML date",
        ),
        pytest.param(
            _year_2031('[{ name = "元旦", first = 2030-12-31, last = 2031-01-01 }]'),
            ["2031.holidays[0].first = 2030-12-31 is not in 2031"],
            id="holiday outside its year",
        ),
        pytest.param(
            _year_2031(
                '[{ name = "元旦", first = 2031-01-01 }, { name = "春节", first = 2031-01-22, last = 2031-01-28 }]',
                '[{ name = "春节", date = 2031-01-25 }]',
            ),
            ["2031.makeup_workdays[0].date: 2031-01-25 is already a holiday at 2031.holidays[1]"],
            id="both holiday and make-up day",
        ),
        pytest.param(
            _year_2031(
                '[{ name = "元旦", first = 2031-01-01, last = 2031-01-03 }, { name = "x", first = 2031-01-03 }]'
            ),
            ["2031.holidays[1]: 2031-01-03 is already a holiday at 2031.holidays[0]"],
            id="overlapping holidays",
        ),
        pytest.param(
            "version = 1\n" + _year_2031(_NEW_YEAR),
            ["unknown key version = 1"],
            id="unknown top-level key",
        ),
        pytest.param(
            _year_2031(_NEW_YEAR, extra='source = "gov.cn"\n'),
            ['unknown key 2031.source = "gov.cn" (allowed: holidays, makeup_workdays, override)'],
            id="unknown year key",
        ),
        pytest.param(
            _year_2031('[{ name = "元旦", first = 2031-01-01, end = 2031-01-02 }]'),
            ["unknown key 2031.holidays[0].end = 2031-01-02 (allowed: name, first, last)"],
            id="unknown entry key",
        ),
        pytest.param(
            _year_2031(_NEW_YEAR, '[{ name = "春节", date = 2031-01-20 }]'),
            ["2031.makeup_workdays[0].date = 2031-01-20 is a Monday, already a working day"],
            id="make-up day on a weekday",
        ),
        pytest.param(
            _year_2031('[{ name = "春节", first = 2031-01-28, last = 2031-01-22 }]'),
            ["2031.holidays[0].last = 2031-01-22 is before 2031.holidays[0].first = 2031-01-28"],
            id="range backwards",
        ),
        pytest.param(
            f"[2031]\nholidays = {_NEW_YEAR}\n",
            ["2031.makeup_workdays is missing (write makeup_workdays = [] if there are none)"],
            id="missing make-up list",
        ),
        pytest.param(_year_2031("[]"), ["2031.holidays is empty"], id="no holidays"),
        pytest.param(
            _year_2031('[{ name = "元旦", first = 2031-01-01T00:00:00 }]'),
            ["2031.holidays[0].first = 2031-01-01T00:00:00 is a date-time"],
            id="date-time",
        ),
        pytest.param(_year_2031("[{ first = 2031-01-01 }]"), ["2031.holidays[0].name is missing"], id="no name"),
        pytest.param(_year_2031('[{ name = "元旦" }]'), ["2031.holidays[0].first is missing"], id="no first date"),
        pytest.param(
            _year_2031(_NEW_YEAR, extra='override = "yes"\n'),
            ['2031.override = "yes" must be true or false'],
            id="override not a boolean",
        ),
        pytest.param(_year_2031('"2031-01-01"'), ['2031.holidays = "2031-01-01" must be a list'], id="not a list"),
        pytest.param("2031 = 5\n", ["2031 = 5 must be a table"], id="year not a table"),
        pytest.param("", ["defines no year"], id="empty file"),
    ],
)
def test_a_malformed_calendar_file_is_refused_naming_file_key_and_value(tmp_path, text, expected):
    """Nothing in a calendar file is silently dropped or guessed: each mistake is a CalendarFileError
    whose one-line message names the file, the key and the offending value."""
    path = _write(tmp_path, text)
    with pytest.raises(CalendarFileError) as excinfo:
        Calendar.from_toml(path)
    message = str(excinfo.value)
    assert message.startswith(f"calendar file {path}: ")
    assert "\n" not in message
    for part in expected:
        assert part in message
    assert isinstance(excinfo.value, CalendarError)


def _package_2026_as_toml(calendar: Calendar, *, override: bool = False, drop: date | None = None) -> str:
    holidays = ", ".join(
        f'{{ name = "{name}", first = {day} }}'
        for day, name in calendar.holidays.items()
        if day.year == 2026 and day != drop
    )
    makeup = ", ".join(
        f'{{ name = "{name}", date = {day} }}'
        for day, name in calendar.makeup_workdays.items()
        if day.year == 2026 and day != drop
    )
    return f"[2026]\nholidays = [{holidays}]\nmakeup_workdays = [{makeup}]\noverride = {str(override).lower()}\n"


def test_a_file_redefining_a_known_year_differently_is_refused(tmp_path):
    """A file that changes 2026, which the package knows, is refused unless it says override = true; the
    message names the file, the year and the differing date."""
    base = Calendar.from_package()
    path = _write(tmp_path, _package_2026_as_toml(base, drop=date(2026, 10, 10)))
    with pytest.raises(CalendarConflictError) as excinfo:
        base.extended_with(Calendar.from_toml(path))
    message = str(excinfo.value)
    assert f"{path} redefines 2026" in message
    assert "chinese-calendar" in message
    assert "make-up working days only in the known year: 2026-10-10" in message
    assert "override = true" in message


def test_a_file_repeating_a_known_year_identically_is_accepted(tmp_path):
    """A file kept after the package learned its year does no harm when its dates agree."""
    base = Calendar.from_package()
    extended = base.extended_with(Calendar.from_toml(_write(tmp_path, _package_2026_as_toml(base))))
    assert dict(extended.holidays) == dict(base.holidays)
    assert dict(extended.makeup_workdays) == dict(base.makeup_workdays)


def test_an_override_replaces_the_whole_known_year(tmp_path):
    """With override = true the file's data replaces 2026 entirely (here: without the Oct 10 make-up
    Saturday); other years keep the package's data."""
    base = Calendar.from_package()
    path = _write(tmp_path, _package_2026_as_toml(base, override=True, drop=date(2026, 10, 10)))
    corrected = base.extended_with(Calendar.from_toml(path))
    assert corrected.is_working_day(date(2026, 10, 10)) is False
    assert corrected.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 12)
    assert corrected.is_working_day(date(2025, 10, 11)) == base.is_working_day(date(2025, 10, 11))
    assert 2026 in corrected.overrides


def test_the_shipped_example_file_is_valid_and_clearly_fictitious():
    """The example the error message points to exists, parses, and only uses the far-future year 2099."""
    path = Path(__file__).resolve().parents[2] / EXAMPLE_FILE
    assert path.is_file()
    example = Calendar.from_toml(path)
    assert example.known_years == frozenset({2099})
    assert "EXAMPLE ONLY" in path.read_text(encoding="utf-8")
    assert example.is_working_day(date(2099, 2, 28)) is True


def test_the_working_day_modules_never_import_django():
    """The pure core stays pure: importing and using arrears.workdays loads no Django module."""
    code = (
        "import sys, datetime, arrears.workdays as w;"
        "w.add_working_days(datetime.date(2026, 9, 30), 3);"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    env = {k: v for k, v in os.environ.items() if k != CALENDAR_FILES_ENV}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
