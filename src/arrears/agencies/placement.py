"""Placing a case with an agency, and ending the placement (Clause: LGL-1, LGL-2, AUTH-3, AGY-1, AGY-2, AGY-3).

How this works
--------------
`do_place_case(case, agency=…, days=…, actor=…, today=…)` is the supervisor's placement (`legal.decide_escalation`,
AUTH-3). Refused with `PlacementError`, nothing written:

* input that can never be right (`conflict=False`, the API's 422): a period outside 1..`agency.placement_max_days`
  days, a reason too long or with prohibited language (LANG-1);
* the state, now (`conflict=True`, the API's 409): the case is closed, in litigation, written off or proposed for
  a write-off, or already placed; it is not eligible for legal action under LGL-1 (the grounds and this case's
  figures are named); the agency is not eligible under AGY-1 on the business date (each missing or expired
  document is named) or is suspended for repeated violations (AGY-3); no mandate template is approved (LANG-2).

In one transaction, with the case row locked, it records the decision to place (AUTH-3: the case's waiting
`EscalationDecision` "agency" when there is one since the case (re)opened and not yet placed, else a new one with
the facts as decided, closing the case's open review tasks), then the `Placement`: from the business date for
`days` days (default `agency.placement_days`), at the agency's commission percentage of the day, under the mandate
— the approved Chinese `agency_mandate` template (AGY-2: collection only; violence, harassment and abusive means
forbidden) filled in with the agency, the case, the period and the commission, kept as rendered. The audit event
names the agency, the period, the commission, the decision and the mandate's SHA-256.

`do_recall_placement(placement, reason=…, actor=…, today=…)` ends a standing placement early: by a supervisor's
decision, on a substantiated complaint, or on lost eligibility (AGY-1). Access ends at once: the agency's users
see a case only while a placement of it with their agency stands and its period lasts
(`agencies.access`), read on every request.

`do_end_placements(on, actor=…)` is the nightly run's: every standing placement whose last day is before `on`
ends ("the period ended"), and every one whose case has closed ("the case closed"), each with its audit event.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm
from arrears.agencies.errors import PlacementError
from arrears.agencies.models import Placement, RecallReason, reference_of
from arrears.agencies.queries import eligibility_of, problem_words
from arrears.agencies.suspension import suspension
from arrears.collection.letters import Bank
from arrears.collection.models import CaseStatus, CollectionCase, Task, TaskStatus
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.masking import mask_name
from arrears.finance import format_money, from_fen
from arrears.legal.errors import LegalError
from arrears.legal.escalation import Facts, facts_of
from arrears.legal.escalation_actions import clean_text, grounds_text
from arrears.legal.escalation_queue import REVIEW_KINDS, standing_write_off
from arrears.legal.models import Decision, EscalationDecision, Litigation, Stage, WriteOffStatus
from arrears.notices.content import bank_values, format_date
from arrears.notices.models import Language, Template, TemplatePurpose
from arrears.notices.template_queries import approved_template
from arrears.notices.templating import render
from arrears.rules.queries import policy_on

__all__ = [
    "RECALL_REASONS",
    "do_end_placements",
    "do_place_case",
    "do_recall_placement",
    "end_on_complaint",
    "mandate_template",
    "placement_ref",
    "standing_placement",
]

# Why a person may end a placement early (the period's end and a closed case are the nightly run's).
RECALL_REASONS = (RecallReason.SUPERVISOR, RecallReason.COMPLAINT, RecallReason.ELIGIBILITY)


def placement_ref(placement: Placement) -> str:
    """PLC-<day placed>-<id>, e.g. PLC-20261128-000042: what the mandate and the statements call it."""
    return reference_of(placement.placed_on, placement.pk)


def standing_placement(case: CollectionCase | int) -> Placement | None:
    """The case's standing placement (not ended, whatever its period), or None."""
    case_id = case if isinstance(case, int) else case.pk
    return Placement.objects.select_related("agency").filter(case_id=case_id, ended_at__isnull=True).first()


def mandate_template() -> Template:
    """The approved Chinese mandate (LANG-2; Chinese: the language of the contract with the agency)."""
    template = approved_template(TemplatePurpose.AGENCY_MANDATE, Language.ZH_HANS)
    if template is None:
        raise PlacementError(
            _(
                "No approved agency mandate (LANG-2): a legal reviewer must approve the Chinese “agency mandate "
                "(委托催收函)” template at Notices › Templates before a case can be placed."
            )
        )
    return template


def _days(days: Any, today: date) -> int:
    policy = policy_on(today).agency
    if days is None or days == "":
        return policy.placement_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= policy.placement_max_days:
        raise PlacementError(
            _("The period is %(days)s; give a whole number of days from 1 to %(max)s (agency.placement_max_days).")
            % {"days": days, "max": policy.placement_max_days},
            conflict=False,
        )
    return days


def _check_agency(agency: Agency, today: date) -> None:
    status = eligibility_of(agency, today)
    if not status.eligible:
        raise PlacementError(
            _(
                "Agency %(code)s is not eligible on %(day)s (AGY-1): %(problems)s. Place the case with an eligible agency."
            )
            % {"code": agency.code, "day": today.isoformat(), "problems": "; ".join(problem_words(status))}
        )
    standing = suspension(agency.pk, today)
    if standing.suspended:
        raise PlacementError(
            _(
                "Agency %(code)s receives no new placements (AGY-3): %(n)s violations recorded since %(since)s, "
                "%(limit)s suspend new placements."
            )
            % {
                "code": agency.code,
                "n": standing.violations,
                "since": standing.since.isoformat(),
                "limit": standing.limit,
            }
        )


def _check_case(case: CollectionCase, facts: Facts) -> None:
    if case.status != CaseStatus.OPEN:
        raise PlacementError(_("Case %(case)s is closed; only open cases are placed.") % {"case": case.pk})
    suing = Litigation.objects.filter(case=case).exclude(stage=Stage.CLOSED).first()
    if suing is not None:
        raise PlacementError(
            _("Case %(case)s is in litigation (%(stage)s); it is not placed with an agency.")
            % {"case": case.pk, "stage": suing.get_stage_display()}
        )
    written = standing_write_off(case)
    if written is not None:
        raise PlacementError(
            _("A write-off of case %(case)s awaits approval; it is not placed meanwhile.")
            if written.status == WriteOffStatus.PROPOSED
            else _("Case %(case)s is written off; it is not placed.")
        ) % {"case": case.pk}
    placed = standing_placement(case)
    if placed is not None:
        raise PlacementError(
            _("Case %(case)s is already placed with agency %(code)s until %(last)s; recall it first.")
            % {"case": case.pk, "code": placed.agency.code, "last": placed.last_day.isoformat()}
        )
    if not facts.eligible:
        raise PlacementError(
            _("Case %(case)s is not eligible for escalation (LGL-1).") % {"case": case.pk} + " " + grounds_text(facts)
        )


def _decision(case: CollectionCase, facts: Facts, reason: str, actor, today: date, at: datetime):
    """The case's waiting decision to place (since it (re)opened, not yet placed), else a new one; the open review
    tasks closed. Returns (decision, created, tasks closed)."""
    waiting = (  # since the case (re)opened: `opened_on`, as `escalation_queue.decided_since_opened` reads it
        EscalationDecision.objects.filter(case=case, decision=Decision.AGENCY, business_date__gte=case.opened_on)
        .filter(~Q(pk__in=Placement.objects.filter(case=case).values("decision_id")))
        .order_by("-decided_at", "-pk")
        .first()
    )
    reviews = list(
        Task.objects.filter(case=case, status=TaskStatus.OPEN, kind__in=REVIEW_KINDS).values_list("pk", flat=True)
    )
    Task.objects.filter(pk__in=reviews).update(status=TaskStatus.DONE)
    if waiting is not None:
        return waiting, False, reviews
    decided = EscalationDecision.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        decision=Decision.AGENCY,
        eligible=facts.eligible,
        route=facts.route or "",
        facts=facts.as_recorded(),
        reason=reason or _("Placed with an agency."),
        business_date=today,
        decided_by=actor,
        decided_at=at,
        task_id=reviews[0] if reviews else None,
    )
    return decided, True, reviews


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value:.2f}%"


def _mandate_text(template: Template, placement: Placement, facts: Facts, name: str) -> str:
    zh = Language.ZH_HANS
    return render(
        template.body,
        {
            **bank_values(Bank.from_settings()),
            "agency": placement.agency.name,
            "agency_code": placement.agency.code,
            "placement_ref": placement_ref(placement),
            "name": mask_name(name),
            "contracts": "、".join(facts.contracts),
            "overdue_total": format_money(from_fen(placement.overdue_fen), grouping=True),
            "placed_on": format_date(placement.placed_on, zh),
            "last_day": format_date(placement.last_day, zh),
            "days": str(placement.days),
            "commission": _percent(placement.commission_percent),
        },
    )


def do_place_case(
    case: CollectionCase,
    *,
    agency: Agency,
    days: Any = None,
    reason: str = "",
    actor: Any,
    today: date,
    at: datetime | None = None,
) -> Placement:
    """Place `case` with `agency` for `days` days from `today` (Clause: LGL-1, LGL-2, AUTH-3, AGY-1, AGY-2).

    Needs Perm.DECIDE_ESCALATION. See the module docstring for what is refused and what is written."""
    require(actor, Perm.DECIDE_ESCALATION)
    days = _days(days, today)
    try:
        reason = clean_text(reason, actor=actor, subject=case)
    except (LegalError, ProhibitedLanguage) as exc:  # too long, or LANG-1 (the hit is recorded)
        raise PlacementError(str(exc), conflict=False) from exc
    template = mandate_template()
    at = at or timezone.now()
    with audited(
        actor,
        ActionCode.PLACE_WITH_AGENCY,
        permission=Perm.DECIDE_ESCALATION,
        subject=case,
        reason=reason,
        clause="LGL-2",
    ) as rec:
        locked = CollectionCase.objects.select_for_update().select_related("borrower").get(pk=case.pk)
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        facts = facts_of(locked, today)
        _check_case(locked, facts)
        _check_agency(agency, today)
        decided, created, reviews = _decision(locked, facts, reason, actor, today, at)
        placement = Placement.objects.create(
            case=locked,
            borrower_id=locked.borrower_id,
            agency=agency,
            decision=decided,
            placed_on=today,
            days=days,
            last_day=today + timedelta(days=days - 1),
            commission_percent=agency.commission_percent,
            overdue_fen=facts.overdue_fen,
            mandate="",
            mandate_template=f"{template.purpose} {template.language} v{template.version}",
            placed_by=actor,
            placed_at=at,
            reason=reason,
        )
        placement.mandate = _mandate_text(template, placement, facts, locked.borrower.name)
        placement.save(update_fields=["mandate"])
        rec.set_subject(placement)
        rec.change("case", None, locked.pk)
        rec.change("agency", None, agency.code)
        rec.change("period", None, [placement.placed_on.isoformat(), placement.last_day.isoformat()])
        rec.change("commission_percent", None, str(placement.commission_percent))
        rec.change("overdue_fen", None, placement.overdue_fen)
        rec.change("decision", None, decided.pk)
        rec.change("decision_recorded_now", None, created)
        rec.change("tasks_closed", None, reviews)
        rec.change("facts", None, facts.as_recorded())
        rec.change("mandate_template", None, placement.mandate_template)
        rec.change("mandate_sha256", None, hashlib.sha256(placement.mandate.encode()).hexdigest())
    return placement


def _end(placement: Placement, rec, *, reason: str, note: str, actor, on: date, at: datetime) -> None:
    placement.ended_on = on
    placement.ended_at = at
    placement.ended_by = actor
    placement.end_reason = reason
    placement.end_note = note
    placement.save(update_fields=["ended_on", "ended_at", "ended_by", "end_reason", "end_note"])
    rec.change("ended_on", None, on.isoformat())
    rec.change("end_reason", None, reason)


def do_recall_placement(
    placement: Placement,
    *,
    reason: str = RecallReason.SUPERVISOR,
    note: str = "",
    actor: Any,
    today: date,
    at: datetime | None = None,
) -> Placement:
    """End a standing placement now (Clause: LGL-2, AUTH-3, AGY-1): `reason` one of RECALL_REASONS. Needs
    Perm.DECIDE_ESCALATION; refused (nothing written) when the placement has ended already."""
    require(actor, Perm.DECIDE_ESCALATION)
    if reason not in RECALL_REASONS:
        raise PlacementError(
            _(
                "Choose why the case is recalled: a supervisor's decision, a substantiated complaint or lost eligibility."
            ),
            conflict=False,
        )
    try:
        note = clean_text(note, actor=actor, subject=placement)
    except (LegalError, ProhibitedLanguage) as exc:  # too long, or LANG-1 (the hit is recorded)
        raise PlacementError(str(exc), conflict=False) from exc
    at = at or timezone.now()
    with audited(
        actor,
        ActionCode.RECALL_PLACEMENT,
        permission=Perm.DECIDE_ESCALATION,
        subject=placement,
        reason=note,
        clause="AUTH-3",
    ) as rec:
        locked = Placement.objects.select_for_update().select_related("agency").get(pk=placement.pk)
        if locked.ended_at is not None:
            raise PlacementError(
                _("Placement %(ref)s ended on %(day)s (%(why)s); there is nothing to recall.")
                % {
                    "ref": placement_ref(locked),
                    "day": locked.ended_on.isoformat(),
                    "why": locked.get_end_reason_display(),
                }
            )
        rec.change("case", None, locked.case_id)
        rec.change("agency", None, locked.agency.code)
        _end(locked, rec, reason=RecallReason(reason).value, note=note, actor=actor, on=today, at=at)
    return locked


def end_on_complaint(borrower_id: int | None, agency, rec, *, actor: Any, on: date, at: datetime) -> Placement | None:
    """Within a substantiated complaint's findings (`complaints.investigation.do_record_findings`, its transaction
    and audit event): the borrower's standing placement with the agency found responsible ends now ("a
    substantiated complaint", Clause: AGY-2, CMP-3) — the agency's access ends with it. None when none stands."""
    if borrower_id is None or agency is None:
        return None
    placement = (
        Placement.objects.select_for_update()
        .filter(borrower_id=borrower_id, agency=agency, ended_at__isnull=True)
        .first()
    )
    if placement is None:
        return None
    _end(placement, rec, reason=RecallReason.COMPLAINT, note="", actor=actor, on=on, at=at)
    rec.change("placement_recalled", None, placement.pk)
    return placement


def do_end_placements(on: date, *, actor: Any, at: datetime | None = None) -> int:
    """End every standing placement whose period ended before `on`, or whose case has closed (Clause: LGL-2).
    Needs Perm.RUN_DAILY (the nightly run). Returns how many ended."""
    require(actor, Perm.RUN_DAILY)
    at = at or timezone.now()
    due = Placement.objects.filter(ended_at__isnull=True).filter(Q(last_day__lt=on) | Q(case__status=CaseStatus.CLOSED))
    ended = 0
    for placement in due.select_related("case", "agency").order_by("pk"):
        why = RecallReason.CASE_CLOSED if placement.case.status == CaseStatus.CLOSED else RecallReason.PERIOD_END
        try:
            with audited(
                actor, ActionCode.END_PLACEMENT, permission=Perm.RUN_DAILY, subject=placement, clause="LGL-2"
            ) as rec:
                locked = Placement.objects.select_for_update().get(pk=placement.pk)
                if locked.ended_at is not None:
                    raise _AlreadyEnded
                rec.change("case", None, locked.case_id)
                rec.change("agency", None, placement.agency.code)
                rec.change("last_day", None, locked.last_day.isoformat())
                _end(locked, rec, reason=why, note="", actor=actor, on=on, at=at)
        except _AlreadyEnded:  # a supervisor recalled it meanwhile: nothing to write
            continue
        ended += 1
    return ended


class _AlreadyEnded(Exception):
    pass
