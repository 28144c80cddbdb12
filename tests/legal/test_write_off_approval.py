"""Write-off as maker–checker (legal.write_off_actions.do_decide_write_off) and the recoveries after write-off
(legal.write_off_queries.recoveries).

The book: SEV owes 1,000.00 (one interest-free instalment) at DPD 100 on 2026-03-21, a severe case without
LGL-1's grounds; supervisor boss-1 proposes writing it off, supervisor boss-2 decides.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from desk import SHANGHAI
from django.db import IntegrityError, transaction
from late_desk import AS_OF, call, late_desk, night_of

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.legal.errors import LegalError
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.escalation_queue import queue
from arrears.legal.models import EscalationDecision, WriteOff
from arrears.legal.write_off_actions import do_decide_write_off
from arrears.legal.write_off_queries import approved_on, recoveries
from arrears.portfolio import queries as portfolio
from arrears.portfolio.models import PaymentAllocation
from arrears.portfolio.posting import allocate_payments
from factories import make_payment

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=1)
APPROVAL = datetime(2026, 3, 21, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture
def desk():
    desk = late_desk(flat=[("SEV", 99, "1000.00"), ("OTH", 99, "800.00")])
    call(desk.cases["SEV"], AS_OF, "promised")
    night_of(TODAY)
    desk.case = desk.cases["SEV"]
    desk.case.refresh_from_db()
    decided = do_decide_escalation(
        desk.case, decision="write_off", reason="借款人已无还款能力", actor=desk.boss, today=TODAY
    )
    desk.proposal = WriteOff.objects.get(decision=decided)
    return desk


def state() -> dict:
    return {
        "write_offs": list(WriteOff.objects.order_by("pk").values_list("pk", "status", "decided_by_id")),
        "decisions": EscalationDecision.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def test_the_proposer_cannot_approve_their_own_write_off_and_the_database_refuses_it_too(desk):
    """Clause: AUTH-3 — maker–checker: boss-1 proposed it, so boss-1 approving or rejecting it is refused with a
    message and nothing changes; an UPDATE that makes the proposer its checker is refused by the database
    (`write_off_checker_not_maker`)."""
    before = state()
    with pytest.raises(LegalError, match=r"You proposed write-off [0-9]+ yourself; another supervisor must approve"):
        do_decide_write_off(desk.proposal, approve=True, actor=desk.boss, today=TODAY, at=APPROVAL)
    with pytest.raises(LegalError, match="yourself"):
        do_decide_write_off(desk.proposal, approve=False, note="金额有误", actor=desk.boss, today=TODAY)
    assert state() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOff.objects.filter(pk=desk.proposal.pk).update(
            status="approved", decided_by=desk.boss, decided_at=APPROVAL
        )
    assert state() == before


def test_another_supervisor_approves_and_the_case_is_written_off(desk):
    """Clause: AUTH-3, AUTH-4 — boss-2 approves: the write-off is approved on 2026-03-21 with its audit event;
    a second decision on it is refused; the case takes no further escalation decision."""
    approved = do_decide_write_off(desk.proposal, approve=True, actor=desk.checker, today=TODAY, at=APPROVAL)
    assert (approved.status, approved.decided_by, approved.decided_at) == ("approved", desk.checker, APPROVAL)
    assert approved_on(approved) == TODAY
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "legal.approve_write_off",
        desk.checker.pk,
        "legal.writeoff",
        str(approved.pk),
    )
    assert event.basis["permission"] == "legal.approve_write_off"
    assert event.changes["status"] == ["proposed", "approved"]
    assert event.changes["total_fen"] == [None, 100_000]
    before = state()
    with pytest.raises(LegalError, match="already decided"):
        do_decide_write_off(approved, approve=False, note="撤回", actor=desk.checker, today=TODAY)
    with pytest.raises(LegalError, match="is written off"):
        do_decide_escalation(desk.case, decision="agency", reason="委外", actor=desk.checker, today=TODAY)
    assert state() == before


def test_a_rejected_write_off_sends_the_case_back_and_may_be_proposed_again(desk):
    """Clause: AUTH-3 — a rejection needs a note; rejected, the case is back in the queue ("the proposed
    write-off was rejected") and a write-off may be proposed again (the standing-proposal rule counts only
    proposed and approved ones)."""
    before = state()
    with pytest.raises(LegalError, match="Say why the write-off is rejected"):
        do_decide_write_off(desk.proposal, approve=False, note="  ", actor=desk.checker, today=TODAY)
    assert state() == before
    assert desk.case.pk not in [c.pk for c in queue(desk.boss, TODAY)]
    rejected = do_decide_write_off(desk.proposal, approve=False, note="仍有还款可能", actor=desk.checker, today=TODAY)
    assert (rejected.status, rejected.note) == ("rejected", "仍有还款可能")
    assert AuditEvent.objects.order_by("-pk").first().action == "legal.reject_write_off"
    waiting = {c.pk: c.waiting_for for c in queue(desk.boss, TODAY)}
    assert waiting[desk.case.pk] == "write_off_rejected"
    again = do_decide_escalation(desk.case, decision="write_off", reason="再次申请", actor=desk.boss, today=TODAY)
    assert list(WriteOff.objects.filter(case=desk.case).order_by("pk").values_list("status", flat=True)) == [
        "rejected",
        "proposed",
    ]
    assert again.write_off.total_fen == 100_000


def test_approval_is_refused_when_payments_since_the_proposal_reduced_the_debt(desk):
    """Clause: AUTH-3 — 300.00 paid on 2026-03-21 after the proposal of 1,000.00: 700.00 is overdue; approving
    is refused (reject it and propose again), nothing changes."""
    loan = desk.case.borrower.loans.get()
    make_payment(loan, TODAY, "300.00")
    allocate_payments([loan.pk], business_date=TODAY)
    before = state()
    with pytest.raises(LegalError, match=r"reduced the overdue amount to 700.00 yuan \(proposed: 1,000.00\)"):
        do_decide_write_off(desk.proposal, approve=True, actor=desk.checker, today=TODAY)
    assert state() == before


@pytest.mark.parametrize("role", ["junior", "senior", "legal", "compliance", "analyst"])
def test_only_supervisors_approve_or_reject_write_offs(desk, role):
    """Clause: AUTH-3 — every other role is refused for want of legal.approve_write_off; nothing changes."""
    before = state()
    for approve in (True, False):
        with pytest.raises(ActionDenied, match=r"legal\.approve_write_off"):
            do_decide_write_off(desk.proposal, approve=approve, note="x", actor=getattr(desk, role), today=TODAY)
    assert state() == before


def test_payments_after_the_write_off_still_post_and_are_reported_apart(desk):
    """Clause: AUTH-4 — approved on 2026-03-21: a payment that day is not a recovery; 300.00 on 03-25 and 200.00
    on 03-28 are (500.00, newest first); each posts as any payment (allocated, the overdue amount falls to
    500.00); another borrower's payment is not reported."""
    do_decide_write_off(desk.proposal, approve=True, actor=desk.checker, today=TODAY, at=APPROVAL)
    loan = desk.case.borrower.loans.get()
    other = desk.cases["OTH"].borrower.loans.get()
    same_day = make_payment(loan, TODAY, "0.01")
    first = make_payment(loan, TODAY + timedelta(days=4), "300.00")
    second = make_payment(loan, TODAY + timedelta(days=7), "200.00")
    make_payment(other, TODAY + timedelta(days=5), "100.00")
    allocate_payments([loan.pk, other.pk], business_date=TODAY + timedelta(days=7))
    found = recoveries()
    assert found.total_fen == 50_000
    assert [(p.pk, p.write_off_id, p.written_off_on) for p in found.payments] == [
        (second.pk, desk.proposal.pk, TODAY),
        (first.pk, desk.proposal.pk, TODAY),
    ]
    assert recoveries(until=TODAY + timedelta(days=5)).total_fen == 30_000
    assert PaymentAllocation.objects.filter(payment__in=[same_day, first, second]).count() == 3
    position = portfolio.loan_position(loan, TODAY + timedelta(days=7))
    assert f"{position.overdue_total:f}" == "499.99"
