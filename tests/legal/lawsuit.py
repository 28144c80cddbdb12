"""A lawsuit for the court stages' tests, made directly with the ORM (the escalation decision that opens one is
another action's work): a borrower whose 60,000.00 loan's first instalment fell due on 2024-03-20 and was never
paid, a severe case, a supervisor's decision to sue on 2026-01-10, and the lawsuit it opened."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import Model

from arrears.collection.models import CollectionCase
from arrears.compliance.models import AuditEvent
from arrears.legal.models import CourtDocument, EscalationDecision, LegalCost, Litigation, StageEvent
from factories import make_borrower, make_loan, make_user

DECIDED_ON = date(2026, 1, 10)
FIRST_DUE = date(2024, 3, 20)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_litigation(*, decided_on: date = DECIDED_ON, boss=None, start: date = date(2024, 2, 20)) -> Litigation:
    borrower = make_borrower()
    make_loan(borrower, principal="60000", start=start)
    case = CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="severe",
        pool="supervisor",
        opened_on=date(2024, 4, 20),
        updated_on=decided_on,
        dpd=600,
        overdue_fen=6_500_000,
    )
    decision = EscalationDecision.objects.create(
        case=case,
        borrower=borrower,
        decision="litigation",
        eligible=True,
        route="litigation",
        facts={"dpd": 600, "overdue": "65000.00"},
        reason="多次催收无果",
        business_date=decided_on,
        decided_by=boss or make_user("supervisor"),
        decided_at=datetime(decided_on.year, decided_on.month, decided_on.day, 2, 0, tzinfo=UTC),
    )
    return Litigation.objects.create(case=case, borrower=borrower, decision=decision, opened_on=decided_on)


def snapshot(litigation: Litigation | None = None) -> dict:
    """What a refused action must leave as it was: the stages, documents, costs, the ledger (but for the records of
    API calls made with a token, which a refused call writes too) and the lawsuit."""
    state = {
        "stages": StageEvent.objects.count(),
        "documents": CourtDocument.objects.count(),
        "costs": LegalCost.objects.count(),
        "events": AuditEvent.objects.exclude(action="api.call").count(),
    }
    if litigation is not None:
        state["litigation"] = _row(Litigation.objects.get(pk=litigation.pk))
    return state


def _row(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
