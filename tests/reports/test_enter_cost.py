"""Entering a month's cost (Clause: KPI-2, AUTH-4): a first figure, a correction replacing it (the old entry kept
and pointing to the new, the old amount in the audit event), the same figure again changing nothing; refusals
change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from costs_state import costs_state
from django.db import IntegrityError, transaction

from arrears.accounts.models import Team
from arrears.agencies.commissions import Month
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.reports.actions import CostError, do_enter_cost
from arrears.reports.models import CostEntry
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 30)
APRIL, MARCH = Month(2026, 4), Month(2026, 3)


@pytest.fixture
def admin():
    return make_user("administrator", username="admin-enter")


@pytest.fixture
def team():
    return Team.objects.create(name="催收一组")


def enter(actor, team, amount_fen, *, kind="staff", month=MARCH, note=""):
    return do_enter_cost(month=month, team=team, kind=kind, amount_fen=amount_fen, note=note, actor=actor, today=TODAY)


def test_a_correction_replaces_the_figure_and_keeps_the_old_one(admin, team):
    """Clause: KPI-2, AUTH-4 — staff 80,000.00 for team A in March, then 78,500.00: two rows, the first replaced by
    the second; two `reports.enter_cost` events, the second with 8,000,000 → 7,850,000 fen and entry 1 → 2."""
    first = enter(admin, team, 8_000_000, note="3月工资")
    assert (first.changed, first.replaced) == (True, None)
    second = enter(admin, team, 7_850_000, note="扣除病假")
    assert (second.changed, second.replaced.pk) == (True, first.entry.pk)
    rows = list(CostEntry.objects.order_by("pk").values_list("amount_fen", "note", "replaced_by_id"))
    assert rows == [(8_000_000, "3月工资", second.entry.pk), (7_850_000, "扣除病假", None)]
    assert (second.entry.month, second.entry.team, second.entry.entered_by) == (date(2026, 3, 1), team, admin)
    events = list(AuditEvent.objects.filter(action="reports.enter_cost").order_by("pk"))
    assert [e.changes["amount_fen"] for e in events] == [[None, 8_000_000], [8_000_000, 7_850_000]]
    assert events[1].changes["entry"] == [first.entry.pk, second.entry.pk]
    assert events[1].changes["note"] == ["3月工资", "扣除病假"]
    assert (events[1].subject_type, events[1].subject_id) == ("reports.costentry", str(second.entry.pk))
    assert events[1].basis == {"permission": "reports.enter_costs", "clause": "KPI-2", "approval": None}
    assert events[1].changes["month"] == [None, "2026-03"]


def test_the_same_figure_again_changes_nothing(admin, team):
    """Clause: KPI-2 — entering 80,000.00 with the same note twice: one row, one event; the second answers the
    live entry, unchanged."""
    first = enter(admin, team, 8_000_000, note="工资")
    before = costs_state()
    again = enter(admin, team, 8_000_000, note="工资")
    assert (again.changed, again.entry.pk) == (False, first.entry.pk)
    assert costs_state() == before


def test_teams_the_department_kinds_and_months_are_separate_figures(admin, team):
    """Clause: KPI-2 — team A's staff, the department's staff, team A's telephony, team A's staff of April: four
    live figures; none replaces another. 0 takes a figure back (a correction to nothing)."""
    enter(admin, team, 100)
    enter(admin, None, 200)
    enter(admin, team, 300, kind="telephony")
    enter(admin, team, 400, month=APRIL)
    assert CostEntry.objects.filter(replaced_by__isnull=True).count() == 4
    zero = enter(admin, None, 0, note="误录")
    assert (zero.replaced.amount_fen, zero.entry.amount_fen) == (200, 0)
    live = CostEntry.objects.filter(replaced_by__isnull=True)
    assert sorted(live.values_list("amount_fen", flat=True)) == [0, 100, 300, 400]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": Month(2026, 5)}, "2026-05 is after the business date's month (2026-04)"),
        ({"amount_fen": -1}, "The amount cannot be negative"),
        ({"amount_fen": 10**17 + 1}, "beyond the largest amount handled (1,000,000,000,000,000.00 yuan)"),
        ({"kind": "lunch"}, "“lunch” is not a kind of cost"),
        ({"note": "工资\x00"}, "The note contains a NUL character"),
        ({"note": "长" * 501}, "The note is longer than 500 characters"),
    ],
)
def test_a_bad_cost_is_refused_with_what_to_write_and_nothing_changes(admin, team, change, message):
    """Clause: KPI-2 — a month after the business date's, a negative or huge amount, an unknown kind, a NUL or
    too long a note: refused, saying what is wrong; nothing stored, nothing recorded."""
    enter(admin, team, 8_000_000)
    before = costs_state()
    values = {"month": MARCH, "team": team, "kind": "staff", "amount_fen": 7_000_000, "note": ""} | change
    with pytest.raises(CostError) as refused:
        do_enter_cost(**values, actor=admin, today=TODAY)
    assert message in str(refused.value)
    assert costs_state() == before


@pytest.mark.parametrize(
    "role", ["junior_collector", "senior_collector", "supervisor", "analyst", "compliance_officer"]
)
def test_only_those_who_enter_costs_may(role, admin, team):
    """Clause: AUTH-1, AUTH-4 — collectors, supervisors, analysts and compliance officers lack
    `reports.enter_costs`: refused, naming it, and nothing changes."""
    enter(admin, team, 8_000_000)
    before = costs_state()
    with pytest.raises(ActionDenied) as refused:
        enter(make_user(role), team, 1)
    assert "reports.enter_costs" in str(refused.value)
    assert costs_state() == before


def test_the_database_holds_one_live_figure_per_month_team_and_kind(admin, team):
    """Clause: KPI-2 — a second live row for team A's March staff, or for the department's, is refused by the
    database (the unique constraints), so no figure counts twice whoever writes."""
    enter(admin, team, 100)
    enter(admin, None, 100)
    row = {
        "month": date(2026, 3, 1),
        "kind": "staff",
        "amount_fen": 5,
        "entered_by": admin,
        "entered_at": admin.date_joined,
    }
    for owner in (team, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            CostEntry.objects.create(team=owner, **row)
    assert CostEntry.objects.count() == 2
