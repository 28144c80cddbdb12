"""Administrators add policy versions and calendar years in the Django admin, through the audited actions."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.compliance.models import AuditEvent
from arrears.rules.models import CalendarYear, PolicyVersion
from factories import make_user

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_policy_version_in_the_admin(client):
    """The add form validates the TOML with arrears.policy, stores it and records the action."""
    client.force_login(make_user("administrator"))
    response = client.post(
        "/admin/rules/policyversion/add/",
        {"text": "effective_from = 2027-01-01\n[penalty]\nmarkup = 0.40\n", "reason": "board minute 12"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = PolicyVersion.objects.get()
    assert version.effective_from == date(2027, 1, 1)
    assert AuditEvent.objects.filter(action="rules.add_policy_version").count() == 1


def test_an_invalid_version_is_a_form_error_and_nothing_is_stored(client):
    """The form shows key, value and allowed range; no version, no event."""
    client.force_login(make_user("administrator"))
    response = client.post(
        "/admin/rules/policyversion/add/",
        {"text": "effective_from = 2027-01-01\n[penalty]\nmarkup = 0.9\n", "reason": "typo"},
    )
    assert response.status_code == 200
    assert "penalty.markup = 0.9: outside the allowed range (allowed: from 0.30 to 0.50)" in response.content.decode()
    assert (PolicyVersion.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_an_administrator_adds_a_calendar_year_in_the_admin(client):
    """A new year in the calendar-file format; its days appear read-only."""
    client.force_login(make_user("administrator"))
    text = '[2031]\nholidays = [{ name = "元旦", first = 2031-01-01 }]\nmakeup_workdays = []\n'
    response = client.post("/admin/rules/calendaryear/add/", {"text": text, "reason": "State Council notice"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarYear.objects.filter(year=2031).exists()
    assert AuditEvent.objects.filter(action="rules.add_calendar_year").count() == 1


@pytest.mark.parametrize("role", ["junior_collector", "supervisor", "analyst"])
def test_other_roles_cannot_open_the_rules_admin(client, role):
    """Deny by default: no add page, nothing stored."""
    client.force_login(make_user(role))
    response = client.post(
        "/admin/rules/policyversion/add/",
        {"text": "effective_from = 2027-01-01\n", "reason": "trying"},
    )
    assert response.status_code in (302, 403)
    assert PolicyVersion.objects.count() == 0
