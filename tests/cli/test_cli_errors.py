"""A command meeting a database that is not ready, or a date it cannot count from, says so in one line on stderr
with what to do — never a traceback."""

from __future__ import annotations

import os
import subprocess

from scratch import ARREARS


def run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["ARREARS_VAR"] = str(tmp_path / "var")  # a new, empty SQLite database: never migrated
    return subprocess.run([ARREARS, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_database_never_migrated_is_one_line_saying_to_migrate(tmp_path):
    done = run(tmp_path, "complaints", "sla", "--on", "2026-12-06", "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "arrears: error: the database could not answer (no such table: complaints_complaint); "
        "check DATABASE_URL and run `arrears manage migrate`"
    ]


def test_a_day_at_the_end_of_the_calendar_is_refused_with_the_range(tmp_path):
    done = run(tmp_path, "complaints", "sla", "--on", "9999-12-31")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "give a date from 1901 to 9998" in done.stderr
