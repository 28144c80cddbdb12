"""A small book for the commission statements' tests (Clause: LGL-2, KPI-2): placements made directly with the ORM
(the placement actions are another piece of work), interest-free loans so that what a payment settles is exactly
its amount up to the debt, and payments posted through the finance core (`allocate_payments`), so an overpayment
is stored as `unapplied` as the feed import stores it.

The book, business date 2026-04-30:

=====  ==========  ========  ===================================================  ===========================
who    owes        agency    placement                                             payments
=====  ==========  ========  ===================================================  ===========================
X      10,000.00   AGY-101   P1: 10 Mar, 60 days, 12.50%, recalled 15 Apr          9 Mar 100.00 (before)
                                                                                   10 Mar 3,456.78
                                                                                   1 Apr 1,000.00, 15 Apr 200.00
                   AGY-202   P4: 15 Apr (the recall day), 30 days, 10.00%          16 Apr 300.00
Y         500.00   AGY-101   P2: 15 Mar, 60 days, 12.50%, in force                 20 Mar 800.00 (300.00 over)
Z       1,000.00   AGY-101   P3: 1 Mar, 10 days, 12.50%, ended 10 Mar              5 Mar 0.04, 11 Mar 50.00
=====  ==========  ========  ===================================================  ===========================

AGY-101 March: P1 3,456.78 → 432.10, P2 500.00 → 62.50, P3 0.04 → 0.01; 3,956.82 → 494.61.
AGY-101 April: P1 1,200.00 → 150.00 (1–15 Apr), P2 0.00 (1–30 Apr); 1,200.00 → 150.00.
AGY-202 April: P4 300.00 → 30.00 (16–30 Apr: the 15th stays with P1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import placing

from arrears.accounts.models import Agency
from arrears.collection.models import CollectionCase
from arrears.finance import to_fen
from arrears.portfolio.models import FeedLoad, Instalment, Loan, Payment
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_user

AS_OF = date(2026, 4, 30)
NAMES = {"X": "欧阳明远", "Y": "司马静怡", "Z": "张三丰"}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def owing(ext: str, amount: str) -> tuple:
    """A borrower with an open case owing `amount` yuan on one interest-free instalment due 1 February 2026."""
    borrower = make_borrower(external_id=ext, name=NAMES.get(ext, "张三丰"))
    loan = Loan.objects.create(
        external_id=f"L-{ext}",
        borrower=borrower,
        product="consumer",
        principal_fen=to_fen(Decimal(amount)),
        annual_rate=Decimal("0"),
        term_months=1,
        method="bullet",
        start_date=date(2026, 1, 1),
        status="active",
        feed_date=AS_OF,
    )
    Instalment.objects.create(
        loan=loan, n=1, due_date=date(2026, 2, 1), principal_fen=to_fen(Decimal(amount)), interest_fen=0
    )
    case = CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="severe",
        pool="supervisor",
        opened_on=date(2026, 2, 2),
        updated_on=AS_OF,
        dpd=88,
        overdue_fen=to_fen(Decimal(amount)),
    )
    return borrower, loan, case


def place(case, agency, boss, placed_on: date, days: int, percent: str, *, ended_on=None, reason="supervisor"):
    return placing.place(
        case, agency, by=boss, placed_on=placed_on, days=days, percent=percent, ended_on=ended_on, end_reason=reason
    )


def pay(loan, day: date, amount: str) -> Payment:
    return Payment.objects.create(
        external_id=f"P-{loan.external_id}-{day:%m%d}",
        loan=loan,
        paid_on=day,
        amount_fen=to_fen(Decimal(amount)),
        feed_date=day,
    )


def commission_book() -> SimpleNamespace:
    boss = make_user("supervisor", username="boss-commissions")
    one = Agency.objects.create(code="AGY-101", name="远方资产管理有限公司", commission_percent=Decimal("12.50"))
    two = Agency.objects.create(code="AGY-202", name="近邻催收服务有限公司", commission_percent=Decimal("10.00"))
    _x, loan_x, case_x = owing("X", "10000.00")
    _y, loan_y, case_y = owing("Y", "500.00")
    _z, loan_z, case_z = owing("Z", "1000.00")
    p1 = place(case_x, one, boss, date(2026, 3, 10), 60, "12.50", ended_on=date(2026, 4, 15))
    p2 = place(case_y, one, boss, date(2026, 3, 15), 60, "12.50")
    p3 = place(case_z, one, boss, date(2026, 3, 1), 10, "12.50", ended_on=date(2026, 3, 10), reason="period_end")
    p4 = place(case_x, two, boss, date(2026, 4, 15), 30, "10.00")
    # The agency's rate changes afterwards: the placements keep the rate of the day they were placed.
    Agency.objects.filter(pk=one.pk).update(commission_percent=Decimal("20.00"))
    for loan, day, amount in [
        (loan_x, date(2026, 3, 9), "100.00"),
        (loan_x, date(2026, 3, 10), "3456.78"),
        (loan_x, date(2026, 4, 1), "1000.00"),
        (loan_x, date(2026, 4, 15), "200.00"),
        (loan_x, date(2026, 4, 16), "300.00"),
        (loan_y, date(2026, 3, 20), "800.00"),
        (loan_z, date(2026, 3, 5), "0.04"),
        (loan_z, date(2026, 3, 11), "50.00"),
    ]:
        pay(loan, day, amount)
    allocate_payments([loan_x.pk, loan_y.pk, loan_z.pk], business_date=AS_OF)
    FeedLoad.objects.create(
        business_date=AS_OF, digest="a" * 64, started_at=at(AS_OF), finished_at=at(AS_OF), status="done",
        imported_by=boss,
    )  # fmt: skip
    return SimpleNamespace(
        boss=boss,
        agencies=(one, two),
        cases={"X": case_x, "Y": case_y, "Z": case_z},
        placements=(p1, p2, p3, p4),
        one_user=make_user("agency_user", username="agy-101-user", agency=one),
        two_user=make_user("agency_user", username="agy-202-user", agency=two),
        analyst=make_user("analyst", username="analyst-commissions"),
    )
