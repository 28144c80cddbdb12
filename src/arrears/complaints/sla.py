"""The SLA page's figures (Clause: CMP-2, CMP-3): the same four figures as `arrears complaints sla`
(`queries.sla`, whose rules these reuse) for this month and last month, in total and by channel.

* **This month** — the complaints received from the first of D's month (Beijing) to the end of D, as of the end
  of D.
* **Last month** — the complaints received during the month before, as of the end of its last day (so last
  month's figures do not move once the month is over; a response given late stays a breach either way).

By **team**: who held the borrower's collection case when the complaint was received — the last assignment of
one of the borrower's cases made at or before the instant of receipt (`collection.Assignment`, TEAM-3): the
agency's name if the case was with an agency's user, else the pool (junior collectors, senior collectors,
supervisor's decision). A complaint not matched to a borrower, or whose borrower's cases had no assignment by
then, counts under "no team".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy

from arrears.collection.models import Assignment, Pool
from arrears.complaints.models import Complaint, ComplaintChannel
from arrears.complaints.queries import Sla, day_bounds, sla


@dataclass(frozen=True)
class SlaRow:
    period: str  # "this_month" or "last_month"
    period_label: object  # lazily translated
    month: str  # "2026-03"
    channel: str  # "" for every channel; "team-<n>" for a team's row (see `teams`)
    channel_label: object
    figures: Sla


NO_TEAM = gettext_lazy("No team")


def team_at_receipt(complaint: Complaint) -> str:
    """The team that held the complaint's borrower's case when it was received (see the module's docstring)."""
    if complaint.borrower_id is None:
        return ""
    last = (
        Assignment.objects.filter(case__borrower_id=complaint.borrower_id, at__lte=complaint.received_at)
        .select_related("to_owner__agency")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:
        return ""
    if last.to_owner.agency_id is not None:
        return last.to_owner.agency.name
    return str(Pool(last.pool).label) if last.pool in Pool.values else last.pool


def teams(on: date) -> list[SlaRow]:
    """For this month and last month: each team's figures (Clause: CMP-2, CMP-3), teams by name, "no team"
    last."""
    found = []
    for key, label, first, as_of in months(on):
        received = Complaint.objects.filter(received_at__gte=day_bounds(first)[0], received_at__lt=day_bounds(as_of)[1])
        by_team: dict[str, list[int]] = {}
        for complaint in received.order_by("pk"):
            by_team.setdefault(team_at_receipt(complaint), []).append(complaint.pk)
        names = sorted(name for name in by_team if name) + ([""] if "" in by_team else [])
        for n, name in enumerate(names, 1):
            figures = sla(as_of, received.filter(pk__in=by_team[name]))
            found.append(SlaRow(key, label, first.strftime("%Y-%m"), f"team-{n}", name or NO_TEAM, figures))
    return found


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
