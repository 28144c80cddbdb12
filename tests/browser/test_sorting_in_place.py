"""Sorting the case queue in a real browser: the header swaps the rows in place (htmx), the address follows, and
the filters keep the order the collector chose."""

from __future__ import annotations

import pytest
from desk import WORKING_HOURS, open_desk

from arrears.collection import views

PASSWORD = "a long passphrase 123"
pytestmark = pytest.mark.usefixtures("live_db")


def test_a_header_sorts_in_place_and_a_filter_keeps_the_order(new_page, live_server, monkeypatch, screenshots):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    desk = open_desk(
        [("J40", 40, "30000", "low"), ("J12", 12, "9000", "low"), ("K25", 25, "12000", "low")],
        {"junior_collector": 1},
    )
    cases = desk["cases"]
    junior = desk["users"]["junior_collector"][0]
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", junior.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/cases/")

    def shown() -> list[int]:
        return [int(n) for n in page.locator("table.queue tbody tr[data-case]").evaluate_all(
            "rows => rows.map(r => r.dataset.case)")]  # fmt: skip

    assert shown() == [cases["J40"].pk, cases["K25"].pk, cases["J12"].pk]  # the work order: DPD 40, 25, 12
    page.click("th a[data-sort=dpd]")  # DPD starts with the largest
    page.wait_for_selector('th[aria-sort="descending"] a[data-sort=dpd]')
    page.click("th a[data-sort=dpd]")  # and toggles
    page.wait_for_selector('th[aria-sort="ascending"] a[data-sort=dpd]')
    assert shown() == [cases["J12"].pk, cases["K25"].pk, cases["J40"].pk]
    assert page.url.endswith("?sort=dpd")
    page.screenshot(path=screenshots / "queue-by-dpd.png", full_page=True)

    page.locator("input[name=q]").press_sequentially("J")  # the filter, sent by htmx, carries the sort
    page.wait_for_function("document.querySelectorAll('table.queue tbody tr[data-case]').length === 2")
    assert shown() == [cases["J12"].pk, cases["J40"].pk]
    assert "sort=dpd" in page.url
