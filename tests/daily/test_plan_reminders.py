"""Reminders before a plan instalment falls due (REM-1, PLAN-4): queued by the nightly run, re-checked and sent
by the dispatcher like every reminder. The book: a plan of two instalments of 1,000.00 (25 March, 25 April)
in force from 17 March on a 12,000.00 loan whose own instalment of 1,023.72 falls due on 15 April."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from test_run_plans import book, pay  # noqa: F401 - the book fixture

from arrears.compliance.sealed import sealed_changes
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from arrears.notices.channels import FileSmsChannel
from arrears.notices.dispatch import Dispatcher
from arrears.notices.models import Notice
from arrears.portfolio.models import Borrower
from book import nightly_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

REMIND_ON = date(2026, 3, 22)  # three days before instalment 1 (25 March)
AT = datetime(2026, 3, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def consenting(book):  # noqa: F811 - the fixture imported above
    Borrower.objects.filter(pk=book[0].borrower_id).update(consent_sms=True, preferred_channel="sms")
    return book


def test_the_nightly_run_queues_a_reminder_three_days_before_a_plan_instalment(consenting):
    """Clause: REM-1, PLAN-4 — 300.00 paid on 20 March: the run of 22 March queues `plan:<plan>:1` by SMS for
    the 700.00 still to pay by 25 March, audited; running the date again queues nothing more."""
    loan, _case, plan, _supervisor = consenting
    pay(loan, (date(2026, 3, 20), "300.00"))
    do_run_daily(REMIND_ON, actor=nightly_run())
    notice = Notice.objects.get(key=f"plan:{plan.pk}:1")
    assert (notice.kind, notice.plan_id, notice.channel, notice.due_date, notice.instalment_n, notice.amount_fen) == (
        "plan",
        plan.pk,
        "sms",
        date(2026, 3, 25),
        1,
        70_000,
    )
    assert Run.objects.get(business_date=REMIND_ON).changes["plan_reminders_queued"] == 1
    (event,) = sealed_changes(action="notices.queue_reminder", subject_id=str(notice.pk))
    assert (event.basis["clause"], event.changes["plan"]) == ("REM-1", [None, plan.pk])
    do_run_daily(REMIND_ON, actor=nightly_run())
    assert Notice.objects.filter(kind="plan").count() == 1


def test_the_dispatcher_sends_what_is_left_and_cancels_once_paid(consenting, tmp_path):
    """Clause: REM-1, PLAN-4 — sent by SMS with the approved reminder wording, stating 700.00 and the plan's
    contract; a second reminder whose instalment was paid before it went out is cancelled as paid."""
    loan, _case, plan, _supervisor = consenting
    pay(loan, (date(2026, 3, 20), "300.00"))
    do_run_daily(REMIND_ON, actor=nightly_run())
    with FileSmsChannel(tmp_path) as sms:
        Dispatcher(nightly_run(), sms=sms, clock=lambda: AT).run_once()
    notice = Notice.objects.get(key=f"plan:{plan.pk}:1")
    assert notice.status == "sent"
    assert "700.00" in notice.body
    assert loan.external_id in notice.body
    (written,) = tmp_path.iterdir()
    assert "700.00" in written.read_text(encoding="utf-8")

    # The second instalment's reminder, queued on 22 April, and everything paid on the 23rd before it goes out.
    pay(loan, (date(2026, 3, 24), "700.00"))
    do_run_daily(date(2026, 4, 22), actor=nightly_run())
    second = Notice.objects.get(key=f"plan:{plan.pk}:2")
    pay(loan, (date(2026, 4, 23), "2023.72"))
    with FileSmsChannel(tmp_path) as sms:
        Dispatcher(nightly_run(), sms=sms, clock=lambda: datetime(2026, 4, 23, 10, 0, tzinfo=AT.tzinfo)).run_once()
    second.refresh_from_db()
    assert (second.status, second.reason) == ("cancelled", "paid")
