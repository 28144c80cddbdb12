"""A late-stage desk: borrowers owing known overdue amounts at known DPDs, the nightly run, calls as recorded,
and a user of each role that matters here (two supervisors: maker and checker).

`flat_borrower` owes exactly the amount given: one interest-free instalment, so no penalty or compound interest
accrues (the penalty rate is the contract rate raised by the markup: zero) — the overdue total on any day is
the instalment itself, to the fen. `late_borrower` (tests/collection/desk.py) owes a 12-month loan's first
instalment with its penalty.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from desk import AS_OF, SHANGHAI, WORKING_HOURS, late_borrower, mark_feed

from arrears.collection.models import Call, CollectionCase
from arrears.daily.actions import do_run_daily
from arrears.finance import to_fen
from arrears.portfolio.models import Instalment, Loan
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_user

__all__ = ["AS_OF", "WORKING_HOURS", "call", "flat_borrower", "late_desk", "night_of"]


def flat_borrower(external_id: str, dpd: int, amount: str, *, on: date = AS_OF, **fields):
    """A borrower whose one interest-free instalment of `amount` yuan fell due `dpd` days before `on`."""
    borrower = make_borrower(external_id=external_id, consent_sms=True, consent_phone=True, **fields)
    due = on - timedelta(days=dpd)
    loan = Loan.objects.create(
        external_id=f"L-{external_id}",
        borrower=borrower,
        product="consumer",
        principal_fen=to_fen(Decimal(amount)),
        annual_rate=Decimal("0"),
        term_months=1,
        method="bullet",
        start_date=due - timedelta(days=30),
        status="active",
        feed_date=on,
    )
    Instalment.objects.create(loan=loan, n=1, due_date=due, principal_fen=to_fen(Decimal(amount)), interest_fen=0)
    return borrower, loan


def night_of(day: date) -> None:
    """The feed of `day` arrives and the nightly run runs for it."""
    mark_feed(day)
    do_run_daily(day, actor=nightly_run())


def late_desk(flat=(), penalised=()) -> SimpleNamespace:
    """`flat`: (external id, DPD, amount) per borrower owing exactly the amount; `penalised`: (external id, DPD,
    principal) per borrower owing a 12-month loan's first instalment with penalty. The nightly run for AS_OF
    opens their cases. Returns the users and the cases by external id."""
    loans = [flat_borrower(ext, dpd, amount)[1] for ext, dpd, amount in flat]
    loans += [late_borrower(ext, dpd, principal)[1] for ext, dpd, principal in penalised]
    allocate_payments([loan.pk for loan in loans], business_date=AS_OF)
    night_of(AS_OF)
    cases = {c.borrower.external_id: c for c in CollectionCase.objects.select_related("borrower")}
    return SimpleNamespace(
        cases=cases,
        boss=make_user("supervisor", username="boss-1"),
        checker=make_user("supervisor", username="boss-2"),
        junior=make_user("junior_collector", username="junior-1"),
        senior=make_user("senior_collector", username="senior-1"),
        legal=make_user("legal_officer", username="legal-1"),
        compliance=make_user("compliance_officer", username="compliance-1"),
        analyst=make_user("analyst", username="analyst-1"),
    )


def call(case: CollectionCase, day: date, outcome: str = "no_answer", *, inbound: bool = False, party="borrower"):
    """A call on `day` with the case's borrower as recorded (the collector: the nightly run's user will do)."""
    return Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=nightly_run(),
        called_at=datetime.combine(day, time(10), tzinfo=SHANGHAI),
        called_on=day,
        outcome=outcome,
        inbound=inbound,
        party=party,
    )


def reopened(case: CollectionCase, on: date) -> CollectionCase:
    """The case as if it had (re)opened on `on` (for contact lost since the case opened)."""
    CollectionCase.objects.filter(pk=case.pk).update(opened_on=on)
    case.refresh_from_db()
    return case


__all__ += ["WORKING_HOURS", "reopened"]
