"""Tests bring their own working-day calendar: the table holds exactly the years given, so a test knows the day
the calendar ends whatever the installed `chinese-calendar` package knows and whatever today's date is."""

from __future__ import annotations

from arrears.rules.models import CalendarDay, CalendarYear, DayKind
from arrears.workdays.files import parse_calendar_toml

# FICTITIOUS holiday arrangements (the format of src/arrears/workdays/data/calendar-example.toml): the
# calendar they make ends on 2031-12-31.
YEARS_2030_2031 = """
[2030]
holidays = [
  { name = "元旦", first = 2030-01-01 },
  { name = "国庆节", first = 2030-10-01, last = 2030-10-07 },
]
makeup_workdays = [{ name = "国庆节", date = 2030-09-29 }]

[2031]
holidays = [
  { name = "元旦", first = 2031-01-01 },
  { name = "国庆节", first = 2031-10-01, last = 2031-10-07 },
]
makeup_workdays = [{ name = "国庆节", date = 2031-09-28 }]
"""


def use_calendar(text: str = YEARS_2030_2031) -> None:
    """Replace the calendar table with the years of a calendar file's text."""
    data = parse_calendar_toml(text, source="test calendar")
    CalendarYear.objects.all().delete()
    years = {year: CalendarYear.objects.create(year=year, source="test calendar") for year in sorted(data.years)}
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=years[d.year], day=d, kind=DayKind.HOLIDAY, name=n) for d, n in data.holidays.items()]
        + [
            CalendarDay(year=years[d.year], day=d, kind=DayKind.MAKEUP_WORKDAY, name=n)
            for d, n in data.makeup_workdays.items()
        ]
    )
