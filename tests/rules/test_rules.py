"""Policy versions and the working-day calendar in the database, added by administrators through actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.rules.actions import RuleError, do_add_calendar_year, do_add_policy_version
from arrears.rules.models import CalendarDay, CalendarYear, PolicyVersion
from arrears.rules.queries import calendar, policy_on
from factories import make_user

pytestmark = pytest.mark.django_db

YEAR_2031 = """
[2031]
holidays = [
  { name = "元旦", first = 2031-01-01 },
  { name = "国庆节", first = 2031-10-01, last = 2031-10-07 },
]
makeup_workdays = [{ name = "国庆节", date = 2031-09-28 }]
"""


def test_the_calendar_table_is_seeded_from_the_package():
    """The migration seeds every year chinese-calendar knows; 2026's National Day week is off, 10 Oct worked.
    Clause: LTR-3 — a letter sent 2026-09-30 is confirmed by the 3rd working day after, 2026-10-10."""
    cal = calendar()
    assert 2026 in cal.known_years
    assert CalendarYear.objects.get(year=2026).source.startswith("chinese-calendar")
    assert not cal.is_working_day(date(2026, 10, 1))
    assert cal.is_working_day(date(2026, 10, 10))
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_an_administrator_adds_a_new_year_and_it_is_used_at_once():
    """Staff add holidays and make-up days for a new year; the calendar answers for it immediately."""
    admin = make_user("administrator")
    years = do_add_calendar_year(YEAR_2031, actor=admin, reason="State Council notice for 2031")
    assert [y.year for y in years] == [2031]
    assert CalendarDay.objects.filter(year__year=2031).count() == 9
    cal = calendar()
    assert not cal.is_working_day(date(2031, 10, 3))
    assert cal.is_working_day(date(2031, 9, 28))  # a Sunday worked
    event = AuditEvent.objects.get()
    assert (event.action, event.reason) == ("rules.add_calendar_year", "State Council notice for 2031")


def test_a_known_year_cannot_be_added_twice():
    """A year is added once, complete."""
    with pytest.raises(RuleError, match="already has 2026"):
        do_add_calendar_year(
            '[2026]\nholidays = [{ name = "元旦", first = 2026-01-01 }]\nmakeup_workdays = []\n',
            actor=make_user("administrator"),
            reason="again",
        )
    assert AuditEvent.objects.count() == 0


def test_a_collector_cannot_change_the_calendar():
    """Deny by default: no calendar change, no event."""
    before = CalendarDay.objects.count()
    with pytest.raises(ActionDenied):
        do_add_calendar_year(YEAR_2031, actor=make_user("junior_collector"), reason="helpful")
    assert (CalendarDay.objects.count(), AuditEvent.objects.count()) == (before, 0)


def test_a_policy_version_takes_effect_on_its_date():
    """Administrators add a version validated by arrears.policy; policy_on switches on its effective date."""
    admin = make_user("administrator")
    row = do_add_policy_version(
        'effective_from = 2027-01-01\nname = "2027"\n[penalty]\nmarkup = 0.40\n', actor=admin, reason="board minute 12"
    )
    assert (row.effective_from, row.name) == (date(2027, 1, 1), "2027")
    assert policy_on(date(2026, 12, 31)).penalty.markup == Decimal("0.50")
    assert policy_on(date(2027, 1, 1)).penalty.markup == Decimal("0.40")
    event = AuditEvent.objects.get()
    assert event.changes == {"penalty.markup": [None, "0.40"]}


def test_an_invalid_version_is_refused_with_key_value_and_range():
    """Nothing is stored when the file is invalid."""
    with pytest.raises(
        RuleError, match=r"penalty.markup = 0.6: outside the allowed range \(allowed: from 0.30 to 0.50\)"
    ):
        do_add_policy_version(
            "effective_from = 2027-01-01\n[penalty]\nmarkup = 0.6\n", actor=make_user("administrator"), reason="x"
        )
    assert (PolicyVersion.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_two_versions_on_one_date_are_refused():
    """One version per effective date."""
    admin = make_user("administrator")
    do_add_policy_version("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.40\n", actor=admin, reason="first")
    with pytest.raises(RuleError, match="already taken"):
        do_add_policy_version("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.35\n", actor=admin, reason="second")
    assert PolicyVersion.objects.count() == 1


def test_policy_show_stored_prints_the_version_administrators_added(capsys):
    """`arrears policy show --stored` shows what the web application and posting use."""
    import json

    from arrears.cli import main

    do_add_policy_version(
        'effective_from = 2027-01-01\nname = "2027"\n[penalty]\nmarkup = 0.40\n',
        actor=make_user("administrator"),
        reason="board minute 12",
    )
    assert main(["policy", "show", "--stored", "--on", "2027-02-01", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"]["name"] == "2027"
    assert shown["policy"]["penalty"]["markup"] == "0.40"
    assert main(["policy", "show", "--on", "2027-02-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["policy"]["penalty"]["markup"] == "0.50"  # files only
