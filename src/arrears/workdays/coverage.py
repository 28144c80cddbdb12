"""How far the working-day calendar reaches from a date, and whether administrators must be warned.

The calendar knows whole years; the State Council publishes each year's holiday arrangement late in the
year before, and an administrator adds it (Administration → calendar years). Until then every date of that
year is unknown and the nightly run refuses it. So administrators are warned from a policy-set number of
days before the calendar runs out (`calendar.warn_days_before_end`): on a date D when D ≥ end − N, i.e. at
most N days are left, and on every date the calendar no longer covers.

"Runs out" is the last day of the run of consecutive known years that contains D (a year known far ahead
does not help when the year between is missing). Pure: the date is always given, never read from a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.workdays.core import Calendar

__all__ = ["Coverage", "coverage"]


@dataclass(frozen=True)
class Coverage:
    """The calendar's reach seen from `on`."""

    on: date
    ends_on: date | None  # the last day of the consecutive known years up to `on` (None: no year before it)
    warn_days: int
    covered: bool  # whether `on` itself lies in a known year

    @property
    def days_left(self) -> int | None:
        """Days from `on` to the calendar's last day (0 on the last day; negative once past it)."""
        return None if self.ends_on is None else (self.ends_on - self.on).days

    @property
    def missing_year(self) -> int:
        """The first year the calendar lacks: the one administrators must add next."""
        if self.ends_on is None:
            return self.on.year
        return self.ends_on.year + 1

    @property
    def warning(self) -> bool:
        """Whether administrators are warned on `on`: at most `warn_days` left, or `on` not covered."""
        return not self.covered or (self.days_left is not None and self.days_left <= self.warn_days)

    def as_json(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "ends_on": None if self.ends_on is None else self.ends_on.isoformat(),
            "days_left": self.days_left,
            "covered": self.covered,
            "missing_year": self.missing_year,
            "warn_days_before_end": self.warn_days,
            "warning": self.warning,
        }


def coverage(calendar: Calendar, on: date, warn_days: int) -> Coverage:
    """The calendar's reach from `on`, with the warning threshold `warn_days` (see the module doc)."""
    years = calendar.known_years
    covered = on.year in years
    last = on.year if covered else max((y for y in years if y < on.year), default=None)
    if last is not None:
        while last + 1 in years:
            last += 1
    ends_on = None if last is None else date(last, 12, 31)
    return Coverage(on=on, ends_on=ends_on, warn_days=warn_days, covered=covered)
