"""The dispatcher honours the kinds of hold a bank also needs (Issue 17 item 1): a reminder queued before the
borrower was reported deceased, a fraud claim was made or a bankruptcy opened is cancelled at send time, never
sent; once the hold is lifted the next reminder goes out.

Real parts: the loopback SMS gateway (HTTP, the real protocol) and the database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.models import Notice, reminder_key
from arrears.notices.sms import SmsGateway
from arrears.portfolio.actions import do_lift_hold, do_place_hold
from book import nightly_run
from factories import make_borrower, make_loan, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 17 March 2026, 10:00 in Shanghai: three days before the first instalment (due Friday 20 March).
AT = datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI)
QUEUED_ON = date(2026, 3, 17)
TOKEN = "test-token"


@pytest.fixture
def gateway():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as running:
        yield running


def dispatch(gateway) -> dict:
    sms = SmsChannel(SmsGateway(gateway.url, TOKEN))
    config = DispatchSettings(max_attempts=3, backoff=timedelta(seconds=60))
    return Dispatcher(nightly_run(), sms=sms, clock=lambda: AT, config=config).run_once()


def queued_reminder(contract: str, n: int = 1) -> Notice:
    """12,000.00 at 4.35% over 12 months from 20 February 2026; the SMS reminder of instalment `n` (1,023.72),
    as the nightly run queues it three days before the due date (REM-1)."""
    borrower = make_borrower(consent_sms=True, name="李四", mobile="13812345678")
    loan = make_loan(borrower, principal="12000", rate="0.0435", start=date(2026, 2, 20), external_id=contract)
    instalment = loan.instalments.get(n=n)
    return Notice.objects.create(
        key=reminder_key(loan.pk, instalment.due_date),
        loan=loan,
        borrower=borrower,
        kind="reminder",
        channel="sms",
        due_date=instalment.due_date,
        instalment_n=n,
        amount_fen=instalment.principal_fen + instalment.interest_fen,
        queued_on=QUEUED_ON,
        clause="REM-1",
    )


@pytest.mark.parametrize("kind", ["deceased", "fraud_claim", "bankruptcy"])
def test_a_hold_of_a_new_kind_stops_a_reminder_the_dispatcher_would_send(gateway, kind):
    """Clause: REM-1, REM-2 — the same reminder goes out (1,023.72 stated) for a borrower without a hold; with a
    hold of this kind on the loan, placed after queueing, it is cancelled ("hold") and the gateway sees nothing."""
    boss = make_user("supervisor")
    free = queued_reminder("HT-0220-01")
    held = queued_reminder("HT-0220-02")
    do_place_hold(
        held.borrower, kind, starts_on=QUEUED_ON, ends_on=None, loan=held.loan, actor=boss, reason="暂停催收，待核实"
    )
    assert dispatch(gateway) == {("sms", "sent", ""): 1, ("sms", "cancelled", "hold"): 1}
    (message,) = gateway.messages
    assert "1,023.72" in message.text
    for notice in (free, held):
        notice.refresh_from_db()
    assert (free.status, held.status, held.reason) == ("sent", "cancelled", "hold")


def test_a_lifted_new_kind_no_longer_stops_the_next_reminder(gateway):
    """Clause: REM-1 — a bankruptcy hold placed 1 March and lifted 17 March (through that day): the reminder
    queued on 17 March for instalment 2 (due 20 April) is sent when the dispatcher runs on 17 April."""
    boss = make_user("supervisor")
    notice = queued_reminder("HT-0220-03", n=2)
    hold = do_place_hold(
        notice.borrower, "bankruptcy", starts_on=date(2026, 3, 1), ends_on=None, actor=boss, reason="破产申请已受理"
    )
    do_lift_hold(hold, on=QUEUED_ON, actor=boss, reason="破产申请被驳回")
    sms = SmsChannel(SmsGateway(gateway.url, TOKEN))
    config = DispatchSettings(max_attempts=3, backoff=timedelta(seconds=60))
    at = datetime(2026, 4, 17, 10, 0, tzinfo=SHANGHAI)
    assert Dispatcher(nightly_run(), sms=sms, clock=lambda: at, config=config).run_once() == {("sms", "sent", ""): 1}
    assert len(gateway.messages) == 1
