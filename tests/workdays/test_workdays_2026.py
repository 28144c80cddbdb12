"""The 2026 calendar, day by day: against the seed package and against the State Council's announcement.

The seed data comes from `chinese-calendar`, so checking against the package alone would only prove we
copied it; the literal table below is written independently from the 2026 announcement
(國務院辦公廳關於2026年部分節假日安排的通知) so a wrong seed is caught too.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from arrears.workdays import Calendar

# name: (first day off, last day off), weekend days inside the block included
HOLIDAYS_2026 = {
    "元旦 New Year's Day": (date(2026, 1, 1), date(2026, 1, 3)),
    "春节 Spring Festival": (date(2026, 2, 15), date(2026, 2, 23)),
    "清明 Qingming": (date(2026, 4, 4), date(2026, 4, 6)),
    "劳动节 Labour Day": (date(2026, 5, 1), date(2026, 5, 5)),
    "端午 Dragon Boat": (date(2026, 6, 19), date(2026, 6, 21)),
    "中秋 Mid-Autumn": (date(2026, 9, 25), date(2026, 9, 27)),
    "国庆节 National Day": (date(2026, 10, 1), date(2026, 10, 7)),
}
MAKEUP_WORKDAYS_2026 = {
    date(2026, 1, 4): "元旦, Sunday",
    date(2026, 2, 14): "春节, Saturday",
    date(2026, 2, 28): "春节, Saturday",
    date(2026, 5, 9): "劳动节, Saturday",
    date(2026, 9, 20): "国庆节, Sunday",
    date(2026, 10, 10): "国庆节, Saturday",
}


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _literal_holidays() -> set[date]:
    return {first + timedelta(days=i) for first, last in HOLIDAYS_2026.values() for i in range((last - first).days + 1)}


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return Calendar.from_package()


def test_every_day_of_2026_matches_the_package(calendar):
    """Every date of 2026 is a working day here exactly when `chinese_calendar.is_workday` says so."""
    for day in _days_of(2026):
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day


def test_every_day_of_2026_matches_the_state_council_announcement(calendar):
    """Every date of 2026 follows the literal announcement table: Mon–Fri outside the holiday blocks, plus
    the six make-up weekend days (Jan 4, Feb 14, Feb 28, May 9, Sep 20, Oct 10)."""
    holidays = _literal_holidays()
    for day in _days_of(2026):
        expected = day in MAKEUP_WORKDAYS_2026 or (day.weekday() < 5 and day not in holidays)
        assert calendar.is_working_day(day) == expected, day


def test_2026_holiday_and_makeup_dates_are_exactly_the_announced_ones(calendar):
    """The seed's 2026 holiday dates and make-up dates are exactly the announcement's, no more, no fewer."""
    assert {day for day in calendar.holidays if day.year == 2026} == _literal_holidays()
    assert {day for day in calendar.makeup_workdays if day.year == 2026} == set(MAKEUP_WORKDAYS_2026)


def test_2026_has_248_working_days(calendar):
    """261 weekdays, minus 19 weekday holidays, plus 6 make-up weekend days: 248 working days in 2026."""
    assert sum(calendar.is_working_day(day) for day in _days_of(2026)) == 248
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_every_known_year_matches_the_package(calendar):
    """Every date of every year the package knows (2004–2026 in 1.11) agrees with the package."""
    assert calendar.known_years == frozenset(range(2004, max(calendar.known_years) + 1))
    assert max(calendar.known_years) >= 2026
    for year in sorted(calendar.known_years):
        for day in _days_of(year):
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
