"""The two clocks of a complaint, worked out once when it is filed (Clause: CMP-2, CMP-3).

* First response (CMP-2): due `complaints.response_hours` (24) hours after the instant of receipt — an instant,
  not a date: a complaint received Friday 16:00 is due Saturday 16:00, whatever the calendar says.
* Investigation (CMP-3): due `complaints.investigation_working_days` (3) working days after the day of receipt
  in Beijing time, from the mainland working-day calendar (`rules.queries.calendar`, make-up working days
  count); the day of receipt itself does not count, however early the complaint came. Received 2026-09-30
  (Wednesday): the National Day holiday runs 1–7 October, 8 and 9 October are working days and Saturday
  10 October is a make-up working day, so it is due on 10 October. 23:30 UTC is already the next day in Beijing,
  and the count starts from that day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.workdays import Calendar

BEIJING = ZoneInfo("Asia/Shanghai")


def day_of_receipt(received_at: datetime) -> date:
    """The Beijing date of an aware instant."""
    return received_at.astimezone(BEIJING).date()


def response_due(received_at: datetime, hours: int) -> datetime:
    """Clause: CMP-2 — `hours` after receipt, as an aware instant (UTC)."""
    return (received_at + timedelta(hours=hours)).astimezone(ZoneInfo("UTC"))


def investigation_due(received_at: datetime, working_days: int, calendar: Calendar) -> date:
    """Clause: CMP-3 — `working_days` working days after the Beijing day of receipt (that day not counted)."""
    return calendar.add_working_days(day_of_receipt(received_at), working_days)
