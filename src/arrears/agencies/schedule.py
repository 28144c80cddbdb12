"""When each agency is due for its next audit (Clause: AGY-3).

An agency that has held any placement is audited at least every `agency.audit_interval_days` days: its next
audit is due that many days after the end of the period its last closed audit covered, or — before its first —
after the day of its first placement. On the due day itself it is due, not yet overdue; from the next day on it
is overdue by the days since. An audit still open does not move the due date (the audit is done once closed),
but the schedule shows it.

`next_due` and `days_overdue` are the rule, pure; `audit_schedule` reads every agency's dates in three queries
whatever their number and applies the rule with the interval of the policy in force on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min

from arrears.accounts.models import Agency
from arrears.agencies.models import Placement
from arrears.agencies.models_audit import AgencyAudit, AuditStatus
from arrears.rules.queries import policy_on

__all__ = ["ScheduleRow", "audit_schedule", "days_overdue", "due_date", "next_due", "overdue_audits"]


def next_due(first_placed_on: date | None, last_audited_through: date | None, interval_days: int) -> date | None:
    """Clause: AGY-3 — the day the next audit is due: `interval_days` after the last closed audit's period end,
    else after the first placement; None for an agency that never held a placement (nothing to audit)."""
    if interval_days < 1:
        raise ValueError("an audit interval is at least one day")
    start = last_audited_through or first_placed_on
    return None if start is None else start + timedelta(days=interval_days)


def days_overdue(due_on: date | None, on: date) -> int:
    """Clause: AGY-3 — days past the due date on `on` (0 on the due day and before it)."""
    return 0 if due_on is None else max((on - due_on).days, 0)


@dataclass(frozen=True)
class ScheduleRow:
    agency: Agency
    first_placed_on: date
    last_audited_through: date | None  # the period end of its last closed audit
    due_on: date
    on: date
    open_audit_id: int | None

    @property
    def overdue_days(self) -> int:
        return days_overdue(self.due_on, self.on)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def days_left(self) -> int:
        """Days until the due date (0 on the due day; negative once overdue)."""
        return (self.due_on - self.on).days


def audit_schedule(on: date) -> list[ScheduleRow]:
    """Clause: AGY-3 — every agency that has held a placement, most overdue first, then by due date and name, as
    of `on` under the policy then (`agency.audit_interval_days`)."""
    interval = policy_on(on).agency.audit_interval_days
    first = dict(
        Placement.objects.values("agency_id").annotate(first=Min("placed_on")).values_list("agency_id", "first")
    )
    closed = dict(
        AgencyAudit.objects.filter(status=AuditStatus.CLOSED)
        .values("agency_id")
        .annotate(through=Max("period_end"))
        .values_list("agency_id", "through")
    )
    open_audits = dict(AgencyAudit.objects.filter(status=AuditStatus.OPEN).values_list("agency_id", "pk"))
    rows = [
        ScheduleRow(
            agency=agency,
            first_placed_on=first[agency.pk],
            last_audited_through=closed.get(agency.pk),
            due_on=next_due(first[agency.pk], closed.get(agency.pk), interval),
            on=on,
            open_audit_id=open_audits.get(agency.pk),
        )
        for agency in Agency.objects.filter(pk__in=list(first)).order_by("name")
    ]
    return sorted(rows, key=lambda r: (-r.overdue_days, r.due_on, r.agency.name))


def due_date(agency_id: int, on: date) -> date | None:
    """Clause: AGY-3 — the day the agency's next audit is due under the policy on `on` (None: never placed)."""
    first = Placement.objects.filter(agency_id=agency_id).aggregate(first=Min("placed_on"))["first"]
    through = AgencyAudit.objects.filter(agency_id=agency_id, status=AuditStatus.CLOSED).aggregate(
        through=Max("period_end")
    )["through"]
    return next_due(first, through, policy_on(on).agency.audit_interval_days)


def overdue_audits(on: date) -> list[ScheduleRow]:
    """Clause: AGY-3 — the agencies whose audit is overdue on `on`, most overdue first."""
    return [row for row in audit_schedule(on) if row.overdue]
