"""Several dispatch workers at once on PostgreSQL: SKIP LOCKED keeps them off each other's rows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from test_dispatch import TOKEN, Clock, borrower_with_loan, queue_reminder

from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.models import Notice
from arrears.notices.sms import SmsGateway
from book import nightly_run


@pytest.fixture
def gateway():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as running:
        yield running


def test_two_workers_never_take_the_same_row(ledger_transactional_db, approved_templates, gateway):
    """Clause: REM-1 — two workers in their own threads and database connections drain 40 reminders at once
    in batches of 5: each reminder reached a phone exactly once, and each worker sent some. On PostgreSQL the
    claim reads SKIP LOCKED; on SQLite the conditional claim keeps them apart."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are a PostgreSQL deployment (SQLite has one writer at a time)")
    notices = [queue_reminder(borrower_with_loan(f"HT-{i}", mobile=f"1371234{i:04d}")[1]) for i in range(40)]
    tallies, errors = [], []
    start = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            channel = SmsChannel(SmsGateway(gateway.url, TOKEN))
            worker = Dispatcher(
                nightly_run(), sms=channel, clock=Clock(), config=DispatchSettings(batch=5), worker=name
            )
            start.wait()
            tallies.append((name, worker.run_once()))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.reference for m in gateway.messages) == sorted(n.key for n in notices)
    assert Notice.objects.filter(status="sent").count() == 40
    sent_by = {name: tally.get(("sms", "sent", ""), 0) for name, tally in tallies}
    assert sum(sent_by.values()) == 40
    assert all(n > 0 for n in sent_by.values()), sent_by


def test_the_gateways_receipt_reaches_the_server_by_callback(live_db, approved_templates, live_server, settings):
    """Clause: REM-1 — end to end over HTTP: the dispatcher sends through the loopback gateway with this
    server's receipt URL; the gateway posts its signed receipt there; the notice becomes delivered. A number
    the gateway cannot reach (…0000) becomes undelivered with the gateway's error."""
    import time

    settings.ARREARS_SMS_CALLBACK_SECRET = "receipt-secret"
    reached = queue_reminder(borrower_with_loan("HT-OK", mobile="13712345678")[1])
    absent = queue_reminder(borrower_with_loan("HT-ABSENT", mobile="13700000000")[1])
    # The receipts wait a second: on SQLite the live server shares the test's in-memory connection, which two
    # threads must not use at once (a receipt overtaking the record is tested on its own in test_dispatch).
    with LoopbackGateway(TOKEN, receipt_secret="receipt-secret", receipt_delay=1.0) as sim:
        callback = f"{live_server.url}/notices/sms/receipts/"
        channel = SmsChannel(SmsGateway(sim.url, TOKEN, callback_url=callback))
        Dispatcher(nightly_run(), sms=channel, clock=Clock()).run_once()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(sim.receipts) < 2:
            time.sleep(0.05)
    assert sorted(r.status for r in sim.receipts) == [200, 200]
    reached.refresh_from_db()
    absent.refresh_from_db()
    assert (reached.status, reached.delivered_at is not None) == ("delivered", True)
    assert (absent.status, absent.last_error) == ("undelivered", "absent subscriber")
