"""The arrangement actions: propose, decide and sign instalment plans; propose and decide penalty waivers.

Every one checks the actor's permission first, validates, changes state and writes its audit event in one
transaction (AUTH-4); a refusal raises `ArrangementError` (or `ActionDenied`) and writes nothing.

How this works
--------------
* Maker–checker (AUTH-2): a senior collector (or supervisor) proposes, a supervisor decides. The proposer can
  never decide their own proposal: the action refuses it, and the database refuses it too
  (`plan_not_self_decided`, `waiver_not_self_decided`), so no code path can get round it.
* A decision is one conditional UPDATE … WHERE status = 'proposed'. Two supervisors deciding at once: the
  database lets one update the row; the other's UPDATE, re-evaluated after the first commits, matches no row,
  and that action is refused with nothing written — exactly one decision, one audit event.
* A plan is proposed from a quote (`queries.quote`, PLAN-1..3) and must be one of its feasible options; its
  instalments are stored with their due dates. Approval renders the agreement (PLAN-4, `agreement.py`) and
  stores it with its SHA-256; the plan takes effect only when the signed agreement is recorded (date and scan).
  From then on the nightly run follows its instalments.
* A waiver is judged on the facts recorded when it is proposed (`queries.waiver_facts`, WVR-1) and may not
  exceed the cap (WVR-2; also a database constraint). Approval posts it: a `portfolio.WaiverPosting` on the
  business date, split by the finance core over the penalty and compound interest owed, so the loan page, the
  case's breakdown, letters and the nightly run all show the penalty reduced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.arrangements.agreement import render_agreement
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import (
    LIVE_PLAN_STATUSES,
    Plan,
    PlanInstalment,
    PlanStatus,
    Waiver,
    WaiverStatus,
)
from arrears.arrangements.queries import loan_with_account, quote, waiver_facts
from arrears.arrangements.scans import check_pdf
from arrears.collection.models import CaseStatus, CollectionCase
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ensure_clean
from arrears.finance import format_money, format_plain, from_fen, to_fen
from arrears.finance.errors import FinanceError
from arrears.finance.money import money
from arrears.portfolio.models import Loan, WaiverPosting
from arrears.portfolio.posting import allocate_payments
from arrears.rules.queries import policy_on

__all__ = [
    "MAX_SCAN_BYTES",
    "SignedScan",
    "do_decide_plan",
    "do_decide_waiver",
    "do_propose_plan",
    "do_propose_waiver",
    "do_sign_plan",
    "do_withdraw_plan",
]

MAX_SCAN_BYTES = 10 * 1024 * 1024
# What a signed agreement's scan may be, by its first bytes (the browser's content type is not trusted).
SCAN_KINDS = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_NOTE = 1000


def _clean_note(text: str, *, actor: Any, where: str, subject: Any) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ArrangementError(
            _("The note is %(n)s characters long; shorten it to at most %(max)s.") % {"n": len(text), "max": MAX_NOTE}
        )
    if text:
        ensure_clean(text, actor=actor, where=where, subject=subject)  # LANG-1
    return text


def _open_case(case: CollectionCase) -> None:
    if case.status != CaseStatus.OPEN:
        raise ArrangementError(_("Case %(case)s is closed; arrangements are made on open cases.") % {"case": case.pk})


# -- plans ------------------------------------------------------------------------------------------------


def do_propose_plan(
    case: CollectionCase,
    *,
    income: Any,
    expenses: Any,
    debts: Any,
    instalments: int,
    actor: Any,
    today: date,
    note: str = "",
    at: datetime | None = None,
) -> Plan:
    """Propose an instalment plan for the case's overdue loans (Clause: PLAN-1, PLAN-2, PLAN-3, AUTH-2).

    Needs Perm.PROPOSE_PLAN. Refused (nothing written) when the case is closed, a plan is already awaiting a
    decision, awaiting signature or in force on it, a figure is malformed, or the chosen number of instalments
    is not a feasible option — one whose instalment plus the covered loans' own instalments falling due in a
    plan month exceeds what the borrower can afford (PLAN-2) — the refusal gives the reason in figures."""
    require(actor, Perm.PROPOSE_PLAN)
    _open_case(case)
    try:
        offer = quote(case, income=income, expenses=expenses, debts=debts, as_of=today)
    except FinanceError as exc:
        raise ArrangementError(str(exc)) from exc
    chosen = offer.option(instalments) if isinstance(instalments, int) else None
    if chosen is None:
        raise ArrangementError(
            _("A plan has %(min)s to %(max)s instalments (PLAN-3); %(n)s is not one of them.")
            % {"min": offer.min_instalments, "max": offer.max_instalments, "n": instalments}
        )
    if not offer.feasible:
        raise ArrangementError(offer.reason)
    if not chosen.option.feasible:
        raise ArrangementError(
            _("%(n)s instalments: %(reason)s. Choose one of %(ok)s.")
            % {
                "n": instalments,
                "reason": chosen.reason,
                "ok": ", ".join(str(o.option.instalments) for o in offer.feasible),
            }
        )
    note = _clean_note(note, actor=actor, where="arrangement", subject=case)
    at = at or timezone.now()
    with audited(  # the proposer's note is the event's reason (AUTH-4)
        actor, ActionCode.PROPOSE_PLAN, permission=Perm.PROPOSE_PLAN, subject=case, clause="PLAN-2", reason=note
    ) as rec:
        locked = CollectionCase.objects.select_for_update().get(pk=case.pk)
        live = Plan.objects.filter(case=locked, status__in=LIVE_PLAN_STATUSES).values_list("pk", "status").first()
        if live:
            raise ArrangementError(
                _("Plan %(plan)s is already %(status)s on this case; decide or withdraw it first.")
                % {"plan": live[0], "status": PlanStatus(live[1]).label}
            )
        plan = Plan.objects.create(
            case=locked,
            borrower_id=locked.borrower_id,
            contracts=offer.debt.contracts,
            income_fen=to_fen(offer.income),
            expenses_fen=to_fen(offer.expenses),
            debts_fen=to_fen(offer.debts),
            max_payment_fen=to_fen(offer.max_payment),
            amount_fen=to_fen(offer.amount),
            includes_penalty=offer.debt.includes_penalty,
            instalment_count=instalments,
            payment_fen=to_fen(chosen.option.payment),
            starts_on=today,
            note=note,
            proposed_by=actor,
            proposed_at=at,
        )
        plan.loans.set([d.loan for d in offer.debt.loans])
        running = 0
        rows = []
        for n, due_on, amount in chosen.schedule:
            running += to_fen(amount)
            rows.append(
                PlanInstalment(plan=plan, n=n, due_on=due_on, amount_fen=to_fen(amount), cumulative_fen=running)
            )
        PlanInstalment.objects.bulk_create(rows)
        rec.set_subject(plan)
        rec.change("status", None, plan.status)
        rec.change("case", None, locked.pk)
        rec.change("loans", None, offer.debt.contracts)
        rec.change("means_fen", None, [plan.income_fen, plan.expenses_fen, plan.debts_fen])
        rec.change("max_payment_fen", None, plan.max_payment_fen)
        rec.change("own_instalments_fen", None, [to_fen(m.own) for m in chosen.option.months])
        rec.change("amount_fen", None, plan.amount_fen)
        rec.change("schedule", None, [[r.n, r.due_on.isoformat(), r.amount_fen] for r in rows])
    return plan


def _own_proposal(obj) -> ArrangementError:
    return ArrangementError(
        _("You proposed %(what)s yourself; another supervisor must decide it (AUTH-2).") % {"what": obj}
    )


def _already_decided(model, obj) -> ArrangementError | None:
    current = model.objects.filter(pk=obj.pk).values_list("status", "decided_by__username").first()
    if current is not None and current[0] == "proposed":
        return None
    return ArrangementError(
        _("%(what)s was already decided (%(status)s by %(who)s); nothing was changed.")
        % {"what": obj, "status": current[0] if current else "?", "who": (current[1] if current else "") or "?"}
    )


def _check_decision(model, obj, *, reason: str, actor: Any, missing_reason: str) -> None:
    """Before a decision: not the proposer's own, still awaiting one, and a reason given — approving as well as
    rejecting (Clause: AUTH-2: the senior collector and the ledger learn why). Refusals in that order, so the
    proposer and a late second supervisor hear what actually stops them."""
    if obj.proposed_by_id == actor.pk:
        raise _own_proposal(obj)
    decided = _already_decided(model, obj)
    if decided is not None:
        raise decided
    if not reason:
        raise ArrangementError(missing_reason)


def _decide(model, obj, *, approve: bool, reason: str, actor: Any, at: datetime, status_after: str) -> None:
    """The conditional update at the heart of every decision: only a proposal still awaiting one changes."""
    if obj.proposed_by_id == actor.pk:
        raise _own_proposal(obj)
    try:
        with transaction.atomic():
            changed = model.objects.filter(pk=obj.pk, status="proposed").update(
                status=status_after, decided_by=actor, decided_at=at, decision_reason=reason
            )
    except IntegrityError as exc:  # the database's own maker–checker rule
        raise ArrangementError(_("The proposer cannot decide their own proposal (AUTH-2).")) from exc
    if not changed:
        raise _already_decided(model, obj) or ArrangementError(
            _("%(what)s changed meanwhile; reload it.") % {"what": obj}
        )
    obj.refresh_from_db()


def do_decide_plan(
    plan: Plan, *, approve: bool, reason: str = "", actor: Any, today: date, at: datetime | None = None
) -> Plan:
    """Approve or reject a proposed plan (Clause: AUTH-2, PLAN-4). Needs Perm.APPROVE; never the proposer's own;
    approving and rejecting alike need a reason (a blank one is refused, nothing changes). Approval renders and
    stores the agreement for the borrower to sign."""
    require(actor, Perm.APPROVE)
    reason = _clean_note(reason, actor=actor, where="arrangement", subject=plan)
    _check_decision(
        Plan,
        plan,
        reason=reason,
        actor=actor,
        missing_reason=_("Say why the plan is approved; the senior collector and the ledger need the reason.")
        if approve
        else _("Say why the plan is rejected; the senior collector and the ledger need the reason."),
    )
    at = at or timezone.now()
    code = ActionCode.APPROVE_PLAN if approve else ActionCode.REJECT_PLAN
    after = PlanStatus.APPROVED if approve else PlanStatus.REJECTED
    with audited(actor, code, permission=Perm.APPROVE, subject=plan, clause="AUTH-2", reason=reason) as rec:
        _decide(Plan, plan, approve=approve, reason=reason, actor=actor, at=at, status_after=after)
        rec.change("status", PlanStatus.PROPOSED.value, plan.status)
        rec.change("proposed_by", None, plan.proposed_by_id)
        if approve:
            plan.agreement_pdf = render_agreement(plan, today)
            plan.agreement_sha256 = hashlib.sha256(plan.agreement_pdf).hexdigest()
            plan.save(update_fields=["agreement_pdf", "agreement_sha256"])
            rec.change("agreement_sha256", None, plan.agreement_sha256)
    return plan


def do_withdraw_plan(plan: Plan, *, reason: str, actor: Any, today: date) -> Plan:
    """Withdraw a plan not yet in force — awaiting a decision or a signature (Clause: AUTH-2). Needs
    Perm.PROPOSE_PLAN and a reason."""
    require(actor, Perm.PROPOSE_PLAN)
    reason = _clean_note(reason, actor=actor, where="arrangement", subject=plan)
    if not reason:
        raise ArrangementError(_("Say why the plan is withdrawn."))
    with audited(actor, ActionCode.WITHDRAW_PLAN, permission=Perm.PROPOSE_PLAN, subject=plan, reason=reason) as rec:
        changed = Plan.objects.filter(pk=plan.pk, status__in=[PlanStatus.PROPOSED, PlanStatus.APPROVED]).update(
            status=PlanStatus.WITHDRAWN, ended_on=today, end_reason=reason[:300]
        )
        if not changed:
            raise ArrangementError(
                _("Plan %(plan)s is %(status)s; only a plan not yet in force can be withdrawn.")
                % {"plan": plan.pk, "status": plan.get_status_display()}
            )
        before = plan.status
        plan.refresh_from_db()
        rec.change("status", before, plan.status)
    return plan


@dataclass(frozen=True)
class SignedScan:
    """The uploaded scan of the signed agreement."""

    name: str
    content: bytes


def _scan_type(scan: SignedScan) -> str:
    if not scan.content:
        raise ArrangementError(_("Upload the scan of the signed agreement (PDF, JPEG or PNG)."))
    if len(scan.content) > MAX_SCAN_BYTES:
        raise ArrangementError(
            _("The scan is %(mb).1f MB; upload one of at most %(max)s MB.")
            % {"mb": len(scan.content) / 1024 / 1024, "max": MAX_SCAN_BYTES // 1024 // 1024}
        )
    for magic, kind in SCAN_KINDS.items():
        if scan.content.startswith(magic):
            if kind == "application/pdf":
                check_pdf(scan.content, scan.name or _("The file"))  # opens it: no polyglot, no bomb
            return kind
    raise ArrangementError(
        _("%(name)s is not a PDF, JPEG or PNG file; scan the signed agreement to one of those.")
        % {"name": scan.name or _("The file")}
    )


def do_sign_plan(
    plan: Plan,
    *,
    signed_on: date,
    scan: SignedScan,
    actor: Any,
    today: date,
    calendar_day: date | None = None,
    note: str = "",
) -> Plan:
    """Record the borrower's signature on an approved plan's agreement, with the scan as evidence; the plan is
    in force from the business date `today` (Clause: PLAN-4). Needs Perm.PROPOSE_PLAN. Refused unless the plan
    is approved, the signing date lies between the proposal and today, and the scan is a PDF, JPEG or PNG of at
    most 10 MB. `note`: how and where it was signed, in the collector's words; it is the audit event's reason
    (AUTH-4), or, without one, the signing date."""
    require(actor, Perm.PROPOSE_PLAN)
    kind = _scan_type(scan)
    note = " ".join((note or "").split())[:500]
    if plan.status != PlanStatus.APPROVED:
        raise ArrangementError(
            _("Plan %(plan)s is %(status)s; only an approved plan can be signed.")
            % {"plan": plan.pk, "status": plan.get_status_display()}
        )
    # The borrower signs on a calendar day (`calendar_day`, the caller's today: the business date lags it): not
    # before the schedule was proposed, not in the future.
    latest = max(calendar_day or today, today)
    if not plan.starts_on <= signed_on <= latest:
        raise ArrangementError(
            _("The signing date %(day)s must lie between the proposal (%(start)s) and today (%(today)s).")
            % {"day": signed_on.isoformat(), "start": plan.starts_on.isoformat(), "today": latest.isoformat()}
        )
    digest = hashlib.sha256(scan.content).hexdigest()
    with audited(
        actor,
        ActionCode.SIGN_PLAN,
        permission=Perm.PROPOSE_PLAN,
        subject=plan,
        reason=note or f"signed on {signed_on.isoformat()}",
        clause="PLAN-4",
        approval=f"plan:{plan.pk}",
    ) as rec:
        changed = Plan.objects.filter(pk=plan.pk, status=PlanStatus.APPROVED).update(
            status=PlanStatus.ACTIVE,
            signed_on=signed_on,
            signed_scan=scan.content,
            signed_scan_name=(scan.name or "scan")[:200],
            signed_scan_type=kind,
            signed_scan_sha256=digest,
            signature_recorded_by=actor,
            effective_on=today,
        )
        if not changed:
            raise ArrangementError(_("Plan %(plan)s changed meanwhile; reload it.") % {"plan": plan.pk})
        plan.refresh_from_db()
        rec.change("status", PlanStatus.APPROVED.value, plan.status)
        rec.change("signed_on", None, signed_on)
        rec.change("scan_sha256", None, digest)
        rec.change("effective_on", None, today)
    return plan


# -- waivers ------------------------------------------------------------------------------------------------


def do_propose_waiver(
    case: CollectionCase,
    loan: Loan,
    *,
    amount: Any,
    actor: Any,
    today: date,
    note: str = "",
    at: datetime | None = None,
) -> Waiver:
    """Propose waiving `amount` of a loan's penalty interest (Clause: WVR-1, WVR-2, AUTH-2). Needs
    Perm.PROPOSE_WAIVER. Refused (nothing written), listing every condition that fails with its figures, unless
    the loan is the case borrower's and this is its first delinquency, the borrower contacted the bank during
    it, DPD is at most the policy's 30, and the amount is positive and at most the cap."""
    require(actor, Perm.PROPOSE_WAIVER)
    _open_case(case)
    if loan.borrower_id != case.borrower_id:
        raise ArrangementError(_("Loan %(loan)s is not this case's borrower's.") % {"loan": loan.external_id})
    try:
        wanted = money(amount, name="amount")
    except FinanceError as exc:
        raise ArrangementError(str(exc)) from exc
    if wanted <= 0 or wanted != wanted.quantize(Decimal("0.01")):
        raise ArrangementError(_("Enter the amount to waive in yuan, above 0 and in whole fen, e.g. 200.00."))
    facts = waiver_facts(loan_with_account(loan.pk), today)
    if not facts.eligible:
        raise ArrangementError(
            _("No waiver is possible on loan %(loan)s: %(reasons)s.")
            % {"loan": loan.external_id, "reasons": "; ".join(facts.reasons)}
        )
    if wanted > facts.max_waiver:
        raise ArrangementError(
            _(
                "%(amount)s is above the most that may be waived, %(cap)s (WVR-2: %(share)s%% of %(accrued)s accrued"
                "%(before)s)."
            )
            % {
                "amount": format_money(wanted, grouping=True),
                "cap": format_money(facts.max_waiver, grouping=True),
                "share": format_plain(policy_on(today).waiver.max_share * 100),
                "accrued": format_money(facts.penalty_accrued, grouping=True),
                "before": _(", less %(w)s waived before") % {"w": format_money(facts.already_waived, grouping=True)}
                if facts.already_waived
                else "",
            }
        )
    note = _clean_note(note, actor=actor, where="arrangement", subject=case)
    at = at or timezone.now()
    with audited(  # the proposer's note is the event's reason (AUTH-4)
        actor, ActionCode.PROPOSE_WAIVER, permission=Perm.PROPOSE_WAIVER, subject=case, clause="WVR-1", reason=note
    ) as rec:
        if Waiver.objects.filter(loan=loan, status=WaiverStatus.PROPOSED).exists():
            raise ArrangementError(
                _("A waiver on loan %(loan)s is already awaiting a decision.") % {"loan": loan.external_id}
            )
        waiver = Waiver.objects.create(
            case=case,
            borrower_id=case.borrower_id,
            loan=loan,
            amount_fen=to_fen(wanted),
            requested_on=today,
            dpd=facts.dpd,
            first_delinquency=facts.first_delinquency,
            initiating_call=facts.initiating_call,
            penalty_accrued_fen=to_fen(facts.penalty_accrued),
            already_waived_fen=to_fen(facts.already_waived),
            max_fen=to_fen(facts.max_waiver),
            note=note,
            proposed_by=actor,
            proposed_at=at,
        )
        rec.set_subject(waiver)
        rec.change("status", None, waiver.status)
        rec.change("loan", None, loan.external_id)
        rec.change("amount_fen", None, waiver.amount_fen)
        rec.change(
            "facts",
            None,
            {
                "dpd": facts.dpd,
                "first_delinquency": facts.first_delinquency,
                "borrower_call": facts.initiating_call.pk if facts.initiating_call else None,
                "penalty_accrued_fen": waiver.penalty_accrued_fen,
                "already_waived_fen": waiver.already_waived_fen,
                "max_fen": waiver.max_fen,
            },
        )
    return waiver


def do_decide_waiver(
    waiver: Waiver, *, approve: bool, reason: str = "", actor: Any, today: date, at: datetime | None = None
) -> Waiver:
    """Approve (and post) or reject a proposed waiver (Clause: AUTH-2, WVR-2). Needs Perm.APPROVE; never the
    proposer's own; approving and rejecting alike need a reason (a blank one is refused, nothing changes).
    Approval posts the waiver on `today` against the penalty and compound interest owed then; refused when
    payments meanwhile left less penalty owed than the amount."""
    require(actor, Perm.APPROVE)
    reason = _clean_note(reason, actor=actor, where="arrangement", subject=waiver)
    _check_decision(
        Waiver,
        waiver,
        reason=reason,
        actor=actor,
        missing_reason=_("Say why the waiver is approved; the senior collector and the ledger need the reason.")
        if approve
        else _("Say why the waiver is rejected; the senior collector and the ledger need the reason."),
    )
    at = at or timezone.now()
    code = ActionCode.APPROVE_WAIVER if approve else ActionCode.REJECT_WAIVER
    after = WaiverStatus.POSTED if approve else WaiverStatus.REJECTED
    with audited(
        actor, code, permission=Perm.APPROVE, subject=waiver, clause="WVR-2" if approve else "AUTH-2", reason=reason
    ) as rec:
        _decide(Waiver, waiver, approve=approve, reason=reason, actor=actor, at=at, status_after=after)
        rec.change("status", WaiverStatus.PROPOSED.value, waiver.status)
        rec.change("proposed_by", None, waiver.proposed_by_id)
        if approve:
            loan = Loan.objects.select_for_update().get(pk=waiver.loan_id)
            facts = waiver_facts(loan_with_account(loan.pk), today)
            if to_fen(facts.penalty_owed) < waiver.amount_fen:
                raise ArrangementError(
                    _(
                        "Only %(owed)s of penalty is owed on loan %(loan)s now, less than the %(amount)s to waive; "
                        "reject this waiver and propose a smaller one."
                    )
                    % {
                        "owed": format_money(facts.penalty_owed, grouping=True),
                        "loan": loan.external_id,
                        "amount": format_money(from_fen(waiver.amount_fen), grouping=True),
                    }
                )
            posting = WaiverPosting.objects.create(
                loan=loan, key=f"waiver:{waiver.pk}", posted_on=today, amount_fen=waiver.amount_fen
            )
            allocate_payments([loan.pk], business_date=today)
            Waiver.objects.filter(pk=waiver.pk).update(posted_on=today)
            waiver.posted_on = today
            rec.change("posted", None, {"key": posting.key, "on": today, "fen": posting.amount_fen})
            rec.change("penalty_owed_fen", to_fen(facts.penalty_owed), to_fen(facts.penalty_owed) - posting.amount_fen)
    return waiver
