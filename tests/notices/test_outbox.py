"""The outbox page: every notice with its real status (a letter in a print batch is not "sent"), when it was
sent, counts for every status, red only where there is an error, filters by status and by the day queued."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from test_dispatch import Clock, borrower_with_loan, dispatcher, queue_reminder
from test_letters import AT as LETTERS_AT
from test_letters import TODAY as LETTERS_DAY
from test_printing import post_letter

from arrears.notices.models import Notice
from arrears.notices.printing import do_make_print_batch
from book import nightly_run
from factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = [
    "Notice",
    "Channel",
    "Borrower",
    "Recipient",
    "Queued on",
    "Status",
    "Sent at",
    "Attempts",
    "Reason",
    "Last error",
]


@pytest.fixture
def outbox(smtp_server):
    """Five notices: an email reminder sent on 2026-03-17 at 10:00; an SMS reminder deferred by quiet hours on
    2026-03-17 at 22:30; an email reminder dead after its last attempt; a letter by post in print batch 1 of
    2026-09-30; a letter by post still waiting for the print batch."""
    sent = queue_reminder(borrower_with_loan("HT-SENT", email="a@example.com")[1], channel="email")
    dispatcher(clock=Clock()).run_once()
    deferred = queue_reminder(borrower_with_loan("HT-LATE", mobile="13900001111")[1])
    dispatcher(clock=Clock(datetime(2026, 3, 17, 22, 30, tzinfo=SHANGHAI))).run_once()
    dead = queue_reminder(borrower_with_loan("HT-DEAD", email="d@example.com")[1], channel="email")
    Notice.objects.filter(pk=dead.pk).update(
        status="dead", attempts=5, reason="channel_error", last_error="SMTPRecipientsRefused: 550 no such user"
    )
    printed = post_letter("C-ONE", "HT-ONE", "王一")
    batch = do_make_print_batch(LETTERS_DAY, actor=nightly_run(), at=LETTERS_AT)
    waiting = post_letter("C-TWO", "HT-TWO", "王二")
    return {
        "sent": sent,
        "deferred": deferred,
        "dead": dead,
        "printed": printed.notice,
        "waiting": waiting.notice,
        "batch": batch,
    }


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The page is read on 2026-09-30 at 11:00: the deferred SMS's 2026-03-18 08:00 has passed by then; the
    tests that need it ahead move the clock back."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 9, 30, 11, 0, tzinfo=SHANGHAI))


def page(client, query: str = "") -> str:
    client.force_login(make_user("supervisor"))
    response = client.get(f"/notices/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows(html: str) -> dict[str, list[str]]:
    """Notice key → its cells' text, for every row of the table (the first cell: the kind in words, then the key)."""
    out = {}
    for row in re.findall(r'<tr id="notice-\d+">(.*?)</tr>', html, re.S):
        cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out[cells[0].split()[-1]] = cells[1:10]
    return out


def tabs(html: str) -> str:
    return text(re.search(r'<p class="tabs">(.*?)</p>', html, re.S).group(1))


def test_every_notice_with_its_real_status_and_sent_time(client, outbox, monkeypatch):
    """Clause: REM-1, LTR-2 — the page lists every status by default; the letter in a print batch reads "in print
    batch 2026-09-30 no. 1" (not "sent") and has no sent time, the one not yet batched "waiting for the print
    batch"; the SMS deferred at 22:30 says, at 23:00, until when; the sent email its time; every count is a number; only the
    dead notice's error cell is red."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 17, 23, 0, tzinfo=SHANGHAI))
    html = page(client)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html)[: len(HEADER)] == HEADER
    sent, deferred, dead = outbox["sent"], outbox["deferred"], outbox["dead"]
    assert rows(html) == {
        outbox["waiting"].key: [
            "post",
            "C-TWO",
            "—",
            "2026-09-30",
            "waiting for the print batch",
            "—",
            "0",
            "—",
            "—",
        ],
        outbox["printed"].key: [
            "post",
            "C-ONE",
            "●●●",
            "2026-09-30",
            "in print batch 2026-09-30 no. 1",
            "—",
            "0",
            "—",
            "—",
        ],
        dead.key: [
            "email",
            dead.borrower.external_id,
            "—",
            "2026-03-17",
            "failed",
            "—",
            "5",
            "channel error",
            "SMTPRecipientsRefused: 550 no such user",
        ],
        deferred.key: [
            "SMS",
            deferred.borrower.external_id,
            "—",
            "2026-03-17",
            "queued, not before 2026-03-18 08:00",
            "—",
            "0",
            "quiet hours",
            "—",
        ],
        sent.key: [
            "email",
            sent.borrower.external_id,
            "●●●",
            "2026-03-17",
            "sent",
            "2026-03-17 10:00",
            "1",
            "—",
            "—",
        ],
    }
    assert tabs(html) == (
        "every status (5) · queued (2) · sending (0) · sent (1) · in a print batch (1) · delivered (0) · "
        "not delivered (0) · cancelled (0) · unconfirmed (0) · failed (1)"
    )
    assert "()" not in html
    assert html.count('class="error"') == 1
    assert '<td class="error"></td>' not in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?status=sent", ["sent"]),
        ("?status=printed", ["printed"]),
        ("?status=queued", ["waiting", "deferred"]),
        ("?status=dead", ["dead"]),
        ("?from=2026-09-01", ["waiting", "printed"]),
        ("?to=2026-03-31", ["dead", "deferred", "sent"]),
        ("?status=queued&from=2026-09-30&to=2026-09-30", ["waiting"]),
        ("?status=unconfirmed", []),
    ],
)
def test_filters_by_status_and_day_queued(client, outbox, query, shown):
    """Clause: REM-1, LTR-2 — by status (the letters in a print batch apart from the sent ones) and by the day
    queued, newest first; the counts follow the days."""
    html = page(client, query)
    assert list(rows(html)) == [outbox[name].key for name in shown]
    if query == "?from=2026-09-01":
        assert tabs(html).startswith("every status (2) · queued (1) · sending (0) · sent (0) · in a print batch (1)")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2026-13-01", "“2026-13-01” is not a date; write it YYYY-MM-DD, e.g. 2026-12-01."),
        ("?to=2026-0²-01", "“2026-0²-01” is not a date; write it YYYY-MM-DD, e.g. 2026-12-01."),
        ("?from=yesterday", "“yesterday” is not a date; write it YYYY-MM-DD, e.g. 2026-12-01."),
        ("?status=lost", "There is no status “lost”; every status is shown."),
        ("?from=2026-10-01&to=2026-09-01", "The first day comes after the last; both are left out."),
    ],
)
def test_a_wrong_filter_is_said_and_left_out(client, outbox, query, message):
    """Clause: REM-1 — a filter that is not a date or a status gets a message; the page shows every notice."""
    html = page(client, query)
    assert message in text(html)
    assert len(rows(html)) == 5


def test_the_delivery_history_shows_the_print_batch_not_sent(client, outbox):
    """Clause: LTR-2 — a borrower's delivery history words a letter in a print batch as the outbox does."""
    client.force_login(make_user("supervisor"))
    borrower = outbox["printed"].borrower_id
    html = client.get(f"/notices/borrowers/{borrower}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    (row,) = re.findall(r'<tr id="notice-\d+">(.*?)</tr>', html, re.S)
    status = text(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[5])
    assert status == "in print batch 2026-09-30 no. 1"
