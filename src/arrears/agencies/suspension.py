"""Repeated violations suspend new placements (Clause: AGY-3).

An agency with at least `agency.suspend_after_violations` violations in the violation register (any source: an
agency audit, a substantiated complaint, quality inspection) on days within the last `agency.violation_window_days`
days up to the business date receives no new placement; the placements it holds go on (recalling them is the
supervisors' decision). The count is read afresh each time: a violation recorded today counts at once, and one
that falls out of the window stops counting without anyone lifting anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arrears.complaints.models import Violation
from arrears.rules.queries import policy_on

__all__ = ["Suspension", "suspension", "suspensions", "violations_in_window"]


@dataclass(frozen=True)
class Suspension:
    violations: int  # in the window
    limit: int  # agency.suspend_after_violations
    since: date  # the window's first day

    @property
    def suspended(self) -> bool:
        return self.violations >= self.limit


def violations_in_window(agency_ids: list[int], on: date) -> dict[int, int]:
    """Each agency's number of violations dated within the window ending on `on` (agencies with none: 0)."""
    window = policy_on(on).agency.violation_window_days
    since = on - timedelta(days=window - 1)
    counts = dict.fromkeys(agency_ids, 0)
    rows = Violation.objects.filter(
        responsible_agency_id__in=agency_ids, occurred_on__gte=since, occurred_on__lte=on
    ).values_list("responsible_agency_id", flat=True)
    for agency_id in rows:
        counts[agency_id] += 1
    return counts


def suspension(agency_id: int, on: date) -> Suspension:
    """The agency's standing under AGY-3's suspension rule on `on`."""
    return suspensions([agency_id], on)[agency_id]


def suspensions(agency_ids: list[int], on: date) -> dict[int, Suspension]:
    """Each agency's standing under AGY-3's suspension rule on `on`, in one query whatever their number."""
    policy = policy_on(on).agency
    since = on - timedelta(days=policy.violation_window_days - 1)
    counts = violations_in_window(agency_ids, on)
    return {pk: Suspension(counts[pk], policy.suspend_after_violations, since) for pk in agency_ids}
