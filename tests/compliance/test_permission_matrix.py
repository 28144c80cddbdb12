"""Every role × every action: allowed exactly when the role grants the permission; a refusal changes nothing.

Clause: AUTH-1, AUTH-2, AUTH-3, AUTH-4 — the grants are data (ROLE_PERMISSIONS), the refusal is the action's.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps

from arrears.accounts.actions import do_save_team
from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.agencies.commissions import Month
from arrears.compliance.actions import ActionDenied
from arrears.portfolio.actions import do_place_hold, do_search_exact, do_unmask_field
from arrears.reports.actions import do_enter_cost
from arrears.rules.actions import do_add_calendar_year, do_add_policy_version
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db

YEAR_2031 = '[2031]\nholidays = [{ name = "元旦", first = 2031-01-01 }]\nmakeup_workdays = []\n'

ACTIONS = {
    "unmask": (Perm.UNMASK, lambda actor, b: do_unmask_field(b, "mobile", actor=actor, reason="verify caller")),
    "search_exact": (Perm.SEARCH_EXACT, lambda actor, b: do_search_exact(b.mobile, actor=actor)),
    "place_hold": (
        Perm.MANAGE_HOLDS,
        lambda actor, b: do_place_hold(
            b, "dispute", starts_on=date(2026, 11, 1), ends_on=None, actor=actor, reason="says it was paid"
        ),
    ),
    "add_policy_version": (
        Perm.MANAGE_POLICY,
        lambda actor, b: do_add_policy_version(
            "effective_from = 2027-01-01\n[penalty]\nmarkup = 0.40\n", actor=actor, reason="board minute"
        ),
    ),
    "add_calendar_year": (
        Perm.MANAGE_CALENDAR,
        lambda actor, b: do_add_calendar_year(YEAR_2031, actor=actor, reason="State Council notice"),
    ),
    "save_team": (Perm.MANAGE_USERS, lambda actor, b: do_save_team(Team(name="东区一组"), actor=actor, reason="new")),
    "enter_cost": (
        Perm.ENTER_COSTS,
        lambda actor, b: do_enter_cost(
            month=Month(2026, 10), team=None, kind="staff", amount_fen=8_000_000, actor=actor, today=date(2026, 11, 1)
        ),
    ),
}


def snapshot() -> dict[str, int]:
    """Row counts of every table arrears owns: a refused action must leave all of them as they were."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "compliance", "portfolio", "rules", "reports"}
    }


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", [r for r in RoleCode if r != RoleCode.SYSTEM])
def test_role_may_take_action_exactly_when_granted(role, action):
    """Allowed: the action runs and appends one audit event. Denied: ActionDenied and no table changes."""
    permission, run = ACTIONS[action]
    actor = make_user(role)
    borrower = make_borrower(mobile="17000000001")
    before = snapshot()
    if permission in ROLE_PERMISSIONS[role]:
        run(actor, borrower)
        after = snapshot()
        assert after["compliance.AuditEvent"] == before["compliance.AuditEvent"] + 1
    else:
        with pytest.raises(ActionDenied):
            run(actor, borrower)
        assert snapshot() == before
