"""Reads: the complaint queue (nearest deadline first), the triage queue and the SLA figures (Clause: CMP-2,
CMP-3).

The SLA figures are as of the END of a Beijing day D (midnight that starts D + 1):
* `open` — received by then and not closed (an unmatched complaint waiting in triage is open too);
* `due_today` — open, with its first response due during D and not given by the end of D, or its investigation
  due on D;
* `breached_response` — its response was due by the end of D and was not given in time: none yet, or one given
  after the deadline (a late response stays a breach: CMP-2 asks for it within 24 hours);
* `breached_investigation` — its investigation was due on D or before and the complaint was not closed by the
  end of that due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet

from arrears.complaints.clocks import BEIJING
from arrears.complaints.models import Complaint, ComplaintStatus


def day_bounds(on: date) -> tuple[datetime, datetime]:
    """The instants that start day `on` and the next day in Beijing."""
    start = datetime.combine(on, time(0), tzinfo=BEIJING)
    return start, datetime.combine(on + timedelta(days=1), time(0), tzinfo=BEIJING)


@dataclass(frozen=True)
class Sla:
    on: date
    open: int
    due_today: int
    breached_response: int
    breached_investigation: int

    def as_dict(self) -> dict[str, int]:
        return {
            "open": self.open,
            "due_today": self.due_today,
            "breached_response": self.breached_response,
            "breached_investigation": self.breached_investigation,
        }


def sla(on: date, among: QuerySet[Complaint] | None = None) -> Sla:
    """The SLA figures as of the end of Beijing day `on` (see the module's docstring), of every complaint or of
    those `among` (a channel's, a month's: `complaints.sla`)."""
    start, end = day_bounds(on)
    received = (Complaint.objects.all() if among is None else among).filter(received_at__lt=end)
    open_ = received.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    unanswered_today = Q(response_due__gte=start, response_due__lt=end) & (
        Q(responded_at__isnull=True) | Q(responded_at__gte=end)
    )
    due_today = open_.filter(unanswered_today | Q(investigation_due=on)).count()
    breached_response = received.filter(
        Q(response_due__lt=end) & (Q(responded_at__isnull=True) | Q(responded_at__gt=F("response_due")))
    ).count()
    breached_investigation = 0
    for due, closed_at in received.filter(investigation_due__lte=on).values_list("investigation_due", "closed_at"):
        if closed_at is None or closed_at >= day_bounds(due)[1]:
            breached_investigation += 1
    return Sla(on, open_.count(), due_today, breached_response, breached_investigation)


WARN_BEFORE = timedelta(hours=4)


@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint
    deadline: datetime  # the nearest deadline still to meet: the response's, else the investigation's day end
    which: str  # "response" or "investigation"
    breached: bool
    warn: bool  # due within WARN_BEFORE, or its investigation due today


def queue(now: datetime) -> list[QueueRow]:
    """Complaints not closed, nearest deadline first (Clause: CMP-2, CMP-3): while no response is given its
    deadline is the response's; after it, the end of the investigation's due day. A deadline passed is a breach; one
    within four hours (or an investigation due today) is warned of."""
    rows = []
    today = now.astimezone(BEIJING).date()
    complaints = Complaint.objects.exclude(status=ComplaintStatus.CLOSED).select_related("borrower")
    for complaint in complaints:
        if complaint.responded_at is None:
            deadline, which = complaint.response_due, "response"
        else:
            deadline, which = day_bounds(complaint.investigation_due)[1], "investigation"
        breached = deadline <= now or (
            complaint.responded_at is not None and complaint.responded_at > complaint.response_due
        )
        warn = not breached and (deadline - now <= WARN_BEFORE or complaint.investigation_due == today)
        rows.append(QueueRow(complaint, deadline, which, breached, warn))
    return sorted(rows, key=lambda row: (row.deadline, row.complaint.pk))


def triage() -> QuerySet[Complaint]:
    """Complaints matched to no borrower yet, oldest first."""
    return (
        Complaint.objects.filter(borrower__isnull=True)
        .exclude(status=ComplaintStatus.CLOSED)
        .order_by("received_at", "pk")
    )


@dataclass(frozen=True)
class ShownNotice:
    key: str
    kind: str
    channel: str
    to: str
    status: str
    sent_at: datetime | None


def complaint_notices(complaint: Complaint) -> list[ShownNotice]:
    """The complaint's acknowledgements and outcomes through the outbox, oldest first, as the page shows them:
    the recipient masked (PRV-1), the status in words."""
    from django.utils import timezone

    from arrears.notices.shown import shown_recipient, shown_status

    now = timezone.now()
    return [
        ShownNotice(
            n.key, n.get_kind_display(), n.get_channel_display(), shown_recipient(n), shown_status(n, now), n.sent_at
        )
        for n in complaint.notices.order_by("pk")
    ]
