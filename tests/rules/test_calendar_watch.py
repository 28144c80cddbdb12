"""Administrators are warned before the working-day calendar runs out: pages and the daily email.

Every test brings its own calendar (2030–2031, ending 2031-12-31) and pins its dates, so none depends on
today's date or on the years the installed `chinese-calendar` package knows."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from pydantic import ValidationError

from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.policy import Policy
from arrears.portfolio.models import FeedLoad
from arrears.rules.calendar_watch import calendar_coverage, do_mail_calendar_warning
from arrears.rules.models import CalendarWarningMail
from calendars import use_calendar
from factories import make_user
from net import free_port, use_smtp

pytestmark = pytest.mark.django_db

WARNED, NOT_YET = date(2031, 11, 1), date(2031, 10, 31)  # end 2031-12-31 − 60 days, and the day before


@pytest.fixture(autouse=True)
def _calendar():
    use_calendar()


def nightly():
    from arrears.accounts.models import User

    return User.objects.get(username=SYSTEM_USERNAME)


def feed_of(day: date) -> None:
    FeedLoad.objects.create(
        business_date=day, digest=day.isoformat(), started_at=timezone.now(), status="done", imported_by=nightly()
    )


def test_the_parameter_has_a_default_and_a_range():
    """Clause: practice — calendar.warn_days_before_end: 60 by default, 7 to 366 allowed."""
    assert Policy().calendar.warn_days_before_end == 60
    assert Policy(calendar={"warn_days_before_end": 7}).calendar.warn_days_before_end == 7
    assert Policy(calendar={"warn_days_before_end": 366}).calendar.warn_days_before_end == 366
    for bad in (6, 367):
        with pytest.raises(ValidationError, match="warn_days_before_end"):
            Policy(calendar={"warn_days_before_end": bad})


def test_the_database_calendar_warns_from_n_days_before_its_end():
    """Clause: practice — the stored calendar ends 2031-12-31: warned on 2031-11-01, not on 2031-10-31."""
    assert calendar_coverage(WARNED).warning
    assert calendar_coverage(WARNED).days_left == 60
    assert not calendar_coverage(NOT_YET).warning


@pytest.mark.parametrize("url", ["/", "/policy/?on=2031-06-01"])
@pytest.mark.parametrize(("day", "shown"), [(WARNED, True), (NOT_YET, False)])
def test_the_start_page_and_the_policy_page_warn_administrators(client, day, shown, url):
    """Clause: practice — from the newest feed's business date (not the policy page's `on`); with the link to
    the calendar-years page."""
    feed_of(day)
    client.force_login(make_user("administrator"))
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ('id="calendar-warning"' in html) is shown
    if shown:
        assert "The working-day calendar ends on 2031-12-31, 60 days after 2031-11-01" in html
        assert 'href="/admin/rules/calendaryear/"' in html


def test_the_start_page_does_not_warn_others(client):
    """Clause: practice — a collector cannot add a year: the warning is for administrators."""
    feed_of(WARNED)
    client.force_login(make_user("supervisor"))
    assert 'id="calendar-warning"' not in client.get("/").content.decode()
    assert 'id="calendar-warning"' not in client.get("/policy/").content.decode()
    client.logout()
    assert 'id="calendar-warning"' not in client.get("/policy/").content.decode()


def test_the_runs_page_warns_and_links_for_those_who_may_add_a_year(client):
    """Clause: practice — supervisors see the warning on /runs/, administrators also the link."""
    feed_of(WARNED)
    client.force_login(make_user("supervisor"))
    html = client.get("/runs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="calendar-warning"' in html
    assert "holiday arrangement for 2032 under Administration → calendar years" in html
    assert 'href="/admin/rules/calendaryear/"' not in html
    client.force_login(make_user("administrator"))
    html = client.get("/runs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "工作日日历将于 2031-12-31 到期" in html
    assert 'href="/admin/rules/calendaryear/"' in html


def test_beyond_the_calendar_the_runs_page_says_the_run_stops(client):
    """Clause: practice — a business date in 2032, which the calendar lacks."""
    feed_of(date(2032, 1, 5))
    client.force_login(make_user("administrator"))
    html = client.get("/runs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ends on 2031-12-31 and has no data for 2032: the nightly run for 2032-01-05 stops" in html


def test_the_email_goes_to_administrators_once_a_day(smtp_server):
    """Clause: practice — one message a day to every active administrator with an address; nobody else."""
    make_user("administrator", email="admin1@bank.example")
    make_user("administrator", email="admin2@bank.example")
    make_user("administrator", email="gone@bank.example", is_active=False)
    make_user("supervisor", email="boss@bank.example")
    first = do_mail_calendar_warning(WARNED, actor=nightly(), today=date(2031, 11, 2))
    assert (first.status, first.recipients) == ("sent", 2)
    (envelope,) = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == ["admin1@bank.example", "admin2@bank.example"]
    body = envelope.content.decode()
    assert "/admin/rules/calendaryear/" in body
    again = do_mail_calendar_warning(WARNED, actor=nightly(), today=date(2031, 11, 2))
    assert again.status == "already_sent"
    assert len(smtp_server.envelopes) == 1
    assert do_mail_calendar_warning(WARNED, actor=nightly(), today=date(2031, 11, 3)).status == "sent"
    assert len(smtp_server.envelopes) == 2
    assert list(CalendarWarningMail.objects.values_list("sent_on", "status")) == [
        (date(2031, 11, 2), "sent"),
        (date(2031, 11, 3), "sent"),
    ]
    assert AuditEvent.objects.filter(action="rules.mail_calendar_warning").count() == 4  # claim + outcome, twice


def test_no_email_before_the_warning_starts(smtp_server):
    """Clause: practice — on 2031-10-31 (61 days left) nothing is sent or recorded."""
    make_user("administrator", email="admin1@bank.example")
    assert do_mail_calendar_warning(NOT_YET, actor=nightly(), today=NOT_YET).status == "not_due"
    assert smtp_server.envelopes == []
    assert not CalendarWarningMail.objects.exists()


def test_a_failed_email_is_tried_again_by_the_next_run(settings):
    """Clause: practice — an unreachable SMTP server frees the day; the next call that day sends."""
    make_user("administrator", email="admin1@bank.example")
    use_smtp(settings, free_port())  # nothing listens there
    failed = do_mail_calendar_warning(WARNED, actor=nightly(), today=date(2031, 11, 2))
    assert failed.status == "failed"
    assert CalendarWarningMail.objects.get().status == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    assert do_mail_calendar_warning(WARNED, actor=nightly(), today=date(2031, 11, 2)).status == "sent"
    assert len(mail.outbox) == 1
    assert CalendarWarningMail.objects.get().attempts == 2


def test_only_the_nightly_run_sends_it():
    """Clause: AUTH-4 — a collector cannot trigger the email; nothing is recorded."""
    make_user("administrator", email="admin1@bank.example")
    with pytest.raises(ActionDenied):
        do_mail_calendar_warning(WARNED, actor=make_user("junior_collector"), today=WARNED)
    assert not CalendarWarningMail.objects.exists()
