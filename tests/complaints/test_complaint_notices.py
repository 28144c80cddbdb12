"""A complaint's own notices through the outbox (Issue 17 items 3 and 6): the acknowledgement that is the first
response (CMP-2) and the outcome that lets the complaint close (CMP-4), from the approved templates, sent by the
dispatcher to the complainant while the complaint hold stops every reminder to the same borrower.

Real parts: a real SMTP server (aiosmtpd) on loopback, the loopback SMS gateway (HTTP, the real protocol), the
database; the dispatcher's clock is an explicit instant.
"""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from arrears.complaints.actions import do_file_complaint, do_record_response
from arrears.complaints.errors import ComplaintError
from arrears.complaints.investigation import (
    do_close_complaint,
    do_record_findings,
    do_take_complaint,
    do_tell_outcome,
)
from arrears.complaints.models import Complaint, Investigation
from arrears.complaints.outbox import do_send_acknowledgement, do_send_outcome
from arrears.complaints.queries import sla
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.notices.actions import do_record_receipt
from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.models import Notice, reminder_key
from arrears.notices.sms import SmsGateway
from book import nightly_run
from factories import make_borrower, make_loan, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

BEIJING = ZoneInfo("Asia/Shanghai")
# Tuesday 17 March 2026, 10:00 in Beijing: the complaint is received; the first instalment falls due on Friday.
RECEIVED = datetime(2026, 3, 17, 10, 0, tzinfo=BEIJING)
TOKEN = "test-token"


@pytest.fixture
def officer():
    return make_user("compliance_officer")


@pytest.fixture
def gateway():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as running:
        yield running


def dispatch(at: datetime, gateway=None):
    sms = SmsChannel(SmsGateway(gateway.url, TOKEN)) if gateway else None
    config = DispatchSettings(max_attempts=3, backoff=timedelta(seconds=60))
    return Dispatcher(nightly_run(), sms=sms, clock=lambda: at, config=config).run_once()


def matched_complaint(officer, **fields):
    """A borrower with a loan (12,000.00 from 20 February 2026, instalment 1 due 20 March) and a complaint about
    conduct, taken by phone and matched by mobile: the complaint hold is in force from the day of receipt."""
    borrower = make_borrower(
        name="李四", mobile="13812345678", email="li@example.com", consent_sms=True, consent_email=True, **fields
    )
    loan = make_loan(borrower, principal="12000", rate="0.0435", start=date(2026, 2, 20), external_id="HT-0220-01")
    complaint = do_file_complaint(
        channel="phone", received_at=RECEIVED, text="催收员夜间多次来电", mobile="13812345678", actor=officer
    )
    assert complaint.borrower == borrower
    assert complaint.hold is not None
    return complaint, loan


def queue_reminder(loan) -> Notice:
    """The reminder the nightly run queued three days before instalment 1 falls due (REM-1)."""
    instalment = loan.instalments.get(n=1)
    return Notice.objects.create(
        key=reminder_key(loan.pk, instalment.due_date),
        loan=loan,
        borrower=loan.borrower,
        kind="reminder",
        channel="sms",
        due_date=instalment.due_date,
        instalment_n=1,
        amount_fen=instalment.principal_fen + instalment.interest_fen,
        queued_on=date(2026, 3, 17),
        clause="REM-1",
    )


def events(complaint) -> list[str]:
    return list(
        AuditEvent.objects.filter(subject_type="complaints.complaint", subject_id=str(complaint.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_the_acknowledgement_goes_out_while_the_hold_stops_the_reminder(officer, gateway):
    """Clause: CMP-2, CMP-3 — the borrower is under a complaint hold: in one dispatcher run the reminder queued
    for them is cancelled (never sent) and the acknowledgement of their complaint is sent, by SMS from the
    approved template, with the complaint's reference and the investigation's due date; the complaint counts as
    responded at the instant it was sent, and its content is kept with it."""
    complaint, loan = matched_complaint(officer)
    reminder = queue_reminder(loan)
    ack = do_send_acknowledgement(complaint, channel="sms", actor=officer)
    assert (ack.kind, ack.borrower_id, ack.recipient, ack.amount_fen) == (
        "complaint_ack",
        loan.borrower_id,
        "13812345678",
        0,
    )
    complaint.refresh_from_db()
    assert complaint.status == "open"  # queued is not yet a response

    sent_at = RECEIVED + timedelta(hours=2)
    tally = dispatch(sent_at, gateway)
    assert tally == {("sms", "cancelled", "hold"): 1, ("sms", "sent", ""): 1}
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"
    (message,) = gateway.messages
    assert message.reference == ack.key
    reference = f"CMP-20260317-{complaint.pk:06d}"
    for expected in (reference, "2026年3月20日", "400-800-0000", "李四"):  # 3 working days after 17 March
        assert expected in message.text, expected
    assert "元" not in message.text  # says nothing of a debt

    complaint.refresh_from_db()
    assert (complaint.status, complaint.response_how, complaint.responded_at) == (
        "responded",
        "acknowledgement",
        sent_at,
    )
    assert complaint.response_note == message.text
    assert events(complaint)[-2:] == ["complaints.queue_notice", "complaints.record_response"]
    answered = AuditEvent.objects.filter(action="complaints.record_response", subject_id=str(complaint.pk)).get()
    assert (answered.actor_username, answered.changes["late"], answered.basis["clause"]) == (
        "nightly-run",
        [None, False],
        "CMP-2",
    )
    assert sla(on=date(2026, 3, 17)).breached_response == 0


def test_an_unmatched_complainant_is_answered_by_email_where_they_wrote_from(officer, smtp_server, client):
    """Clause: CMP-1, CMP-2 — a complaint no borrower matches waits in triage, yet its acknowledgement goes to the
    address it came with (a real SMTP server receives it), in the complainant's name; the outbox lists it."""
    complaint = do_file_complaint(
        channel="email",
        received_at=RECEIVED,
        text="贵行外包催收人员威胁我的家人",
        complainant="王先生",
        email="wang@example.cn",
        actor=officer,
    )
    assert complaint.borrower is None
    ack = do_send_acknowledgement(complaint, channel="email", actor=officer)
    assert ack.borrower_id is None
    assert dispatch(RECEIVED + timedelta(hours=1)) == {("email", "sent", ""): 1}

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["wang@example.cn"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert f"CMP-20260317-{complaint.pk:06d}" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    for expected in ("尊敬的王先生", "2026年3月17日", "2026年3月20日", "400-800-0000"):
        assert expected in body, expected
    complaint.refresh_from_db()
    assert complaint.status == "responded"

    client.force_login(make_user("supervisor"))
    page = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert ack.key in page.content.decode()
    assert "a complainant not matched to a borrower" in page.content.decode()


def test_an_acknowledgement_sent_after_24_hours_is_a_late_response(officer, gateway):
    """Clause: CMP-2 — queued in time but sent 25 hours after receipt: the response is recorded, and breached."""
    complaint, _loan = matched_complaint(officer)
    do_send_acknowledgement(complaint, channel="sms", actor=officer)
    late = RECEIVED + timedelta(hours=25)
    dispatch(late, gateway)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.responded_at) == ("responded", late)
    assert sla(on=date(2026, 3, 18)).breached_response == 1
    answered = AuditEvent.objects.get(action="complaints.record_response", subject_id=str(complaint.pk))
    assert answered.changes["late"] == [None, True]


def test_the_outcome_by_email_lets_the_complaint_close(officer, smtp_server):
    """Clause: CMP-4 — substantiated, the outcome queued by email: closing is refused while it waits in the
    outbox; once sent (it says the complaint was justified, in Chinese) the complaint closes and its hold is
    lifted."""
    complaint, _loan = matched_complaint(officer)
    do_record_response(
        complaint, how="call", at=RECEIVED + timedelta(hours=1), actor=officer, note="已回电致歉并说明调查安排"
    )
    do_take_complaint(complaint, actor=officer)
    do_record_findings(
        complaint,
        substantiated=True,
        findings="催收员在22:00后三次来电",
        responsible_user=make_user("junior_collector"),
        actor=officer,
    )
    notice = do_tell_outcome(complaint, how="notice", channel="email", actor=officer)
    assert (notice.kind, notice.recipient, notice.clause) == ("complaint_outcome", "li@example.com", "CMP-4")
    with pytest.raises(ComplaintError, match="told"):
        do_close_complaint(complaint, actor=officer)
    with pytest.raises(ComplaintError, match="on its way"):
        do_send_outcome(complaint, channel="sms", actor=officer)

    dispatch(RECEIVED + timedelta(days=2))
    (envelope,) = smtp_server.envelopes
    body = email.message_from_bytes(envelope.original_content, policy=email.policy.default).get_body(
        preferencelist=("plain",)
    )
    assert "经调查，您反映的情况属实" in body.get_content()
    investigation = Investigation.objects.get(complaint=complaint)
    assert (investigation.outcome_how, investigation.outcome_notice_id) == ("notice", notice.pk)
    assert investigation.outcome_at == RECEIVED + timedelta(days=2)

    do_close_complaint(complaint, actor=officer)
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert complaint.hold.released_on is not None
    assert events(complaint)[-2:] == ["complaints.tell_outcome", "complaints.close_complaint"]


def test_an_outcome_sms_not_delivered_is_told_no_longer(officer, gateway):
    """Clause: CMP-4 — an outcome SMS the gateway then reports as not delivered: the outcome is no longer told,
    closing is refused, and a second outcome may be sent (its own key); an English reader gets English."""
    complaint, _loan = matched_complaint(officer, language="en")
    do_take_complaint(complaint, actor=officer)
    do_record_findings(complaint, substantiated=False, findings="通话录音未见违规", actor=officer)
    first = do_send_outcome(complaint, channel="sms", actor=officer)
    dispatch(RECEIVED + timedelta(days=1), gateway)
    (message,) = gateway.messages
    assert "did not find that the conduct you described took place" in message.text
    assert Investigation.objects.get(complaint=complaint).outcome_at is not None

    do_record_receipt(
        provider_id=message.id,
        reference=first.key,
        delivered=False,
        at=RECEIVED + timedelta(days=1, minutes=1),
        error="UNDELIV",
        actor=nightly_run(),
    )
    assert Investigation.objects.get(complaint=complaint).outcome_at is None
    with pytest.raises(ComplaintError, match="told"):
        do_close_complaint(complaint, actor=officer)
    second = do_send_outcome(complaint, channel="email", actor=officer)
    assert (first.key, second.key) == (f"complaint_outcome:{complaint.pk}:1", f"complaint_outcome:{complaint.pk}:2")


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "agency_user", "analyst"])
def test_roles_without_the_permission_send_nothing(officer, role):
    """Clause: CMP-2, CMP-4 — refused, with no notice queued and no event written."""
    complaint, _loan = matched_complaint(officer)
    before = (Notice.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ActionDenied):
        do_send_acknowledgement(complaint, channel="sms", actor=make_user(role))
    with pytest.raises(ActionDenied):
        do_send_outcome(complaint, channel="sms", actor=make_user(role))
    assert (Notice.objects.count(), AuditEvent.objects.count()) == before


def test_what_cannot_be_sent_is_refused_with_nothing_changed(officer):
    """Clause: CMP-2, CMP-4 — no address to answer on, an unknown channel, a second acknowledgement while the
    first is on its way, one after a response was recorded, the outcome before the findings: refused, saying
    what to do."""
    nowhere = do_file_complaint(channel="phone", received_at=RECEIVED, text="匿名投诉：催收员辱骂", actor=officer)
    complaint, _loan = matched_complaint(officer)
    before = (Notice.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ComplaintError, match="no mobile number"):
        do_send_acknowledgement(nowhere, channel="sms", actor=officer)
    with pytest.raises(ComplaintError, match="no email address"):
        do_send_acknowledgement(nowhere, channel="email", actor=officer)
    with pytest.raises(ComplaintError, match="SMS or email"):
        do_send_acknowledgement(complaint, channel="post", actor=officer)
    with pytest.raises(ComplaintError, match="findings"):
        do_send_outcome(complaint, channel="sms", actor=officer)
    with pytest.raises(ComplaintError, match="outbox"):
        do_record_response(complaint, how="acknowledgement", at=RECEIVED, actor=officer, note="已发送受理确认")
    assert (Notice.objects.count(), AuditEvent.objects.count()) == before

    do_send_acknowledgement(complaint, channel="sms", actor=officer)
    with pytest.raises(ComplaintError, match="on its way"):
        do_send_acknowledgement(complaint, channel="email", actor=officer)
    do_record_response(complaint, how="call", at=RECEIVED + timedelta(hours=1), actor=officer, note="已回电致歉")
    Notice.objects.filter(complaint=complaint).update(status="dead")
    with pytest.raises(ComplaintError, match="already recorded"):
        do_send_acknowledgement(complaint, channel="email", actor=officer)
    assert Complaint.objects.get(pk=complaint.pk).response_how == "call"


def test_a_bad_email_address_is_refused_at_filing(officer):
    """Clause: CMP-1 — the address to answer on is checked when the complaint is filed; nothing is filed."""
    before = Complaint.objects.count()
    with pytest.raises(ComplaintError, match="not an email address"):
        do_file_complaint(channel="phone", received_at=RECEIVED, text="投诉", email="wang at example", actor=officer)
    assert Complaint.objects.count() == before


def test_the_pages_send_and_list_the_complaints_notices(officer, client):
    """Clause: CMP-2, CMP-4 — from the complaint page the acknowledgement is queued by email, and the page lists
    it with its recipient masked (PRV-1); from the investigation page the outcome is queued by SMS; a refusal
    (a second acknowledgement) is shown in Chinese and changes nothing."""
    complaint, _loan = matched_complaint(officer)
    client.force_login(officer)
    answer = client.post(f"/complaints/{complaint.pk}/acknowledge/", {"channel": "email"}, follow=True)
    assert answer.status_code == 200
    (ack,) = Notice.objects.filter(complaint=complaint)
    assert (ack.kind, ack.channel, ack.recipient) == ("complaint_ack", "email", "li@example.com")
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert ack.key in page
    assert "li@example.com" not in page
    assert "发给投诉人的通知" in page

    again = client.post(f"/complaints/{complaint.pk}/acknowledge/", {"channel": "sms"}, follow=True)
    assert "已有一条正在发送或已经发出" in again.content.decode()
    assert Notice.objects.filter(complaint=complaint).count() == 1

    do_take_complaint(complaint, actor=officer)
    do_record_findings(complaint, substantiated=False, findings="录音核查未见违规", actor=officer)
    client.post(f"/complaints/{complaint.pk}/investigation/send-outcome/", {"channel": "sms"})
    outcome = Notice.objects.get(complaint=complaint, kind="complaint_outcome")
    assert (outcome.channel, outcome.recipient) == ("sms", "13812345678")


def test_no_consent_does_not_stop_an_acknowledgement_but_the_quiet_hours_do(officer, gateway):
    """Clause: CMP-2 — the borrower withdrew consent to collection SMS: the acknowledgement of their
    complaint goes out all the same (it is not collection), but not at 22:30; it waits for the morning."""
    complaint, _loan = matched_complaint(officer)
    complaint.borrower.__class__.objects.filter(pk=complaint.borrower_id).update(consent_sms=False)
    do_send_acknowledgement(complaint, channel="sms", actor=officer)
    night = datetime(2026, 3, 17, 22, 30, tzinfo=BEIJING)
    assert dispatch(night, gateway) == {("sms", "deferred", "quiet_hours"): 1}
    assert gateway.messages == []
    morning = datetime(2026, 3, 18, 8, 0, tzinfo=BEIJING)
    assert dispatch(morning, gateway) == {("sms", "sent", ""): 1}
    complaint.refresh_from_db()
    assert (complaint.status, complaint.responded_at) == ("responded", morning)
