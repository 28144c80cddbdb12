"""The late stage in a real browser: a supervisor decides litigation on a severe case from its facts; a legal officer
builds the litigation file and records the filing, the acceptance and the judgment; the deadlines follow;
screenshots saved (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from file_book import debtor_case
from test_collector_desk import sign_in

from arrears.compliance.models import AuditEvent
from arrears.legal.models import Litigation, LitigationFile
from factories import make_user

pytestmark = pytest.mark.usefixtures("live_db", "approved_templates")


def test_a_supervisor_decides_litigation_and_a_legal_officer_files_it(new_page, live_server, screenshots):
    """Clause: LGL-1, LGL-2, AUTH-3, LIT-1, LIT-2 — the case (60,000.00 lent, more than 50,000 overdue, DPD over
    90, a refusal recorded) shows its late-stage facts; the supervisor decides litigation (the lawsuit opens); the
    legal officer builds version 1 of the file, records the filing with the court and its fee, the acceptance with
    the case number and a judgment taking effect a month later: the page shows the stage, the court fee as a legal
    cost, and the enforcement deadline two years after the judgment takes effect."""
    case = debtor_case()
    today = timezone.localdate()
    supervisor = make_user("supervisor", username="sup-18")
    officer = make_user("legal_officer", username="lo-18")

    boss = sign_in(new_page, live_server, supervisor)
    boss.goto(f"{live_server.url}/cases/{case.pk}/")
    boss.click("#decide-escalation")
    boss.wait_for_selector("form#decide-escalation")
    facts = boss.locator("body").inner_text()
    assert "诉讼" in facts
    boss.screenshot(path=screenshots / "1-facts.png", full_page=True)
    boss.check("form#decide-escalation input[name=decision][value=litigation]")
    boss.fill("form#decide-escalation textarea[name=reason]", "借款人明确拒绝还款，逾期金额超过五万元")
    boss.click("form#decide-escalation button[type=submit]")
    boss.wait_for_load_state()
    litigation = Litigation.objects.get(case=case)
    assert (litigation.stage, litigation.decision.decided_by) == ("decided", supervisor)
    assert AuditEvent.objects.filter(action="legal.decide_litigation", actor_username="sup-18").count() == 1
    boss.screenshot(path=screenshots / "2-decided.png", full_page=True)

    page = sign_in(new_page, live_server, officer)
    page.goto(f"{live_server.url}/legal/litigations/")
    page.click(f"a[href='/legal/litigations/{litigation.pk}/']")
    page.wait_for_selector("#litigation-facts")
    page.goto(f"{live_server.url}/legal/litigations/{litigation.pk}/file/")
    page.click("#build-file button[type=submit]")
    page.wait_for_selector("#file-versions")
    (built,) = LitigationFile.objects.filter(litigation=litigation)
    assert built.version == 1
    assert built.pdf_sha256 in page.locator("#file-versions").inner_text()
    page.screenshot(path=screenshots / "3-file.png", full_page=True)

    page.goto(f"{live_server.url}/legal/litigations/{litigation.pk}/")
    form = page.locator("#record-filed")
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator("input[name=court]").fill("南京市玄武区人民法院")
    form.locator("input[name=claimed]").fill("56857.42")
    form.locator("input[name=court_fee]").fill("611.00")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#record-accepted")
    form = page.locator("#record-accepted")
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator("input[name=court_case_no]").fill("(2026)苏0102民初4567号")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#record-judgment")
    form = page.locator("#record-judgment")
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator("input[name=amount]").fill("56857.42")
    effective = today + timedelta(days=30)
    form.locator("input[name=effective_on]").fill(effective.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#litigation-stage")
    litigation.refresh_from_db()
    assert (litigation.stage, litigation.court_case_no, litigation.judgment_fen) == (
        "judgment",
        "(2026)苏0102民初4567号",
        5_685_742,
    )
    assert litigation.judgment_effective_on == effective
    assert "(2026)苏0102民初4567号" in page.locator("#court-case-no").inner_text()
    assert "611.00" in page.locator("#litigation-costs").inner_text()
    enforcement_by = effective.replace(year=effective.year + 2)
    assert enforcement_by.isoformat() in page.locator("#litigation-deadlines").inner_text()
    page.screenshot(path=screenshots / "4-judgment.png", full_page=True)
