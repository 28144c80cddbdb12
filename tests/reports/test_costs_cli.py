"""`arrears costs import FILE` and `arrears costs show --month` (Clause: KPI-2): a file entered whole or not at all,
as the nightly run's identity or `--user`; a month's cost by source in yuan to the fen."""

from __future__ import annotations

import json

import pytest
from cost_book import cost_book

from arrears.cli import main
from arrears.compliance.models import AuditEvent
from arrears.reports.models import CostEntry
from factories import make_user

pytestmark = pytest.mark.django_db

GOOD = "month,team,kind,amount,note\n2026-03,催收一组,staff,80000.00,三月\n2026-03,,telephony,12500.50,\n"


@pytest.fixture
def book():
    return cost_book()


def test_a_file_is_imported_as_the_nightly_run_and_again_changes_nothing(book, tmp_path, capsys):
    """Clause: KPI-2, AUTH-4 — two lines: entered by the nightly run's identity, one event; the same file again
    with --json: 0 new, 2 unchanged, no event."""
    path = tmp_path / "costs-2026-03.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["costs", "import", str(path)]) == 0
    assert "2 lines, 2 new, 0 replacing earlier figures, 0 unchanged" in capsys.readouterr().out
    assert set(CostEntry.objects.values_list("entered_by__username", flat=True)) == {"nightly-run"}
    assert main(["costs", "import", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["created"], summary["unchanged"]) == (True, 0, 2)
    assert AuditEvent.objects.filter(action="reports.import_costs").count() == 1


def test_bad_lines_are_reported_and_nothing_is_imported(book, tmp_path, capsys):
    """Clause: KPI-2 — a file with a bad month and an unknown team: exit 1, each line on stderr with what is wrong
    (and in the JSON), nothing stored."""
    path = tmp_path / "costs.csv"
    path.write_text(GOOD + "2026-14,,staff,1,\n2026-03,催收九组,staff,1,\n", encoding="utf-8")
    assert main(["costs", "import", str(path), "--json"]) == 1
    out, err = capsys.readouterr()
    assert "line 4: Write the month as YYYY-MM" in err
    assert "line 5: No team is named “催收九组”" in err
    assert "2 problem(s): nothing imported" in err
    assert [p["line"] for p in json.loads(out)["problems"]] == [4, 5]
    assert CostEntry.objects.count() == 0


def test_a_user_without_the_permission_imports_nothing(book, tmp_path, capsys):
    """Clause: AUTH-1 — `--user` an analyst: refused with the permission named, nothing stored; an administrator
    imports, the entries theirs."""
    path = tmp_path / "costs.csv"
    path.write_text(GOOD, encoding="utf-8")
    make_user("analyst", username="wang")
    assert main(["costs", "import", str(path), "--user", "wang"]) == 1
    assert "reports.enter_costs" in capsys.readouterr().err
    assert CostEntry.objects.count() == 0
    assert main(["costs", "import", str(path), "--user", "admin-costs"]) == 0
    assert set(CostEntry.objects.values_list("entered_by__username", flat=True)) == {"admin-costs"}


def test_show_gives_the_month_by_source_to_the_fen(book, tmp_path, capsys):
    """Clause: KPI-2 — March 2026 with staff 80,000.00 and telephony 12,500.50 imported: SMS 61.70, letters 102.00,
    commissions 494.61, legal 2,500.00; 95,658.81 in all, as text and as JSON."""
    path = tmp_path / "costs.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["costs", "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["costs", "show", "--month", "2026-03", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["month"], shown["total"]) == ("2026-03", "95658.81")
    assert shown["by_source"] == {
        "sms": "61.70",
        "email": "0.00",
        "letters": "102.00",
        "commissions": "494.61",
        "legal": "2500.00",
        "staff": "80000.00",
        "telephony": "12500.50",
        "other": "0.00",
    }
    assert [(e["team"], e["kind"], e["amount"]) for e in shown["entries"]] == [
        (None, "telephony", "12500.50"),
        ("催收一组", "staff", "80000.00"),
    ]
    assert main(["costs", "show", "--month", "2026-03"]) == 0
    text = capsys.readouterr().out
    assert "SMS sent (1,234)" in text
    assert text.splitlines()[9].split() == ["total", "95658.81"]
    assert main(["costs", "show", "--month", "2026-13"]) == 2
