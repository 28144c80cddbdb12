"""An agency placement in a real browser: a supervisor places an eligible case with an eligible agency from the case
page; the agency's user sees exactly that case and records a call on it through the bank's form; the supervisor
recalls it; the agency's user no longer sees it. Screenshots saved (issue 19)."""

from __future__ import annotations

import pytest
from desk import WORKING_HOURS
from placed import placed_desk
from test_collector_desk import sign_in

from arrears.agencies.models import Placement
from arrears.collection import views
from arrears.collection.models import Call
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.usefixtures("live_db", "approved_templates")


def test_place_the_agency_records_a_call_recall_the_agency_no_longer_sees_it(
    new_page, live_server, screenshots, monkeypatch
):
    """Clause: LGL-1, LGL-2, AUTH-3, AGY-1, AGY-2 — AGY (DPD 90, three failed attempts, 1,000.00 overdue) is placed
    with GOOD for 30 days; GOOD's user sees only AGY in their queue, records a reached call with the same script
    checks; the supervisor recalls; on the agency's next request the case page is "not found" and the queue is
    empty."""
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)  # 10:00 in Beijing: outside the quiet hours
    desk = placed_desk()
    case = desk.cases["AGY"]
    agent = make_user("agency_user", username="agent-19", agency=desk.good)
    other = make_user("agency_user", username="agent-bare", agency=desk.bare)

    boss = sign_in(new_page, live_server, desk.boss)
    boss.goto(f"{live_server.url}/cases/{case.pk}/")
    boss.wait_for_selector("#place-form")
    boss.select_option("#place-form select[name=agency]", "GOOD")
    boss.fill("#place-form input[name=days]", "30")
    boss.fill("#place-form textarea[name=reason]", "逾期九十天，三次联系未果，金额低于诉讼标准")
    boss.screenshot(path=screenshots / "1-place.png", full_page=True)
    boss.click("#place")
    boss.wait_for_selector("#placement-standing")
    placement = Placement.objects.get()
    assert (placement.agency.code, placement.days, placement.placed_by) == ("GOOD", 30, desk.boss)
    assert "GOOD" in boss.locator("#placement-standing").inner_text()
    boss.screenshot(path=screenshots / "2-placed.png", full_page=True)

    page = sign_in(new_page, live_server, agent)
    page.goto(f"{live_server.url}/cases/")
    shown = page.locator("table.queue tbody tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.case)")
    assert [int(n) for n in shown] == [case.pk]
    page.screenshot(path=screenshots / "3-agency-queue.png", full_page=True)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#call-borrower")
    page.wait_for_selector("#call-form")
    for step in (
        "greeted",
        "purpose_stated",
        "identity_verified",
        "facts_stated",
        "consequences_stated",
        "ability_asked",
    ):
        page.check(f"#id_{step}")
    page.select_option("#id_suggestion", "short_plan")
    page.select_option("#id_outcome", "refused")
    page.fill("#id_duration_seconds", "95")
    page.select_option("#id_attitude", "refusal")
    page.select_option("#id_obstacle", "other")
    page.fill("#id_note", "受托机构来电，借款人表示暂不还款")
    page.screenshot(path=screenshots / "4-agency-call.png", full_page=True)
    page.click("#save-call")
    page.wait_for_selector("#calls")
    assert "受托机构来电，借款人表示暂不还款" in page.locator("#calls tbody").inner_text()
    call = Call.objects.get(collector=agent)
    assert (call.case_id, call.outcome, call.duration_seconds) == (case.pk, "refused", 95)
    recorded = AuditEvent.objects.filter(actor_username="agent-19", action="collection.record_call").get()
    assert "GOOD" in str(recorded.changes) + str(recorded.basis)

    outsider = sign_in(new_page, live_server, other)
    assert outsider.goto(f"{live_server.url}/cases/{case.pk}/").status == 404

    boss.goto(f"{live_server.url}/cases/{case.pk}/")
    boss.select_option("#recall-form select[name=reason]", "supervisor")
    boss.fill("#recall-form textarea[name=note]", "借款人明确拒绝，收回转诉讼评估")
    boss.click("#recall")
    boss.wait_for_selector("#placement-history")
    placement.refresh_from_db()
    assert (placement.end_reason, placement.ended_by) == ("supervisor", desk.boss)
    boss.screenshot(path=screenshots / "5-recalled.png", full_page=True)

    assert page.goto(f"{live_server.url}/cases/{case.pk}/").status == 404
    page.screenshot(path=screenshots / "6-agency-not-found.png", full_page=True)
    page.goto(f"{live_server.url}/cases/")
    assert page.locator("table.queue tbody tr[data-case]").count() == 0
