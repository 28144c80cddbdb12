"""A complaint about collection conduct stops the reminder the dispatcher would otherwise send (Clause: CMP-3,
REM-1). Real parts: the loopback SMS gateway, the database, the dispatcher."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.complaints.actions import do_file_complaint
from arrears.notices.channels import SmsChannel
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.models import Notice, reminder_key
from arrears.notices.sms import SmsGateway
from book import nightly_run
from factories import make_borrower, make_loan, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

BJ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 17, 10, 0, tzinfo=BJ)  # three days before the first instalment, due 20 March
TOKEN = "test-token"


@pytest.mark.parametrize("complained", [False, True])
def test_the_complaint_hold_cancels_the_queued_reminder(complained):
    """Clause: CMP-3, REM-1 — without a complaint the reminder goes out; with one filed at 09:00 the same
    morning it is cancelled for the hold and the gateway sees nothing."""
    borrower = make_borrower(consent_sms=True, mobile="13812345678")
    loan = make_loan(borrower, start=date(2026, 2, 20))
    instalment = loan.instalments.get(n=1)
    notice = Notice.objects.create(
        key=reminder_key(loan.pk, instalment.due_date),
        loan=loan,
        borrower=borrower,
        kind="reminder",
        channel="sms",
        due_date=instalment.due_date,
        instalment_n=1,
        amount_fen=instalment.principal_fen + instalment.interest_fen,
        queued_on=date(2026, 3, 17),
        clause="REM-1",
    )
    if complained:
        do_file_complaint(
            channel="phone",
            received_at=datetime(2026, 3, 17, 9, 0, tzinfo=BJ),
            text="催收员威胁",
            mobile="138 1234 5678",
            actor=make_user("compliance_officer"),
        )
    with LoopbackGateway(TOKEN, deliver_receipts=False) as gateway:
        sms = SmsChannel(SmsGateway(gateway.url, TOKEN))
        config = DispatchSettings(max_attempts=3)
        Dispatcher(nightly_run(), sms=sms, clock=lambda: AT, config=config).run_once()
        notice.refresh_from_db()
        if complained:
            assert (notice.status, notice.reason, gateway.messages) == ("cancelled", "hold", [])
        else:
            assert (notice.status, len(gateway.messages)) == ("sent", 1)
