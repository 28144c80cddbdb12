"""A complaint in a real browser from the hotline to closing: taken by phone and matched to the borrower (the hold
shows), answered, investigated, substantiated against a collector, rectified, refused closing before the outcome
is told, told and closed (the hold lifted), and found in the violation register; screenshots saved."""

from __future__ import annotations

from datetime import date

import pytest
from test_collector_desk import sign_in

from arrears.complaints.models import Complaint, Investigation, Violation
from arrears.compliance.models import AuditEvent
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.usefixtures("live_db")

MOBILE = "13812345678"


@pytest.fixture
def site():
    borrower = make_borrower(external_id="C0090017", mobile=MOBILE)
    make_loan(borrower, external_id="HT-2026-0017")
    officer = make_user("compliance_officer", username="co-17")
    collector = make_user("senior_collector", username="sc-17")
    return {"borrower": borrower, "officer": officer, "collector": collector}


def test_a_phone_complaint_investigated_substantiated_rectified_and_closed(new_page, live_server, site, screenshots):
    """Clause: CMP-1, CMP-2, CMP-3, CMP-4, PRV-1 — the compliance officer takes a complaint by phone with the
    borrower's mobile 13812345678 (matched: the complaint hold shows), finds it in the queue, records the first
    response call, takes it for investigation, records it substantiated against collector sc-17 with the
    rectification due 2026-03-31, closes the rectification with evidence, is refused closing before the outcome
    is told (the page says why), records the call telling the outcome, closes the complaint (the hold is lifted)
    and finds the violation in the register."""
    officer, collector, borrower = site["officer"], site["collector"], site["borrower"]
    page = sign_in(new_page, live_server, officer)

    page.goto(f"{live_server.url}/complaints/new/")
    page.select_option("#take-complaint select[name=channel]", "phone")
    page.fill("input[name=received_at]", "2026-03-17T10:00")
    page.fill("input[name=complainant]", "张三丰")
    page.fill("input[name=mobile]", MOBILE)
    page.fill("textarea[name=text]", "催收员晚上十点后多次来电骚扰")
    page.screenshot(path=screenshots / "1-take.png", full_page=True)
    page.click("#take-complaint button[type=submit]")
    page.wait_for_selector("#complaint-facts")
    complaint = Complaint.objects.get()
    body = page.locator("body").inner_text()
    assert f"投诉 #{complaint.pk} 已登记。" in body
    facts = page.locator("#complaint-facts").inner_text()
    assert "电话（客服热线）" in facts
    assert "C0090017" in facts
    assert "因投诉已暂停催收" in facts
    assert complaint.borrower_id == borrower.pk
    hold = complaint.hold
    assert hold.released_on is None
    page.screenshot(path=screenshots / "2-complaint.png", full_page=True)

    page.goto(f"{live_server.url}/borrowers/C0090017/")
    assert "履行中" in page.locator(f"#hold-{hold.pk}").inner_text()
    assert page.locator(f"#hold-{hold.pk} td").nth(4).inner_text() == "—"
    assert page.locator(f"#hold-{hold.pk} button").count() >= 1

    page.goto(f"{live_server.url}/complaints/")
    row = page.locator(f"#complaint-{complaint.pk}")
    assert "C0090017" in row.inner_text()
    assert "电话（客服热线）" in row.inner_text()
    page.screenshot(path=screenshots / "3-queue.png", full_page=True)
    row.locator("a").first.click()
    page.wait_for_selector("#respond")
    page.fill("#respond input[name=at]", "2026-03-17T14:30")
    page.fill("#respond textarea[name=note]", "已致电投诉人，说明将在十五日内调查并答复")
    page.click("#respond button[type=submit]")
    page.wait_for_selector("#complaint-facts")
    assert "回复已记录。" in page.locator("body").inner_text()
    assert page.locator("#respond").count() == 0
    page.screenshot(path=screenshots / "4-responded.png", full_page=True)

    page.click("#investigation-link a")
    page.wait_for_selector("#take")
    page.click("#take button[type=submit]")
    page.wait_for_selector("#findings")
    assert "您已受理该投诉的调查。" in page.locator("body").inner_text()
    page.check("#findings input[name=substantiated][value=yes]")
    page.fill("#findings textarea[name=findings]", "通话记录显示催收员在22:00后三次来电")
    page.fill("#findings input[name=responsible_user]", "sc-17")
    page.fill("#findings textarea[name=rectification]", "对催收员进行合规培训并调整外呼时段")
    page.fill("#findings input[name=rectification_due]", "2026-03-31")
    page.screenshot(path=screenshots / "5-findings.png", full_page=True)
    page.click("#findings button[type=submit]")
    page.wait_for_selector("#rectify")
    assert "调查结论已登记。" in page.locator("body").inner_text()
    facts = page.locator("#investigation-facts").inner_text()
    assert "属实" in facts
    assert "sc-17" in facts
    assert "2026-03-31" in facts

    page.fill("#rectify textarea[name=evidence]", "培训签到表及外呼时段配置截图已归档")
    page.click("#rectify button[type=submit]")
    page.wait_for_selector("#tell")
    assert "整改已关闭。" in page.locator("body").inner_text()
    assert page.locator("#rectify").count() == 0

    page.click("#close button[type=submit]")
    page.wait_for_selector("#tell")
    assert "须先将处理结果告知投诉人方可结案（CMP-4）" in page.locator("body").inner_text()
    page.screenshot(path=screenshots / "6-close-refused.png", full_page=True)
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    hold.refresh_from_db()
    assert hold.released_on is None

    page.fill("#tell input[name=at]", "2026-03-25T15:00")
    page.fill("#tell textarea[name=note]", "已电话告知投诉人调查属实及整改措施")
    page.click("#tell button[type=submit]")
    page.wait_for_selector("#close")
    assert "告知处理结果的通话已登记。" in page.locator("body").inner_text()
    assert page.locator("#tell").count() == 0
    page.click("#close button[type=submit]")
    page.wait_for_selector("#investigation-facts")
    assert "投诉已办结，其投诉暂停已解除。" in page.locator("body").inner_text()
    assert page.locator("#close").count() == 0
    facts = page.locator("#investigation-facts").inner_text()
    assert "受理人" in facts  # the person who took it, not how the complaint came in
    assert "已完成整改" in facts  # the rectification closed (not "paid off", as a loan is)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    assert "因投诉已暂停催收" not in page.locator("body").inner_text()  # the hold is lifted
    assert "已办结" in page.locator("body").inner_text()
    page.screenshot(path=screenshots / "7-closed.png", full_page=True)

    hold.refresh_from_db()
    assert hold.released_on is not None
    page.goto(f"{live_server.url}/borrowers/C0090017/")
    # Lifted today: the hold's last day is the day it was lifted, so the page shows that day as its release.
    assert page.locator(f"#hold-{hold.pk} td").nth(4).inner_text() == hold.released_on.isoformat()
    assert page.locator(f"#hold-{hold.pk} button").count() == 0  # nothing left to lift
    page.locator("#holds").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "8-borrower-holds.png", full_page=True)

    page.goto(f"{live_server.url}/complaints/violations/")
    register = page.locator("#violations").inner_text()
    assert "sc-17" in register
    assert f"#{complaint.pk}" in register
    assert "2026-03-31" in register
    page.screenshot(path=screenshots / "9-register.png", full_page=True)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.channel, complaint.closed_at is not None) == ("closed", "phone", True)
    investigation = Investigation.objects.get(complaint=complaint)
    assert (investigation.taken_by_id, investigation.substantiated) == (officer.pk, True)
    violation = Violation.objects.get()
    assert (violation.complaint_id, violation.responsible_user_id) == (complaint.pk, collector.pk)
    assert violation.rectification.due_on == date(2026, 3, 31)
    assert violation.rectification.closed_at is not None
    for action in (
        "complaints.file_complaint",
        "complaints.record_response",
        "complaints.take_complaint",
        "complaints.record_findings",
        "complaints.close_rectification",
        "complaints.tell_outcome",
        "complaints.close_complaint",
        "portfolio.place_hold",
        "portfolio.release_hold",
    ):
        assert AuditEvent.objects.filter(action=action, actor=officer).count() == 1, action
