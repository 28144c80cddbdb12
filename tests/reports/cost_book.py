"""A month whose collection cost is known to the fen (Clause: KPI-2): March 2026, business date 2026-04-30.

What arrears knows of March (the unit costs of the SPEC policy: SMS 0.05, email 0.01, letter 6.00):

=========================================================  ==========================================
1,234 SMS sent in March (the last at 23:30 Beijing, 31 Mar)  1,234 × 0.05 = 61.70
17 letters posted in March                                   17 × 6.00 = 102.00
agency AGY-101's commissions on March's days                 494.61 (tests/agencies/commission_book.py)
a lawyer's fee incurred on 12 March                          2,500.00
=========================================================  ==========================================

The 1,234 SMS include one the gateway says was delivered and one it says was not (both went out). Not counted: an
SMS queued, one cancelled, one sent at 00:30 Beijing on 1 April (16:30 UTC on 31 March), a lawyer's fee of 1
April.

Entered for March by the test: staff 80,000.00 for team A (催收一组) → the month's cost is 83,158.31.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from commission_book import commission_book
from lawsuit import make_litigation

from arrears.accounts.models import Team
from arrears.agencies.commissions import Month
from arrears.legal.models import LegalCost
from arrears.notices.models import Notice
from factories import make_user

MARCH = Month(2026, 3)
TODAY = date(2026, 4, 30)  # the commission book's business date


def _notices(loan, channel: str, n: int, sent_at: datetime | None, status: str = "sent", prefix: str = "") -> None:
    Notice.objects.bulk_create(
        Notice(
            key=f"cost-{prefix or channel}-{i}",
            loan=loan,
            borrower_id=loan.borrower_id,
            kind="reminder",
            channel=channel,
            amount_fen=100_000,
            status=status,
            queued_on=date(2026, 3, 1),
            clause="REM-1",
            sent_at=sent_at,
        )
        for i in range(n)
    )


def cost_book() -> SimpleNamespace:
    book = commission_book()
    loan = book.cases["X"].borrower.loans.get()
    last_evening = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    march_10 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    _notices(loan, "sms", 1231, march_10)
    _notices(loan, "sms", 1, march_10, status="delivered", prefix="sms-delivered")
    _notices(loan, "sms", 1, march_10, status="undelivered", prefix="sms-undelivered")
    _notices(loan, "sms", 1, last_evening, prefix="sms-last")
    _notices(loan, "post", 17, datetime(2026, 3, 20, 2, 0, tzinfo=UTC))
    _notices(loan, "sms", 1, None, status="queued", prefix="sms-queued")
    _notices(loan, "sms", 1, datetime(2026, 3, 31, 16, 30, tzinfo=UTC), prefix="sms-april")  # 00:30 on 1 April
    _notices(loan, "sms", 1, None, status="cancelled", prefix="sms-cancelled")
    lawsuit = make_litigation(boss=book.boss)
    officer = make_user("legal_officer", username="officer-costs")
    for day, fen in ((date(2026, 3, 12), 250_000), (date(2026, 4, 1), 90_000)):
        LegalCost.objects.create(
            litigation=lawsuit,
            case_id=lawsuit.case_id,
            kind="lawyer",
            amount_fen=fen,
            incurred_on=day,
            recorded_by=officer,
            recorded_at=datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC),
        )
    return SimpleNamespace(
        **vars(book),
        team_a=Team.objects.create(name="催收一组"),
        team_b=Team.objects.create(name="催收二组"),
        admin=make_user("administrator", username="admin-costs"),
    )
