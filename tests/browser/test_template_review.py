"""Legal review of a notice template in a real browser: a compliance officer writes a new version of the SMS
reminder and submits it; a legal officer approves it; from then on it is the version notices use."""

from __future__ import annotations

import pytest
from test_collector_desk import sign_in

from arrears.notices.models import Template
from arrears.notices.template_queries import template_for
from factories import make_user

pytestmark = pytest.mark.usefixtures("live_db")

ADDED = "如有还款困难，欢迎致电协商。"


def test_a_new_sms_text_is_written_submitted_and_approved_by_someone_else(
    new_page, live_server, approved_templates, screenshots
):
    """Clause: LANG-2, REM-2 — the author writes version 2 with a preview, saves and submits it; the author is
    offered no approval; a legal officer approves it with a note; version 1 is retired and version 2 is what
    `template_for` gives the dispatcher."""
    author = make_user("compliance_officer", username="author")
    reviewer = make_user("legal_officer", username="reviewer")
    first = approved_templates["reminder_sms", "zh-hans"]

    page = sign_in(new_page, live_server, author)
    page.goto(f"{live_server.url}/notices/templates/new/reminder_sms/zh-hans/")
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value() + ADDED)
    page.click("button[value=preview]")
    page.wait_for_selector("section.preview")
    assert ADDED in page.locator("section.preview").inner_text()
    assert "3,256.78" in page.locator("section.preview").inner_text()  # the sample amount due
    page.screenshot(path=screenshots / "1-preview.png", full_page=True)
    page.click("button[value=save]")
    page.wait_for_load_state()
    draft = Template.objects.get(purpose="reminder_sms", language="zh-hans", status="draft")
    assert (draft.version, draft.author_id) == (first.version + 1, author.pk)
    page.click("text=提交法务审核")
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.status == "in_review"
    assert page.locator("button[value=approve]").count() == 0  # never the author's to approve
    page.screenshot(path=screenshots / "2-submitted.png", full_page=True)

    page = sign_in(new_page, live_server, reviewer)
    page.goto(f"{live_server.url}/notices/templates/{draft.pk}/")
    page.fill("textarea[name=note]", "措辞合规，同意使用。")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    page.screenshot(path=screenshots / "3-approved.png", full_page=True)
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.status, draft.reviewer_id, draft.review_note) == ("approved", reviewer.pk, "措辞合规，同意使用。")
    assert first.status == "retired"
    assert template_for("reminder_sms", "zh-hans").pk == draft.pk
