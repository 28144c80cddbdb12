"""When a record is past its retention period: the period's last day is the anniversary, purged the day after."""

from __future__ import annotations

from datetime import date

from arrears.retention.periods import cutoff, is_past


def test_five_years_after_30_june_2019_end_on_30_june_2024():
    """Clause: PRV-1 — closed 2019-06-30, 5 years: kept through 2024-06-30, past it from 2024-07-01."""
    closed = date(2019, 6, 30)
    assert not is_past(closed, date(2024, 6, 29), 5)
    assert not is_past(closed, date(2024, 6, 30), 5)
    assert is_past(closed, date(2024, 7, 1), 5)
    assert cutoff(date(2024, 7, 1), 5) == date(2019, 7, 1)


def test_29_february_counts_from_28_february_in_a_common_year():
    """The cut-off of 2024-02-29 five years back is 2019-02-28 (kept a day longer, never shorter)."""
    assert cutoff(date(2024, 2, 29), 5) == date(2019, 2, 28)
    assert not is_past(date(2019, 2, 28), date(2024, 2, 29), 5)
    assert is_past(date(2019, 2, 27), date(2024, 2, 29), 5)
