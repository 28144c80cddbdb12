"""A collector's morning in a real browser (Debian's Chromium through Playwright): the start page → the first
promise due → the case → a call, screenshots saved."""

from __future__ import annotations

import pytest
from desk import WORKING_HOURS
from start_book import start_book

from arrears.collection import views
from arrears.collection.models import Call

PASSWORD = "a long passphrase 123"
pytestmark = pytest.mark.usefixtures("live_db")


def test_a_junior_collector_starts_the_day_with_the_first_promise_due(new_page, live_server, monkeypatch, screenshots):
    """Clause: CALL-1, CALL-3, TEAM-1 — signed in, the junior collector lands on today's work: two promises due
    today on their own cases, P30 first (DPD 30 before DPD 10). One click opens P30's case; the call form
    records an unanswered call, and the case's history shows it."""
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    desk = start_book()
    junior, case = desk["users"]["junior_collector"][0], desk["cases"]["P30"]

    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", junior.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#work-counts")
    assert page.url == f"{live_server.url}/"
    assert page.locator("h2").first.inner_text() == "今日工作"
    assert page.locator('#work-counts tr[data-work="promise"] td.num').inner_text() == "2"
    page.screenshot(path=screenshots / "1-start-page.png", full_page=True)

    page.locator("#work-promise tbody tr").first.locator("a").click()
    page.wait_for_selector("#precall")
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    assert page.locator("#case-dpd").inner_text() == "30"
    page.screenshot(path=screenshots / "2-case.png", full_page=True)

    page.click("#call-borrower")
    page.wait_for_selector("#call-form")
    page.select_option("#id_outcome", "no_answer")
    page.fill("#id_duration_seconds", "0")
    page.fill("#id_note", "今日承诺还款日，无人接听")
    page.click("#save-call")
    page.wait_for_selector("#calls")
    assert "今日承诺还款日，无人接听" in page.locator("#calls tbody").inner_text()
    page.screenshot(path=screenshots / "3-call-recorded.png", full_page=True)
    call = Call.objects.get()
    assert (call.case_id, call.collector_id, call.outcome) == (case.pk, junior.pk, "no_answer")
