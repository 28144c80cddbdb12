"""Reads of the outbox: a borrower's delivery history, the outbox by status, the daily dispatch report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.notices.models import AttemptOutcome, Notice, NoticeAttempt, NoticeStatus

__all__ = [
    "IN_PRINT_BATCH",
    "REASON_LABELS",
    "DispatchReport",
    "QuietWait",
    "delivery_history",
    "dispatch_report",
    "outbox",
    "waiting_for_quiet_hours",
]

REASON_LABELS = {
    "paid": _("paid meanwhile"),
    "past_due": _("due date passed before it could be sent"),
    "loan_closed": _("loan closed"),
    "hold": _("a hold is in force"),
    "no_consent": _("no consent for the channel"),
    "no_address": _("no address for the channel"),
    "quiet_hours": _("quiet hours"),
    "no_template": _("no approved template (LANG-2)"),
    "letter_withdrawn": _("letter withdrawn"),
    "plan_ended": _("the instalment plan is no longer in force"),
    "channel_error": _("channel error"),
    "lease_expired": _("worker stopped while sending"),
    "found_by_reconciliation": _("found at the gateway by reconciliation"),
    "requeued": _("sent again by a person"),
    "confirmed": _("confirmed by a person"),
    "receipt": _("delivery receipt"),
}


def delivery_history(borrower_id: int) -> QuerySet[Notice]:
    """Every notice to the borrower, newest first, with its attempts (two queries whatever the count)."""
    return (
        Notice.objects.filter(borrower_id=borrower_id)
        .select_related("loan", "letter", "template", "print_batch")
        .defer("letter__pdf", "print_batch__pdf", "print_batch__manifest")
        .prefetch_related(Prefetch("attempts_made", queryset=NoticeAttempt.objects.order_by("at", "pk")))
        .order_by("-queued_on", "-pk")
    )


# The outbox's own filter beside the stored statuses: a letter by post in a print batch is stored `sent` (it left
# the outbox) but it is not sent to anyone yet: it waits at the print house. The outbox shows it apart.
IN_PRINT_BATCH = "printed"


def outbox(status: str | None = None, *, since: date | None = None, until: date | None = None) -> QuerySet[Notice]:
    """The outbox, newest first: notices of one status (`IN_PRINT_BATCH`: the letters in a print batch, which
    `sent` then leaves out; None: every status), queued from `since` to `until` inclusive (either may be None)."""
    found = (
        Notice.objects.select_related("borrower", "loan", "print_batch")
        .defer("print_batch__pdf", "print_batch__manifest")
        .order_by("-pk")
    )
    if since:
        found = found.filter(queued_on__gte=since)
    if until:
        found = found.filter(queued_on__lte=until)
    if status == IN_PRINT_BATCH:
        found = found.filter(status=NoticeStatus.SENT, print_batch__isnull=False)
    elif status == NoticeStatus.SENT:
        found = found.filter(status=NoticeStatus.SENT, print_batch__isnull=True)
    elif status:
        found = found.filter(status=status)
    return found


def status_counts(
    *, since: date | None = None, until: date | None = None, printed_apart: bool = False
) -> dict[str, int]:
    """Notices by stored status (queued from `since` to `until`, if given); with `printed_apart`, the letters in a
    print batch counted under `IN_PRINT_BATCH` and not under `sent`."""
    found = outbox(since=since, until=until).order_by()
    counts = dict(found.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    if printed_apart:
        printed = found.filter(status=NoticeStatus.SENT, print_batch__isnull=False).count()
        if printed:
            counts[IN_PRINT_BATCH] = printed
            counts[NoticeStatus.SENT] -= printed
    return counts


@dataclass
class DispatchReport:
    """What the dispatcher did on one local day: attempts by channel, outcome and reason, and the outbox now."""

    day: date
    rows: list[tuple[str, str, str, int]] = field(default_factory=list)  # (channel, outcome, reason, count)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "by_outcome": self.by_outcome,
            "by_channel": self.by_channel,
            "rows": [{"channel": c, "outcome": o, "reason": r, "count": n} for c, o, r, n in self.rows],
            "outbox": self.outbox,
        }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def dispatch_report(day: date) -> DispatchReport:
    """The day's dispatch report (sent, deferred, failed, cancelled… by channel and reason), from the attempts
    recorded on that local day. No personal data: counts only."""
    start, end = _day_bounds(day)
    rows = list(
        NoticeAttempt.objects.filter(at__gte=start, at__lt=end)
        .values_list("channel", "outcome", "reason")
        .annotate(n=Count("pk"))
        .order_by("channel", "outcome", "reason")
    )
    by_outcome: Counter[str] = Counter()
    by_channel: dict[str, Counter[str]] = {}
    for channel, outcome, _reason, n in rows:
        by_outcome[outcome] += n
        by_channel.setdefault(channel, Counter())[outcome] += n
    return DispatchReport(
        day=day,
        rows=[(c, o, r, n) for c, o, r, n in rows],
        by_outcome={o: by_outcome.get(o, 0) for o in AttemptOutcome.values if by_outcome.get(o)},
        by_channel={c: dict(v) for c, v in sorted(by_channel.items())},
        outbox={s: n for s, n in sorted(status_counts().items()) if s in NoticeStatus.values},
    )


@dataclass(frozen=True)
class QuietWait:
    """Notices the contact rules deferred to the end of the quiet hours, still waiting at `now`. Clause: REM-1."""

    count: int
    until: datetime | None  # the earliest moment one of them may go

    def as_json(self) -> dict:
        until = None if self.until is None else timezone.localtime(self.until).isoformat()
        return {"waiting": self.count, "until": until}


def waiting_for_quiet_hours(now: datetime) -> QuietWait:
    """How many queued SMS and emails wait for the quiet hours to end (deferred with reason `quiet_hours`, their
    `not_before` still ahead of `now`), and until when. Clause: REM-1."""
    waiting = Notice.objects.filter(status=NoticeStatus.QUEUED, reason="quiet_hours", not_before__gt=now)
    row = waiting.aggregate(n=Count("pk"), until=Min("not_before"))
    return QuietWait(row["n"], row["until"])
