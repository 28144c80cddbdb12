"""The escalation decision: a supervisor decides what follows for a case at the late stage (Clause: LGL-1,
LGL-2, CLS-2, AUTH-3, AUTH-4).

How this works
--------------
`do_decide_escalation` is the one writer of `EscalationDecision`. It needs `legal.decide_escalation`
(supervisors, AUTH-3); a refusal — the role, or a rule below — raises `ActionDenied` or `LegalError` and writes
nothing. In one transaction, with the case row locked, it

* reads the case's facts on the business date (`escalation.facts_of`) and checks the case waits for a decision
  (`escalation_queue.waiting`: an open legal or severe review, a revisit date come, a rejected write-off) or
  qualifies (LGL-1's grounds, or severe) and has had none since it (re)opened — so two supervisors deciding at
  once give one decision; not while the case is in litigation or a write-off of it stands;
* checks the decision against the policy: litigation only on LGL-1's grounds and for an overdue amount over
  the LGL-2 threshold; an agency or a write-off only for a case that qualifies; keeping collecting with a
  revisit date after the business date; a reason wherever the decision is not the route the policy proposes;
* stores the decision with its facts as decided, closes the case's open review tasks (status done), and for
  litigation opens the `Litigation` (stage decided, on the business date) — for a write-off records the
  proposal (`WriteOff`, status proposed) with the overdue amounts split into principal, interest, penalty and
  compound interest as the finance core has them; an agency placement is recorded and waits for placement;
* writes the audit event naming the clause, the facts, the tasks closed and what was created.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection.models import CaseStatus, CollectionCase, Task, TaskStatus
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ensure_clean
from arrears.finance import format_money, from_fen
from arrears.legal.errors import LegalError
from arrears.legal.escalation import Facts, facts_of, route_words
from arrears.legal.escalation_queue import REVIEW_KINDS, decided_since_opened, standing_write_off, waiting
from arrears.legal.models import Decision, EscalationDecision, Litigation, Stage, WriteOff, WriteOffStatus

__all__ = ["MAX_REASON", "clean_text", "do_decide_escalation", "grounds_text"]

MAX_REASON = 1000
CODES = {
    Decision.LITIGATION: ActionCode.DECIDE_LITIGATION,
    Decision.AGENCY: ActionCode.DECIDE_AGENCY,
    Decision.CONTINUE: ActionCode.DECIDE_CONTINUE,
    Decision.WRITE_OFF: ActionCode.PROPOSE_WRITE_OFF,
}


def clean_text(text: Any, *, actor: Any, subject: Any) -> str:
    """A reason or note as written: stripped, at most MAX_REASON characters, free of prohibited language
    (LANG-1: a hit is recorded and refused)."""
    text = (text if isinstance(text, str) else "").strip()
    if len(text) > MAX_REASON:
        raise LegalError(
            _("The text is %(n)s characters long; shorten it to at most %(max)s.") % {"n": len(text), "max": MAX_REASON}
        )
    if text:
        ensure_clean(text, actor=actor, where="other", subject=subject)
    return text


def _yuan(fen: int) -> str:
    return format_money(from_fen(fen), grouping=True)


def _clause(decision: str, facts: Facts) -> str:
    """The clause a decision rests on: LGL-2 for the route (litigation or an agency) on LGL-1's grounds, LGL-1
    for any other decision on them, CLS-2 for a severe case without them."""
    if not facts.eligible:
        return "CLS-2"
    return "LGL-2" if decision in (Decision.LITIGATION, Decision.AGENCY) else "LGL-1"


def _check_input(decision: Any, reason: str, revisit_on: date | None, today: date) -> None:
    if decision not in Decision.values:
        raise LegalError(
            _("Choose a decision: litigation, placement with an agency, keep collecting, or propose a write-off.")
        )
    if decision == Decision.CONTINUE:
        if revisit_on is None or revisit_on <= today:
            raise LegalError(
                _("To keep collecting, give a revisit date after the business date %(today)s.")
                % {"today": today.isoformat()}
            )
        if not reason:
            raise LegalError(_("To keep collecting, say why: the reason is recorded with the decision."))
    elif revisit_on is not None:
        raise LegalError(_("A revisit date belongs only to a decision to keep collecting; leave it empty."))


def _check_state(case: CollectionCase, today: date, facts: Facts) -> None:
    """The case is open, nothing stands in the way, and it waits for a decision or qualifies for one."""
    if case.status != CaseStatus.OPEN:
        raise LegalError(_("Case %(case)s is closed; decisions are made on open cases.") % {"case": case.pk})
    suing = Litigation.objects.filter(case=case).exclude(stage=Stage.CLOSED).first()
    if suing is not None:
        raise LegalError(
            _("Case %(case)s is in litigation (%(stage)s); the court stages decide what follows.")
            % {"case": case.pk, "stage": suing.get_stage_display()}
        )
    standing = standing_write_off(case)
    if standing is not None and standing.status == WriteOffStatus.PROPOSED:
        raise LegalError(
            _("A write-off of case %(case)s awaits approval; another supervisor approves or rejects it first.")
            % {"case": case.pk}
        )
    if standing is not None:
        raise LegalError(_("Case %(case)s is written off; no further decision is made on it.") % {"case": case.pk})
    if waiting(case, today) is not None:
        return
    if not facts.qualifies:
        raise LegalError(
            _(
                "Case %(case)s is not for the late stage: DPD %(dpd)s (legal action from DPD %(min)s with the "
                "grounds of LGL-1; severe above DPD %(severe)s, CLS-2)."
            )
            % {"case": case.pk, "dpd": facts.dpd, "min": facts.min_dpd, "severe": facts.severe_above}
        )
    if decided_since_opened(case):
        last = EscalationDecision.objects.filter(case=case).select_related("decided_by").latest("decided_at", "pk")
        raise LegalError(
            _("Case %(case)s was already decided (%(decision)s, by %(who)s on %(day)s); it waits for no decision now.")
            % {
                "case": case.pk,
                "decision": last.get_decision_display(),
                "who": last.decided_by.username,
                "day": last.business_date.isoformat(),
            }
        )


def grounds_text(facts: Facts) -> str:
    """LGL-1's grounds and this case's figures, in words (a refusal says what is missing)."""
    return _(
        "LGL-1 needs DPD at least %(min_dpd)s and at least %(min_failed)s failed attempts, a refusal, or no one "
        "reached for more than %(lost)s days; this case has DPD %(dpd)s, %(failed)s failed attempts, %(refused)s, "
        "and %(days)s days since anyone was reached."
    ) % {
        "min_dpd": facts.min_dpd,
        "min_failed": facts.min_failed_attempts,
        "lost": facts.lost_contact_days,
        "dpd": facts.dpd,
        "failed": facts.failed_attempts,
        "refused": _("a refusal") if facts.refused else _("no refusal"),
        "days": facts.days_since_reached,
    }


def _check_policy(decision: str, reason: str, facts: Facts) -> None:
    """The decision against LGL-1 and LGL-2 (and CLS-2 for a severe case)."""
    if decision == Decision.LITIGATION:
        if not facts.eligible:
            raise LegalError(_("Litigation may start only on the grounds of LGL-1.") + " " + grounds_text(facts))
        if facts.route != Decision.LITIGATION:
            raise LegalError(
                _(
                    "Litigation is for an overdue amount over %(threshold)s yuan (LGL-2); this case owes "
                    "%(overdue)s yuan: place it with an agency instead."
                )
                % {"threshold": _yuan(facts.threshold_fen), "overdue": _yuan(facts.overdue_fen)}
            )
    if decision in (Decision.AGENCY, Decision.WRITE_OFF) and not facts.qualifies:
        raise LegalError(
            _("Only a severe case or one with the grounds of LGL-1 goes to an agency or is written off.")
            + " "
            + grounds_text(facts)
        )
    if decision == Decision.WRITE_OFF and facts.overdue_fen <= 0:
        raise LegalError(_("Nothing is overdue on this case on the business date; there is nothing to write off."))
    if decision != facts.route and not reason:
        raise LegalError(
            _("Say why: a reason is needed wherever the decision is not the route the policy proposes (%(route)s).")
            % {"route": route_words(facts.route)}
        )


def do_decide_escalation(
    case: CollectionCase,
    *,
    decision: str,
    reason: str = "",
    revisit_on: date | None = None,
    actor: Any,
    today: date,
    at: datetime | None = None,
) -> EscalationDecision:
    """Record a supervisor's decision on a case at the late stage (Clause: LGL-1, LGL-2, CLS-2, AUTH-3).

    `decision`: "litigation", "agency", "continue" (with a reason and `revisit_on` after `today`) or
    "write_off" (a proposal another supervisor approves). Needs Perm.DECIDE_ESCALATION. Refused with a
    `LegalError` saying what is wrong (nothing written) where the module's rules say so."""
    require(actor, Perm.DECIDE_ESCALATION)
    reason = clean_text(reason, actor=actor, subject=case)
    _check_input(decision, reason, revisit_on, today)
    decision = Decision(decision).value
    facts = facts_of(case, today)
    _check_policy(decision, reason, facts)
    at = at or timezone.now()
    with audited(
        actor,
        CODES[decision],
        permission=Perm.DECIDE_ESCALATION,
        subject=case,
        reason=reason,
        clause=_clause(decision, facts),
    ) as rec:
        locked = CollectionCase.objects.select_for_update().get(pk=case.pk)
        _check_state(locked, today, facts)
        reviews = list(
            Task.objects.filter(case=locked, status=TaskStatus.OPEN, kind__in=REVIEW_KINDS)
            .order_by("due_on", "pk")
            .values_list("pk", flat=True)
        )
        decided = EscalationDecision.objects.create(
            case=locked,
            borrower_id=locked.borrower_id,
            decision=decision,
            eligible=facts.eligible,
            route=facts.route or "",
            facts=facts.as_recorded(),
            reason=reason,
            revisit_on=revisit_on if decision == Decision.CONTINUE else None,
            business_date=today,
            decided_by=actor,
            decided_at=at,
            task_id=reviews[0] if reviews else None,
        )
        closed = Task.objects.filter(pk__in=reviews, status=TaskStatus.OPEN).update(status=TaskStatus.DONE)
        if closed != len(reviews):
            raise LegalError(_("The case's review task changed meanwhile; reload the page and decide again."))
        rec.set_subject(decided)
        rec.change("case", None, locked.pk)
        rec.change("decision", None, decision)
        rec.change("facts", None, decided.facts)
        rec.change("clauses", None, facts.clauses)
        rec.change("tasks_closed", None, reviews)
        if decided.revisit_on:
            rec.change("revisit_on", None, decided.revisit_on)
        if decision == Decision.LITIGATION:
            suit = Litigation.objects.create(
                case=locked, borrower_id=locked.borrower_id, decision=decided, stage=Stage.DECIDED, opened_on=today
            )
            rec.change("litigation", None, suit.pk)
        elif decision == Decision.WRITE_OFF:
            proposal = _propose_write_off(locked, decided, facts, reason=reason, actor=actor, today=today, at=at)
            rec.change("write_off", None, proposal.pk)
            rec.change(
                "write_off_fen",
                None,
                [proposal.principal_fen, proposal.interest_fen, proposal.penalty_fen, proposal.compound_fen],
            )
    return decided


def _propose_write_off(
    case: CollectionCase,
    decided: EscalationDecision,
    facts: Facts,
    *,
    reason: str,
    actor: Any,
    today: date,
    at: datetime,
) -> WriteOff:
    """The write-off proposal of a decision: the overdue amounts on the business date, split as the finance
    core has them (the database checks that the parts add up to the total)."""
    return WriteOff.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        decision=decided,
        as_of=today,
        principal_fen=facts.principal_fen,
        interest_fen=facts.interest_fen,
        penalty_fen=facts.penalty_fen,
        compound_fen=facts.compound_fen,
        total_fen=facts.overdue_fen,
        status=WriteOffStatus.PROPOSED,
        reason=reason,
        proposed_by=actor,
        proposed_at=at,
    )
