"""Late-stage records made straight with the ORM (the legal app's own actions are built elsewhere): an escalation
decision, a lawsuit at a court stage, a write-off approved by a second supervisor."""

from __future__ import annotations

from datetime import UTC, date, datetime

from arrears.legal.models import EscalationDecision, Litigation, WriteOff

DECIDED_AT = datetime(2026, 3, 20, 8, tzinfo=UTC)


def decide(case, decision: str, by, *, on: date, at: datetime = DECIDED_AT, revisit_on: date | None = None):
    return EscalationDecision.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        decision=decision,
        eligible=True,
        route="litigation" if decision == "litigation" else "agency",
        facts={"dpd": case.dpd},
        reason="decided in a test",
        revisit_on=revisit_on,
        business_date=on,
        decided_by=by,
        decided_at=at,
    )


def sue(case, by, *, on: date, stage: str = "decided") -> Litigation:
    """A lawsuit decided on `on` and now at `stage` (filed ones with their filing date)."""
    filed = (
        {}
        if stage == "decided"
        else {"filed_on": on, "court": "某某区人民法院", "court_case_no": "(2026)某0101民初1号"}
    )
    return Litigation.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        decision=decide(case, "litigation", by, on=on),
        stage=stage,
        opened_on=on,
        **filed,
    )


def write_off(case, proposer, approver, *, on: date, status: str = "approved") -> WriteOff:
    """A write-off of the case's overdue total as of `on` (all of it principal, for the test's sake)."""
    return WriteOff.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        decision=decide(case, "write_off", proposer, on=on),
        as_of=on,
        principal_fen=case.overdue_fen,
        interest_fen=0,
        penalty_fen=0,
        compound_fen=0,
        total_fen=case.overdue_fen,
        status=status,
        reason="beyond recovery",
        proposed_by=proposer,
        proposed_at=DECIDED_AT,
        decided_by=approver if status != "proposed" else None,
        decided_at=DECIDED_AT if status != "proposed" else None,
    )
