"""The call platform's events and the duration of a call record (Clause: CALL-3 — the duration is recorded by the
system, not typed; QA-1).

The bank's call platform (CTI) reports each call twice: `call.started` and `call.ended`, with the platform's id of
the call, the instant (ISO 8601 with its offset), the agent (the collector's user name) and the number dialled,
and, when it knows them, the collection case and the call record (`call`). `do_receive_telephony_event` keeps each
event as it came and the call's state (`TelephonyCall`), in one transaction with its audit event:

* **Idempotent.** The same event sent again (same kind, instant, agent, number, case and record) changes nothing
  and is answered as a repeat; an event of a kind already received with other values is refused (409), since the
  platform cannot have seen both.
* **Out of order.** An end may arrive before its start: it is kept, and the call waits for its start; the duration
  is known once both are. An end before the start's instant, or an agent, number or case that differs from the
  call's first event, is refused (409).
* **Tied to the call record.** A platform call is tied to at most one call record and a record to at most one
  platform call: the one the platform names (`call`), or else the record the same collector saved for the same
  number while the platform call was under way or at most `calls.telephony_match_minutes` after it ended (the
  case, when the platform names one, must be the record's). Once tied and ended, the record's duration is the
  platform's; the record keeps what was typed only in the audit event. Either side may come first: a record
  saved after the call ended takes its duration when it is saved (`measured_call`, `tie_on_record`, from
  `collection.calls.do_record_call`), and a record saved before the platform's end arrives takes it when it
  arrives.

Numbers are compared as digits (spaces, dashes, brackets and "+" dropped; mainland China's country code "86" or
"0086" before an 11-digit mobile number dropped). The platform's number is never written to the audit ledger
(which is never cut): only to the platform call's row, which the retention purge anonymises with the borrower's
call records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.permissions import Perm
from arrears.collection.models import Call, CollectionCase
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.policy.model import Calls
from arrears.quality.errors import QualityConflict, QualityError
from arrears.quality.models_recording import Linked, TelephonyCall, TelephonyEvent, TelephonyEventKind

__all__ = [
    "PlatformEvent",
    "Received",
    "dialled_digits",
    "do_receive_telephony_event",
    "measured_call",
    "tie_on_record",
]

PLATFORM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")
_SEPARATORS = str.maketrans("", "", " -()\t")


def dialled_digits(raw: str) -> str | None:
    """The number as the digits dialled, or None when it is not a phone number (other characters, non-ASCII
    digits, fewer than 3 or more than 20 digits). `+86 139-1234-0001` → `13912340001`."""
    text = str(raw or "").strip().translate(_SEPARATORS).removeprefix("+")
    if not (text.isascii() and text.isdigit()) or not 3 <= len(text) <= 20:
        return None
    if text.startswith("0086") and len(text) == 15:
        return text[4:]
    if text.startswith("86") and len(text) == 13 and text[2] == "1":
        return text[2:]
    return text


def _same_number(a: str, b: str) -> bool:
    left = dialled_digits(a)
    return left is not None and left == dialled_digits(b)


def _seconds(started: datetime, ended: datetime) -> int:
    """Whole seconds between two instants, half a second rounded up (integer arithmetic, no float)."""
    micro = (ended - started) // timedelta(microseconds=1)
    return (micro + 500_000) // 1_000_000


@dataclass(frozen=True)
class PlatformEvent:
    """One event as the call platform sent it: the checked values, and `payload`, the JSON object as received."""

    kind: str
    platform_call_id: str
    at: str
    agent: str
    number: str
    case_id: int | None = None
    call_id: int | None = None
    payload: dict | None = None


@dataclass(frozen=True)
class Received:
    """What an event did: the platform call as it now stands, and whether the event was a repeat (nothing
    changed)."""

    telephony_call: TelephonyCall
    repeat: bool

    @property
    def state(self) -> str:
        """`started`, `ended`, or `awaiting_start` (an end that came before its start)."""
        row = self.telephony_call
        if row.ended_at is None:
            return "started"
        return "ended" if row.started_at is not None else "awaiting_start"


# -- checking an event ------------------------------------------------------------------------------------------


def _instant(text: str) -> datetime:
    value = None
    if isinstance(text, str) and text.isascii() and len(text) <= 40:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            value = None
    if value is None or value.tzinfo is None or value.utcoffset() is None:
        raise QualityError(
            _("at: give the instant in ISO 8601 with its offset from UTC, e.g. 2026-03-20T10:05:00+08:00.")
        )
    return value


@dataclass(frozen=True)
class _Checked:
    kind: str
    platform_call_id: str
    at: datetime
    agent: User
    number: str
    case: CollectionCase | None
    call: Call | None


def _check(event: PlatformEvent) -> _Checked:
    """The event's values, or a refusal naming the field and what to send (422)."""
    if event.kind not in TelephonyEventKind.values:
        raise QualityError(
            _("event: send %(kinds)s.") % {"kinds": " or ".join(f'"{k}"' for k in TelephonyEventKind.values)}
        )
    platform_id = str(event.platform_call_id or "")
    if not PLATFORM_ID.fullmatch(platform_id):
        raise QualityError(
            _(
                "platform_call_id: give the call platform's id of the call, 1 to 64 letters, digits and . _ : @ - "
                "(starting with a letter or digit)."
            )
        )
    at = _instant(event.at)
    number = dialled_digits(event.number)
    if number is None:
        raise QualityError(_("number: give the number dialled, 3 to 20 digits 0–9 (spaces, dashes and + allowed)."))
    agent = User.objects.filter(username=str(event.agent or "").strip()).first() if event.agent else None
    if agent is None or agent.is_service_account:
        raise QualityError(
            _("agent: no collector has the user name %(name)s; send the agent's user name in arrears.")
            % {"name": str(event.agent or "")[:150]}
        )
    case = None
    if event.case_id is not None:
        case = CollectionCase.objects.filter(pk=event.case_id).first()
        if case is None:
            raise QualityError(_("case: there is no collection case %(id)s.") % {"id": event.case_id})
    call = None
    if event.call_id is not None:
        call = Call.objects.filter(pk=event.call_id).first()
        if call is None:
            raise QualityError(_("call: there is no call record %(id)s.") % {"id": event.call_id})
        if call.collector_id != agent.pk:
            raise QualityError(
                _("call: call record %(id)s was recorded by another user than the agent %(name)s.")
                % {"id": call.pk, "name": agent.username}
            )
        if case is not None and call.case_id != case.pk:
            raise QualityError(
                _("call: call record %(id)s belongs to another case than %(case)s.") % {"id": call.pk, "case": case.pk}
            )
    return _Checked(event.kind, platform_id, at, agent, number, case, call)


def _differences(row: TelephonyCall, found: _Checked) -> list[str]:
    """The fields in which an event contradicts the platform call's first event."""
    wrong = []
    if row.agent_id != found.agent.pk:
        wrong.append("agent")
    if row.number != found.number:
        wrong.append("number")
    if found.case is not None and row.case_id not in (None, found.case.pk):
        wrong.append("case")
    return wrong


def _repeat(row: TelephonyCall, found: _Checked) -> bool | None:
    """None: no event of this kind yet. True: this very event again. A different one: 409."""
    earlier = TelephonyEvent.objects.filter(telephony_call=row, kind=found.kind).first()
    if earlier is None:
        return None
    same = (
        earlier.at == found.at
        and not _differences(row, found)
        and (found.call is None or row.call_id == found.call.pk)
        and (found.case is None or row.case_id == found.case.pk)
    )
    if same:
        return True
    raise QualityConflict(
        _(
            "The call platform already reported %(event)s of call %(id)s at %(at)s with other values; an event is "
            "sent once, and a repeat must be the same event."
        )
        % {"event": found.kind, "id": row.platform_call_id, "at": earlier.at.isoformat()}
    )


# -- the action -------------------------------------------------------------------------------------------------


def do_receive_telephony_event(event: PlatformEvent, *, actor: Any, calls: Calls) -> Received:
    """Keep one event of the call platform and bring its call up to date (see the module docstring). Needs
    `quality.telephony`. Refuses with `QualityError` (422: a field, named in the message) or `QualityConflict`
    (409: contradicts what was received, or the call or record is tied elsewhere) — and then stores nothing."""
    require(actor, Perm.TELEPHONY)
    found = _check(event)
    row = TelephonyCall.objects.filter(platform_call_id=found.platform_call_id).first()
    if row is not None:
        wrong = _differences(row, found)
        if wrong:
            raise QualityConflict(
                _("Call %(id)s was reported with another %(fields)s before; the platform's events of one call agree.")
                % {"id": row.platform_call_id, "fields": ", ".join(wrong)}
            )
        if _repeat(row, found):
            return Received(row, repeat=True)
    with audited(
        actor, ActionCode.RECEIVE_TELEPHONY_EVENT, permission=Perm.TELEPHONY, subject=None, clause="CALL-3"
    ) as record:
        row, _created = TelephonyCall.objects.get_or_create(
            platform_call_id=found.platform_call_id,
            defaults={"agent": found.agent, "number": found.number, "case": found.case},
        )
        row = TelephonyCall.objects.select_for_update().get(pk=row.pk)
        if _differences(row, found) or _repeat(row, found) is not None:  # sent twice at once: the other one won
            raise QualityConflict(
                _("The call platform sent %(event)s of call %(id)s twice at once; it is kept once.")
                % {"event": found.kind, "id": found.platform_call_id}
            )
        _apply_instant(row, found)
        if found.case is not None and row.case_id is None:
            row.case = found.case
        TelephonyEvent.objects.create(
            telephony_call=row,
            kind=found.kind,
            at=found.at,
            payload=event.payload if event.payload is not None else _payload(event),
            received_at=timezone.now(),
            received_by=actor,
        )
        if found.call is not None:
            _tie_named(row, found.call)
        if row.started_at is not None and row.ended_at is not None:
            row.duration_seconds = _seconds(row.started_at, row.ended_at)
            if row.call_id is None:
                _tie_saved_record(row, calls)
        row.save()
        record.set_subject(row)
        record.change("event", None, found.kind)
        record.change("at", None, found.at)
        record.change("agent", None, found.agent.username)
        if row.case_id is not None:
            record.change("case", None, row.case_id)
        if row.duration_seconds is not None:
            record.change("duration_seconds", None, row.duration_seconds)
        if row.call_id is not None:
            record.change("call", None, row.call_id)
            if row.duration_seconds is not None:
                _give_duration(row, actor)
    return Received(row, repeat=False)


def _payload(event: PlatformEvent) -> dict:
    body = {
        "event": event.kind,
        "platform_call_id": event.platform_call_id,
        "at": event.at,
        "agent": event.agent,
        "number": event.number,
    }
    return {**body, "case": event.case_id, "call": event.call_id}


def _apply_instant(row: TelephonyCall, found: _Checked) -> None:
    if found.kind == TelephonyEventKind.STARTED:
        if row.ended_at is not None and found.at > row.ended_at:
            raise QualityConflict(
                _("Call %(id)s ended at %(end)s, before the start reported now (%(start)s); send the right instants.")
                % {"id": row.platform_call_id, "end": row.ended_at.isoformat(), "start": found.at.isoformat()}
            )
        row.started_at = found.at
    else:
        if row.started_at is not None and found.at < row.started_at:
            raise QualityConflict(
                _("Call %(id)s started at %(start)s, after the end reported now (%(end)s); send the right instants.")
                % {"id": row.platform_call_id, "start": row.started_at.isoformat(), "end": found.at.isoformat()}
            )
        row.ended_at = found.at


def _tie_named(row: TelephonyCall, call: Call) -> None:
    """The platform names the call record: tie them, unless either is tied to another already (409)."""
    if row.call_id == call.pk:
        return
    if row.call_id is not None:
        raise QualityConflict(
            _("Call %(id)s of the call platform is tied to call record %(call)s already.")
            % {"id": row.platform_call_id, "call": row.call_id}
        )
    other = TelephonyCall.objects.filter(call=call).exclude(pk=row.pk).values_list("platform_call_id", flat=True)
    if other:
        raise QualityConflict(
            _("Call record %(call)s is tied to the call platform's call %(other)s already.")
            % {"call": call.pk, "other": other[0]}
        )
    row.call, row.linked, row.linked_at = call, Linked.PLATFORM, timezone.now()


def _tie_saved_record(row: TelephonyCall, calls: Calls) -> None:
    """The first record the agent saved for the number while the call was under way or at most the window after
    it ended, not tied to another platform call (and of the platform's case, when it named one)."""
    window = timedelta(minutes=calls.telephony_match_minutes)
    records = Call.objects.filter(
        collector_id=row.agent_id,
        telephony__isnull=True,
        called_at__gte=row.started_at,
        called_at__lte=row.ended_at + window,
    )
    if row.case_id is not None:
        records = records.filter(case_id=row.case_id)
    for call in records.order_by("called_at", "pk"):
        if _same_number(call.number, row.number):
            row.call, row.linked, row.linked_at = call, Linked.MATCHED, timezone.now()
            return


def _give_duration(row: TelephonyCall, actor: Any) -> None:
    """The tied record's duration becomes the platform's (CALL-3), with its own audit event on the record."""
    call = Call.objects.select_for_update().get(pk=row.call_id)
    if call.duration_seconds == row.duration_seconds:
        return
    with audited(
        actor, ActionCode.TIE_TELEPHONY_CALL, permission=Perm.TELEPHONY, subject=call, clause="CALL-3"
    ) as record:
        Call.objects.filter(pk=call.pk).update(duration_seconds=row.duration_seconds)
        record.change("duration_seconds", call.duration_seconds, row.duration_seconds)
        record.change("platform_call_id", None, row.platform_call_id)
        record.change("tied", None, row.linked)


# -- a call record saved after its platform call ended (`collection.calls.do_record_call`) ----------------------


def measured_call(
    collector: Any, number: str, case: CollectionCase, *, at: datetime, calls: Calls
) -> TelephonyCall | None:
    """The platform call a record saved at `at` takes its duration from: the collector's ended call to `number`,
    not tied yet, that started before `at` and ended at most `calls.telephony_match_minutes` before it (of this
    case, when the platform named one); the latest such. None when there is none (the typed duration stands)."""
    if not number or getattr(collector, "pk", None) is None:
        return None
    window = timedelta(minutes=calls.telephony_match_minutes)
    candidates = TelephonyCall.objects.filter(
        agent_id=collector.pk,
        call__isnull=True,
        duration_seconds__isnull=False,
        started_at__lte=at,
        ended_at__gte=at - window,
    ).filter(Q(case__isnull=True) | Q(case_id=case.pk))
    return next(
        (row for row in candidates.order_by("-ended_at", "-pk") if _same_number(row.number, number)),
        None,
    )


def tie_on_record(row: TelephonyCall, call: Call) -> None:
    """Tie the platform call found by `measured_call` to the record just created (inside the record's
    transaction): refused when another record took it meanwhile, so that no two records share one duration."""
    tied = TelephonyCall.objects.filter(pk=row.pk, call__isnull=True).update(
        call=call, linked=Linked.MATCHED, linked_at=timezone.now()
    )
    if tied != 1:
        raise QualityConflict(
            _("The call platform's call %(id)s was just tied to another call record; save this record again.")
            % {"id": row.platform_call_id}
        )
