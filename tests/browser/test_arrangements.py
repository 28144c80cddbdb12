"""An instalment plan from proposal to signature in a real browser: the senior collector designs and proposes
it, a supervisor approves it from the approval queue, the signed agreement is uploaded; screenshots saved."""

from __future__ import annotations

import pytest
from desk import WORKING_HOURS, open_desk
from test_collector_desk import sign_in

from arrears.arrangements.models import Plan
from arrears.collection import views
from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.usefixtures("live_db")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    return open_desk([("H20", 20, "12000", "high")], {"senior_collector": 1, "supervisor": 1})


def test_propose_approve_and_sign_a_plan(new_page, live_server, desk, screenshots):
    """Clause: PLAN-1, PLAN-2, PLAN-3, PLAN-4, AUTH-2 — the senior collector enters the borrower's means (income
    10,000, expenses 3,000, debts 500: at most 3,000.00 a month), sees the four options for 1,027.43, proposes 4 ×
    256.86; the supervisor finds it in the approval queue and approves it; the senior collector records the
    signed agreement's scan and the plan is in force."""
    senior = desk["users"]["senior_collector"][0]
    boss = desk["users"]["supervisor"][0]
    case = desk["cases"]["H20"]

    page = sign_in(new_page, live_server, senior)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#design-plan")
    page.wait_for_selector("#means")
    page.fill("#id_income", "10000")
    page.fill("#id_expenses", "3000")
    page.fill("#id_debts", "500")
    page.click("#show-options")
    page.wait_for_selector("#plan-options")  # swapped in by htmx, no page load
    assert page.locator("#quote-cap").inner_text() == "3,000.00"
    assert page.locator("#quote-amount").inner_text().startswith("1,027.43")
    assert page.locator("#plan-options tbody tr.feasible").count() == 4
    assert "256.86" in page.locator("#option-4").inner_text()
    page.screenshot(path=screenshots / "1-options.png", full_page=True)
    page.check("#option-4 input[type=radio]")
    page.fill("textarea[name=note]", "借款人失业后再就业，收入稳定")
    page.click("#propose-plan")
    page.wait_for_selector("#plan-status")
    assert page.locator("#plan-status").get_attribute("data-status") == "proposed"
    assert page.locator("#decide-plan").count() == 0  # the proposer is never offered the decision
    plan = Plan.objects.get()
    assert (plan.proposed_by_id, plan.instalment_count, plan.payment_fen) == (senior.pk, 4, 25_686)

    approver = sign_in(new_page, live_server, boss)
    approver.goto(f"{live_server.url}/approvals/")
    row = approver.locator(f"#pending-plan-{plan.pk}")
    assert "1,027.43" in row.inner_text()
    approver.screenshot(path=screenshots / "2-approval-queue.png", full_page=True)
    row.locator("input[name=reason]").fill("还款能力核实")
    row.locator("button[value=approve]").click()
    approver.wait_for_selector("#pending-plans")
    assert approver.locator(f"#pending-plan-{plan.pk}").count() == 0
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id) == ("approved", boss.pk)

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert page.locator("#agreement-link").count() == 1
    with page.expect_response(lambda r: r.url.endswith("/agreement.pdf")) as opened:
        page.evaluate("url => fetch(url)", f"{live_server.url}/plans/{plan.pk}/agreement.pdf")
    assert opened.value.headers["content-type"] == "application/pdf"
    page.set_input_files(
        "#sign-plan input[name=scan]", files=[{"name": "签字页.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.screenshot(path=screenshots / "3-sign.png", full_page=True)
    page.click("#record-signature")
    page.wait_for_selector("#plan-signed")
    assert page.locator("#plan-status").get_attribute("data-status") == "active"
    page.screenshot(path=screenshots / "4-in-force.png", full_page=True)
    plan.refresh_from_db()
    assert (plan.status, plan.signed_scan_name, bytes(plan.signed_scan)) == ("active", "签字页.png", PNG)
    assert AuditEvent.objects.filter(action="arrangements.approve_plan", actor=boss).count() == 1
    assert AuditEvent.objects.filter(action="arrangements.sign_plan", actor=senior).count() == 1
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert f"#{plan.pk}" in page.locator("#plans").inner_text()
    page.locator("#arrangements").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "5-case-arrangements.png", full_page=True)
