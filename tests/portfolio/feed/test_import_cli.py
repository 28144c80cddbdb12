"""`arrears import DIR --business-date D [--replay] [--user NAME] [--json]`: progress on stderr, a summary or
one JSON object on stdout, and one line on stderr with a non-zero status when the feed cannot be imported."""

from __future__ import annotations

import json
import re
import sys

import pytest
from feed_samples import BORROWERS

from arrears.cli import main

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_summary_of_the_example_feed(example_feed, nightly, var_dir, capsys, monkeypatch):
    """--json prints one object: per-file counts, the report path and the phases' seconds; progress of the
    four phases goes to stderr (a terminal here); the nightly run is the default importer."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, str(example_feed), "--business-date", "2026-03-02", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["status"] == "done"
    assert summary["files"]["loans"] == {
        "file": "loans.csv",
        "read": 5,
        "inserted": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert re.search(r"feeds/2026-03-02/[0-9a-f]{12}/rejections\.csv$", summary["report_path"])
    assert set(summary["seconds"]) == {"read", "validate", "load", "post", "total"}
    for phase in ("read", "validate", "load", "post"):
        assert phase in err
    from arrears.portfolio.models import FeedLoad

    assert FeedLoad.objects.get().imported_by == nightly


def test_text_summary_then_already_loaded(example_feed, nightly, var_dir, capsys):
    """The readable summary has a line per file; a second run says the feed was already loaded."""
    code, out, _ = run(capsys, str(example_feed), "--business-date", "2026-03-02")
    assert code == 0
    assert "loaded" in out.splitlines()[0]
    assert any(line.startswith("schedules.csv") and " 37 " in line for line in out.splitlines())
    code, out, _ = run(capsys, str(example_feed), "--business-date", "2026-03-02")
    assert code == 0
    assert "already loaded" in out
    assert "nothing changed" in out


def test_rejections_are_summarised_and_exit_zero(write_feed, nightly, var_dir, capsys):
    """Bad rows are the report's business, not a failure of the command: exit 0, faults listed."""
    feed = write_feed("bad", {"borrowers.csv": BORROWERS.replace("low", "lowish"), "loans.csv": "loan_id\n"})
    code, out, _ = run(capsys, str(feed), "--business-date", "2026-03-01")
    assert code == 0
    assert "borrowers.csv row 1 risk_level: must be one of low, medium, high" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "--business-date", "2026-03-01"], "does not exist"),
        (["{feed}", "--business-date", "2026-13-01"], "is not a date"),
        (["{feed}"], "Missing option '--business-date'"),
        (["{feed}", "--business-date", "2026-03-01", "--user", "nobody-here"], "no user 'nobody-here'"),
    ],
)
def test_bad_arguments_are_one_line_on_stderr(args, message, write_feed, nightly, var_dir, capsys, tmp_path):
    """A missing directory, a bad date, no date, an unknown user: one line, non-zero, no traceback."""
    feed = write_feed("f", {"borrowers.csv": BORROWERS, "loans.csv": "loan_id\n"})
    args = [a.format(missing=tmp_path / "nope", feed=feed) for a in args]
    code, out, err = run(capsys, *args)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_a_feed_without_loans_is_refused(write_feed, nightly, var_dir, capsys):
    """borrowers and loans are required files."""
    feed = write_feed("noloans", {"borrowers.csv": BORROWERS})
    code, _, err = run(capsys, str(feed), "--business-date", "2026-03-01")
    assert code == 1
    assert err.strip().endswith("a feed needs borrowers and loans (.csv or .parquet)")
    assert "no loans file" in err


def test_an_older_feed_is_refused_with_a_hint_at_replay(small_feed, nightly, var_dir, capsys):
    """Exit 1 and one line telling to use --replay; with --replay it loads."""
    assert run(capsys, str(small_feed), "--business-date", "2026-03-02")[0] == 0
    code, _, err = run(capsys, str(small_feed), "--business-date", "2026-03-01")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "use --replay" in err
    code, out, _ = run(capsys, str(small_feed), "--business-date", "2026-03-01", "--replay", "--json")
    assert code == 0
    assert json.loads(out)["replay"] is True


def test_a_user_without_the_permission_is_refused(small_feed, make_user, var_dir, capsys):
    """--user picks the importer; an analyst lacks portfolio.import_feed: one line, exit 1."""
    make_user("analyst", username="ana")
    code, out, err = run(capsys, str(small_feed), "--business-date", "2026-03-01", "--user", "ana")
    assert code == 1
    assert out == ""
    assert "portfolio.import_feed" in err


def test_in_a_pipe_only_the_summary(example_feed, nightly, var_dir, capsys, monkeypatch):
    """Clause: practice — stderr not a terminal (cron, a pipe): no progress at all, only the summary on stdout."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    code, out, err = run(capsys, str(example_feed), "--business-date", "2026-03-02")
    assert (code, err) == (0, "")
    assert out.startswith("feed of 2026-03-02 (")
