"""The dispatcher: reminders and letters leave exactly once, only while their reason holds and contact is allowed.

Real parts: the loopback SMS gateway (HTTP, the real protocol), a real SMTP server (aiosmtpd), the database.
A crash between the channel's acceptance and the record is made by `after_accept` raising an exception no
code catches, which leaves the row as a killed worker would.
"""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.models import AuditEvent
from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.models import Notice, NoticeAttempt, reminder_key
from arrears.notices.sms import SmsGateway
from arrears.portfolio.models import Hold
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_loan, make_payment
from net import free_port, use_smtp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 17 March 2026, 10:00 in Shanghai: three days before the first instalment (due Friday 20 March).
AT = datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI)
QUEUED_ON = date(2026, 3, 17)
DUE = date(2026, 3, 20)
TOKEN = "test-token"  # the loopback gateway's bearer token


class Crash(BaseException):
    """A worker killed right after the channel accepted (nothing catches a BaseException)."""


@pytest.fixture
def gateway():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as running:
        yield running


@pytest.fixture
def sms(gateway):
    return SmsChannel(SmsGateway(gateway.url, TOKEN))


class Clock:
    def __init__(self, at: datetime = AT):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


def dispatcher(sms=None, clock=None, **kwargs) -> Dispatcher:
    config = kwargs.pop("config", DispatchSettings(max_attempts=3, backoff=timedelta(seconds=60)))
    return Dispatcher(nightly_run(), sms=sms, clock=clock or Clock(), config=config, **kwargs)


def borrower_with_loan(contract: str = "HT-0220-01", **fields):
    """12,000.00 at 4.35% over 12 months (等额本息) from 20 February 2026: instalment 1 of 1,023.72 (983.22
    principal + 40.50 interest… as the finance core computes) falls due on 20 March 2026."""
    values = {"consent_sms": True, "consent_email": True, "name": "李四", "mobile": "13812345678"}
    borrower = make_borrower(**{**values, **fields})
    loan = make_loan(borrower, principal="12000", rate="0.0435", start=date(2026, 2, 20), external_id=contract)
    return borrower, loan


def queue_reminder(loan, *, channel="sms", n=1) -> Notice:
    """A reminder as the nightly run queues it three days before the due date (REM-1)."""
    instalment = loan.instalments.get(n=n)
    return Notice.objects.create(
        key=reminder_key(loan.pk, instalment.due_date),
        loan=loan,
        borrower=loan.borrower,
        kind="reminder",
        channel=channel,
        due_date=instalment.due_date,
        instalment_n=n,
        amount_fen=instalment.principal_fen + instalment.interest_fen,
        queued_on=QUEUED_ON,
        clause="REM-1",
    )


def state(notice: Notice) -> tuple:
    notice.refresh_from_db()
    return notice.status, notice.reason, notice.attempts


# -- sent once, with what REM-2 asks for ---------------------------------------------------------------


def test_a_reminder_is_sent_once_with_amount_due_date_and_hotline(gateway, sms):
    """Clause: REM-1, REM-2 — the SMS states the amount due (1,023.72), the due date and the bank's hotline,
    from the approved Chinese template; a second run sends nothing more."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    assert notice.amount_fen == 102372

    tally = dispatcher(sms).run_once()
    assert tally == {("sms", "sent", ""): 1}
    (message,) = gateway.messages
    assert (message.to, message.reference) == ("+8613812345678", notice.key)
    for expected in ("1,023.72", "2026年3月20日", "400-800-0000", "李四"):
        assert expected in message.text, expected
    notice.refresh_from_db()
    assert (notice.status, notice.provider_id, notice.attempts, notice.body) == ("sent", message.id, 1, message.text)
    assert (notice.template.purpose, notice.template.language, notice.language) == (
        "reminder_sms",
        "zh-hans",
        "zh-hans",
    )
    assert notice.sent_at == AT
    event = AuditEvent.objects.get(action="notices.send_notice", subject_id=str(notice.pk))
    assert event.changes["status"] == ["sending", "sent"]
    assert event.actor_username == "nightly-run"

    assert dispatcher(sms).run_once() == {}
    assert len(gateway.messages) == 1


def test_an_english_reader_gets_the_english_template(gateway, sms):
    """Clause: REM-2 — Chinese by default, English by the borrower's preference; the date as English reads it."""
    _borrower, loan = borrower_with_loan(language="en")
    notice = queue_reminder(loan)
    dispatcher(sms).run_once()
    (message,) = gateway.messages
    assert "20 March 2026" in message.text
    assert "1,023.72" in message.text
    notice.refresh_from_db()
    assert (notice.template.language, notice.language) == ("en", "en")


def test_the_nightly_run_queues_and_the_dispatcher_sends(gateway, sms):
    """Clause: REM-1 — end to end: the nightly run three days before the due date queues the SMS reminder; the
    dispatcher sends it."""
    from desk import night

    _borrower, loan = borrower_with_loan()
    night(QUEUED_ON)
    notice = Notice.objects.get(loan=loan)
    assert (notice.key, notice.channel, notice.status) == (f"reminder:{loan.pk}:2026-03-20", "sms", "queued")
    dispatcher(sms).run_once()
    assert state(notice)[0] == "sent"
    assert [m.reference for m in gateway.messages] == [notice.key]


# -- the reason must still hold -------------------------------------------------------------------------


def test_paid_between_queueing_and_sending_nothing_is_sent(gateway, sms):
    """Clause: REM-1 — "nothing is sent for an instalment already paid": paid after the reminder was queued,
    it is cancelled at send time and the gateway never sees it."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    make_payment(loan, date(2026, 3, 17), "1023.72")
    allocate_payments([loan.pk], business_date=date(2026, 3, 17))

    assert dispatcher(sms).run_once() == {("sms", "cancelled", "paid"): 1}
    assert gateway.messages == []
    assert gateway.requests == 0
    assert state(notice) == ("cancelled", "paid", 1)
    assert NoticeAttempt.objects.get(notice=notice).outcome == "cancelled"


def test_part_paid_states_what_is_left(gateway, sms):
    """Clause: REM-2 — 500.00 paid since queueing: the reminder states the 523.72 still due."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    make_payment(loan, date(2026, 3, 17), "500.00")
    allocate_payments([loan.pk], business_date=date(2026, 3, 17))
    dispatcher(sms).run_once()
    (message,) = gateway.messages
    assert "523.72" in message.text
    notice.refresh_from_db()
    assert (notice.status, notice.amount_fen) == ("sent", 52372)


def test_a_hold_placed_after_queueing_stops_it(gateway, sms):
    """Clause: REM-1, CMP-2 — a complaint hold placed after the reminder was queued: cancelled, not sent."""
    borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    Hold.objects.create(
        borrower=borrower,
        kind="complaint",
        reason="complaint under investigation",
        starts_on=QUEUED_ON,
        placed_by=nightly_run(),
    )
    dispatcher(sms).run_once()
    assert gateway.messages == []
    assert state(notice)[:2] == ("cancelled", "hold")


def test_a_reminder_too_late_for_its_due_date_is_not_sent(gateway, sms):
    """Clause: REM-1 — a reminder before a due date that passed while the worker was down is cancelled."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    dispatcher(sms, clock=Clock(datetime(2026, 3, 21, 10, 0, tzinfo=SHANGHAI))).run_once()
    assert gateway.messages == []
    assert state(notice)[:2] == ("cancelled", "past_due")


def test_consent_withdrawn_cancels(gateway, sms):
    """Clause: REM-1 — SMS only with the borrower's consent, as it stands at send time."""
    borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    borrower.consent_sms = False
    borrower.save(update_fields=["consent_sms"])
    dispatcher(sms).run_once()
    assert gateway.messages == []
    assert state(notice)[:2] == ("cancelled", "no_consent")


# -- when it may be sent --------------------------------------------------------------------------------


def test_quiet_hours_defer_to_eight_in_the_morning(gateway, sms):
    """Clause: REM-1 — at 22:30 Beijing time nothing is sent: deferred to 08:00 the next morning (not an
    attempt); at 08:00 it goes."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    clock = Clock(datetime(2026, 3, 17, 22, 30, tzinfo=SHANGHAI))
    assert dispatcher(sms, clock=clock).run_once() == {("sms", "deferred", "quiet_hours"): 1}
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.not_before) == (
        "queued",
        0,
        datetime(2026, 3, 18, 8, 0, tzinfo=SHANGHAI),
    )
    clock.at = datetime(2026, 3, 18, 7, 59, tzinfo=SHANGHAI)
    assert dispatcher(sms, clock=clock).run_once() == {}  # not due yet: not even claimed
    clock.at = datetime(2026, 3, 18, 8, 0, tzinfo=SHANGHAI)
    dispatcher(sms, clock=clock).run_once()
    assert state(notice) == ("sent", "", 1)
    assert len(gateway.messages) == 1


def test_no_approved_template_means_the_notice_waits(gateway, sms, approved_templates):
    """Clause: LANG-2 — with the SMS reminder template retired, nothing is sent; the notice waits (deferred an
    hour, reason no_template) and goes once a new version is approved."""
    from arrears.notices.template_actions import do_retire_template
    from factories import make_user

    legal = make_user("legal_officer")
    do_retire_template(approved_templates["reminder_sms", "zh-hans"], actor=legal, reason="being rewritten")
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    clock = Clock()
    assert dispatcher(sms, clock=clock).run_once() == {("sms", "deferred", "no_template"): 1}
    assert gateway.messages == []
    notice.refresh_from_db()
    assert (notice.status, notice.not_before) == ("queued", AT + timedelta(hours=1))


# -- failures, retries, dead letters --------------------------------------------------------------------


def test_gateway_errors_are_retried_with_backoff_then_sent(gateway, sms):
    """Clause: REM-1 — two 503s: retried after 60 s, then 120 s; the third attempt is sent; one SMS."""
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    gateway.fail_next(2, status=503)
    clock = Clock()
    dispatcher(sms, clock=clock).run_once()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.not_before) == ("queued", 1, AT + timedelta(seconds=60))
    assert "503" in notice.last_error
    clock.advance(seconds=60)
    dispatcher(sms, clock=clock).run_once()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.not_before) == ("queued", 2, clock.at + timedelta(seconds=120))
    clock.advance(seconds=120)
    dispatcher(sms, clock=clock).run_once()
    assert state(notice)[0] == "sent"
    assert len(gateway.messages) == 1


def test_a_bad_number_is_dead_at_once(gateway, sms):
    """Clause: REM-1 — a permanent error (no mobile number the gateway can take) is not retried."""
    _borrower, loan = borrower_with_loan(mobile="12345")
    notice = queue_reminder(loan)
    dispatcher(sms).run_once()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("dead", 1)
    assert "12345" not in notice.last_error  # the message masks the number (PRV-1)
    assert gateway.requests == 0


def test_smtp_down_retried_then_dead_lettered_nothing_lost(settings, smtp_server, client):
    """Clause: REM-1, LTR-2 — email reminder with the mail server down: three attempts with backoff, then the
    dead-letter state with the error, shown in the outbox; sent again by a supervisor once the server is up."""
    from arrears.notices.actions import do_requeue_notice
    from factories import make_user

    _borrower, loan = borrower_with_loan(preferred_channel="email", email="li@example.com")
    notice = queue_reminder(loan, channel="email")
    up_port = settings.EMAIL_PORT
    use_smtp(settings, free_port())  # nothing listens there
    clock = Clock()
    for wait in (60, 120):
        dispatcher(clock=clock).run_once()
        notice.refresh_from_db()
        assert (notice.status, notice.not_before) == ("queued", clock.at + timedelta(seconds=wait))
        clock.advance(seconds=wait)
    dispatcher(clock=clock).run_once()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("dead", 3)
    assert "ConnectionRefusedError" in notice.last_error
    assert notice.body  # what was to be sent is kept
    assert list(NoticeAttempt.objects.filter(notice=notice).values_list("outcome", flat=True).order_by("pk")) == [
        "failed",
        "failed",
        "dead",
    ]

    supervisor = make_user("supervisor")
    client.force_login(supervisor)
    page = client.get("/notices/?status=dead", HTTP_ACCEPT_LANGUAGE="en")
    assert notice.key in page.content.decode()
    assert "ConnectionRefusedError" in page.content.decode()

    use_smtp(settings, up_port)
    do_requeue_notice(notice, actor=supervisor, reason="mail server back", at=clock.at)
    dispatcher(clock=clock).run_once()
    assert state(notice)[0] == "sent"
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["li@example.com"]


def test_email_reminder_reaches_the_mail_server(smtp_server):
    """Clause: REM-1, REM-2 — the email reminder: subject and body from the approved template, sent to the
    borrower's email only, carrying the notice's key and the Message-ID recorded as the provider's id."""
    _borrower, loan = borrower_with_loan(preferred_channel="email", email="li@example.com")
    notice = queue_reminder(loan, channel="email")
    dispatcher().run_once()
    (envelope,) = smtp_server.envelopes
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert envelope.rcpt_tos == ["li@example.com"]
    assert message["X-Arrears-Notice"] == notice.key
    notice.refresh_from_db()
    assert message["Message-ID"] == notice.provider_id
    body = message.get_body(preferencelist=("plain",)).get_content()
    for expected in ("1,023.72", "2026年3月20日", "400-800-0000"):
        assert expected in body, expected


# -- crashes and reconciliation ---------------------------------------------------------------------------


def crash_on(key: str):
    def after_accept(notice):
        if notice.key == key:
            raise Crash(key)

    return after_accept


def test_crash_after_the_gateway_accepted_with_keys_zero_duplicates(gateway, sms):
    """Clause: REM-1 — five reminders; the worker dies right after the gateway accepted the third, before it
    recorded any of the three (outcomes are recorded ten at a time). After the lease, the next worker sends all
    five again with the same idempotency keys: the gateway answers the first three with their first ids and
    sends nothing new; five SMS reached phones, one each."""
    notices = [queue_reminder(borrower_with_loan(f"HT-{i}", mobile=f"1381234{i:04d}")[1]) for i in range(5)]
    clock = Clock()
    with pytest.raises(Crash):
        dispatcher(sms, clock=clock, after_accept=crash_on(notices[2].key)).run_once()
    assert [state(n)[0] for n in notices] == ["sending"] * 5
    assert len(gateway.messages) == 3

    clock.advance(minutes=4)
    assert dispatcher(sms, clock=clock).run_once() == {}  # the lease still holds: nobody touches them
    clock.advance(minutes=2)
    tally = dispatcher(sms, clock=clock).run_once()
    assert tally[("sms", "requeued", "lease_expired")] == 5
    assert [state(n)[0] for n in notices] == ["sent"] * 5
    assert sorted(m.reference for m in gateway.messages) == sorted(n.key for n in notices)
    third = Notice.objects.get(pk=notices[2].pk)
    assert third.provider_id == next(m.id for m in gateway.messages if m.reference == third.key)


def test_crash_without_keys_reconciliation_finds_every_unconfirmed_send(sms):
    """Clause: REM-1 — a gateway without idempotency keys: the worker dies after each of two accepted sends.
    Reconciliation asks the gateway for each notice's key and records both as sent, sending nothing again."""
    with LoopbackGateway(TOKEN, honour_idempotency_keys=False, deliver_receipts=False) as plain:
        channel = SmsChannel(SmsGateway(plain.url, TOKEN, use_idempotency_keys=False))
        notices = [queue_reminder(borrower_with_loan(f"HT-{i}", mobile=f"1391234{i:04d}")[1]) for i in range(3)]
        clock = Clock()
        for crashed in notices[:2]:
            with pytest.raises(Crash):
                dispatcher(channel, clock=clock, after_accept=crash_on(crashed.key)).run_once()
            clock.advance(minutes=6)
        # The first crash's batch held all three; the second worker reconciled the first and crashed on the
        # second; by now every accepted one is found.
        tally = dispatcher(channel, clock=clock).run_once()
        assert [state(n)[0] for n in notices] == ["sent"] * 3
        assert len(plain.messages) == 3
        assert sorted(m.reference for m in plain.messages) == sorted(n.key for n in notices)
        found = NoticeAttempt.objects.filter(reason="found_by_reconciliation").values_list("notice__key", flat=True)
        assert sorted(found) == sorted(n.key for n in notices[:2])
        assert tally.get(("sms", "sent", "found_by_reconciliation"), 0) >= 1


def test_an_email_whose_worker_died_is_unconfirmed_never_resent_blindly(smtp_server, client):
    """Clause: REM-1 — SMTP keeps no record to ask: after the lease the email is unconfirmed, listed in the
    outbox, and a person records it as sent; it is not sent again."""
    from arrears.notices.actions import do_settle_unconfirmed
    from factories import make_user

    _borrower, loan = borrower_with_loan(preferred_channel="email", email="li@example.com")
    notice = queue_reminder(loan, channel="email")
    clock = Clock()
    with pytest.raises(Crash):
        dispatcher(clock=clock, after_accept=crash_on(notice.key)).run_once()
    clock.advance(minutes=6)
    assert dispatcher(clock=clock).run_once() == {("email", "unconfirmed", "lease_expired"): 1}
    assert len(smtp_server.envelopes) == 1
    assert state(notice)[0] == "unconfirmed"

    supervisor = make_user("supervisor")
    client.force_login(supervisor)
    assert notice.key in client.get("/notices/?status=unconfirmed").content.decode()
    do_settle_unconfirmed(notice, actor=supervisor, reason="the mail server's log shows it delivered")
    assert state(notice)[0] == "sent"
    dispatcher(clock=clock).run_once()
    assert len(smtp_server.envelopes) == 1


# -- receipts, history, report ----------------------------------------------------------------------------


def test_a_signed_receipt_marks_it_delivered_a_forged_one_changes_nothing(gateway, sms, client, settings):
    """Clause: REM-1 — the gateway's delivery receipt, signed with the shared secret, is recorded; a receipt
    with a wrong signature is refused (403) and changes nothing."""
    from arrears.notices.sms import sign

    settings.ARREARS_SMS_CALLBACK_SECRET = "receipt-secret"
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    dispatcher(sms).run_once()
    notice.refresh_from_db()
    import json

    body = json.dumps(
        {"id": notice.provider_id, "reference": notice.key, "status": "delivered", "at": "2026-03-17T02:00:05Z"}
    ).encode()
    forged = client.post("/notices/sms/receipts/", body, content_type="application/json", HTTP_X_SIGNATURE="0" * 64)
    assert forged.status_code == 403
    assert state(notice)[0] == "sent"
    good = client.post(
        "/notices/sms/receipts/", body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, "receipt-secret")
    )
    assert (good.status_code, good.json()) == (200, {"status": "delivered"})
    notice.refresh_from_db()
    assert (notice.status, notice.delivered_at) == ("delivered", datetime(2026, 3, 17, 2, 0, 5, tzinfo=ZoneInfo("UTC")))
    again = client.post(
        "/notices/sms/receipts/", body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, "receipt-secret")
    )
    assert again.status_code == 200
    assert NoticeAttempt.objects.filter(notice=notice, outcome="delivered").count() == 1


def test_delivery_history_and_dispatch_report(gateway, sms, client):
    """Clause: REM-1, PRV-1 — the borrower's history lists each notice and attempt with the number masked; the
    day's report counts sent, deferred and cancelled by channel and reason."""
    from arrears.notices.queries import dispatch_report
    from factories import make_user

    borrower, loan = borrower_with_loan()
    queue_reminder(loan, n=1)
    _paid, paid_loan = borrower_with_loan("HT-PAID", mobile="13912340000")
    queue_reminder(paid_loan)
    make_payment(paid_loan, date(2026, 3, 16), "1023.72")
    allocate_payments([paid_loan.pk], business_date=date(2026, 3, 16))
    dispatcher(sms).run_once()

    report = dispatch_report(date(2026, 3, 17))
    assert report.rows == [("sms", "cancelled", "paid", 1), ("sms", "sent", "", 1)]
    assert report.by_channel == {"sms": {"cancelled": 1, "sent": 1}}

    client.force_login(make_user("junior_collector"))
    page = client.get(f"/notices/borrowers/{borrower.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "HT-0220-01" in page
    assert client.get("/notices/report/?on=2026-03-17").status_code == 403  # a collector sees no reports

    client.force_login(make_user("analyst"))
    report_page = client.get("/notices/report/?on=2026-03-17", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "paid meanwhile" in report_page


def test_only_the_outbox_keepers_may_send_again_and_nothing_changes_otherwise(gateway, sms, client):
    """Clause: AUTH-1, AUTH-4 — a junior collector cannot requeue a dead notice (refused, nothing changed);
    the outbox page is closed to them."""
    from arrears.compliance.actions import ActionDenied
    from arrears.notices.actions import do_requeue_notice
    from factories import make_user

    _borrower, loan = borrower_with_loan(mobile="12345")
    notice = queue_reminder(loan)
    dispatcher(sms).run_once()
    before = (state(notice), AuditEvent.objects.count(), NoticeAttempt.objects.count())
    junior = make_user("junior_collector")
    with pytest.raises(ActionDenied):
        do_requeue_notice(notice, actor=junior, reason="try again")
    assert (state(notice), AuditEvent.objects.count(), NoticeAttempt.objects.count()) == before
    client.force_login(junior)
    assert client.get("/notices/").status_code == 403
    assert client.post(f"/notices/{notice.pk}/decide/", {"reason": "x", "decision": "requeue"}).status_code == 403
    assert state(notice) == before[0]


def test_email_channel_failures_are_classified():
    """Clause: REM-1 — a 5xx SMTP answer is permanent, a refused connection is worth a retry."""
    import smtplib

    from arrears.notices.channels import _permanent_smtp

    assert _permanent_smtp(smtplib.SMTPResponseException(550, b"mailbox unavailable"))
    assert not _permanent_smtp(smtplib.SMTPResponseException(421, b"try later"))
    assert not _permanent_smtp(ConnectionRefusedError())


def test_the_command_dispatches_once_and_prints_the_days_report(capsys):
    """Clause: REM-1 — `arrears dispatch --once --json` runs the worker as the nightly run's user and prints its
    tally; `--report DAY --json` the day's report. (The reminder's due date has passed by the real clock, so
    it is cancelled whatever the hour.)"""
    import json

    from django.utils import timezone

    from arrears.cli import main

    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    assert main(["dispatch", "--once", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "notices": [{"channel": "sms", "outcome": "cancelled", "reason": "past_due", "count": 1}],
        "quiet_hours": {"waiting": 0, "until": None},
    }
    assert state(notice)[:2] == ("cancelled", "past_due")
    assert main(["dispatch", "--report", timezone.localdate().isoformat(), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == [{"channel": "sms", "outcome": "cancelled", "reason": "past_due", "count": 1}]
    assert report["outbox"] == {"cancelled": 1}
    assert main(["dispatch", "--print-batch"]) == 0
    assert capsys.readouterr().out.strip() == "no letters to print"
    assert main(["dispatch", "--once", "--user", "nobody-here"]) == 1


def test_without_a_gateway_sms_are_written_as_files_once(tmp_path, settings):
    """Clause: REM-1 — the demo's SMS channel (no ARREARS_SMS_URL): each SMS is a file named by the notice's
    idempotency key, so a resend after a crash writes nothing new."""
    from arrears.notices.channels import FileSmsChannel, sms_channel

    settings.ARREARS_SMS_URL = ""
    settings.ARREARS_SMS_FILE_PATH = tmp_path
    assert isinstance(sms_channel(), FileSmsChannel)
    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)
    clock = Clock()
    with pytest.raises(Crash):
        Dispatcher(nightly_run(), clock=clock, after_accept=crash_on(notice.key)).run_once()
    clock.advance(minutes=6)
    Dispatcher(nightly_run(), clock=clock).run_once()
    (written,) = tmp_path.iterdir()
    assert written.name == f"{notice.idempotency_key}.txt"
    text = written.read_text(encoding="utf-8")
    assert "To: 13812345678" in text
    assert "1,023.72" in text
    assert state(notice)[0] == "sent"


@pytest.mark.parametrize(("delivered", "status", "error"), [(True, "delivered", ""), (False, "undelivered", "absent")])
def test_a_receipt_that_overtakes_the_record_of_the_send_is_kept(gateway, sms, delivered, status, error):
    """Clause: REM-1 — the gateway's receipt can arrive before the worker records the send: it is kept, and the
    record of the send then ends delivered (or not delivered, with the gateway's error) instead of sent."""
    from arrears.notices.actions import do_record_receipt

    _borrower, loan = borrower_with_loan()
    notice = queue_reminder(loan)

    def receipt_first(sending):
        do_record_receipt(
            provider_id=gateway.messages[-1].id,
            reference=sending.key,
            delivered=delivered,
            at=AT,
            error=error,
            actor=nightly_run(),
        )

    dispatcher(sms, after_accept=receipt_first).run_once()
    notice.refresh_from_db()
    assert (notice.status, notice.provider_id, notice.sent_at) == (status, gateway.messages[0].id, AT)
    assert (notice.delivered_at is not None, notice.last_error) == (delivered, error)
    outcomes = list(NoticeAttempt.objects.filter(notice=notice).order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["delivered" if delivered else "undelivered", "sent"]
    assert AuditEvent.objects.filter(action="notices.send_notice", subject_id=str(notice.pk)).count() == 1


def test_the_command_says_how_many_notices_wait_for_the_quiet_hours(capsys):
    """Clause: REM-1 — `arrears dispatch --once` says how many notices the contact rules deferred to the end of
    the quiet hours and until when; a notice backed off after a channel error is not one of them."""
    import json

    from django.utils import timezone

    from arrears.cli import main

    now = timezone.localtime()
    eight = now.replace(hour=8, minute=0, second=0, microsecond=0)
    eight += timedelta(days=1) if eight <= now else timedelta(0)
    for contract, reason in (("HT-Q-1", "quiet_hours"), ("HT-Q-2", "quiet_hours"), ("HT-Q-3", "channel_error")):
        _borrower, loan = borrower_with_loan(contract)
        notice = queue_reminder(loan)
        Notice.objects.filter(pk=notice.pk).update(reason=reason, not_before=eight)
    assert main(["dispatch", "--once"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "nothing was due",
        "2 notices wait for the quiet hours to end (until 08:00)",
    ]
    assert main(["dispatch", "--once", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "notices": [],
        "quiet_hours": {"waiting": 2, "until": eight.isoformat()},
    }
