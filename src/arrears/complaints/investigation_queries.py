"""What the investigation page and the violation register read (Clause: CMP-3, PRV-1).

* `contact_history` — the calls, letters and notices of the complaint's borrower in the days before the complaint
  (and since), with the collector and, for an agency's collector, the agency: what the complaint may concern.
* `register` — the violation register, newest first; `repeated` — violations per responsible person in the
  policy's window up to a day (`complaints.repeat_window_days`, 365), the ones with `complaints.repeat_violations`
  (2) or more marked, for supervisors and compliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet

from arrears.collection.models import Call, Letter
from arrears.complaints.clocks import day_of_receipt
from arrears.complaints.models import Complaint, Violation
from arrears.notices.queries import delivery_history
from arrears.rules.queries import policy_on

# How far back the page looks from the day of receipt: a page's window, not a policy figure (older contacts are
# on the case page).
CONTACT_WINDOW_DAYS = 90
# The register's look-back and the count from which a person's violations are marked as repeated.
MAX_ROWS = 200


@dataclass(frozen=True)
class Contact:
    on: date | datetime
    kind: str
    who: str
    agency: str
    what: str


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def contact_history(complaint: Complaint, *, kinds: dict[str, str]) -> list[Contact]:
    """Clause: CMP-3 — the borrower's contacts from `CONTACT_WINDOW_DAYS` before the day of receipt on, newest
    first. `kinds` names the three kinds in the page's language ("call", "letter", "notice")."""
    if complaint.borrower_id is None:
        return []
    since = day_of_receipt(complaint.received_at) - timedelta(days=CONTACT_WINDOW_DAYS)
    rows: list[Contact] = []
    calls = (
        Call.objects.filter(borrower_id=complaint.borrower_id, called_on__gte=since)
        .select_related("collector__agency")
        .order_by("-called_at")[:MAX_ROWS]
    )
    for call in calls:
        agency = getattr(call.collector, "agency", None)
        rows.append(
            Contact(
                call.called_on,
                kinds["call"],
                _person(call.collector),
                agency.name if agency else "",
                call.get_outcome_display(),
            )
        )
    letters = (
        Letter.objects.filter(borrower_id=complaint.borrower_id, sent_on__gte=since)
        .select_related("sent_by__agency")
        .defer("pdf")
        .order_by("-sent_on")[:MAX_ROWS]
    )
    for letter in letters:
        agency = getattr(letter.sent_by, "agency", None) if letter.sent_by_id else None
        rows.append(
            Contact(
                letter.sent_on,
                kinds["letter"],
                _person(letter.sent_by),
                agency.name if agency else "",
                f"{letter.get_channel_display()} · {letter.get_status_display()}",
            )
        )
    for notice in delivery_history(complaint.borrower_id).filter(queued_on__gte=since)[:MAX_ROWS]:
        rows.append(
            Contact(
                notice.queued_on,
                kinds["notice"],
                "",
                "",
                f"{notice.get_kind_display()} · {notice.get_channel_display()} · {notice.get_status_display()}",
            )
        )
    return sorted(rows, key=lambda r: r.on if isinstance(r.on, date) else r.on.date(), reverse=True)


def register() -> QuerySet[Violation]:
    """Clause: PRV-1 — the register, newest first."""
    return Violation.objects.select_related(
        "responsible_user", "responsible_agency", "complaint", "rectification", "recorded_by"
    ).order_by("-occurred_on", "-pk")


def repeat_rule(on: date) -> tuple[int, int]:
    """Clause: PRV-1 — (window in days, violations that mark a person as repeated) of the policy on `on`."""
    rules = policy_on(on).complaints
    return rules.repeat_window_days, rules.repeat_violations


def repeated(on: date) -> list[tuple[str, int, bool]]:
    """Violations per responsible person in the policy's window (`complaints.repeat_window_days`) up to `on`,
    most first; True marks `complaints.repeat_violations` or more."""
    window, repeat_at = repeat_rule(on)
    counts = (
        Violation.objects.filter(
            responsible_user__isnull=False, occurred_on__gt=on - timedelta(days=window), occurred_on__lte=on
        )
        .values("responsible_user__username", "responsible_user__first_name", "responsible_user__last_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "responsible_user__username")
    )
    out = []
    for row in counts:
        name = f"{row['responsible_user__last_name']}{row['responsible_user__first_name']}".strip()
        out.append((name or row["responsible_user__username"], row["n"], row["n"] >= repeat_at))
    return out
