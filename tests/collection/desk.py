"""A small collection desk: delinquent borrowers at known DPDs, the nightly run, and collectors of each tier."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from arrears.collection.models import CollectionCase
from arrears.daily.actions import do_run_daily
from arrears.portfolio.models import FeedLoad
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_loan, make_user

AS_OF = date(2026, 3, 20)
SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING_HOURS = datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)


def month_before(day: date) -> date:
    return day.replace(year=day.year - 1, month=12) if day.month == 1 else day.replace(month=day.month - 1)


def late_borrower(external_id: str, dpd: int, principal: str = "12000", **fields):
    """A borrower whose first instalment fell due `dpd` days before AS_OF and was never paid."""
    due = AS_OF - timedelta(days=dpd)
    borrower = make_borrower(external_id=external_id, consent_sms=True, consent_phone=True, **fields)
    loan = make_loan(borrower, start=month_before(due), principal=principal)
    return borrower, loan


def mark_feed(day: date = AS_OF) -> None:
    """Record a loaded feed for `day`, so the desk's business date is `day`."""
    FeedLoad.objects.create(
        business_date=day,
        digest=f"{day:%Y%m%d}".ljust(64, "0"),
        started_at=WORKING_HOURS,
        finished_at=WORKING_HOURS,
        status="done",
        imported_by=nightly_run(),
    )


def open_desk(spec: list[tuple[str, int, str, str]], collectors: dict[str, int]) -> dict:
    """`spec`: (external id, DPD, principal, risk level) per borrower; `collectors`: role code → how many.
    Runs the nightly batch for AS_OF and returns the users by role and the open cases by external id."""
    users = {role: [make_user(role, username=f"{role}-{i + 1}") for i in range(n)] for role, n in collectors.items()}
    loans = [late_borrower(ext, dpd, principal, risk_level=risk)[1] for ext, dpd, principal, risk in spec]
    allocate_payments([loan.pk for loan in loans], business_date=AS_OF)
    mark_feed()
    do_run_daily(AS_OF, actor=nightly_run())
    cases = {c.borrower.external_id: c for c in CollectionCase.objects.select_related("borrower", "owner")}
    return {"users": users, "cases": cases}


def night(day: date) -> None:
    """The feed of `day` arrives and the nightly run runs for it."""
    mark_feed(day)
    do_run_daily(day, actor=nightly_run())
