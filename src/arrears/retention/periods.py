"""When a record is past its retention period (pure: no Django).

A period of N years runs from a record's day (a loan's closing, a letter's sending, a call's day) through the
same day N years later; the record is past it from the day after. So with 5 years a loan closed on 2019-06-30 is
kept through 2024-06-30 and anonymised by a purge as of 2024-07-01. Equivalently: a record is past its period on
`as_of` when its day is before `cutoff(as_of, years)`, the same calendar day N years before `as_of` (29 February
becomes 28 February in a year without it).
"""

from __future__ import annotations

from datetime import date


def cutoff(as_of: date, years: int) -> date:
    """The first day whose records are still kept on `as_of`: a record dated before it is past its period."""
    if years < 0:
        raise ValueError(f"a retention period is a number of years ≥ 0, not {years}")
    year = as_of.year - years
    try:
        return as_of.replace(year=year)
    except ValueError:  # 29 February, in a year without it
        return date(year, 2, 28)


def anniversary(day: date, years: int) -> date:
    """The last day a record of `day` is kept under a period of `years`: its `years`-th anniversary (28 February
    for 29 February in a year without it). `is_past` is true from the day after."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without it
        return date(day.year + years, 2, 28)


def is_past(day: date, as_of: date, years: int) -> bool:
    """True when a record of `day` is past a period of `years` on `as_of`."""
    return day < cutoff(as_of, years)
