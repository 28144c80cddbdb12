"""The SLA page's figures (Clause: CMP-2, CMP-3): the same four figures as `arrears complaints sla`
(`queries.sla`, whose rules these reuse) for this month and last month, in total and by channel.

* **This month** — the complaints received from the first of D's month (Beijing) to the end of D, as of the end
  of D.
* **Last month** — the complaints received during the month before, as of the end of its last day (so last
  month's figures do not move once the month is over; a response given late stays a breach either way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy

from arrears.complaints.models import Complaint, ComplaintChannel
from arrears.complaints.queries import Sla, day_bounds, sla


@dataclass(frozen=True)
class SlaRow:
    period: str  # "this_month" or "last_month"
    period_label: object  # lazily translated
    month: str  # "2026-03"
    channel: str  # "" for every channel
    channel_label: object
    figures: Sla


PERIODS = (("this_month", gettext_lazy("This month")), ("last_month", gettext_lazy("Last month")))


def sensible(on: date) -> bool:
    """A day the figures can be worked out for (a year from 1901 to 9998: the month before and the day after
    exist)."""
    return 1900 < on.year < 9999


def months(on: date) -> list[tuple[str, object, date, date]]:
    """(key, label, first day, day the figures are as of) of this month and of last month."""
    first = on.replace(day=1)
    last_end = first - timedelta(days=1)
    return [
        ("this_month", PERIODS[0][1], first, on),
        ("last_month", PERIODS[1][1], last_end.replace(day=1), last_end),
    ]


def rows(on: date) -> list[SlaRow]:
    """For this month and last month: every channel, then each channel (Clause: CMP-2, CMP-3)."""
    found = []
    for key, label, first, as_of in months(on):
        received = Complaint.objects.filter(received_at__gte=day_bounds(first)[0])
        found.append(
            SlaRow(key, label, first.strftime("%Y-%m"), "", gettext_lazy("All channels"), sla(as_of, received))
        )
        for channel in ComplaintChannel:
            figures = sla(as_of, received.filter(channel=channel.value))
            found.append(SlaRow(key, label, first.strftime("%Y-%m"), channel.value, channel.label, figures))
    return found
