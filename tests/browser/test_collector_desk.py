"""A collector's day in a real browser (Debian's Chromium through Playwright), screenshots saved."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from desk import AS_OF, SHANGHAI, WORKING_HOURS, open_desk

from arrears.collection import views
from arrears.collection.models import Call, Promise

PASSWORD = "a long passphrase 123"
pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    return open_desk(
        [("J40", 40, "30000", "low"), ("J12", 12, "9000", "low"), ("H20", 20, "15000", "high")],
        {"junior_collector": 1, "senior_collector": 1},
    )


def sign_in(new_page, live_server, user):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()
    return page


def test_a_junior_collector_records_a_call_with_a_promise(new_page, live_server, desk, screenshots):
    """Clause: CALL-1, CALL-2, CALL-3, SCR-1, SCR-2, TEAM-1 — log in, open the queue, open the first case, see the
    pre-call panel, record a call with a promise to pay, and find it in the contact history."""
    junior = desk["users"]["junior_collector"][0]
    page = sign_in(new_page, live_server, junior)
    page.goto(f"{live_server.url}/cases/")
    rows = page.locator("table.queue tbody tr[data-case]")
    assert rows.count() == 2  # the high-risk case is the senior collector's
    first = rows.first.get_attribute("data-case")
    assert int(first) == desk["cases"]["J40"].pk  # both have a first call due; DPD 40 before DPD 12
    page.screenshot(path=screenshots / "1-queue.png", full_page=True)

    rows.first.locator("a").first.click()
    page.wait_for_selector("#precall")
    assert page.locator("#case-dpd").inner_text() == "40"
    page.screenshot(path=screenshots / "2-case.png", full_page=True)

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
    page.select_option("#id_outcome", "promised")
    page.fill("#id_duration_seconds", "215")
    page.select_option("#id_attitude", "difficulty")
    page.select_option("#id_obstacle", "unemployment")
    page.fill("#id_promise_amount", "2000.00")
    page.fill("#id_promise_due_on", "2026-03-25")
    page.fill("#id_note", "借款人暂时失业，承诺25日前先还2000元")
    assert page.input_value("#id_next_follow_up_on") == "2026-03-25"  # proposed by the cadence: 5 days
    page.screenshot(path=screenshots / "3-call-form.png", full_page=True)
    page.click("#save-call")
    page.wait_for_selector("#calls")
    history = page.locator("#calls tbody").inner_text()
    assert "借款人暂时失业，承诺25日前先还2000元" in history
    assert "215" in history
    assert "2,000.00" in page.locator("#promises").inner_text()
    page.screenshot(path=screenshots / "4-recorded.png", full_page=True)
    call = Call.objects.get()
    assert (call.collector_id, call.outcome, call.duration_seconds) == (junior.pk, "promised", 215)
    assert Promise.objects.get().amount_fen == 200_000


def test_a_senior_collector_sees_the_high_risk_case_a_junior_does_not(new_page, live_server, desk, screenshots):
    """Clause: TEAM-3 — the high-risk borrower at DPD 20 is in the senior collector's queue only; the junior
    collector's browser gets "not found" for its page."""
    high = desk["cases"]["H20"]
    senior = sign_in(new_page, live_server, desk["users"]["senior_collector"][0])
    senior.goto(f"{live_server.url}/cases/")
    assert [int(n) for n in senior.locator("table.queue tbody tr[data-case]").evaluate_all(
        "rows => rows.map(r => r.dataset.case)"
    )] == [high.pk]  # fmt: skip
    assert "H20" in senior.locator("table.queue").inner_text()
    senior.screenshot(path=screenshots / "senior-queue.png", full_page=True)

    junior = sign_in(new_page, live_server, desk["users"]["junior_collector"][0])
    junior.goto(f"{live_server.url}/cases/")
    assert "H20" not in junior.locator("table.queue").inner_text()
    response = junior.goto(f"{live_server.url}/cases/{high.pk}/")
    assert response.status == 404
    junior.screenshot(path=screenshots / "junior-not-found.png", full_page=True)


def test_a_call_at_half_past_ten_at_night_is_refused_with_the_rule(
    new_page, live_server, desk, screenshots, monkeypatch
):
    """Clause: CALL-3 (the guideline's quiet hours) — at 22:30 the case page and the call form say which rule
    refuses the call and when it is next allowed; no form is offered and nothing is stored."""
    monkeypatch.setattr(views, "now", lambda: datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI))
    case = desk["cases"]["J12"]
    page = sign_in(new_page, live_server, desk["users"]["junior_collector"][0])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    refusal = page.locator("#contact-refused").inner_text()
    assert "静默时段（禁止联系）" in refusal  # the rule in words, never its code
    assert "quiet_hours" not in refusal
    assert "2026-03-21 08:00" in refusal
    assert page.locator("#call-borrower").count() == 0
    response = page.goto(f"{live_server.url}/cases/{case.pk}/call/")
    assert response.status == 409
    assert re.search(r"22:30.*22:00.08:00", page.locator("#contact-refused").inner_text())
    assert page.locator("#call-form").count() == 0
    page.screenshot(path=screenshots / "quiet-hours.png", full_page=True)
    assert not Call.objects.exists()
    assert case.opened_on == AS_OF
