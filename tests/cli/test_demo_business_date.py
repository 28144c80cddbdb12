"""`arrears demo` picks a business date the working-day calendar covers, whatever today's date is."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.cli.demo import choose_business_date
from arrears.workdays import Calendar
from arrears.workdays.files import parse_calendar_toml
from calendars import YEARS_2030_2031


@pytest.fixture
def calendar() -> Calendar:
    data = parse_calendar_toml(YEARS_2030_2031, source="test")
    return Calendar(data.holidays, data.makeup_workdays, data.years)


def test_today_when_the_calendar_covers_it(calendar):
    """Clause: practice — a date inside 2030–2031 is taken as it is."""
    assert choose_business_date(None, date(2031, 6, 1), calendar) == (date(2031, 6, 1), "")
    assert choose_business_date(date(2030, 3, 2), date(2040, 1, 1), calendar) == (date(2030, 3, 2), "")


def test_after_the_calendar_the_last_day_it_covers_and_which_year_is_missing(calendar):
    """Clause: practice — on 2032-03-01 the demo uses 2031-12-31 and names 2032 and how to add it."""
    day, note = choose_business_date(None, date(2032, 3, 1), calendar)
    assert day == date(2031, 12, 31)
    assert "today (2032-03-01) is beyond the working-day calendar, which ends on 2031-12-31" in note
    assert "The year file missing is 2032's" in note
    assert "calendar-example.toml" in note
    assert "Administration → calendar years (/admin/rules/calendaryear/)" in note


def test_a_given_date_beyond_the_calendar_is_refused_with_the_year_to_add(calendar):
    """Clause: practice — the nightly run would refuse it, so the demo says so first."""
    with pytest.raises(ValueError, match=r"no data for 2032 \(it ends on 2031-12-31\).*2032 in a calendar file"):
        choose_business_date(date(2032, 1, 5), date(2031, 6, 1), calendar)
