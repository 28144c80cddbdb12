"""Properties of working-day counting, checked against a day-by-day walk on the package's own
`chinese_calendar.is_workday` (an oracle independent of our bisect arithmetic)."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.workdays import Calendar, UnknownYearError

# Not money: 1,000 examples are plenty for date arithmetic even in CI (the money properties get 10,000).
calendar_settings = settings(deadline=None, max_examples=min(settings().max_examples, 1000))

CALENDAR = Calendar.from_package()
FIRST_YEAR, LAST_YEAR = min(CALENDAR.known_years), max(CALENDAR.known_years)

# Dates at least a year inside the known range, and counts under a year of working days, so that every
# answer stays within the known years.
inner_dates = st.dates(min_value=date(FIRST_YEAR + 1, 1, 1), max_value=date(LAST_YEAR - 1, 12, 31))
counts = st.integers(min_value=-240, max_value=240)
any_known_date = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31))

# The package's own answer, memoised: it rescans its tables on every call, too slow for 10,000 examples.
package_says_workday = functools.cache(chinese_calendar.is_workday)


def _walk(start: date, n: int) -> date:
    """The slow, obvious definition: step a day at a time, counting the working days met."""
    day, step, left = start, (1 if n > 0 else -1), abs(n)
    while left:
        day += timedelta(days=step)
        left -= package_says_workday(day)
    return day


@calendar_settings
@given(inner_dates, counts)
def test_adding_working_days_agrees_with_a_day_by_day_walk(start, n):
    """add_working_days(d, n) is where stepping day by day and counting n working days ends."""
    assert CALENDAR.add_working_days(start, n) == _walk(start, n)


@calendar_settings
@given(inner_dates, counts.filter(lambda n: n != 0))
def test_the_result_of_adding_working_days_is_a_working_day(start, n):
    """For n ≠ 0 the answer is itself a working day (n = 0 returns the start date as given)."""
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, n))


@calendar_settings
@given(inner_dates, counts)
def test_counting_between_undoes_adding(start, n):
    """working_days_between(d, add_working_days(d, n)) == n, forwards and backwards."""
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@calendar_settings
@given(inner_dates, counts)
def test_adding_is_strictly_increasing_in_n(start, n):
    """One more working day always lands strictly later."""
    assert CALENDAR.add_working_days(start, n) < CALENDAR.add_working_days(start, n + 1)


@calendar_settings
@given(inner_dates, st.integers(min_value=0, max_value=365))
def test_counting_between_agrees_with_counting_each_day(start, length):
    """working_days_between(a, b) counts the working days in (a, b], and minus those in [b, a) backwards."""
    end = start + timedelta(days=length)
    inside = [start + timedelta(days=i) for i in range(1, length + 1)]
    assert CALENDAR.working_days_between(start, end) == sum(map(package_says_workday, inside))
    before = [end - timedelta(days=i) for i in range(1, length + 1)]
    assert CALENDAR.working_days_between(end, start) == -sum(map(package_says_workday, before))


@calendar_settings
@given(inner_dates)
def test_next_working_day_is_the_first_working_day_on_or_after(start):
    """next_working_day(d) is a working day ≥ d with no working day between d and it."""
    rolled = CALENDAR.next_working_day(start)
    assert rolled >= start
    assert CALENDAR.is_working_day(rolled)
    assert CALENDAR.working_days_between(start, rolled - timedelta(days=1)) <= 0
    assert not any(CALENDAR.is_working_day(start + timedelta(days=i)) for i in range((rolled - start).days))


@calendar_settings
@given(any_known_date, st.integers(min_value=-7000, max_value=7000))
def test_answers_stay_within_the_known_years_or_name_the_missing_one(start, n):
    """Adding a count to a known date lands in a known year when there are that many working days left
    in the known range, and otherwise raises UnknownYearError for the first year past that end: never a
    date computed from a guessed year."""
    left_forward = CALENDAR.working_days_between(start, date(LAST_YEAR, 12, 31))
    left_backward = CALENDAR.working_days_between(start, date(FIRST_YEAR, 1, 1))  # ≤ 0
    if left_backward <= n <= left_forward:
        assert CALENDAR.add_working_days(start, n).year in CALENDAR.known_years
    else:
        with pytest.raises(UnknownYearError) as excinfo:
            CALENDAR.add_working_days(start, n)
        assert excinfo.value.year == (LAST_YEAR + 1 if n > 0 else FIRST_YEAR - 1)


@pytest.mark.parametrize("n", [1, 250])
def test_the_ends_of_the_known_range_cannot_be_passed(n):
    """No working day lies after Dec 31 of the last known year, nor before Jan 1 of the first, in the data:
    any step past them needs the next (previous) year's calendar."""
    with pytest.raises(UnknownYearError, match=str(LAST_YEAR + 1)):
        CALENDAR.add_working_days(date(LAST_YEAR, 12, 31), n)
    with pytest.raises(UnknownYearError, match=str(FIRST_YEAR - 1)):
        CALENDAR.add_working_days(date(FIRST_YEAR, 1, 1), -n)
