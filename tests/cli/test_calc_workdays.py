"""`arrears calc workdays`: working-day answers from the command line, and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import arrears.workdays as workdays
from arrears.cli import main
from arrears.cli.calc_workdays import workdays as workdays_command


@pytest.fixture(autouse=True)
def package_calendar_only(monkeypatch):
    """Every test sees the package's calendar only, whatever ARREARS_CALENDAR_FILES says outside."""
    monkeypatch.delenv(workdays.CALENDAR_FILES_ENV, raising=False)
    workdays.reset_default_calendar()
    yield
    workdays.reset_default_calendar()


def _run(*args: str):
    return CliRunner().invoke(workdays_command, list(args))


def test_letter_follow_up_due_date_as_json():
    """A letter sent 2026-09-30: the confirmation call is due 3 working days later, on the make-up
    Saturday 2026-10-10 (National Day Oct 1–7 is off).

    Clause: LTR-3"""
    result = _run("--from", "2026-09-30", "--add", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"date": "2026-10-10"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2026-09-30", "--between", "2026-10-12"], {"working_days": 4}),
        (["--from", "2026-10-12", "--between", "2026-09-30"], {"working_days": -4}),
        (["--from", "2026-10-01", "--next"], {"date": "2026-10-08"}),
        (["--from", "2026-10-10", "--add", "-3"], {"date": "2026-09-30"}),
        (["--from", "2026-10-10", "--is-working"], {"working_day": True}),
        (["--from", "2026-10-17", "--is-working"], {"working_day": False}),
    ],
)
def test_json_answers(args, expected):
    """Each question has a small JSON shape: {"date"}, {"working_days"} or {"working_day"}."""
    result = _run(*args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--from", "2026-09-30", "--add", "3"],
            "2026-10-10 (Saturday): 3 working days after 2026-09-30 (Wednesday)",
        ),
        (
            ["--from", "2026-09-30", "--between", "2026-10-12"],
            "4 working days after 2026-09-30 (Wednesday) up to and including 2026-10-12 (Monday)",
        ),
        (
            ["--from", "2026-10-01", "--next"],
            "2026-10-08 (Thursday) is the first working day on or after 2026-10-01 (Thursday)",
        ),
        (
            ["--from", "2026-10-10", "--is-working"],
            "2026-10-10 (Saturday) is a working day (a make-up working day for National Day)",
        ),
        (
            ["--from", "2026-10-05", "--is-working"],
            "2026-10-05 (Monday) is not a working day (holiday: National Day)",
        ),
    ],
)
def test_readable_lines(args, line):
    """Without --json the answer is one readable line saying what was counted."""
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert result.output == line + "\n"


def test_a_calendar_file_can_be_tried_before_it_is_listed(tmp_path):
    """--calendar-file lays a file over the default calendar, for checking a new year's file (2031 here
    is a test-only year with fictitious dates)."""
    path = tmp_path / "2031.toml"
    path.write_text(
        '[2031]\nholidays = [{ name = "春节", first = 2031-01-22, last = 2031-01-28 }]\n'
        'makeup_workdays = [{ name = "春节", date = 2031-01-19 }]\n',
        encoding="utf-8",
    )
    result = _run("--from", "2031-01-17", "--add", "1", "--calendar-file", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"date": "2031-01-19"}


def test_through_the_arrears_entry_point(capsys):
    """`arrears calc workdays` is registered under `calc` and prints the answer.

    Clause: LTR-3"""
    assert main(["calc", "workdays", "--from", "2026-09-30", "--add", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"date": "2026-10-10"}


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["--from", "2026-13-01", "--add", "1"], 2, "'2026-13-01' is not a date; write YYYY-MM-DD"),
        (["--add", "1"], 2, "Missing option '--from'"),
        (["--from", "2026-09-30"], 2, "say what to compute: --add N, --between DATE, --next or --is-working"),
        (["--from", "2026-09-30", "--add", "1", "--next"], 2, "give only one of"),
        (["--from", "2026-09-30", "--add", "x"], 2, "'x' is not a valid integer"),
        (["--from", "2027-01-04", "--add", "1"], 1, "no working-day calendar for 2027"),
        (["--from", "2026-12-30", "--add", "5"], 1, "ARREARS_CALENDAR_FILES"),
        (["--from", "2026-09-30", "--add", "1", "--calendar-file", "/nonexistent/x.toml"], 1, "cannot be read"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_status(capsys, args, status, says):
    """A bad date, an unknown year, a missing question or a bad file: one line on stderr, no traceback."""
    assert main(["calc", "workdays", *args]) == status
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("arrears")
    assert "error:" in lines[0]
    assert says in lines[0]
    assert "Traceback" not in captured.err
