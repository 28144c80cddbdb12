"""How far the calendar reaches from a date, and when administrators are warned (pure, literal dates)."""

from __future__ import annotations

from datetime import date

from arrears.workdays import Calendar
from arrears.workdays.coverage import coverage
from arrears.workdays.files import parse_calendar_toml
from calendars import YEARS_2030_2031


def _calendar(text: str = YEARS_2030_2031) -> Calendar:
    data = parse_calendar_toml(text, source="test")
    return Calendar(data.holidays, data.makeup_workdays, data.years)


def test_the_warning_starts_exactly_n_days_before_the_end():
    """Clause: practice (calendar.warn_days_before_end) — end 2031-12-31, N = 60: warned from 2031-11-01."""
    cal = _calendar()
    on_the_day = coverage(cal, date(2031, 11, 1), 60)
    day_before = coverage(cal, date(2031, 10, 31), 60)
    assert (on_the_day.ends_on, on_the_day.days_left, on_the_day.warning) == (date(2031, 12, 31), 60, True)
    assert (day_before.days_left, day_before.warning) == (61, False)
    assert coverage(cal, date(2031, 12, 31), 60).days_left == 0
    assert coverage(cal, date(2031, 12, 31), 60).missing_year == 2032


def test_a_date_beyond_the_calendar_is_not_covered_and_warned():
    """Clause: practice — 2032-01-05 lies after the last known year: not covered, 2032 is the year to add."""
    cov = coverage(_calendar(), date(2032, 1, 5), 60)
    assert (cov.covered, cov.warning, cov.ends_on, cov.missing_year, cov.days_left) == (
        False,
        True,
        date(2031, 12, 31),
        2032,
        -5,
    )


def test_the_end_is_that_of_the_consecutive_years_and_none_before_the_first():
    """Clause: practice — a year known far ahead does not bridge a missing one."""
    text = YEARS_2030_2031 + '\n[2033]\nholidays = [{ name = "元旦", first = 2033-01-01 }]\nmakeup_workdays = []\n'
    cal = _calendar(text)
    assert coverage(cal, date(2030, 5, 1), 60).ends_on == date(2031, 12, 31)
    assert coverage(cal, date(2032, 5, 1), 60).missing_year == 2032
    before = coverage(cal, date(2029, 6, 1), 60)
    assert (before.covered, before.ends_on, before.missing_year, before.warning) == (False, None, 2029, True)
