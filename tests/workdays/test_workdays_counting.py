"""Worked examples of working-day arithmetic, with literal dates (2026 unless said), and the refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from arrears.workdays import Calendar, CalendarError, UnknownYearError


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return Calendar.from_package()


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (date(2026, 1, 5), 1, date(2026, 1, 6), "ordinary Monday to Tuesday"),
        (date(2026, 1, 9), 1, date(2026, 1, 12), "Friday to Monday over a plain weekend"),
        (date(2026, 9, 30), 3, date(2026, 10, 10), "over National Day to the make-up Saturday"),
        (date(2026, 9, 30), 4, date(2026, 10, 12), "the make-up Saturday counts, then Monday"),
        (date(2026, 10, 3), 1, date(2026, 10, 8), "from inside the holiday: the first day back"),
        (date(2026, 2, 12), 3, date(2026, 2, 24), "Feb 13, the make-up Sat Feb 14, then after Spring Festival"),
        (date(2026, 2, 27), 1, date(2026, 2, 28), "Friday to the make-up Saturday Feb 28"),
        (date(2026, 9, 18), 1, date(2026, 9, 20), "Friday to the make-up Sunday Sep 20"),
        (date(2026, 9, 24), 1, date(2026, 9, 28), "over Mid-Autumn (Fri Sep 25 off)"),
        (date(2025, 12, 30), 3, date(2026, 1, 5), "year boundary: Dec 31, make-up Sun Jan 4, Mon Jan 5"),
        (date(2025, 12, 31), 1, date(2026, 1, 4), "year boundary straight to the make-up Sunday"),
        (date(2026, 10, 3), 0, date(2026, 10, 3), "n = 0 is the date itself, even a holiday"),
        (date(2026, 10, 8), -1, date(2026, 9, 30), "back over National Day"),
        (date(2026, 10, 10), -3, date(2026, 9, 30), "back from the make-up Saturday"),
        (date(2026, 1, 5), -2, date(2025, 12, 31), "back over the year boundary: Jan 4, then Dec 31"),
    ],
)
def test_add_working_days_worked_examples(calendar, start, n, expected, why):
    """add_working_days(d, n) is the n-th working day after d, d not counted (before d for n < 0)."""
    assert calendar.add_working_days(start, n) == expected, why


def test_letter_sent_before_national_day_has_its_confirmation_call_due_on_the_makeup_saturday(calendar):
    """A letter sent Wed 2026-09-30: the call confirming delivery is due within 3 working days after sending,
    i.e. by Sat 2026-10-10 (Oct 8, Oct 9, then the make-up Saturday), inclusive.

    Clause: LTR-3"""
    due = calendar.add_working_days(date(2026, 9, 30), 3)
    assert due == date(2026, 10, 10)
    assert calendar.working_days_between(date(2026, 9, 30), due) == 3


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 4, 30), date(2026, 5, 8)),  # Labour Day May 1–5 off: May 6, 7, 8
        (date(2026, 5, 7), date(2026, 5, 11)),  # May 8, the make-up Saturday May 9, Mon May 11
    ],
)
def test_complaint_investigation_deadline_is_three_working_days_later(calendar, received, due):
    """A complaint's investigation completes within 3 working days: the deadline skips Labour Day and
    counts the make-up Saturday.

    Clause: CMP-3"""
    assert calendar.add_working_days(received, 3) == due


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 9, 30), date(2026, 9, 30), 0),
        (date(2026, 9, 30), date(2026, 10, 7), 0),  # all of National Day off
        (date(2026, 9, 30), date(2026, 10, 12), 4),  # Oct 8, 9, 10 (make-up), 12
        (date(2026, 10, 3), date(2026, 10, 8), 1),
        (date(2025, 12, 31), date(2026, 1, 5), 2),  # Jan 4 (make-up Sunday), Jan 5
        (date(2026, 10, 12), date(2026, 9, 30), -4),  # counted back: Sep 30, Oct 8, 9, 10
        (date(2026, 10, 11), date(2026, 10, 10), -1),  # back from a Sunday: the make-up Saturday
    ],
)
def test_working_days_between_worked_examples(calendar, start, end, expected):
    """working_days_between(a, b) counts working days in (a, b], or minus those in [b, a) when b < a."""
    assert calendar.working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 9), date(2026, 10, 9)),  # a working Friday stays
        (date(2026, 10, 10), date(2026, 10, 10)),  # a make-up Saturday stays
        (date(2026, 10, 1), date(2026, 10, 8)),
        (date(2026, 10, 11), date(2026, 10, 12)),  # plain Sunday rolls to Monday
        (date(2026, 2, 15), date(2026, 2, 24)),
        (date(2026, 1, 3), date(2026, 1, 4)),  # holiday Saturday rolls to the make-up Sunday
        (date(2025, 12, 27), date(2025, 12, 29)),
    ],
)
def test_next_working_day_rolls_forward_only_when_needed(calendar, day, expected):
    """next_working_day(d) is d when d is a working day, else the first working day after d."""
    assert calendar.next_working_day(day) == expected


def test_is_working_day_knows_makeup_weekends_and_weekday_holidays(calendar):
    """A make-up Saturday works, a holiday Thursday does not, a plain Saturday does not."""
    assert calendar.is_working_day(date(2026, 10, 10)) is True
    assert calendar.is_working_day(date(2026, 10, 1)) is False
    assert calendar.is_working_day(date(2026, 10, 17)) is False
    assert calendar.is_working_day(date(2026, 10, 16)) is True


def test_a_long_span_is_counted_exactly(calendar):
    """5000 working days in one step (about twenty years) lands where a day-by-day walk lands."""
    start = date(2005, 1, 4)
    end = calendar.add_working_days(start, 5000)
    walked = [date.fromordinal(o) for o in range(start.toordinal() + 1, end.toordinal() + 1)]
    assert sum(calendar.is_working_day(day) for day in walked) == 5000
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == 5000
    assert calendar.add_working_days(end, -5000) == start


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda c: c.is_working_day(date(2027, 1, 4)), 2027),
        (lambda c: c.next_working_day(date(2003, 12, 31)), 2003),
        (lambda c: c.add_working_days(date(2026, 12, 30), 5), 2027),
        (lambda c: c.add_working_days(date(2004, 1, 5), -5), 2003),
        (lambda c: c.working_days_between(date(2026, 12, 31), date(2027, 1, 4)), 2027),
        (lambda c: c.working_days_between(date(2030, 1, 2), date(2026, 1, 5)), 2030),
    ],
)
def test_a_date_in_an_unknown_year_is_an_error_naming_the_year_and_the_fix(calendar, call, year):
    """Outside the known years nothing is guessed: UnknownYearError names the year and says how to add it."""
    with pytest.raises(UnknownYearError) as excinfo:
        call(calendar)
    message = str(excinfo.value)
    assert excinfo.value.year == year
    assert f"no working-day calendar for {year}" in message
    assert "ARREARS_CALENDAR_FILES" in message
    assert "calendar-example.toml" in message
    assert isinstance(excinfo.value, LookupError)


def test_a_gap_between_known_years_is_not_skipped(calendar):
    """With 2031 known but 2027–2030 not, counting from 2026 into 2031 stops at 2027 instead of jumping."""
    extended = calendar.extended_with(Calendar({date(2031, 1, 1): "元旦"}, {}, {2031}, source="test 2031"))
    assert extended.is_working_day(date(2031, 1, 2)) is True
    with pytest.raises(UnknownYearError, match="2027"):
        extended.add_working_days(date(2026, 12, 30), 300)
    with pytest.raises(UnknownYearError, match="2027"):
        extended.working_days_between(date(2026, 1, 5), date(2031, 1, 2))
    with pytest.raises(UnknownYearError, match="2030"):
        extended.add_working_days(date(2031, 1, 2), -5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.is_working_day(datetime(2026, 10, 1, 9, 0)), "expected a date"),  # noqa: DTZ001
        (lambda c: c.is_working_day("2026-10-01"), "expected a date"),
        (lambda c: c.add_working_days(date(2026, 10, 1), 1.0), "whole number"),
        (lambda c: c.add_working_days(date(2026, 10, 1), True), "whole number"),
    ],
)
def test_wrong_argument_types_are_refused(calendar, call, message):
    """A datetime, a string or a fractional count is a programming error, refused with TypeError."""
    with pytest.raises(TypeError, match=message):
        call(calendar)


@pytest.mark.parametrize(
    ("holidays", "makeup", "years", "message"),
    [
        ({date(2031, 1, 1): "元旦"}, {date(2031, 1, 1): "元旦"}, {2031}, "both a holiday and a make-up"),
        ({date(2031, 1, 1): "元旦"}, {date(2031, 1, 2): "元旦"}, {2031}, "is a Thursday, already a working day"),
        ({date(2032, 1, 1): "元旦"}, {}, {2031}, "is in 2032, which is not among its known years"),
        ({date(2031, 1, 1): ""}, {}, {2031}, "has no name"),
    ],
)
def test_inconsistent_plain_data_is_refused(holidays, makeup, years, message):
    """Calendar data from any source (package, file, table) must be consistent before it is used."""
    with pytest.raises(CalendarError, match=message) as excinfo:
        Calendar(holidays, makeup, years, source="the calendar table")
    assert "the calendar table" in str(excinfo.value)
