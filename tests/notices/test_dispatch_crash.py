"""A dispatcher that dies in the middle of a batch of emails: only the emails it had begun handing to the mail
server are left for a person (`unconfirmed`); the ones it never reached are sent by the next worker.

Real parts: a real SMTP server (aiosmtpd) and the database. The crash is `after_accept` raising an exception no
code catches, right after the server accepted an email and before its outcome is recorded (as a killed worker).
"""

from __future__ import annotations

import email
import email.policy
import threading

import pytest
from django.db import connection
from test_dispatch import Clock, Crash, borrower_with_loan, crash_on, dispatcher, queue_reminder, state

from arrears.notices.dispatch import DispatchSettings
from arrears.notices.models import Notice, NoticeAttempt


def email_reminders(n: int = 6):
    return [
        queue_reminder(
            borrower_with_loan(f"HT-{i}", preferred_channel="email", email=f"b{i}@example.com")[1], channel="email"
        )
        for i in range(n)
    ]


def fresh(notice: Notice) -> Notice:
    return Notice.objects.get(pk=notice.pk)


def received(smtp_server) -> list[str]:
    """The notice key of every message the SMTP server took, in order."""
    return [
        email.message_from_bytes(e.original_content, policy=email.policy.default)["X-Arrears-Notice"]
        for e in smtp_server.envelopes
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("approved_templates")
@pytest.mark.parametrize(("record_every", "unconfirmed"), [(10, 3), (3, 3), (2, 1), (1, 1)])
def test_a_crash_leaves_only_the_emails_handed_to_the_server_unconfirmed(smtp_server, record_every, unconfirmed):
    """Clause: REM-1 — six email reminders in one batch; the worker dies right after the server accepted the
    third. Outcomes are recorded `record_every` at a time, so the emails accepted since the last record — the
    third and those before it back to the last record: 3 with record_every 10 or 3, only the third with 2 or
    1 — may have been sent without a record and become `unconfirmed`. The fourth to sixth were claimed but
    never handed to the server: after the lease they are queued again and sent. The server received each of
    the six exactly once."""
    notices = email_reminders()
    clock = Clock()
    config = DispatchSettings(max_attempts=3, record_every=record_every)
    with pytest.raises(Crash):
        dispatcher(clock=clock, config=config, after_accept=crash_on(notices[2].key)).run_once()
    assert received(smtp_server) == [n.key for n in notices[:3]]
    recorded = 3 - unconfirmed
    assert [state(n)[0] for n in notices] == ["sent"] * recorded + ["sending"] * (6 - recorded)
    assert [n.handed_at is not None for n in notices] == [True] * 3 + [False] * 3

    clock.advance(minutes=4)
    assert dispatcher(clock=clock, config=config).run_once() == {}  # the lease still holds
    clock.advance(minutes=2)
    tally = dispatcher(clock=clock, config=config).run_once()

    assert tally == {
        ("email", "unconfirmed", "lease_expired"): unconfirmed,
        ("email", "requeued", "lease_expired"): 3,
        ("email", "sent", ""): 3,
    }
    assert [state(n)[0] for n in notices] == ["sent"] * recorded + ["unconfirmed"] * unconfirmed + ["sent"] * 3
    assert received(smtp_server) == [n.key for n in notices]  # each exactly once
    assert [n.attempts for n in notices[3:]] == [2, 2, 2]  # the claim that crashed counts, as for SMS
    requeued = NoticeAttempt.objects.filter(outcome="requeued").order_by("notice_id")
    assert [a.notice_id for a in requeued] == [n.pk for n in notices[3:]]
    assert all("before handing it to the mail server" in a.detail for a in requeued)

    assert dispatcher(clock=clock, config=config).run_once() == {}  # the unconfirmed wait for a person
    assert len(smtp_server.envelopes) == 6


def test_the_handing_mark_is_committed_before_the_server_is_reached(
    ledger_transactional_db, approved_templates, smtp_server
):
    """Clause: REM-1 — the same crash with real commits: the worker runs in its own thread and database
    connection, dies after the server accepted the second of four emails, and its connection is closed without
    a commit (anything it had not committed is lost, as when a process is killed). The two handing marks were
    committed on their own; after the lease the two are unconfirmed, the other two sent; four messages arrived,
    one each."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker in its own connection is a PostgreSQL deployment (as in test_workers)")
    notices = email_reminders(4)
    clock = Clock()
    crashed = []

    def work() -> None:
        try:
            dispatcher(clock=clock, after_accept=crash_on(notices[1].key)).run_once()
        except Crash as exc:
            crashed.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert len(crashed) == 1
    assert [n.handed_at is not None for n in map(fresh, notices)] == [True, True, False, False]
    clock.advance(minutes=6)
    dispatcher(clock=clock).run_once()
    assert [fresh(n).status for n in notices] == ["unconfirmed", "unconfirmed", "sent", "sent"]
    assert sorted(received(smtp_server)) == sorted(n.key for n in notices)
