"""A complaint answered through the outbox in a real browser: taken by phone, acknowledged by SMS from the complaint
page (the loopback SMS gateway receives it, the page shows it sent and the complaint responded), found not
substantiated, the outcome sent by email (a real SMTP server receives it), closed; screenshots saved."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from test_collector_desk import sign_in

from arrears.accounts.models import User
from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.complaints.models import Complaint
from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.sms import SmsGateway
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.usefixtures("live_db", "approved_templates")

TOKEN = "test-token"


@pytest.fixture
def gateway():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as running:
        yield running


def dispatch(gateway, at) -> None:
    """The dispatcher's run, as the worker does it every five minutes (its clock: 11:00 Beijing on the day)."""
    sms = SmsChannel(SmsGateway(gateway.url, TOKEN))
    config = DispatchSettings(max_attempts=3, backoff=timedelta(seconds=60))
    Dispatcher(User.objects.get(username=SYSTEM_USERNAME), sms=sms, clock=lambda: at, config=config).run_once()


def test_a_complaint_acknowledged_and_told_through_the_outbox(new_page, live_server, gateway, smtp_server, screenshots):
    """Clause: CMP-2, CMP-4 — the acknowledgement by SMS and the outcome by email, each queued from its page,
    sent by the dispatcher, shown on the complaint page; the complaint responded, then closed."""
    borrower = make_borrower(external_id="C0090018", mobile="13812345678", email="li@example.com", name="李四")
    make_loan(borrower, external_id="HT-2026-0018")
    officer = make_user("compliance_officer", username="co-18")
    page = sign_in(new_page, live_server, officer)

    page.goto(f"{live_server.url}/complaints/new/")
    page.select_option("#take-complaint select[name=channel]", "phone")
    page.fill("input[name=received_at]", "2026-03-17T10:00")
    page.fill("input[name=mobile]", "13812345678")
    page.fill("textarea[name=text]", "催收员在通话中言语粗鲁")
    page.click("#take-complaint button[type=submit]")
    page.wait_for_selector("#acknowledge")
    complaint = Complaint.objects.get()
    page.select_option("#acknowledge select[name=channel]", "sms")
    page.click("#acknowledge button[type=submit]")
    page.wait_for_selector("#complaint-notices")
    assert "受理确认已加入待发通知；发出后即视为首次回应。" in page.locator("body").inner_text()
    assert "投诉受理确认" in page.locator("#complaint-notices").inner_text()
    assert "待发送" in page.locator("#complaint-notices").inner_text()
    page.screenshot(path=screenshots / "1-acknowledgement-queued.png", full_page=True)

    received = complaint.received_at
    dispatch(gateway, received + timedelta(hours=1))
    (sms,) = gateway.messages
    assert f"CMP-20260317-{complaint.pk:06d}" in sms.text
    page.reload()
    facts = page.locator("#complaint-facts").inner_text()
    assert "已回复" in facts
    assert "13812345678" not in page.locator("#complaint-notices").inner_text()  # masked (PRV-1)
    assert page.locator("#respond").count() == 0
    page.screenshot(path=screenshots / "2-acknowledged.png", full_page=True)

    page.click("#investigation-link a")
    page.wait_for_selector("#take")
    page.click("#take button[type=submit]")
    page.wait_for_selector("#findings")
    page.check("#findings input[name=substantiated][value=no]")
    page.fill("#findings textarea[name=findings]", "通话录音核查未见粗鲁言语")
    page.click("#findings button[type=submit]")
    page.wait_for_selector("#send-outcome")
    page.select_option("#send-outcome select[name=channel]", "email")
    page.click("#send-outcome button[type=submit]")
    page.wait_for_selector("#close")
    assert "处理结果已加入待发通知；发出后即视为已告知。" in page.locator("body").inner_text()
    page.click("#close button[type=submit]")
    page.wait_for_selector("#close")
    assert "须先将处理结果告知投诉人方可结案（CMP-4）" in page.locator("body").inner_text()

    dispatch(gateway, received + timedelta(days=2))
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["li@example.com"]
    body = email.message_from_bytes(envelope.original_content, policy=email.policy.default).get_body(
        preferencelist=("plain",)
    )
    assert "经调查，未发现您所反映的情况。" in body.get_content()
    page.reload()
    page.click("#close button[type=submit]")
    page.wait_for_selector("#investigation-facts")
    assert "投诉已办结，其投诉暂停已解除。" in page.locator("body").inner_text()
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    assert "投诉处理结果" in page.locator("#complaint-notices").inner_text()
    page.screenshot(path=screenshots / "3-closed.png", full_page=True)
    complaint.refresh_from_db()
    assert complaint.status == "closed"
