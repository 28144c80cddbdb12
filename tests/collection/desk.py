"""A small collection desk: delinquent borrowers at known DPDs, the nightly run, and collectors of each tier."""

from __future__ import annotations

from datetime import date, timedelta

from book import nightly_run

from arrears.collection.models import CollectionCase
from arrears.daily.actions import do_run_daily
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_user

AS_OF = date(2026, 3, 20)


def month_before(day: date) -> date:
    return day.replace(year=day.year - 1, month=12) if day.month == 1 else day.replace(month=day.month - 1)


def late_borrower(external_id: str, dpd: int, principal: str = "12000", **fields):
    """A borrower whose first instalment fell due `dpd` days before AS_OF and was never paid."""
    due = AS_OF - timedelta(days=dpd)
    borrower = make_borrower(external_id=external_id, consent_sms=True, consent_phone=True, **fields)
    loan = make_loan(borrower, start=month_before(due), principal=principal)
    return borrower, loan


def open_desk(spec: list[tuple[str, int, str, str]], collectors: dict[str, int]) -> dict:
    """`spec`: (external id, DPD, principal, risk level) per borrower; `collectors`: role code → how many.
    Runs the nightly batch for AS_OF and returns the users by role and the open cases by external id."""
    users = {role: [make_user(role, username=f"{role}-{i + 1}") for i in range(n)] for role, n in collectors.items()}
    loans = [late_borrower(ext, dpd, principal, risk_level=risk)[1] for ext, dpd, principal, risk in spec]
    allocate_payments([loan.pk for loan in loans], business_date=AS_OF)
    do_run_daily(AS_OF, actor=nightly_run())
    cases = {c.borrower.external_id: c for c in CollectionCase.objects.select_related("borrower", "owner")}
    return {"users": users, "cases": cases}
