"""Every decision on a plan or a waiver gives its reason — approving as well as rejecting — through the action,
the pages and the API alike; a blank reason is refused with the message and nothing changes.

Clause: AUTH-2 — a supervisor approves what a senior collector negotiated; the proposer and the ledger learn why.
The desk on 2026-03-20: P20's loan (12,000.00) has a plan proposed; W25's loan (1,200,000.00, 25 days overdue,
the borrower called the bank) has a waiver of 10.00 proposed.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from django.test import Client
from test_waiver_actions import borrower_called

from arrears.arrangements.actions import do_decide_plan, do_decide_waiver, do_propose_plan, do_propose_waiver
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Plan, Waiver
from arrears.collection import views as desk_views
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import WaiverPosting

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}
BLANKS = ["", "   ", "\t\n "]


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    opened = open_desk(
        [("P20", 20, "12000", "low"), ("W25", 25, "1200000", "low")],
        {"senior_collector": 1, "supervisor": 1},
    )
    senior, boss = opened["users"]["senior_collector"][0], opened["users"]["supervisor"][0]
    plan = do_propose_plan(
        opened["cases"]["P20"], **MEANS, instalments=4, note=" 借款人失业三个月，申请分期 ", actor=senior, today=AS_OF
    )
    case = opened["cases"]["W25"]
    borrower_called(case, senior)
    waiver = do_propose_waiver(
        case, case.borrower.loans.get(), amount="10.00", note="首次逾期，主动来电说明", actor=senior, today=AS_OF
    )
    return SimpleNamespace(plan=plan, waiver=waiver, senior=senior, boss=boss)


def unchanged(desk) -> tuple:
    """What a refused decision must leave as it was."""
    plan, waiver = Plan.objects.get(pk=desk.plan.pk), Waiver.objects.get(pk=desk.waiver.pk)
    return (
        (plan.status, plan.decided_by_id, plan.decision_reason, bytes(plan.agreement_pdf)),
        (waiver.status, waiver.decided_by_id, waiver.decision_reason),
        WaiverPosting.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("approve", [True, False])
def test_the_action_refuses_a_decision_without_a_reason_and_nothing_changes(desk, approve, blank):
    """Clause: AUTH-2 — approving or rejecting a plan or a waiver with an empty or whitespace reason."""
    before = unchanged(desk)
    verb = "approved" if approve else "rejected"
    with pytest.raises(ArrangementError, match=f"Say why the plan is {verb}"):
        do_decide_plan(desk.plan, approve=approve, reason=blank, actor=desk.boss, today=AS_OF)
    with pytest.raises(ArrangementError, match=f"Say why the waiver is {verb}"):
        do_decide_waiver(desk.waiver, approve=approve, reason=blank, actor=desk.boss, today=AS_OF)
    assert unchanged(desk) == before
    assert before[:3] == (("proposed", None, "", b""), ("proposed", None, ""), 0)


def test_a_proposals_note_is_the_reason_on_its_audit_event(desk):
    """Clause: AUTH-4 — the senior collector's note on a plan or waiver proposal is the event's reason."""
    events = AuditEvent.objects.filter(action__in=["arrangements.propose_plan", "arrangements.propose_waiver"])
    assert sorted(events.values_list("action", "reason")) == [
        ("arrangements.propose_plan", "借款人失业三个月，申请分期"),
        ("arrangements.propose_waiver", "首次逾期，主动来电说明"),
    ]


def test_an_approval_with_a_reason_keeps_it_on_the_plan_the_waiver_and_the_ledger(desk):
    """Clause: AUTH-2 — the reason is stored as written (trimmed) and is the audit event's reason."""
    do_decide_plan(desk.plan, approve=True, reason=" 还款能力已核实 ", actor=desk.boss, today=AS_OF)
    do_decide_waiver(desk.waiver, approve=True, reason="首次逾期且主动来电", actor=desk.boss, today=AS_OF)
    assert Plan.objects.get(pk=desk.plan.pk).decision_reason == "还款能力已核实"
    assert Waiver.objects.get(pk=desk.waiver.pk).decision_reason == "首次逾期且主动来电"
    events = AuditEvent.objects.filter(action__in=["arrangements.approve_plan", "arrangements.approve_waiver"])
    assert sorted(events.values_list("action", "reason")) == [
        ("arrangements.approve_plan", "还款能力已核实"),
        ("arrangements.approve_waiver", "首次逾期且主动来电"),
    ]


def test_the_pages_refuse_an_approval_without_a_reason_with_the_message(desk):
    """Clause: AUTH-2 — the plan page and the approval queue: the form's message, the proposal still awaits."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(desk.boss)
    before = unchanged(desk)
    page = client.post(f"/plans/{desk.plan.pk}/decide/", {"decision": "approve", "reason": "  "}, follow=True)
    assert "Say why the plan is approved" in page.content.decode()
    page = client.post(f"/waivers/{desk.waiver.pk}/decide/", {"decision": "approve", "reason": ""}, follow=True)
    assert "Say why the waiver is approved" in page.content.decode()
    assert unchanged(desk) == before
    queue = client.get("/approvals/").content.decode()
    assert queue.count('name="reason" required') == 2  # the browser asks for it before sending
    client.post(f"/plans/{desk.plan.pk}/decide/", {"decision": "approve", "reason": "核实"})
    assert Plan.objects.get(pk=desk.plan.pk).status == "approved"


def test_the_api_answers_422_with_the_message_for_an_approval_without_a_reason(desk):
    """Clause: AUTH-2 — no body, an empty and a blank reason: 422 with the action's message, nothing changed."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(desk.boss)
    before = unchanged(desk)
    for body in [None, {}, {"reason": " "}]:
        for kind, noun in [("plans", desk.plan.pk), ("waivers", desk.waiver.pk)]:
            response = client.post(f"/api/v1/{kind}/{noun}/approve", body or {}, content_type="application/json")
            assert response.status_code == 422, (kind, body)
            assert response.json()["error"]["message"].startswith(f"Say why the {kind[:-1]} is approved"), (
                response.json()
            )
    response = client.post(
        f"/api/v1/waivers/{desk.waiver.pk}/reject", {"reason": "\t"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["error"]["message"][:35]) == (
        422,
        "Say why the waiver is rejected; the",
    )
    assert unchanged(desk) == before
