"""Penalty waivers: eligibility from recorded facts (WVR-1), the 20% cap (WVR-2), maker–checker approval and
posting (AUTH-2).

The desk on 2026-03-20: W25's loan (1,200,000.00 at 4.35% over 12 months) has its first instalment 25 days
overdue, with 463.87 of penalty and compound interest accrued: at most 92.77 may be waived (20%, rounded
down). W35's is 35 days overdue (779.32 accrued).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from django.db import IntegrityError, transaction
from test_desk import CALLS, reached_borrower

from arrears.arrangements.actions import do_decide_waiver, do_propose_waiver
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Waiver
from arrears.arrangements.queries import loan_with_account, waiver_facts
from arrears.collection.calls import do_record_call
from arrears.collection.models import Call
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import DelinquencyRecord, WaiverAllocation, WaiverPosting
from arrears.portfolio.posting import loan_account
from arrears.rules.queries import policy_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    opened = open_desk(
        [("W25", 25, "1200000", "low"), ("W35", 35, "1200000", "low")],
        {"junior_collector": 1, "senior_collector": 1, "supervisor": 2},
    )
    users = opened["users"]
    cases = opened["cases"]
    return SimpleNamespace(
        case=cases["W25"],
        loan=cases["W25"].borrower.loans.get(),
        late_case=cases["W35"],
        late_loan=cases["W35"].borrower.loans.get(),
        junior=users["junior_collector"][0],
        senior=users["senior_collector"][0],
        boss=users["supervisor"][0],
        other_boss=users["supervisor"][1],
    )


def borrower_called(case, collector, on: date = AS_OF) -> Call:
    """The borrower rang the bank on `on` (a contact they initiated), recorded as a call."""
    return Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=collector,
        called_at=WORKING_HOURS,
        called_on=on,
        outcome="promised",
        inbound=True,
    )


def facts(loan):
    return waiver_facts(loan_with_account(loan.pk), AS_OF)


def test_the_policys_cap_is_20_percent_of_the_penalty_accrued(desk):
    """Clause: WVR-1, WVR-2 — first delinquency, the borrower called on the 18th, DPD 25: eligible, and at most
    92.77 of 463.87 may be waived (the policy's example: 1,000 → 200)."""
    call = borrower_called(desk.case, desk.senior, on=AS_OF - timedelta(days=2))
    found = facts(desk.loan)
    assert (found.dpd, found.first_delinquency, found.initiating_call) == (25, True, call)
    assert (found.penalty_accrued, found.max_waiver, found.eligible) == (Decimal("463.87"), Decimal("92.77"), True)


def test_a_borrower_who_did_not_call_is_not_eligible(desk):
    """Clause: WVR-1 — only a contact the borrower initiated counts: the bank's own call to them, or their call
    before this delinquency began (2026-02-23), does not."""
    Call.objects.create(
        borrower_id=desk.case.borrower_id,
        case=desk.case,
        collector=desk.senior,
        called_at=WORKING_HOURS,
        called_on=AS_OF,
        outcome="promised",
    )
    borrower_called(desk.case, desk.senior, on=date(2026, 2, 20))
    found = facts(desk.loan)
    assert found.eligible is False
    assert found.reasons == ["WVR-1: the borrower did not contact the bank on their own initiative"]
    with pytest.raises(ArrangementError, match="did not contact the bank"):
        do_propose_waiver(desk.case, desk.loan, amount="50.00", actor=desk.senior, today=AS_OF)
    assert not Waiver.objects.exists()


def test_a_loan_delinquent_and_cured_before_is_not_eligible(desk):
    """Clause: WVR-1 — the loan's history shows a delinquency cured in 2025: this is not its first."""
    borrower_called(desk.case, desk.senior)
    DelinquencyRecord.objects.bulk_create(
        [
            DelinquencyRecord(loan=desk.loan, business_date=date(2025, 5, 2), dpd=1, delinquency_class="mild"),
            DelinquencyRecord(loan=desk.loan, business_date=date(2025, 5, 9), dpd=0, delinquency_class="current"),
        ]
    )
    found = facts(desk.loan)
    assert (found.first_delinquency, found.eligible) == (False, False)
    assert found.reasons == [
        f"WVR-1: not the borrower's first delinquency: loan {desk.loan.external_id} was delinquent on 2025-05-02 "
        "(DPD 1) and current again from 2025-05-09"
    ]
    with pytest.raises(ArrangementError, match="first delinquency"):
        do_propose_waiver(desk.case, desk.loan, amount="50.00", actor=desk.senior, today=AS_OF)
    assert not Waiver.objects.exists()


def test_a_loan_more_than_30_days_past_due_is_not_eligible(desk):
    """Clause: WVR-1 — DPD 35 on the day it is requested: refused with the figure, though the borrower called."""
    borrower_called(desk.late_case, desk.senior)
    found = facts(desk.late_loan)
    assert (found.dpd, found.first_delinquency, found.eligible) == (35, True, False)
    assert found.reasons == ["WVR-1: DPD 35 exceeds 30"]
    with pytest.raises(ArrangementError, match="DPD 35 exceeds 30"):
        do_propose_waiver(desk.late_case, desk.late_loan, amount="50.00", actor=desk.senior, today=AS_OF)
    assert not Waiver.objects.exists()


def test_an_amount_above_the_cap_is_refused_by_the_action_and_the_database(desk):
    """Clause: WVR-2 — 92.78 is a fen above the cap: refused with the cap and its basis; a row above its own cap
    is refused by the database."""
    borrower_called(desk.case, desk.senior)
    with pytest.raises(ArrangementError) as refused:
        do_propose_waiver(desk.case, desk.loan, amount="92.78", actor=desk.senior, today=AS_OF)
    assert str(refused.value) == "92.78 is above the most that may be waived, 92.77 (WVR-2: 20% of 463.87 accrued)."
    waiver = do_propose_waiver(desk.case, desk.loan, amount="92.77", actor=desk.senior, today=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Waiver.objects.filter(pk=waiver.pk).update(amount_fen=9_278)
    assert Waiver.objects.get(pk=waiver.pk).amount_fen == 9_277


def test_an_inbound_call_recorded_on_the_call_form_makes_the_borrower_eligible(desk):
    """Clause: WVR-1 — the call record's "the borrower called us" box is the recorded fact the waiver is judged
    on."""
    entry = reached_borrower(
        inbound=True, promise_due_on=AS_OF + timedelta(days=5), next_follow_up_on=None, next_action="none"
    )
    call = do_record_call(
        desk.case, entry, actor=desk.senior, today=AS_OF, dpd=25, calls=CALLS, called_at=WORKING_HOURS
    )
    assert call.inbound is True
    assert facts(desk.loan).initiating_call == call


def test_propose_approve_and_post_reduces_the_penalty_owed(desk):
    """Clause: WVR-1, WVR-2, AUTH-2, AUTH-4 — a senior collector proposes 92.77; a supervisor approves: the
    waiver is posted on the business date and split over the penalty (then compound) interest owed, so the
    finance core's penalty drops by exactly 92.77; the facts it was judged on are kept with it."""
    borrower_called(desk.case, desk.senior)
    policy = policy_on(AS_OF)
    before = loan_account(loan_with_account(desk.loan.pk), AS_OF, policy)
    waiver = do_propose_waiver(
        desk.case, desk.loan, amount="92.77", note="首次逾期，主动来电", actor=desk.senior, today=AS_OF
    )
    assert (waiver.status, waiver.dpd, waiver.first_delinquency, waiver.max_fen, waiver.penalty_accrued_fen) == (
        "proposed",
        25,
        True,
        9_277,
        46_387,
    )
    do_decide_waiver(waiver, approve=True, reason="符合减免条件", actor=desk.boss, today=AS_OF)
    waiver.refresh_from_db()
    assert (waiver.status, waiver.posted_on, waiver.decided_by_id) == ("posted", AS_OF, desk.boss.pk)
    posting = WaiverPosting.objects.get(key=f"waiver:{waiver.pk}")
    assert (posting.loan_id, posting.posted_on, posting.amount_fen) == (desk.loan.pk, AS_OF, 9_277)
    assert sum(WaiverAllocation.objects.filter(posting=posting).values_list("amount_fen", flat=True)) == 9_277
    after = loan_account(loan_with_account(desk.loan.pk), AS_OF, policy)
    owed = lambda p: p.penalty_interest + p.compound_interest  # noqa: E731
    assert owed(before) - owed(after) == Decimal("92.77")
    assert (after.overdue_principal, after.overdue_interest) == (before.overdue_principal, before.overdue_interest)
    assert after.waived == Decimal("92.77")
    event = AuditEvent.objects.filter(action="arrangements.approve_waiver").get()
    assert event.basis["clause"] == "WVR-2"
    assert event.changes["posted"][1]["fen"] == 9_277
    # Waived once to the cap, nothing more may be waived on this delinquency.
    assert facts(desk.loan).max_waiver == Decimal("0.00")


def test_the_proposer_never_decides_and_a_junior_never_proposes(desk):
    """Clause: AUTH-1, AUTH-2 — a junior collector is refused; a supervisor who proposed cannot approve their
    own waiver, not even with an UPDATE (a database constraint); nothing is posted."""
    borrower_called(desk.case, desk.senior)
    with pytest.raises(ActionDenied):
        do_propose_waiver(desk.case, desk.loan, amount="10.00", actor=desk.junior, today=AS_OF)
    waiver = do_propose_waiver(desk.case, desk.loan, amount="10.00", actor=desk.boss, today=AS_OF)
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError, match="another supervisor"):
        do_decide_waiver(waiver, approve=True, actor=desk.boss, today=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Waiver.objects.filter(pk=waiver.pk).update(status="posted", decided_by=desk.boss)
    assert (Waiver.objects.get(pk=waiver.pk).status, WaiverPosting.objects.count()) == ("proposed", 0)
    assert AuditEvent.objects.count() == events
    do_decide_waiver(waiver, approve=False, reason="金额需复核", actor=desk.other_boss, today=AS_OF)
    assert (Waiver.objects.get(pk=waiver.pk).status, WaiverPosting.objects.count()) == ("rejected", 0)
