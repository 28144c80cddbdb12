"""The call record (CALL-2, CALL-3, CALL-4, SCR-1, SCR-2, PRV-1): what a complete record is, and the action
that stores it.

`check_record` is the pure rule: given what the collector entered, the case's DPD and the policy's call
parameters, it lists what is missing or not allowed, field by field:

- a call that reached the borrower follows the script (CALL-2, SCR-1): greeting and who is calling, the
  purpose, the borrower's identity verified, the overdue days and amount stated, the ability to repay asked,
  a standard suggestion offered; from the second stage (DPD 31 and above) also the consequences (credit
  record, growing penalty interest) and the borrower's obstacle (CALL-4); always the attitude (SCR-2);
- nothing of the debt is stated to anyone whose identity was not verified, nor to a contact person (PRV-1);
- the duration typed is at most the policy's `calls.max_duration_seconds` (CALL-3, 4 hours); a duration the call
  platform measured (`duration_measured`) is taken as it is;
- "promised" needs an amount and a date (today up to `calls.promise_max_days` ahead); only the borrower
  promises; the amount is at most `MAX_PROMISE_YUAN` (what a bank's ledger holds, not a policy number);
- the follow-up plan (CALL-3): a next action, and a date unless nothing remains to do; in the second stage
  (DPD 31–60) it falls 5–7 days ahead (earlier only when the borrower asked, never later: CALL-4), in the
  moderate stage's higher-frequency cadence (DPD 61–90) 2–3 days ahead (CLS-2, `calls.moderate_*`), in the severe
  stage 5–7 days ahead as in the second, otherwise at most `calls.follow_up_max_days` ahead.

`cadence_refusal` is the cadence's rule for the call itself: in the second stage no call to the borrower before
`calls.min_interval_days` days since the last connected call (CALL-4), in the moderate stage's cadence not before
`calls.moderate_min_interval_days` (CLS-2), unless the borrower asked. A borrower calling the bank (inbound) is
never refused by it.

`do_record_call` re-checks the contact rules at the call's time, screens the note for prohibited language
(LANG-1), stores the call, the promise and the follow-up task, settles the work the call did (a reached
borrower settles the open call, reminder, confirmation and broken-promise tasks available today), and writes
one audit event — all in one transaction, or nothing. When the call platform reported the collector's call to
the same number as under way when the record is saved, or ended at most `calls.telephony_match_minutes` before,
the record is tied to it and its duration is the platform's, not the one typed (CALL-3: recorded by the system;
`quality.telephony`); the audit event keeps both. A second promise on the same day replaces the first (one
open promise made per day), and a new follow-up plan replaces the open follow-ups planned by earlier calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.agencies.access import ensure_may_contact
from arrears.collection.errors import CollectionError
from arrears.collection.models import (
    Call,
    CallOutcome,
    CallParty,
    CaseStatus,
    CollectionCase,
    NextAction,
    Obstacle,
    Promise,
    PromiseStatus,
    Suggestion,
    Task,
    TaskKind,
    TaskStatus,
)
from arrears.collection.queries import FOLLOW_UP_KINDS, contact_verdict
from arrears.collection.urgency import refresh_urgency
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ensure_clean
from arrears.engine.schema import REACHED_OUTCOMES
from arrears.finance import to_fen
from arrears.policy.model import Calls
from arrears.portfolio.models import ContactPerson
from arrears.quality.errors import QualityConflict
from arrears.quality.telephony import measured_call, tie_on_record

__all__ = [
    "MAX_PROMISE_YUAN",
    "Cadence",
    "CadenceRefusal",
    "CallEntry",
    "borrower_unreachable",
    "cadence_of",
    "cadence_refusal",
    "check_record",
    "do_record_call",
    "propose_follow_up",
]

# The largest promise a record holds: a trillion yuan less a fen, inside what the database's 64-bit fen column
# (and the form's 14 digits) can hold. Not a policy number: no borrower's promise comes near it.
MAX_PROMISE_YUAN = Decimal("999999999999.99")


@dataclass
class CallEntry:
    """What the collector entered on the form (amounts in yuan as Decimal)."""

    outcome: str
    party: str = CallParty.BORROWER
    contact_id: int | None = None
    duration_seconds: int = 0
    greeted: bool = False
    purpose_stated: bool = False
    identity_verified: bool = False
    facts_stated: bool = False
    consequences_stated: bool = False
    ability_asked: bool = False
    suggestion: str = ""
    attitude: str = ""
    obstacle: str = ""
    note: str = ""
    promise_amount: Decimal | None = None
    promise_due_on: date | None = None
    next_action: str = ""
    next_follow_up_on: date | None = None
    borrower_asked: bool = False  # the borrower asked to be called sooner than the cadence (CALL-4)
    inbound: bool = False  # the borrower called the bank (a contact they initiated, WVR-1)
    duration_measured: bool = False  # the duration is the call platform's (CALL-3), not typed
    errors: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def reached(self) -> bool:
        return self.outcome in REACHED_OUTCOMES


def second_stage(dpd: int, calls: Calls) -> bool:
    return dpd >= calls.second_stage_from_dpd


@dataclass(frozen=True)
class Cadence:
    """A stage's interval between calls to the borrower: the next call not before `min_days` after the last,
    due `max_days` after it, for DPD `from_dpd`–`to_dpd`; `clause` the rule."""

    clause: str
    from_dpd: int
    to_dpd: int
    min_days: int
    max_days: int


def cadence_of(dpd: int, calls: Calls) -> Cadence | None:
    """The cadence at this DPD: CALL-4's second stage (DPD 31–60, every 5–7 days), the moderate stage at a higher
    frequency (CLS-2, DPD 61–90, every 2–3 days), or None (the first stage, the severe one)."""
    if calls.second_stage_from_dpd <= dpd <= calls.second_stage_to_dpd:
        return Cadence(
            "CALL-4",
            calls.second_stage_from_dpd,
            calls.second_stage_to_dpd,
            calls.min_interval_days,
            calls.max_interval_days,
        )
    if calls.moderate_from_dpd <= dpd <= calls.moderate_to_dpd:
        return Cadence(
            "CLS-2",
            calls.moderate_from_dpd,
            calls.moderate_to_dpd,
            calls.moderate_min_interval_days,
            calls.moderate_max_interval_days,
        )
    return None


def _interval(dpd: int, calls: Calls) -> tuple[int, int]:
    """(earliest, latest) days to the next call: the cadence's at this DPD, else CALL-4's."""
    cadence = cadence_of(dpd, calls)
    return (cadence.min_days, cadence.max_days) if cadence else (calls.min_interval_days, calls.max_interval_days)


def propose_follow_up(today: date, dpd: int, calls: Calls, promise_due_on: date | None = None) -> date:
    """The follow-up date the form proposes: the day after a promise falls due (at the latest the cadence's
    due date), else the cadence's earliest next call (CALL-4: 5 days; the moderate stage, CLS-2: 2 days); outside
    a cadence CALL-4's, which also suits the first stage."""
    earliest, latest = _interval(dpd, calls)
    if promise_due_on is not None:
        return min(promise_due_on + timedelta(days=1), today + timedelta(days=latest))
    return today + timedelta(days=earliest)


def check_record(entry: CallEntry, *, today: date, dpd: int, calls: Calls) -> dict[str, str]:
    """Field → what is wrong, for everything that keeps the record from being complete (empty when it is)."""
    errors: dict[str, str] = {}
    if entry.outcome not in CallOutcome.values:
        errors["outcome"] = _("choose the call's outcome")
        return errors
    if entry.party not in CallParty.values:
        errors["party"] = _("say whom you called: the borrower or a contact person")
        return errors
    if entry.duration_measured:
        pass  # the call platform measured it (CALL-3): nothing typed to check
    elif entry.duration_seconds < 0:
        errors["duration_seconds"] = _("the duration cannot be negative")
    elif entry.duration_seconds > calls.max_duration_seconds:  # CALL-3
        errors["duration_seconds"] = _(
            "a call lasts at most %(max)s seconds (%(hours)s hours); enter the duration in seconds"
        ) % {"max": calls.max_duration_seconds, "hours": f"{calls.max_duration_seconds / 3600:g}"}
    elif entry.reached and entry.duration_seconds == 0:
        errors["duration_seconds"] = _("a call that reached someone lasted at least a second: enter its duration")
    to_borrower = entry.party == CallParty.BORROWER
    verified = to_borrower and entry.reached and entry.identity_verified
    if entry.facts_stated and not verified:
        errors["facts_stated"] = _(
            "the debt may be stated only to the borrower after verifying their identity (PRV-1); untick it"
        )
    if entry.consequences_stated and not verified:
        errors["consequences_stated"] = _("consequences are explained only to the verified borrower (PRV-1); untick it")
    if not to_borrower and entry.outcome in (CallOutcome.PROMISED, CallOutcome.NEEDS_PLAN, CallOutcome.REFUSED):
        errors["outcome"] = _(
            "only the borrower promises, refuses or asks for a plan; record the contact's answer as 'other'"
        )
    if to_borrower and entry.reached and entry.outcome != CallOutcome.WRONG_PARTY:
        required = {
            "greeted": _("greet and say who is calling (SCR-1)"),
            "purpose_stated": _("state the purpose of the call (CALL-2)"),
            "identity_verified": _("verify the borrower's identity before discussing the debt (CALL-2)"),
        }
        if entry.identity_verified:
            required |= {
                "facts_stated": _("state the overdue days and amount (CALL-2)"),
                "ability_asked": _("ask about the ability to repay (CALL-2)"),
            }
            if second_stage(dpd, calls):
                required["consequences_stated"] = _("explain the consequences: credit record, growing penalty (CALL-4)")
        for name, message in required.items():
            if not getattr(entry, name) and name not in errors:
                errors[name] = message
        if entry.identity_verified:
            if entry.suggestion not in Suggestion.values or entry.suggestion == Suggestion.NONE:
                errors["suggestion"] = _(
                    "record the suggestion offered: in full, a short plan or an extension (CALL-2)"
                )
            if not entry.attitude:
                errors["attitude"] = _("record the borrower's attitude (SCR-2)")
            if second_stage(dpd, calls) and entry.obstacle not in Obstacle.values:
                errors["obstacle"] = _("record the borrower's obstacle, or 'none stated' (CALL-4)")
    if entry.outcome == CallOutcome.PROMISED:
        if entry.promise_amount is None or entry.promise_amount <= 0:
            errors["promise_amount"] = _("enter the amount promised, in yuan (more than 0)")
        elif entry.promise_amount > MAX_PROMISE_YUAN:
            errors["promise_amount"] = _("enter a promised amount of at most %(max)s yuan") % {
                "max": f"{MAX_PROMISE_YUAN:,}"
            }
        elif entry.promise_amount != entry.promise_amount.quantize(Decimal("0.01")):
            errors["promise_amount"] = _("enter the amount in yuan with at most 2 decimals")
        horizon = today + timedelta(days=calls.promise_max_days)  # CALL-3
        if entry.promise_due_on is None:
            errors["promise_due_on"] = _("enter the date the borrower promised to pay by")
        elif not today <= entry.promise_due_on <= horizon:
            errors["promise_due_on"] = _(
                "a promise falls between today and %(days)s days ahead (%(first)s – %(last)s); a longer horizon "
                "is an instalment plan"
            ) % {"days": calls.promise_max_days, "first": today.isoformat(), "last": horizon.isoformat()}
    elif entry.promise_amount is not None or entry.promise_due_on is not None:
        errors["promise_amount"] = _("a promise is recorded only with the outcome 'promised to pay'")
    if entry.next_action not in NextAction.values:
        errors["next_action"] = _("choose the next action (CALL-3)")
    elif entry.next_action != NextAction.NONE:
        errors |= _check_follow_up(entry, today=today, dpd=dpd, calls=calls)
    return errors


def _check_follow_up(entry: CallEntry, *, today: date, dpd: int, calls: Calls) -> dict[str, str]:
    when = entry.next_follow_up_on
    if when is None:
        return {"next_follow_up_on": _("enter the date of the next follow-up (CALL-3)")}
    cadence = cadence_of(dpd, calls)
    min_days, max_days = _interval(dpd, calls)
    latest = today + timedelta(days=max_days if second_stage(dpd, calls) else calls.follow_up_max_days)
    earliest = today + timedelta(days=min_days) if second_stage(dpd, calls) else today
    if entry.borrower_asked or entry.next_action != NextAction.CALL:
        earliest = today
    if when < earliest or when > latest:
        dates = {"first": earliest.isoformat(), "last": latest.isoformat()}
        if cadence is not None and cadence.clause == "CLS-2":
            message = _(
                "the next follow-up falls between %(first)s and %(last)s (CLS-2: every %(min)s–%(max)s days in the "
                "moderate stage, sooner only when the borrower asked)"
            ) % {**dates, "min": min_days, "max": max_days}
        elif second_stage(dpd, calls):
            message = _(
                "the next follow-up falls between %(first)s and %(last)s (CALL-4: every %(min)s–%(max)s days at "
                "this stage, sooner only when the borrower asked)"
            ) % {**dates, "min": min_days, "max": max_days}
        else:
            message = _("the next follow-up falls between %(first)s and %(last)s") % dates
        return {"next_follow_up_on": message}
    return {}


@dataclass(frozen=True)
class CadenceRefusal:
    """The cadence refuses a call now (`clause`: CALL-4, or CLS-2 in the moderate stage): the last connected call
    was on `last_connected_on`; the next call to the borrower is allowed from `allowed_from` (sooner only when the
    borrower asked)."""

    last_connected_on: date
    allowed_from: date
    min_interval_days: int
    clause: str = "CALL-4"

    def message(self) -> str:
        """The refusal in the active language: the rule, the dates, and what would allow the call."""
        if self.clause == "CLS-2":
            return _(
                "CLS-2: in the moderate stage calls to the borrower are at least %(days)s days apart. The last "
                "connected call was on %(last)s, so the next call is allowed from %(from)s. Call sooner only if the "
                "borrower asked to be called: tick that box."
            ) % {
                "days": self.min_interval_days,
                "last": self.last_connected_on.isoformat(),
                "from": self.allowed_from.isoformat(),
            }
        return _(
            "CALL-4: at this stage calls to the borrower are at least %(days)s days apart. The last connected "
            "call was on %(last)s, so the next call is allowed from %(from)s. Call sooner only if the borrower "
            "asked to be called: tick that box."
        ) % {
            "days": self.min_interval_days,
            "last": self.last_connected_on.isoformat(),
            "from": self.allowed_from.isoformat(),
        }


def cadence_refusal(borrower_id: int, *, today: date, dpd: int, calls: Calls) -> CadenceRefusal | None:
    """CALL-4: in the second stage (DPD `second_stage_from_dpd`–`second_stage_to_dpd`) a call to the borrower
    comes at least `min_interval_days` after the last connected call to them (an inbound one included: the
    borrower was just on the phone); CLS-2: in the moderate stage's cadence (DPD `moderate_from_dpd`–
    `moderate_to_dpd`) at least `moderate_min_interval_days` after it; unless the borrower asked. None when the
    cadence allows a call today. The caller skips it for an inbound call and when the borrower asked."""
    cadence = cadence_of(dpd, calls)
    if cadence is None:
        return None
    last = Call.objects.filter(
        borrower_id=borrower_id, party=CallParty.BORROWER, outcome__in=REACHED_OUTCOMES, called_on__lte=today
    ).aggregate(last=Max("called_on"))["last"]
    if last is None:
        return None
    allowed_from = last + timedelta(days=cadence.min_days)
    return CadenceRefusal(last, allowed_from, cadence.min_days, cadence.clause) if today < allowed_from else None


def borrower_unreachable(case: CollectionCase) -> bool:
    """A contact person may be called only when the borrower is unreachable (PRV-1): the last call to the
    borrower in this case failed (no answer, busy, wrong party, number invalid)."""
    last = (
        Call.objects.filter(case=case, party=CallParty.BORROWER).order_by("-called_at", "-pk").values("outcome").first()
    )
    return last is not None and last["outcome"] not in REACHED_OUTCOMES


def _number_of(case: CollectionCase, entry: CallEntry) -> str:
    """The number the entry's party has ("" for a contact person who is not the borrower's)."""
    if entry.party == CallParty.BORROWER:
        return case.borrower.mobile
    phone = ContactPerson.objects.filter(pk=entry.contact_id, borrower_id=case.borrower_id).values_list("phone")
    return next((p for (p,) in phone), "")


def _dialled(case: CollectionCase, entry: CallEntry) -> tuple[str, ContactPerson | None]:
    if entry.party == CallParty.BORROWER:
        return case.borrower.mobile, None
    contact = ContactPerson.objects.filter(pk=entry.contact_id, borrower_id=case.borrower_id).first()
    if contact is None:
        raise CollectionError(_("choose one of the borrower's contact persons to call"))
    if not borrower_unreachable(case):
        raise CollectionError(
            _(
                "a contact person may be called only when the borrower is unreachable: record a failed call to "
                "the borrower first (PRV-1)"
            )
        )
    return contact.phone, contact


def do_record_call(
    case: CollectionCase,
    entry: CallEntry,
    *,
    actor: Any,
    today: date,
    dpd: int,
    calls: Calls,
    called_at: datetime | None = None,
) -> Call:
    """Store one call record with its promise and follow-up (see the module docstring). Raises `ActionDenied`
    (no permission), `CollectionError` (the case, the contact rules or the contact person refuse it; for an
    agency's user, a case not placed with their agency, or `PlacementFrozen` while the agency is not eligible) or
    `IncompleteRecord` (fields missing or not allowed; `.errors` field by field) or `CadenceRefused` (CALL-4, CLS-2:
    too soon after the last connected call, and the borrower did not ask) — and then nothing is stored."""
    require(actor, Perm.CALL)
    ensure_may_contact(actor, case, today)  # an agency's user: placed with their agency, not frozen (AGY-1)
    if case.status != CaseStatus.OPEN:
        raise CollectionError(_("this case is closed; calls are recorded on open cases"))
    called_at = called_at or timezone.now()
    typed = entry.duration_seconds
    measured = measured_call(actor, _number_of(case, entry), case, at=called_at, calls=calls)  # CALL-3
    if measured is not None:
        entry = replace(entry, duration_seconds=measured.duration_seconds, duration_measured=True)
    errors = check_record(entry, today=today, dpd=dpd, calls=calls)
    if errors:
        raise IncompleteRecord(errors)
    number, contact = _dialled(case, entry)
    inbound = entry.inbound and entry.party == CallParty.BORROWER
    if not inbound:  # the contact rules limit the bank's calls, not a borrower's call to the bank
        verdict = contact_verdict(case.borrower_id, called_at, number=number)
        if not verdict.allowed:
            raise ContactRefused(verdict)
        if entry.party == CallParty.BORROWER and not entry.borrower_asked:
            refusal = cadence_refusal(case.borrower_id, today=today, dpd=dpd, calls=calls)  # CALL-4, CLS-2
            if refusal is not None:
                raise CadenceRefused(refusal)
    if entry.note.strip():
        # LANG-1: a note with prohibited language is refused (ProhibitedLanguage); the hit stays recorded.
        ensure_clean(entry.note, actor=actor, where="call_note", subject=case)
    with audited(  # the collector's note on the call is the event's reason (AUTH-4)
        actor,
        ActionCode.RECORD_CALL,
        permission=Perm.CALL,
        subject=case,
        clause="CALL-3",
        at=called_at,
        reason=entry.note.strip(),
    ) as record:
        call = Call.objects.create(
            borrower_id=case.borrower_id,
            case=case,
            collector=actor,
            called_at=called_at,
            called_on=today,
            party=entry.party,
            inbound=inbound,
            borrower_asked=entry.borrower_asked,
            contact=contact,
            number=number,
            outcome=entry.outcome,
            duration_seconds=entry.duration_seconds,
            greeted=entry.greeted,
            purpose_stated=entry.purpose_stated,
            identity_verified=entry.identity_verified,
            facts_stated=entry.facts_stated,
            consequences_stated=entry.consequences_stated,
            ability_asked=entry.ability_asked,
            suggestion=entry.suggestion,
            attitude=entry.attitude,
            obstacle=entry.obstacle,
            note=entry.note.strip(),
            next_action=entry.next_action,
            next_follow_up_on=entry.next_follow_up_on if entry.next_action != NextAction.NONE else None,
        )
        record.change("call", None, call.pk)
        record.change("outcome", None, call.outcome)
        if measured is not None:  # CALL-3: the platform's duration, and what was typed
            try:
                tie_on_record(measured, call)
            except QualityConflict as exc:
                raise CollectionError(str(exc)) from None
            record.change("duration_seconds", typed, call.duration_seconds)
            record.change("platform_call_id", None, measured.platform_call_id)
        if call.inbound:
            record.change("inbound", None, True)
        if call.borrower_asked:
            record.change("borrower_asked", None, True)  # CALL-4: why a call may come sooner
        if entry.outcome == CallOutcome.PROMISED:
            _store_promise(case, call, entry, today, record)
        if entry.reached and entry.party == CallParty.BORROWER:
            settled = list(
                Task.objects.filter(
                    borrower_id=case.borrower_id,
                    status=TaskStatus.OPEN,
                    kind__in=FOLLOW_UP_KINDS,
                    available_from__lte=today,
                ).values_list("pk", flat=True)
            )
            Task.objects.filter(pk__in=settled).update(status=TaskStatus.DONE)
            if settled:
                record.change("tasks_done", None, settled)
        if call.next_follow_up_on is not None:
            # The newest plan replaces the open follow-ups planned by earlier calls (a second call the same day
            # leaves one follow-up, not two).
            replaced = list(
                Task.objects.select_for_update()
                .filter(borrower_id=case.borrower_id, status=TaskStatus.OPEN, key__startswith="follow_up:")
                .values_list("pk", flat=True)
            )
            if replaced:
                Task.objects.filter(pk__in=replaced, status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
                record.change("follow_ups_replaced", None, replaced)
            task = Task.objects.create(
                key=f"follow_up:{call.pk}",
                kind=TaskKind.CALL,
                borrower_id=case.borrower_id,
                case=case,
                available_from=call.next_follow_up_on,
                due_on=call.next_follow_up_on,
                reason=f"{call.get_next_action_display()} (call {call.pk})"[:200],
                ref_id=call.pk,
                clause="CALL-3",
                created_on=today,
            )
            record.change("follow_up", None, {"task": task.pk, "on": task.due_on, "action": call.next_action})
        refresh_urgency(today, [case.borrower_id])  # the queue's order: tasks settled, a promise, a follow-up
    return call


def _store_promise(case: CollectionCase, call: Call, entry: CallEntry, today: date, record) -> None:
    """The call's promise; a promise already made today in an earlier call is replaced by this one (its amount,
    date and call), so a second call the same day leaves one promise (CALL-3)."""
    fen = to_fen(entry.promise_amount)
    earlier = (
        Promise.objects.select_for_update()
        .filter(borrower_id=case.borrower_id, status=PromiseStatus.OPEN, made_on=today)
        .order_by("pk")
        .first()
    )
    if earlier is None:
        promise = Promise.objects.create(
            borrower_id=case.borrower_id,
            case=case,
            amount_fen=fen,
            made_on=today,
            due_on=entry.promise_due_on,
            call=call,
        )
        record.change("promise", None, {"id": promise.pk, "fen": promise.amount_fen, "due": promise.due_on})
        return
    before = {"id": earlier.pk, "fen": earlier.amount_fen, "due": earlier.due_on, "call": earlier.call_id}
    earlier.amount_fen, earlier.due_on, earlier.call, earlier.case = fen, entry.promise_due_on, call, case
    earlier.save(update_fields=["amount_fen", "due_on", "call", "case"])
    record.change("promise", before, {"id": earlier.pk, "fen": fen, "due": earlier.due_on, "call": call.pk})


class CadenceRefused(CollectionError):
    """The cadence (CALL-4, CLS-2) refuses this call now; `.refusal` gives the last connected call and the first day allowed."""

    def __init__(self, refusal: CadenceRefusal) -> None:
        super().__init__(refusal.message())
        self.refusal = refusal


class IncompleteRecord(CollectionError):
    """The record is not complete or not allowed; `.errors` maps each field to what to do."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


class ContactRefused(CollectionError):
    """The contact rules refuse this call now; `.verdict` names the rule and when it is next allowed."""

    def __init__(self, verdict) -> None:
        when = verdict.next_allowed_at
        after = "" if when is None else f"; next allowed {timezone.localtime(when):%Y-%m-%d %H:%M}"
        super().__init__(f"contact refused by the rule {verdict.rule}: {verdict.reason}{after}")
        self.verdict = verdict


__all__ += ["CadenceRefused", "ContactRefused", "IncompleteRecord"]
