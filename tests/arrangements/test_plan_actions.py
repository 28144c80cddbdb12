"""Instalment plans: the designer's figures, proposing, maker–checker approval, the agreement and its signature.

The desk: borrower P20's only loan (12,000.00 at 4.35% over 12 months) has its first instalment 20 days overdue
on 2026-03-20: overdue principal and interest 1,023.72 plus penalty and compound interest 3.71 = 1,027.43.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from desk import AS_OF, open_desk
from django.db import IntegrityError, transaction
from pypdf import PdfReader
from test_letters import embedded_fonts

from arrears.arrangements.actions import (
    SignedScan,
    do_decide_plan,
    do_propose_plan,
    do_sign_plan,
    do_withdraw_plan,
)
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Plan, PlanInstalment
from arrears.arrangements.queries import Quote, quote
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def desk():
    opened = open_desk([("P20", 20, "12000", "low")], {"junior_collector": 1, "senior_collector": 1, "supervisor": 2})
    users = opened["users"]
    return SimpleNamespace(
        case=opened["cases"]["P20"],
        junior=users["junior_collector"][0],
        senior=users["senior_collector"][0],
        boss=users["supervisor"][0],
        other_boss=users["supervisor"][1],
    )


def propose(desk, n=4, actor=None):
    return do_propose_plan(desk.case, **MEANS, instalments=n, actor=actor or desk.senior, today=AS_OF)


def test_the_policys_example_income_10000_allows_3000_a_month(desk):
    """Clause: PLAN-1, PLAN-2, PLAN-3 — income 10,000, expenses 3,000, debts 500: at most 3,000.00 a month (30%
    of income; 6,500 would be left). The amount 1,027.43 split into 3 to 6 fixed instalments, each the amount ÷ n
    rounded up with a smaller last one, due monthly from the business date."""
    offer = quote(desk.case, **MEANS, as_of=AS_OF)
    assert offer.max_payment == Decimal("3000.00")
    assert offer.amount == Decimal("1027.43")
    assert [(o.option.instalments, o.option.payment, o.option.feasible) for o in offer.options] == [
        (3, Decimal("342.48"), True),
        (4, Decimal("256.86"), True),
        (5, Decimal("205.49"), True),
        (6, Decimal("171.24"), True),
    ]
    four = offer.option(4)
    assert four.schedule == [
        (1, date(2026, 4, 20), Decimal("256.86")),
        (2, date(2026, 5, 20), Decimal("256.86")),
        (3, date(2026, 6, 20), Decimal("256.86")),
        (4, date(2026, 7, 20), Decimal("256.85")),
    ]
    assert offer.reason == ""


def test_an_infeasible_request_says_why_in_figures():
    """Clause: PLAN-2, PLAN-3 — the issue's example: income 5,000 allows 1,500 a month; 20,000 needs 14 months;
    the policy allows at most 6."""
    offer = Quote(
        as_of=AS_OF,
        debt=SimpleNamespace(amount=Decimal("20000.00")),
        income=Decimal("5000.00"),
        expenses=Decimal("0.00"),
        debts=Decimal("0.00"),
        max_payment=Decimal("1500.00"),
        options=(),
        min_instalments=3,
        max_instalments=6,
        income_share=Decimal("0.30"),
    )
    assert (
        offer.reason
        == "Income 5,000.00 allows 1,500.00 a month; 20,000.00 needs 14 months; the policy allows at most 6."
    )


def test_a_plan_the_borrower_cannot_afford_is_refused_and_nothing_is_written(desk):
    """Clause: PLAN-2 — income 500 allows 150.00 a month; 1,027.43 needs 7 months: refused with those figures;
    no plan, no audit event."""
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError) as refused:
        do_propose_plan(desk.case, income="500", expenses="0", debts="0", instalments=6, actor=desk.senior, today=AS_OF)
    assert str(refused.value) == (
        "Income 500.00 allows 150.00 a month; 1,027.43 needs 7 months; the policy allows at most 6."
    )
    assert Plan.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_one_option_above_the_cap_is_refused_naming_the_feasible_ones(desk):
    """Clause: PLAN-2 — income 4,300 allows 1,290.00: with the loan's own 1,023.72 falling due in every plan
    month, 3 × 342.48 is too much (1,366.20), 4 to 6 instalments fit."""
    with pytest.raises(ArrangementError) as refused:
        do_propose_plan(
            desk.case, income="4300", expenses="0", debts="0", instalments=3, actor=desk.senior, today=AS_OF
        )
    assert str(refused.value) == (
        "3 instalments: month 1: plan 342.48 + own instalments 1,023.72 = 1,366.20 > 1,290.00 allowed. "
        "Choose one of 4, 5, 6."
    )
    with pytest.raises(ArrangementError, match="3 to 6 instalments"):
        do_propose_plan(desk.case, **MEANS, instalments=7, actor=desk.senior, today=AS_OF)
    assert Plan.objects.count() == 0


def test_a_senior_collector_proposes_and_the_schedule_is_stored(desk):
    """Clause: PLAN-1, PLAN-3, AUTH-2, AUTH-4 — the plan stores the means, the cap, the amount and four fixed
    instalments with their running totals; the audit event names the permission and the clause."""
    plan = propose(desk)
    assert plan.status == "proposed"
    assert (plan.income_fen, plan.expenses_fen, plan.debts_fen, plan.max_payment_fen) == (
        1_000_000,
        300_000,
        50_000,
        300_000,
    )
    assert (plan.amount_fen, plan.payment_fen, plan.instalment_count, plan.includes_penalty) == (
        102_743,
        25_686,
        4,
        True,
    )
    rows = list(PlanInstalment.objects.filter(plan=plan).values_list("n", "due_on", "amount_fen", "cumulative_fen"))
    assert rows == [
        (1, date(2026, 4, 20), 25_686, 25_686),
        (2, date(2026, 5, 20), 25_686, 51_372),
        (3, date(2026, 6, 20), 25_686, 77_058),
        (4, date(2026, 7, 20), 25_685, 102_743),
    ]
    assert list(plan.loans.values_list("external_id", flat=True)) == [plan.contracts]
    event = AuditEvent.objects.filter(action="arrangements.propose_plan").get()
    assert (event.actor_id, event.basis["permission"], event.basis["clause"], event.subject_id) == (
        desk.senior.pk,
        "arrangements.propose_plan",
        "PLAN-2",
        str(plan.pk),
    )


def test_a_junior_collector_cannot_propose_and_nothing_changes(desk):
    """Clause: AUTH-1, AUTH-2 — negotiating plans is the senior collector's; the junior is refused before
    anything is read or written."""
    events = AuditEvent.objects.count()
    with pytest.raises(ActionDenied):
        propose(desk, actor=desk.junior)
    assert Plan.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_approval_stores_the_agreement_with_the_new_schedule(desk):
    """Clause: AUTH-2, PLAN-4 — a supervisor approves: the agreement PDF states the amount and each instalment
    with its date, embeds a CJK font, and its SHA-256 is kept; the event records who proposed it."""
    plan = propose(desk)
    do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id) == ("approved", desk.boss.pk)
    reader = PdfReader(BytesIO(bytes(plan.agreement_pdf)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "分期还款协议" in text
    assert "1,027.43" in text
    assert "256.86" in text
    assert "256.85" in text
    assert "2026年7月20日" in text
    fonts = embedded_fonts(bytes(plan.agreement_pdf))
    assert fonts
    assert all(files in (["/FontFile"], ["/FontFile2"], ["/FontFile3"]) for _name, files in fonts), fonts
    assert plan.agreement_sha256 == hashlib.sha256(bytes(plan.agreement_pdf)).hexdigest()
    event = AuditEvent.objects.filter(action="arrangements.approve_plan").get()
    assert event.changes["proposed_by"] == [None, desk.senior.pk]


def test_the_proposer_can_never_approve_their_own_plan_not_even_in_the_database(desk):
    """Clause: AUTH-2 — a supervisor who proposed a plan is refused when approving it, and an UPDATE that sets
    the decider to the proposer is refused by the database's own constraint; the plan stays proposed."""
    plan = propose(desk, actor=desk.boss)
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError, match="another supervisor"):
        do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(status="approved", decided_by=desk.boss)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id, AuditEvent.objects.count()) == ("proposed", None, events)


def test_a_rejection_needs_a_reason_and_a_decided_plan_cannot_be_decided_again(desk):
    """Clause: AUTH-2 — rejecting without a reason is refused; with one it is recorded; approving it afterwards
    is refused with who decided it, and nothing changes."""
    plan = propose(desk)
    with pytest.raises(ArrangementError, match="why"):
        do_decide_plan(plan, approve=False, reason="  ", actor=desk.boss, today=AS_OF)
    do_decide_plan(plan, approve=False, reason="收入证明不足", actor=desk.boss, today=AS_OF)
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError, match="already decided"):
        do_decide_plan(Plan.objects.get(pk=plan.pk), approve=True, reason="核实", actor=desk.other_boss, today=AS_OF)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id, plan.decision_reason) == ("rejected", desk.boss.pk, "收入证明不足")
    assert AuditEvent.objects.count() == events


def test_a_senior_collector_cannot_approve(desk):
    """Clause: AUTH-2 — approval is the supervisor's: the senior collector is refused, nothing changes."""
    plan = propose(desk, actor=desk.boss)
    with pytest.raises(ActionDenied):
        do_decide_plan(plan, approve=True, actor=desk.senior, today=AS_OF)
    plan.refresh_from_db()
    assert plan.status == "proposed"


def test_one_plan_at_a_time_and_withdrawing_frees_the_case(desk):
    """Clause: AUTH-2 — a second proposal while one awaits a decision is refused (and the database allows only one
    live plan per case); withdrawn, another may be proposed."""
    first = propose(desk)
    with pytest.raises(ArrangementError, match="already"):
        propose(desk, n=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            **{f.attname: getattr(first, f.attname) for f in Plan._meta.concrete_fields if f.attname != "id"}
        )
    do_withdraw_plan(first, reason="借款人改为一次性还清", actor=desk.senior, today=AS_OF)
    second = propose(desk, n=6)
    assert (Plan.objects.get(pk=first.pk).status, second.status) == ("withdrawn", "proposed")


def test_signing_puts_an_approved_plan_in_force_with_its_evidence(desk):
    """Clause: PLAN-4 — only a signed plan takes effect: signing a plan not yet approved is refused; a file that
    is not a PDF, JPEG or PNG is refused; a signing date before the proposal is refused; then the scan and date
    are kept with the scan's SHA-256 and the plan is in force from the business date."""
    plan = propose(desk)
    with pytest.raises(ArrangementError, match="only an approved plan"):
        do_sign_plan(plan, signed_on=AS_OF, scan=SignedScan("s.png", PNG), actor=desk.senior, today=AS_OF)
    do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    plan.refresh_from_db()
    with pytest.raises(ArrangementError, match="not a PDF, JPEG or PNG"):
        do_sign_plan(plan, signed_on=AS_OF, scan=SignedScan("s.txt", b"hello"), actor=desk.senior, today=AS_OF)
    with pytest.raises(ArrangementError, match="must lie between the proposal"):
        do_sign_plan(
            plan,
            signed_on=AS_OF - timedelta(days=1),
            scan=SignedScan("s.png", PNG),
            actor=desk.senior,
            today=AS_OF,
        )
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    do_sign_plan(plan, signed_on=AS_OF, scan=SignedScan("签字页.png", PNG), actor=desk.senior, today=AS_OF)
    plan.refresh_from_db()
    assert (plan.status, plan.signed_on, plan.effective_on, plan.signed_scan_type) == (
        "active",
        AS_OF,
        AS_OF,
        "image/png",
    )
    assert plan.signed_scan_sha256 == hashlib.sha256(PNG).hexdigest()
    event = AuditEvent.objects.filter(action="arrangements.sign_plan").get()
    assert (event.basis["clause"], event.basis["approval"]) == ("PLAN-4", f"plan:{plan.pk}")
    assert event.reason == f"signed on {AS_OF.isoformat()}"


def test_the_signing_note_is_the_events_reason(desk):
    """Clause: AUTH-4, PLAN-4 — the collector's note on how and where the agreement was signed is the audit
    event's reason, its spacing tidied."""
    plan = propose(desk)
    do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    plan.refresh_from_db()
    do_sign_plan(
        plan,
        signed_on=AS_OF,
        scan=SignedScan("签字页.png", PNG),
        actor=desk.senior,
        today=AS_OF,
        note="  借款人在南山支行  当面签署 ",
    )
    event = AuditEvent.objects.filter(action="arrangements.sign_plan").get()
    assert event.reason == "借款人在南山支行 当面签署"


def test_the_database_keeps_an_unsigned_plan_from_taking_effect(desk):
    """Clause: PLAN-4 — only a signed plan takes effect: an approved plan set to "in force" without a signing
    date is refused by the database's own constraint, whatever code tries it."""
    plan = propose(desk)
    do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(status="active", effective_on=AS_OF)
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_a_plan_that_fits_alone_but_not_with_the_loans_own_instalments_is_refused(desk):
    """Clause: PLAN-2 — income 1,000 allows 300.00 a month: 6 × 171.24 would fit alone, but the loan's own
    1,023.72 falls due in every plan month (the nightly run expects it paid, PLAN-4), so no option fits; the
    refusal says so in figures and nothing is written."""
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError) as refused:
        do_propose_plan(
            desk.case, income="1000", expenses="0", debts="0", instalments=6, actor=desk.senior, today=AS_OF
        )
    assert str(refused.value) == (
        "Even over 6 instalments the borrower cannot pay every month: month 1: plan 171.24 + own instalments "
        "1,023.72 = 1,194.96 > 300.00 allowed."
    )
    assert (Plan.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_the_proposal_records_the_own_instalments_it_was_judged_with(desk):
    """Clause: PLAN-2, AUTH-4 — the audit event of a proposal keeps the loans' own instalments per plan month."""
    plan = propose(desk)
    event = AuditEvent.objects.get(action="arrangements.propose_plan", subject_id=str(plan.pk))
    assert event.changes["own_instalments_fen"] == [None, [102_372] * 4]
