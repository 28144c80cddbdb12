"""The nightly run and the end of the working-day calendar: refused beyond it, warned before it.

The calendar is the test's own (2030–2031, ending 2031-12-31) and every date is literal: nothing here depends
on today's date, the hour, or the years the installed `chinese-calendar` package knows."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from arrears.cli import main
from arrears.collection.models import CaseEvent, CollectionCase, Task
from arrears.compliance.models import AuditEvent
from arrears.daily.actions import CalendarRunsOut, do_run_daily
from arrears.daily.models import Run
from arrears.notices.models import Notice
from arrears.portfolio.models import LoanPosition
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from calendars import use_calendar
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

TABLES = (LoanPosition, CollectionCase, CaseEvent, Task, Notice, Run, AuditEvent)
PAGE = "/admin/rules/calendaryear/"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture(autouse=True)
def book():
    """The test's calendar and one delinquent loan: instalment 1 due 2031-10-15 unpaid."""
    use_calendar()
    loan = make_loan(make_borrower(consent_sms=True), start=date(2031, 9, 15), principal="12000")
    allocate_payments([loan.pk], business_date=date(2031, 10, 20))
    return loan


@pytest.fixture
def local_day(monkeypatch):
    """The calendar day the command runs on (the email goes out at most once per such day)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2032, 1, 6))


def test_a_date_beyond_the_calendar_is_refused_naming_the_page_and_nothing_is_applied():
    """Clause: practice — 2032-01-05 lies after 2031-12-31: refused before any run starts."""
    before = counts()
    with pytest.raises(CalendarRunsOut) as refused:
        do_run_daily(date(2032, 1, 5), actor=nightly_run())
    message = str(refused.value)
    assert "the working-day calendar ends on 2031-12-31 and has no data for 2032" in message
    assert f"Administration → calendar years ({PAGE}" in message
    assert "stopped before changing anything" in message
    assert counts() == before


def test_a_catch_up_that_crosses_the_end_runs_no_date_at_all():
    """Clause: practice — after 2031-12-29, a run for 2032-01-02 would run 12-30 … 01-02: none of it runs."""
    do_run_daily(date(2031, 12, 29), actor=nightly_run())
    before = counts()
    with pytest.raises(CalendarRunsOut, match="the run of 2032-01-01 needs"):
        do_run_daily(date(2032, 1, 2), actor=nightly_run())
    assert counts() == before
    assert list(Run.objects.values_list("business_date", flat=True)) == [date(2031, 12, 29)]


def test_the_command_beyond_the_calendar_exits_1_and_emails_the_administrators(capsys, smtp_server, local_day):
    """Clause: practice — `run-daily` names the page, applies nothing, and the administrators are told once."""
    make_user("administrator", email="admin1@bank.example")
    before = counts()
    assert main(["run-daily", "--as-of", "2032-01-05"]) == 1
    err = capsys.readouterr().err
    assert "no data for 2032" in err
    assert PAGE in err
    assert "calendar: emailed to 1 administrator(s)" in err
    assert {k: v for k, v in counts().items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }
    assert set(AuditEvent.objects.values_list("action", flat=True)[before["AuditEvent"] :]) == {
        "rules.mail_calendar_warning"
    }
    assert main(["run-daily", "--as-of", "2032-01-05"]) == 1
    assert "calendar: already emailed to the administrators today" in capsys.readouterr().err
    assert len(smtp_server.envelopes) == 1


def test_the_command_warns_from_n_days_before_the_end_and_not_the_day_before(capsys, local_day):
    """Clause: practice — N = 60: the run of 2031-10-31 says nothing, the run of 2031-11-01 warns."""
    assert main(["run-daily", "--as-of", "2031-10-31", "--json"]) == 0
    quiet = json.loads(capsys.readouterr().out)["calendar"]
    assert (quiet["warning"], quiet["days_left"], quiet["email"]) == (False, 61, "not_due")
    assert main(["run-daily", "--as-of", "2031-11-01", "--json"]) == 0
    warned = json.loads(capsys.readouterr().out)["calendar"]
    assert warned["warning"] is True
    assert (warned["ends_on"], warned["days_left"], warned["missing_year"]) == ("2031-12-31", 60, 2032)
    assert warned["fix_at"] == PAGE
    assert warned["email"] == "no_recipients"
    assert "ends on 2031-12-31, 60 days after 2031-11-01" in warned["message"]


def test_the_text_output_names_the_page(capsys, smtp_server, local_day):
    """Clause: practice — the summary ends with the calendar line and what happened to the email."""
    make_user("administrator", email="admin1@bank.example")
    assert main(["run-daily", "--as-of", "2031-11-01"]) == 0
    out = capsys.readouterr().out
    assert "run of 2031-11-01: done" in out
    assert (
        "calendar: the working-day calendar ends on 2031-12-31, 60 days after 2031-11-01; add the State Council's "
        f"holiday arrangement for 2032 under Administration → calendar years ({PAGE})"
    ) in out
    assert "emailed to 1 administrator(s)" in out
    assert len(smtp_server.envelopes) == 1


def test_a_run_whose_decisions_need_the_missing_year_stops_before_applying_anything():
    """Clause: practice — with due dates rolled to working days, the run of 2031-12-30 looks ahead to
    2032-01-02 (REM-1's horizon): it stops with the page named, and nothing of it is applied."""
    from arrears.rules.actions import do_add_policy_version

    text = 'effective_from = 2031-01-01\nname = "rolling"\n\n[schedule]\nroll_non_working_due_date = true\n'
    do_add_policy_version(text, actor=make_user("administrator"), reason="test: roll due dates")
    before = counts()
    with pytest.raises(CalendarRunsOut, match=r"no data for 2032, which the run of 2031-12-30 needs") as refused:
        do_run_daily(date(2031, 12, 30), actor=nightly_run())
    assert PAGE in str(refused.value)
    after = counts()
    assert after.pop("Run") == before.pop("Run") + 1  # the date's ledger row, not done: run again once added
    assert after == before
    assert Run.objects.get(business_date=date(2031, 12, 30)).status != "done"
