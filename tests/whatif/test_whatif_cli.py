"""`arrears whatif --policy FILE --from D1 --to D2 [--json] [--user NAME]`: the interface the checks use, and
what it says about bad input (nothing is written either way)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from whatif_history import FIRST, NIGHTS, run_history

from arrears.cli import main
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

LAST = FIRST + timedelta(days=NIGHTS - 1)
FIVE = 'effective_from = 2027-06-01\nname = "five days"\n[reminders]\nadvance_days = 5\n'


@pytest.fixture
def history():
    return run_history(borrowers=20)


def whatif(tmp_path, text: str, *args: str) -> int:
    path = tmp_path / "candidate.toml"
    path.write_text(text, encoding="utf-8")
    return main(["whatif", "--policy", str(path), *args])


def test_json_gives_each_night_and_the_total_on_both_sides(history, tmp_path, capsys):
    """Clause: REM-1, TEAM-1, TEAM-2, LGL-1 — the shape the checks read: `days` (one per night, in order, each with
    `date`, `baseline`, `candidate`) and `total`; every side with reminders (written, phone), letters, calls due,
    legal referrals and cases by pool; the candidate's earlier reminders show in the written ones only."""
    assert whatif(tmp_path, FIVE, "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert [day["date"] for day in out["days"]] == [(FIRST + timedelta(days=i)).isoformat() for i in range(NIGHTS)]
    sides = [day[side] for day in out["days"] for side in ("baseline", "candidate")]
    sides += [out["total"]["baseline"], out["total"]["candidate"]]
    for side in sides:
        assert set(side["reminders"]) >= {"written", "phone"}
        assert set(side["cases_by_pool"]) == {"junior", "senior", "supervisor"}
        assert all(isinstance(side[key], int) for key in ("letters", "calls_due", "legal_referrals"))
        assert set(side["waivers_eligible"]) == {"loans", "max_fen"}
        assert "feasible" in side["plans_feasible"]
    total = out["total"]
    assert total["baseline"]["reminders"]["phone"] == total["candidate"]["reminders"]["phone"]
    written = [
        (day["baseline"]["reminders"]["written"], day["candidate"]["reminders"]["written"]) for day in out["days"]
    ]
    assert any(before != after for before, after in written)
    assert total["baseline"]["reminders"]["written"] == sum(before for before, _ in written)
    assert out["policy"] == {
        "baseline": ["SPEC defaults"],
        "candidate": "five days",
        "overrides": {"reminders.advance_days": "5"},
    }


def test_the_table_compares_the_totals_and_lists_the_nights(history, tmp_path, capsys):
    """Clause: REM-1 — without --json: the totals side by side with the change, then a line per night."""
    assert whatif(tmp_path, FIVE, "--from", FIRST.isoformat(), "--to", LAST.isoformat()) == 0
    out = capsys.readouterr().out
    assert f"what-if {FIRST} .. {LAST} ({NIGHTS} nights): 'five days'" in out
    assert "reminders.advance_days = 5" in out
    assert any(line.startswith("reminders by phone") and line.split()[-1] == "0" for line in out.splitlines())
    assert sum(line.startswith("2026-11-0") for line in out.splitlines()) == NIGHTS


@pytest.mark.parametrize(
    ("text", "args", "said"),
    [
        (
            FIVE.replace("= 5", "= 99"),
            ("--from", "2026-11-02", "--to", "2026-11-08"),
            "is not a valid policy",
        ),
        (FIVE, ("--from", "2026-11-05", "--to", "2026-11-03"), "The period ends (2026-11-03) before it begins"),
        (FIVE, ("--from", "2026-11-02", "--to", "2026-11-09"), "The newest nightly run done is of 2026-11-08"),
        (FIVE, ("--from", "2026-11-02", "--to", "2026-11-08", "--user", "nobody"), "no user 'nobody'"),
    ],
)
def test_bad_input_is_refused_with_what_to_do_and_nothing_written(history, tmp_path, capsys, text, args, said):
    """Clause: AUTH-4 — a policy out of range, a period backwards or not yet run, an unknown user: exit 1, the
    reason on stderr, no ledger event."""
    events = AuditEvent.objects.count()
    assert whatif(tmp_path, text, *args) == 1
    assert said in capsys.readouterr().err
    assert AuditEvent.objects.count() == events


def test_a_date_that_is_not_a_date_is_a_usage_error(tmp_path, capsys):
    """Clause: practice — `--from 2026-13-01` and a NUL: exit 2, saying how to write a date."""
    assert whatif(tmp_path, FIVE, "--from", "2026-13-01", "--to", "2026-11-08") == 2
    assert "write YYYY-MM-DD" in capsys.readouterr().err
    assert whatif(tmp_path, FIVE, "--from", "2026-11-02\x00", "--to", "2026-11-08") == 2


def test_who_may_run_a_what_if(history, tmp_path, capsys):
    """Clause: AUTH-1 — an analyst and a supervisor may (`reports.whatif`); a junior collector is refused, the
    permission named, nothing written."""
    make_user("analyst", username="li-analyst")
    make_user("supervisor", username="zhao-supervisor")
    make_user("junior_collector", username="qian-junior")
    period = ("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--json")
    for allowed in ("li-analyst", "zhao-supervisor"):
        assert whatif(tmp_path, FIVE, *period, "--user", allowed) == 0
    capsys.readouterr()
    events = AuditEvent.objects.count()
    assert whatif(tmp_path, FIVE, *period, "--user", "qian-junior") == 1
    assert "reports.whatif" in capsys.readouterr().err
    assert AuditEvent.objects.count() == events
