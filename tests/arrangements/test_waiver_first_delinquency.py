"""WVR-1's "first delinquency" is the borrower's, on any of their loans, from the nightly run's records and
from the history the core-banking feed carries from before go-live.

The desk on 2026-03-20: borrower F25's loan is 25 days overdue (its delinquency began 2026-02-23) and the
borrower rang the bank that day, so only the first-delinquency condition decides.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk

from arrears.arrangements.actions import do_propose_waiver
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Waiver
from arrears.arrangements.queries import loan_with_account, waiver_facts
from arrears.collection.models import Call
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.models import DelinquencyRecord, Loan
from factories import make_loan

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CLOSED_ON = date(2025, 9, 30)  # the feed of this date closed the older loan


@pytest.fixture
def desk():
    opened = open_desk([("F25", 25, "12000", "low")], {"senior_collector": 1})
    case = opened["cases"]["F25"]
    loan = case.borrower.loans.get()
    senior = opened["users"]["senior_collector"][0]
    Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=senior,
        called_at=WORKING_HOURS,
        called_on=AS_OF,
        outcome="promised",
        inbound=True,
    )
    older = make_loan(
        case.borrower,
        external_id="OLD-1",
        principal="6000",
        months=6,
        start=date(2025, 1, 10),
        status="closed",
    )
    Loan.objects.filter(pk=older.pk).update(feed_date=CLOSED_ON)
    return SimpleNamespace(case=case, loan=loan, older=older, senior=senior)


def facts(loan):
    return waiver_facts(loan_with_account(loan.pk), AS_OF)


def record(loan, day: date, dpd: int, klass: str, source: str = "run") -> None:
    DelinquencyRecord.objects.create(loan=loan, business_date=day, dpd=dpd, delinquency_class=klass, source=source)


def refused(desk) -> str:
    events = AuditEvent.objects.count()
    with pytest.raises(ArrangementError) as caught:
        do_propose_waiver(desk.case, desk.loan, amount="0.92", actor=desk.senior, today=AS_OF)
    assert not Waiver.objects.exists()
    assert AuditEvent.objects.count() == events
    return str(caught.value)


def test_a_cured_delinquency_on_another_loan_refuses_the_waiver(desk):
    """Clause: WVR-1 — the borrower's other loan was 12 days late in April 2025 and cured on the 30th: this is not
    the borrower's first delinquency, and the refusal names that loan and those dates."""
    record(desk.older, date(2025, 4, 11), 1, "mild")
    record(desk.older, date(2025, 4, 30), 0, "current")
    found = facts(desk.loan)
    assert (found.dpd, found.first_delinquency, found.eligible) == (25, False, False)
    expected = (
        "WVR-1: not the borrower's first delinquency: loan OLD-1 was delinquent on 2025-04-11 (DPD 1) and current "
        "again from 2025-04-30"
    )
    assert found.reasons == [expected]
    assert refused(desk) == f"No waiver is possible on loan {desk.loan.external_id}: {expected}."


def test_history_only_from_the_feed_refuses_the_waiver(desk, tmp_path, settings):
    """Clause: WVR-1 — the delinquency happened before go-live and only the core-banking feed knows it: the feed's
    `delinquency_history` is read like the nightly run's records."""
    settings.VAR_DIR = tmp_path / "var"
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "borrowers.csv").write_text("borrower_id,name,id_number,mobile,risk_level\n")
    (feed / "loans.csv").write_text(
        "loan_id,borrower_id,product,principal,annual_rate,term_months,method,start_date,status\n"
    )
    (feed / "delinquency_history.csv").write_text(
        "loan_id,effective_on,dpd,delinquency_class\nOLD-1,2025-03-11,1,mild\nOLD-1,2025-03-18,0,current\n"
    )
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME

    result = do_import_feed(feed, AS_OF, actor=User.objects.get(username=SYSTEM_USERNAME))
    assert result.rejected == 0
    assert list(DelinquencyRecord.objects.filter(loan=desk.older).values_list("source", flat=True)) == ["feed"] * 2
    assert "loan OLD-1 was delinquent on 2025-03-11 (DPD 1) and current again from 2025-03-18" in refused(desk)


def test_a_delinquency_on_a_loan_since_closed_counts(desk):
    """Clause: WVR-1 — the older loan was late in August 2025 and then repaid and closed (the feed of 2025-09-30):
    that delinquency ended before this one began."""
    record(desk.older, date(2025, 8, 11), 1, "mild", source="feed")
    assert "loan OLD-1 was delinquent on 2025-08-11 (DPD 1) and has since been closed" in refused(desk)


def test_the_borrowers_truly_first_delinquency_is_allowed(desk, client):
    """Clause: WVR-1 — nothing ended before this delinquency began on 2026-02-23: the older loan's records show it
    current only, and another loan's delinquency that began before but is still running is part of this one.
    The waiver may be proposed, and the case page says it is the borrower's first."""
    record(desk.older, date(2025, 4, 11), 0, "current", source="feed")
    running = make_loan(desk.case.borrower, external_id="RUN-1", start=date(2025, 12, 20), status="active")
    record(running, date(2026, 2, 21), 1, "mild")
    found = facts(desk.loan)
    assert (found.first_delinquency, found.eligible, found.reasons) == (True, True, [])
    waiver = do_propose_waiver(desk.case, desk.loan, amount="0.92", actor=desk.senior, today=AS_OF)
    assert (waiver.status, waiver.first_delinquency) == ("proposed", True)
    client.force_login(desk.senior)
    html = client.get(f"/cases/{desk.case.pk}/", **EN).content.decode()
    assert "first delinquency of the borrower: none before on any of their loans" in html


def test_the_case_page_names_the_earlier_delinquency(desk, client):
    """Clause: WVR-1 — the waiver facts on the case page say which loan was delinquent before, and when."""
    record(desk.older, date(2025, 4, 11), 1, "mild")
    record(desk.older, date(2025, 4, 30), 0, "current")
    client.force_login(desk.senior)
    html = client.get(f"/cases/{desk.case.pk}/", **EN).content.decode()
    assert (
        "not the borrower&#x27;s first delinquency: loan OLD-1 was delinquent on 2025-04-11 (DPD 1) and current "
        "again from 2025-04-30"
    ) in html
