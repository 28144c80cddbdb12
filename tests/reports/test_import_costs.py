"""Importing a file of costs (Clause: KPI-2): the whole file or nothing, every bad line reported with its number and
what is wrong; importing the same file again changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from costs_state import costs_state

from arrears.accounts.models import Team
from arrears.agencies.commissions import Month
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.reports.actions import CostFileRefused, do_enter_cost, do_import_costs
from arrears.reports.costs import month_cost
from arrears.reports.models import CostEntry
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 30)
GOOD = (
    "month,team,kind,amount,note\n"
    "2026-03,催收一组,staff,80000.00,3月工资\n"
    "2026-03,催收二组,staff,60000,\n"
    "\n"  # a blank line is skipped
    "2026-03,,telephony,12500.5,话费\n"
    "2026-04,催收一组,other,0.05,\n"
)


@pytest.fixture
def admin():
    Team.objects.create(name="催收一组")
    Team.objects.create(name="催收二组")
    return make_user("administrator", username="admin-import")


def live() -> list[tuple]:
    rows = CostEntry.objects.filter(replaced_by__isnull=True).select_related("team")
    return sorted((f"{e.month:%Y-%m}", e.team.name if e.team else "", e.kind, e.amount_fen, e.note) for e in rows)


def test_a_good_file_is_entered_and_importing_it_again_changes_nothing(admin):
    """Clause: KPI-2, AUTH-4 — four lines: four figures, one `reports.import_costs` event with each; March's entered
    costs are 80,000.00 + 60,000.00 staff and 12,500.50 telephony. The same file again: nothing stored, no event."""
    done = do_import_costs(GOOD.encode(), actor=admin, today=TODAY)
    assert (done.rows, done.created, done.replaced, done.unchanged) == (4, 4, 0, 0)
    assert live() == [
        ("2026-03", "", "telephony", 1_250_050, "话费"),
        ("2026-03", "催收一组", "staff", 8_000_000, "3月工资"),
        ("2026-03", "催收二组", "staff", 6_000_000, ""),
        ("2026-04", "催收一组", "other", 5, ""),
    ]
    (event,) = AuditEvent.objects.filter(action="reports.import_costs")
    assert event.changes["rows"] == [None, 4]
    assert event.changes["2026-03/department/telephony"][0] is None
    assert event.changes["2026-03/department/telephony"][1][1] == 1_250_050
    march = month_cost(Month(2026, 3)).by_source
    assert (march["staff"], march["telephony"]) == (14_000_000, 1_250_050)
    before = costs_state()
    again = do_import_costs(GOOD.encode(), actor=admin, today=TODAY)
    assert (again.rows, again.created, again.replaced, again.unchanged) == (4, 0, 0, 4)
    assert costs_state() == before


def test_a_file_correcting_a_figure_replaces_it_and_leaves_the_others(admin):
    """Clause: KPI-2 — team A's March staff entered by hand at 80,000.00, the department's telephony at 900.00;
    a file with team A's at 78,500.00: replaced (the old figure and amount in the event), the telephony kept."""
    team_a = Team.objects.get(name="催收一组")
    enter = {"month": Month(2026, 3), "note": "", "actor": admin, "today": TODAY}
    first = do_enter_cost(team=team_a, kind="staff", amount_fen=8_000_000, **enter).entry
    do_enter_cost(team=None, kind="telephony", amount_fen=90_000, **enter)
    done = do_import_costs("month,team,kind,amount\n2026-03,催收一组,staff,78500.00\n", actor=admin, today=TODAY)
    assert (done.created, done.replaced, done.unchanged) == (0, 1, 0)
    assert live() == [("2026-03", "", "telephony", 90_000, ""), ("2026-03", "催收一组", "staff", 7_850_000, "")]
    first.refresh_from_db()
    (event,) = AuditEvent.objects.filter(action="reports.import_costs")
    assert event.changes[f"2026-03/{team_a.pk}/staff"] == [[first.pk, 8_000_000], [first.replaced_by_id, 7_850_000]]


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_stored(admin):
    """Clause: KPI-2 — one good line and eleven bad ones: the file is refused, each bad line named with what is
    wrong (a line with two faults gets both), and nothing is stored — not even the good line."""
    text = (
        "month,team,kind,amount,note\n"
        "2026-03,催收一组,staff,80000.00,\n"  # 2: good
        "2026-13,催收一组,staff,1.00,\n"  # 3: no such month
        "2026-05,催收一组,staff,1.00,\n"  # 4: after the business date's month
        "2026-03,催收九组,staff,1.00,\n"  # 5: no such team
        "2026-03,催收二组,lunch,1.00,\n"  # 6: no such kind
        "2026-03,催收二组,telephony,-5.00,\n"  # 7: negative
        "2026-03,催收二组,other,1.005,\n"  # 8: three decimals
        "2026-03,,staff,１００,\n"  # 9: full-width digits
        "2026-03,,other,1" + "0" * 30 + ",\n"  # 10: huge
        "2026-03,,telephony,5,话\x00费\n"  # 11: a NUL
        "2026-03,催收一组,staff,79000.00,\n"  # 12: line 2's month, team and kind again
        "2026-3,,telephony,80 000,\n"  # 13: two faults
    )
    with pytest.raises(CostFileRefused) as refused:
        do_import_costs(text.encode(), actor=admin, today=TODAY)
    found = [(p.line, p.message) for p in refused.value.problems]
    assert [line for line, _message in found] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13]
    said = dict(found[:-2])
    assert said[3].startswith("Write the month as YYYY-MM")
    assert said[4].startswith("2026-05 is after the business date's month (2026-04)")
    assert said[5].startswith("No team is named “催收九组”")
    assert said[6].startswith("“lunch” is not a kind of cost")
    assert said[7].startswith("The amount cannot be negative")
    assert said[8].startswith("The amount has more than two decimals")
    assert said[9].startswith("Write the amount with the digits 0–9 only")
    assert said[10].startswith("The amount is beyond the largest amount handled")
    assert said[11] == "the line contains a NUL character; remove it."
    assert said[12].startswith("line 2 gave this month, team and kind already")
    assert [message[:20] for _line, message in found[-2:]] == ["Write the month as Y", "Write the amount in "]
    assert "12 problem(s), the first line 3:" in str(refused.value)
    assert CostEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action="reports.import_costs").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file has no costs"),
        (b"month,team,kind,amount,note\n", "The file has no costs"),
        (b"month,team,amount\n2026-03,,1\n", "missing kind"),
        (b"month,team,kind,amount,cost_centre\n2026-03,,staff,1,x\n", "unknown cost_centre"),
        (b"month,team,kind,amount,amount\n2026-03,,staff,1,2\n", "repeated amount"),
        (b"\xff\xfe\x00m\x00o\x00", "not text in UTF-8 or GB18030"),
        (b"month,team,kind,amount\n" + b"2026-03,,staff,1\n" * 70_000, "larger than 1 MB"),
        (b"month,team,kind,amount\n2026-03,,staff,1,extra\n", "more fields than the header names"),
    ],
)
def test_a_file_that_is_not_a_cost_file_is_refused_whole(admin, content, message):
    """Clause: KPI-2 — an empty file, a header only, a header missing a column, naming an unknown or a repeated
    one, bytes that are not text, a file over 1 MB, a line longer than its header: refused, nothing stored."""
    with pytest.raises(CostFileRefused) as refused:
        do_import_costs(content, actor=admin, today=TODAY)
    assert message in str(refused.value)
    assert CostEntry.objects.count() == 0


def test_a_file_from_excel_in_gb18030_with_a_bom_or_crlf_is_read(admin):
    """Clause: KPI-2 — the same costs saved by Excel on a Chinese Windows (GB18030, CRLF) and as UTF-8 with a BOM:
    both read alike; the second import changes nothing."""
    excel = "month,team,kind,amount,note\r\n2026-03,催收一组,staff,80000.00,三月\r\n".encode("gb18030")
    assert do_import_costs(excel, actor=admin, today=TODAY).created == 1
    bom = "\ufeffmonth,team,kind,amount,note\n2026-03,催收一组,staff,80000.00,三月\n".encode()
    assert do_import_costs(bom, actor=admin, today=TODAY).unchanged == 1
    assert live() == [("2026-03", "催收一组", "staff", 8_000_000, "三月")]


@pytest.mark.parametrize("role", ["junior_collector", "analyst", "supervisor"])
def test_only_those_who_enter_costs_may_import(admin, role):
    """Clause: AUTH-1 — without `reports.enter_costs` the import is refused before the file is read; nothing
    changes."""
    before = costs_state()
    with pytest.raises(ActionDenied):
        do_import_costs(GOOD.encode(), actor=make_user(role), today=TODAY)
    assert costs_state() == before
