"""`arrears policy show` and `arrears policy check`."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.cli import main


def test_show_json_has_every_section(capsys):
    """`policy show --json` prints the policy in force with money-like values as strings."""
    assert main(["policy", "show", "--on", "2026-03-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["on"] == "2026-03-01"
    assert out["version"] == {"name": "SPEC defaults", "effective_from": None, "source": "built-in"}
    assert out["policy"]["penalty"] == {"markup": "0.50", "day_basis": 360, "compound_on_interest": True}
    assert out["policy"]["contact"]["quiet_start"] == "22:00:00"
    assert out["policy"]["plan"]["income_share"] == "0.30"


def test_show_with_a_version_file(tmp_path, capsys):
    """`--file` puts a version in force from its date."""
    f = tmp_path / "v.toml"
    f.write_text("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.35\n")
    assert main(["policy", "show", "--on", "2027-01-01", "--file", str(f)]) == 0
    out = capsys.readouterr().out
    assert "policy of 2027-01-01" in out
    assert "in force since 2027-01-01" in out
    assert "penalty.markup" in out
    assert "0.35" in out


def test_check_valid_file_lists_its_changes(tmp_path, capsys):
    """A valid file is accepted and its overrides are listed."""
    f = tmp_path / "v.toml"
    f.write_text("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.35\n")
    assert main(["policy", "check", str(f)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{f}: valid; 'policy of 2027-01-01' in force from 2027-01-01",
        "  penalty.markup = 0.35",
    ]


def test_check_invalid_file_exits_non_zero_with_key_value_range(tmp_path, capsys):
    """An invalid file exits 1 and names key, value and allowed range, without a traceback."""
    f = tmp_path / "bad.toml"
    f.write_text("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.8\n")
    assert main(["policy", "check", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f}: penalty.markup = 0.8: outside the allowed range (allowed: from 0.30 to 0.50)" in err
    assert "Traceback" not in err


def test_bad_date_is_one_line(capsys):
    """A bad --on is one line on stderr, exit 2."""
    assert main(["policy", "show", "--on", "2026-02-30"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'2026-02-30' is not a date; write YYYY-MM-DD" in err[0]


def test_markdown_table_matches_the_readme(capsys):
    """The README lists every policy parameter with its default and clause."""
    from pathlib import Path

    assert main(["policy", "show", "--on", "2026-01-01", "--markdown"]) == 0
    table = capsys.readouterr().out.strip().splitlines()
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text(encoding="utf-8")
    missing = [line for line in table if line not in readme]
    assert missing == [], "README policy table is stale; regenerate with `arrears policy show --markdown`"


def _feed(day):
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.portfolio.models import FeedLoad

    at = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    FeedLoad.objects.create(
        business_date=day,
        digest=f"{day:%Y%m%d}".ljust(64, "0"),
        started_at=at,
        finished_at=at,
        status="done",
        imported_by=User.objects.get(username=SYSTEM_USERNAME),
    )


@pytest.mark.django_db
def test_show_defaults_to_the_newest_feeds_business_date(capsys):
    """Clause: practice — without --on the policy shown is the one in force on the newest feed's business
    date (as `run-daily` finds it), and the output says so."""
    _feed(date(2026, 2, 27))
    _feed(date(2026, 3, 2))
    assert main(["policy", "show", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["on"], out["on_chosen"]) == ("2026-03-02", "the newest feed's business date")
    assert main(["policy", "show"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "Policy on 2026-03-02 (the newest feed's business date): SPEC defaults (built-in)"


@pytest.mark.django_db
def test_show_without_a_feed_uses_today_in_shanghai_and_says_why(capsys):
    """Clause: practice — no feed loaded: today's date in Asia/Shanghai, stated."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert main(["policy", "show", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["on"], out["on_chosen"]) == (today.isoformat(), "today in Asia/Shanghai: no feed is loaded")


def test_show_without_a_database_still_answers(capsys):
    """Clause: practice — `policy show` is pure: when the database cannot be read (here the test runner forbids
    it) it falls back to today in Asia/Shanghai, says so, and exits 0."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert main(["policy", "show", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["on"] == today.isoformat()
    assert out["on_chosen"].startswith("today in Asia/Shanghai: the database could not be read (")
