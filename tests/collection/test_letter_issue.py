"""Issuing a formal notice in quiet hours, and what the collector is told afterwards: queued for email (sent by
the dispatcher, deferred past quiet hours) or for the print batch; "print and post it instead" only once the
email failed for good."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from test_letters import TODAY, late_loan, open_case

from arrears.collection.letters import do_send_letter
from arrears.collection.models import Letter
from arrears.compliance.models import AuditEvent
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.printing import do_make_print_batch
from arrears.portfolio.models import FeedLoad
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_user
from net import free_port, use_smtp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
LATE = datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI)  # inside the quiet hours 22:00–08:00
NEXT_MORNING = datetime(2026, 10, 1, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def case():
    loan = late_loan()
    allocate_payments([loan.pk], business_date=TODAY)
    return open_case(loan.borrower)


@pytest.fixture
def collector():
    return make_user("junior_collector")


def test_a_postal_letter_may_be_issued_in_quiet_hours(case, collector):
    """Clause: LTR-2 — at 23:00 Beijing time a letter by post is issued (issuing contacts no one): stored,
    queued for the print batch, audited; the print batch takes it."""
    letter = do_send_letter(case, channel="post", actor=collector, today=TODAY, at=LATE)
    assert (letter.status, letter.notice.status, letter.notice.channel) == ("queued", "queued", "post")
    assert AuditEvent.objects.filter(action="collection.send_letter", subject_id=str(letter.pk)).count() == 1
    batch = do_make_print_batch(TODAY, actor=nightly_run(), at=LATE)
    assert batch.letters == 1
    assert Letter.objects.get(pk=letter.pk).status == "printed"


def test_an_email_letter_issued_in_quiet_hours_is_deferred_by_the_dispatcher(case, collector, smtp_server):
    """Clause: LTR-2 — at 23:00 an email letter is issued and queued; the dispatcher at 23:00 sends
    nothing and defers it to 08:00 the next morning (not an attempt); at 08:00 it is emailed."""
    letter = do_send_letter(case, channel="email", actor=collector, today=TODAY, at=LATE)
    notice = letter.notice
    assert (letter.status, notice.status) == ("queued", "queued")

    tally = Dispatcher(nightly_run(), clock=lambda: LATE, config=DispatchSettings()).run_once()
    assert tally == {("email", "deferred", "quiet_hours"): 1}
    notice.refresh_from_db()
    assert (notice.status, notice.not_before, notice.attempts) == ("queued", NEXT_MORNING, 0)
    assert smtp_server.envelopes == []

    Dispatcher(nightly_run(), clock=lambda: NEXT_MORNING, config=DispatchSettings()).run_once()
    assert Letter.objects.get(pk=letter.pk).status == "emailed"
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["wang@example.com"]


def _issue_from_the_page(client, monkeypatch, case, collector, channel, at):
    FeedLoad.objects.create(
        business_date=TODAY, digest="0" * 64, started_at=at, status="done", imported_by=make_user("administrator")
    )
    monkeypatch.setattr(timezone, "now", lambda: at)
    client.force_login(collector)
    response = client.post(f"/cases/{case.pk}/letters/", {"channel": channel}, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.urls("test_letters")
@pytest.mark.parametrize(
    ("channel", "at", "message"),
    [
        (
            "email",
            datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI),
            "The notice is queued for email. The dispatcher sends it shortly. Should the email fail for good, the "
            "case page shows it and the notice can be printed and posted. Confirm delivery by phone by 2026-10-10.",
        ),
        (
            "email",
            LATE,
            "The notice is queued for email. It goes out at 2026-10-01 08:00, when the quiet hours end. Should the "
            "email fail for good, the case page shows it and the notice can be printed and posted. Confirm delivery "
            "by phone by 2026-10-10.",
        ),
        (
            "post",
            LATE,
            "The notice is queued for the next print batch, which the print house prints and posts; confirm delivery "
            "by phone by 2026-10-10.",
        ),
    ],
)
def test_after_issuing_the_page_says_it_is_queued(client, monkeypatch, case, collector, channel, at, message):
    """Clause: LTR-2 — an email notice is queued, not sent, when the action returns: the page says so (and when it
    goes, in quiet hours), and does not tell the collector to print it; a letter by post waits for the batch."""
    assert _issue_from_the_page(client, monkeypatch, case, collector, channel, at) == [("success", message)]
    assert Letter.objects.get().status == "queued"


def test_the_case_page_says_print_and_post_only_after_the_email_failed_for_good(
    client, monkeypatch, case, collector, settings
):
    """Clause: LTR-2 — while the email is queued (and after a first failure, retried) the case page's letter
    shows no print advice; once the dispatcher gave up it says "email failed", the error and "Print it and post
    it instead."."""
    at = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    _issue_from_the_page(client, monkeypatch, case, collector, "email", at)
    use_smtp(settings, free_port())  # nothing listens there
    config = DispatchSettings(max_attempts=2, backoff=timedelta(seconds=30))
    advice = "Print it and post it instead."

    def letters_table() -> str:
        page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return page[page.index('<table id="letters">') : page.index("</table>", page.index('<table id="letters">'))]

    assert advice not in letters_table()
    Dispatcher(nightly_run(), clock=lambda: at, config=config).run_once()
    assert Letter.objects.get().status == "queued"
    table = letters_table()
    assert (">queued<" in table, advice in table) == (True, False)
    Dispatcher(nightly_run(), clock=lambda: at + timedelta(seconds=30), config=config).run_once()
    table = letters_table()
    assert "email failed" in table
    assert "ConnectionRefusedError" in table
    assert advice in table
