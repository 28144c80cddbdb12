"""`arrears run-daily` killed with SIGKILL in the middle of applying, twice, then run to the end: the same
changes as the dry run announced, nothing twice, the audit chain intact.

The run works on a scratch database of its own (a temporary PostgreSQL database when the suite runs on
PostgreSQL, a temporary SQLite file otherwise), filled by `arrears demo`; the test watches the run ledger's
cursor from outside and kills the process once a chunk has committed, as an operator or the OOM killer would.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time

import psycopg

from scratch import ARREARS, scratch_database


def arrears(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([ARREARS, *args], env=env, capture_output=True, text=True, check=check, timeout=600)


def kill_when_applying(env: dict, query, *, after_cursor_moves: int) -> bool:
    """Start a run; SIGKILL it once the ledger cursor has moved `after_cursor_moves` times. True if killed."""
    before = query("SELECT cursor FROM daily_run")
    start_cursor = before[0] if before else 0
    process = subprocess.Popen(
        [ARREARS, "run-daily", "--chunk", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen, moves = start_cursor, 0
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        try:
            row = query("SELECT cursor FROM daily_run")
        except (sqlite3.OperationalError, psycopg.Error):
            row = None
        if row and row[0] != seen:
            seen, moves = row[0], moves + 1
            if moves >= after_cursor_moves:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
        time.sleep(0.02)
    process.wait()
    return False


def test_a_run_killed_twice_ends_as_the_dry_run_said(tmp_path):
    """Idempotent and resumable: two SIGKILLs mid-apply, then a clean finish; changes as announced."""
    with scratch_database(tmp_path) as (url, query):
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "kill-test", "ARREARS_VAR": str(tmp_path / "var")}
        arrears(env, "manage", "migrate", "--no-input", "-v", "0")
        arrears(env, "demo", "--loans", "400", "--business-date", "2026-11-27")
        announced = json.loads(arrears(env, "run-daily", "--dry-run", "--json").stdout)["changes"]
        assert announced["cases_opened"] > 10
        killed = [kill_when_applying(env, query, after_cursor_moves=moves) for moves in (3, 5)]
        assert killed == [True, True]
        status, attempts = query("SELECT status, attempts FROM daily_run")
        assert (status, attempts) == ("running", 2)
        final = json.loads(arrears(env, "run-daily", "--json").stdout)
        assert final["status"] == "done"
        assert final["attempts"] == 3
        assert final["changes"] == announced
        assert query("SELECT COUNT(*) FROM notices_notice")[0] == announced.get("reminders_queued", 0)
        assert query("SELECT COUNT(*) FROM collection_collectioncase")[0] == announced["cases_opened"]
        assert query("SELECT COUNT(*) FROM portfolio_loanposition")[0] == announced["positions_written"]
        assert arrears(env, "audit", "verify").returncode == 0
        again = json.loads(arrears(env, "run-daily", "--json").stdout)
        assert again["already_done"] is True
