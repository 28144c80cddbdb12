"""The monthly review's book: the hand-computed KPI book (kpi_book.py) through November, with what the rules look
for recorded in November — made directly with the ORM (the plans', complaints' and court's own actions are other
tests' work):

| what | case | November | proposed |
|---|---|---|---|
| plan P(B), in force since 10-31, completed 11-05 | B's | B paid 5,060.00 on 11-05 and is current again | cured after a plan (5,053.32, B's opening overdue); plan completed (5,053.32 covered) |
| plan P(D), in force since 10-31, broken 11-20 | D's | D paid nothing | plan broken (8,182.18 covered) |
| complaint about C, found substantiated on 11-12 (Beijing) | C's | | complaint substantiated |
| lawsuit of another borrower, judgment of 11-18 awarding 65,000.00 | its own | | judgment (65,000.00) |
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

_legal = str(Path(__file__).parent.parent / "legal")
if _legal not in sys.path:
    sys.path.insert(0, _legal)

from kpi_book import build_book, run_november  # noqa: E402
from lawsuit import make_litigation  # noqa: E402

from arrears.arrangements.models import Plan  # noqa: E402
from arrears.collection.models import CollectionCase  # noqa: E402
from arrears.complaints.models import Complaint, Investigation  # noqa: E402
from arrears.legal.models import StageEvent  # noqa: E402
from factories import make_user  # noqa: E402

NOV_12_BEIJING = datetime(2026, 11, 12, 2, 30, tzinfo=UTC)  # 10:30 in Beijing


def case_of(loan) -> CollectionCase:
    return CollectionCase.objects.filter(borrower_id=loan.borrower_id).order_by("-opened_on", "-pk").first()


def _plan(loan, *, status: str, ended_on: date, amount_fen: int, senior, boss) -> Plan:
    at = datetime(2026, 10, 31, 3, 0, tzinfo=UTC)
    plan = Plan.objects.create(
        case=case_of(loan),
        borrower_id=loan.borrower_id,
        contracts=loan.external_id,
        status=status,
        income_fen=1_000_000,
        expenses_fen=300_000,
        debts_fen=50_000,
        max_payment_fen=650_000,
        amount_fen=amount_fen,
        includes_penalty=True,
        instalment_count=1,
        payment_fen=amount_fen,
        starts_on=date(2026, 10, 31),
        proposed_by=senior,
        proposed_at=at,
        decided_by=boss,
        decided_at=at,
        signed_on=date(2026, 10, 31),
        effective_on=date(2026, 10, 31),
        ended_on=ended_on,
    )
    plan.loans.add(loan)
    return plan


def november_events(loans: dict) -> dict:
    """The plans, the complaint and the judgment of the table above; their rows by name."""
    senior, boss = make_user("senior_collector"), make_user("supervisor")
    completed = _plan(
        loans["B"], status="completed", ended_on=date(2026, 11, 5), amount_fen=505_332, senior=senior, boss=boss
    )
    broken = _plan(
        loans["D"], status="broken", ended_on=date(2026, 11, 20), amount_fen=818_218, senior=senior, boss=boss
    )
    received = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    complaint = Complaint.objects.create(
        channel="phone",
        marker="催收投诉",
        received_at=received,
        text="催收人员语气粗暴",
        borrower_id=loans["C"].borrower_id,
        response_due=received + timedelta(hours=24),
        investigation_due=date(2026, 11, 17),
        status="investigating",
        filed_by=boss,
        filed_at=received,
    )
    Investigation.objects.create(
        complaint=complaint,
        taken_by=boss,
        taken_at=received,
        substantiated=True,
        findings="录音证实语气不当",
        found_at=NOV_12_BEIJING,
        responsible_user=senior,
    )
    lawsuit = make_litigation(decided_on=date(2026, 9, 1), boss=boss)
    StageEvent.objects.create(
        litigation=lawsuit,
        stage="judgment",
        on=date(2026, 11, 18),
        details={"judgment_fen": 6_500_000, "effective_on": "2026-12-03"},
        recorded_by=boss,
        recorded_at=datetime(2026, 11, 18, 6, 0, tzinfo=UTC),
    )
    return {"completed": completed, "broken": broken, "complaint": complaint, "lawsuit": lawsuit, "boss": boss}


def november_book() -> dict:
    """The KPI book through November (closed on 11-30) and November's events; the loans and the events."""
    loans = build_book()
    run_november(loans)
    return {"loans": loans, **november_events(loans)}
