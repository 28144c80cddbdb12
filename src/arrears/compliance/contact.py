"""Contact rules: may we contact this borrower now, and if not, which rule says no and when is it allowed?

One function, `check_contact`, for every path that reaches a borrower: the workstation's call button, notice
dispatch and any dialler later. It takes the instant, the policy's contact section and what the caller counted
(connected calls to the borrower today, attempts on this number today, holds in force) and decides, in this
order:

1. a hold in force (dispute, complaint under investigation, legal hold, borrower deceased, fraud claim,
   bankruptcy) stops every contact until it ends;
2. quiet hours (22:00–08:00 local by default) stop every contact until they end;
3. calls only: at most 3 connected calls to a borrower a day, at most 6 unanswered attempts on one number a
   day (the guideline's caps, policy parameters that may be stricter, never looser).

"Today" is the local day in the policy's time zone. A refusal names the rule, says why, and gives the first
instant the contact would be allowed again (None while a hold has no end).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.policy.model import Contact

__all__ = ["CALL", "CHANNELS", "ContactVerdict", "HoldInForce", "check_contact"]

CALL = "call"
CHANNELS = (CALL, "sms", "email", "letter")


@dataclass(frozen=True)
class HoldInForce:
    kind: str  # a HoldKind: dispute, complaint, legal, deceased, fraud_claim, bankruptcy
    until: date | None  # the last day it holds; None: until released


@dataclass(frozen=True)
class ContactVerdict:
    allowed: bool
    rule: str = ""  # "hold", "quiet_hours", "connected_calls", "unanswered_attempts"
    reason: str = ""
    next_allowed_at: datetime | None = None
    # The reason's figures as text, for a user interface that words the reason in its own language.
    facts: Mapping[str, str] = field(default_factory=dict)


ALLOWED = ContactVerdict(True)


def _local_opening(day: date, rules: Contact, zone: ZoneInfo) -> datetime:
    """The first instant contact is allowed on a local day: the end of the night's quiet hours."""
    return datetime.combine(day, rules.quiet_end, tzinfo=zone)


def check_contact(
    at: datetime,
    rules: Contact,
    *,
    channel: str = CALL,
    connected_calls_today: int = 0,
    unanswered_attempts_today: int = 0,
    holds: Iterable[HoldInForce] = (),
) -> ContactVerdict:
    """Whether a contact by `channel` at the aware instant `at` is allowed (see the module doc)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"contact time {at!r} is naive; pass an aware datetime")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    zone = ZoneInfo(rules.timezone)
    local = at.astimezone(zone)
    today = local.date()
    next_morning = _local_opening(today + timedelta(days=1), rules, zone)
    holds = list(holds)
    if holds:
        ends = [h.until for h in holds]
        until = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        kinds = ", ".join(sorted({h.kind for h in holds}))
        return ContactVerdict(
            False,
            "hold",
            f"a hold is in force ({kinds}); no contact until it ends"
            + ("" if until is None else f" after {until.isoformat()}"),
            None if until is None else _local_opening(until + timedelta(days=1), rules, zone),
            {"kinds": kinds, "until": "" if until is None else until.isoformat()},
        )
    if rules.is_quiet(local.time()):
        opening = _local_opening(today, rules, zone) if local.time() < rules.quiet_end else next_morning
        facts = {"local": f"{local:%H:%M}", "start": f"{rules.quiet_start:%H:%M}", "end": f"{rules.quiet_end:%H:%M}"}
        return ContactVerdict(
            False,
            "quiet_hours",
            f"{facts['local']} is inside the quiet hours {facts['start']}–{facts['end']} ({rules.timezone})",
            opening,
            facts | {"zone": rules.timezone},
        )
    if channel != CALL:
        return ALLOWED
    if connected_calls_today >= rules.max_connected_calls_per_day:
        return ContactVerdict(
            False,
            "connected_calls",
            f"{connected_calls_today} connected calls today; at most {rules.max_connected_calls_per_day} a day",
            next_morning,
            {"count": str(connected_calls_today), "cap": str(rules.max_connected_calls_per_day)},
        )
    if unanswered_attempts_today >= rules.max_unanswered_attempts_per_day:
        return ContactVerdict(
            False,
            "unanswered_attempts",
            f"{unanswered_attempts_today} unanswered attempts on this number today; at most "
            f"{rules.max_unanswered_attempts_per_day} a day",
            next_morning,
            {"count": str(unanswered_attempts_today), "cap": str(rules.max_unanswered_attempts_per_day)},
        )
    return ALLOWED
