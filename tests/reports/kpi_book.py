"""A small hand-computed book for the KPI tests (docs/kpi.md's worked example).

Six bullet loans at 3.60% a year, 3 months: interest = principal × 0.036 × 3/12; the penalty rate is the contract
rate + 50%, 5.40% a year, 0.00015 a day (÷ 360), on the overdue principal; compound interest at the same rate on
the unpaid interest. The first nightly run is on 2026-10-31, which opens November.

| loan | principal | due | DPD 10-31 | class | opening overdue (principal + interest + penalty + compound) | November |
|---|---|---|---|---|---|---|
| A | 10,000.00 | 10-15 | 16 | mild | 10,000 + 90.00 + 24.00 + 0.22 (90 × 0.00015 × 16 = 0.216) = 10,114.22 | pays 3,000.00 on 11-10 |
| B | 5,000.00 | 10-20 | 11 | mild | 5,000 + 45.00 + 8.25 + 0.07 (0.07425) = 5,053.32 | pays 5,060.00 on 11-05: cured |
| C | 60,000.00 | 07-10 | 113 | severe | 60,000 + 540.00 + 1,017.00 + 9.15 (9.153) = 61,566.15 | pays 20,000.00 on 11-20 |
| D | 8,000.00 | 08-01 | 91 | severe | 8,000 + 72.00 + 109.20 + 0.98 (0.9828) = 8,182.18 | pays nothing |
| E | 3,000.00 | 11-15 | — | current | — | pays nothing: DPD 15 on 11-30, rolls into M1 |
| F | 2,000.00 | 11-10 | — | current | — | pays 2,018.00 on 11-10, on time |
"""

from __future__ import annotations

from datetime import date

from arrears.accounts.models import User
from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.daily.actions import do_run_daily
from arrears.portfolio.models import Payment
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment

FIRST_NIGHT = date(2026, 10, 31)
LOANS = {  # name: (principal, start)
    "A": ("10000", date(2026, 7, 15)),
    "B": ("5000", date(2026, 7, 20)),
    "C": ("60000", date(2026, 4, 10)),
    "D": ("8000", date(2026, 5, 1)),
    "E": ("3000", date(2026, 8, 15)),
    "F": ("2000", date(2026, 8, 10)),
}
NOVEMBER_PAYMENTS = {
    "A": (date(2026, 11, 10), "3000.00"),
    "B": (date(2026, 11, 5), "5060.00"),
    "C": (date(2026, 11, 20), "20000.00"),
    "F": (date(2026, 11, 10), "2018.00"),
}


def signed_in(role: str):
    """A test client signed in as a new user of `role`."""
    from django.test import Client

    from factories import make_user

    client = Client()
    client.force_login(make_user(role))
    return client


def nightly_run() -> User:
    return User.objects.get(username=SYSTEM_USERNAME)


def pay(loan, on: date, amount: str, *, delivered: date | None = None) -> Payment:
    """A payment as the feed of `delivered` (default: the day it was made) brings it, posted."""
    payment = make_payment(loan, on, amount)
    Payment.objects.filter(pk=payment.pk).update(feed_date=delivered or on)
    allocate_payments([loan.pk], business_date=delivered or on)
    return payment


def build_book(*, first_night: bool = True, products: dict[str, str] | None = None) -> dict:
    """The six loans, and (unless not wanted) the first night, which opens November; `products` gives some of them
    another product than "consumer" ({"A": "card"})."""
    loans = {}
    for name, (principal, start) in LOANS.items():
        borrower = make_borrower(external_id=f"KPI-{name}", consent_sms=True, consent_phone=True)
        loans[name] = make_loan(
            borrower,
            principal=principal,
            rate="0.0360",
            months=3,
            start=start,
            method="bullet",
            external_id=f"KPI-LOAN-{name}",
            product=(products or {}).get(name, "consumer"),
        )
    allocate_payments([loan.pk for loan in loans.values()], business_date=FIRST_NIGHT)
    if first_night:
        do_run_daily(FIRST_NIGHT, actor=nightly_run())
    return loans


def run_november(loans: dict) -> None:
    """November's payments, each delivered by the feed of its day, and the nights through 11-30."""
    for name, (on, amount) in NOVEMBER_PAYMENTS.items():
        pay(loans[name], on, amount)
    do_run_daily(date(2026, 11, 30), actor=nightly_run())
