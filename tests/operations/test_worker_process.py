"""`arrears worker --once` in real processes on a scratch database (SQLite file, or PostgreSQL when the suite
runs on it): a dropped feed goes through import → nightly run → dispatch; two workers started at once run each
job once; a failing job is retried with backoff and then emailed to the administrators over real SMTP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from daily.test_kill_process import ARREARS, arrears, scratch_database

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "feed-example"  # business date 2026-03-02


def instant(value) -> datetime:
    """A timestamp as SQLite (text) or PostgreSQL (datetime) returns it, as an aware datetime."""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


TIMES = "SELECT queued_at, not_before, started_at, finished_at FROM operations_jobrun WHERE job = 'feed' AND attempt = "
ATTEMPT = {n: TIMES + str(n) for n in (1, 2, 3)}


def attempt_times(query, attempt: int) -> dict[str, datetime]:
    row = query(ATTEMPT[attempt])
    return {k: instant(v) for k, v in zip(("queued_at", "not_before", "started_at", "finished_at"), row, strict=True)}


def drop_feed(feed_dir: Path, day: str, source: Path = EXAMPLE) -> Path:
    target = feed_dir / day
    shutil.copytree(source, target)
    (target / ".ready").touch()  # written last: the feed is complete
    return target


@pytest.fixture
def worker_env(tmp_path):
    with scratch_database(tmp_path) as (url, query):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "worker-test-" + "x" * 40,
            "ARREARS_VAR": str(tmp_path / "var"),
            "ARREARS_FEED_DIR": str(tmp_path / "feed"),
            "ARREARS_PRINT_BATCH_HOUR": "23",
        }
        env.pop("ARREARS_SMTP_HOST", None)
        arrears(env, "manage", "migrate", "--no-input", "-v", "0")
        yield env, query, tmp_path / "feed"


def test_a_dropped_feed_is_imported_run_and_dispatched(worker_env):
    env, query, feed_dir = worker_env
    drop_feed(feed_dir, "2026-03-02")
    env = {**env, "ARREARS_PRINT_BATCH_HOUR": "0"}  # the print batch is due from midnight: whatever the hour now
    out = arrears(env, "worker", "--once", "--json")
    runs = json.loads(out.stdout)["runs"]
    assert [(r["job"], r["state"]) for r in runs[:2]] == [("feed", "succeeded"), ("nightly", "succeeded")]
    assert runs[0]["slot"].startswith("2026-03-02@")
    assert runs[1]["slot"] == "2026-03-02"
    assert {"dispatch", "purge"} <= {r["job"] for r in runs[2:]}  # both chained after the nightly run
    assert [r["slot"] for r in runs if r["job"] == "purge"] == ["after-nightly-2026-03-02"]
    printed = [r for r in runs if r["job"] == "print_batch"]
    assert [(r["state"], r["summary"]) for r in printed] == [("succeeded", "no letters to print")]
    assert all(r["state"] == "succeeded" for r in runs)
    assert query("SELECT COUNT(*) FROM portfolio_loan")[0] == 5  # the example feed's five loans
    assert query("SELECT COUNT(*), MIN(status) FROM daily_run") == (1, "done")
    assert not (feed_dir / "2026-03-02").exists()
    assert (feed_dir / "processed" / "2026-03-02" / "loans.csv").is_file()
    started = query("SELECT COUNT(*) FROM compliance_auditevent WHERE action = 'operations.start_job_run'")[0]
    assert started == len(runs)
    again = json.loads(arrears(env, "worker", "--once", "--json").stdout)["runs"]
    assert {r["job"] for r in again}.isdisjoint({"feed", "nightly"})  # the feed is done: not imported again
    assert arrears(env, "audit", "verify").returncode == 0


def test_two_workers_started_at_once_run_each_job_once(worker_env):
    env, query, feed_dir = worker_env
    drop_feed(feed_dir, "2026-03-02")
    procs = [
        subprocess.Popen([ARREARS, "worker", "--once", "--json"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    ran = [r for out in outs for r in json.loads(out)["runs"]]
    jobs = [r["job"] for r in ran]
    assert jobs.count("feed") == 1
    assert jobs.count("nightly") == 1
    assert jobs.count("purge") == 1
    slots = [(r["job"], r["slot"]) for r in ran]
    assert len(slots) == len(set(slots))  # no slot ran twice
    rows = query("SELECT COUNT(*), COUNT(DISTINCT job || slot) FROM operations_jobrun")
    assert rows[0] == rows[1] == len(ran)
    assert query("SELECT COUNT(*) FROM operations_jobrun WHERE state <> 'succeeded'")[0] == 0
    started = query("SELECT COUNT(*) FROM compliance_auditevent WHERE action = 'operations.start_job_run'")[0]
    assert started == len(ran)
    assert query("SELECT COUNT(*) FROM daily_run")[0] == 1
    assert query("SELECT COUNT(*) FROM portfolio_feedload")[0] == 1


def test_a_failing_job_is_retried_with_backoff_then_emailed(worker_env, smtp_server, settings):
    env, query, feed_dir = worker_env
    broken = drop_feed(feed_dir, "2026-03-02")
    (broken / "loans.csv").unlink()  # a feed without its loans file cannot be imported
    env = {
        **env,
        "ARREARS_SMTP_HOST": "127.0.0.1",
        "ARREARS_SMTP_PORT": str(settings.EMAIL_PORT),
        "ARREARS_SMTP_TLS": "0",
        "ARREARS_WORKER_MAIL_TO": "ops@bank.example.com",
        "ARREARS_WORKER_MAX_ATTEMPTS": "3",
        "ARREARS_WORKER_BACKOFF_SECONDS": "1",
    }
    out = arrears(env, "worker", "--once", "--json", check=False)
    assert out.returncode == 1
    assert "failed after 3 attempts" in out.stderr
    feed_runs = [r for r in json.loads(out.stdout)["runs"] if r["job"] == "feed"]
    assert [(r["attempt"], r["state"]) for r in feed_runs] == [(1, "failed"), (2, "failed"), (3, "failed")]
    assert "loans" in feed_runs[0]["error"]
    # The backoff, as recorded: attempt 2 queued for 1 s after attempt 1 failed, attempt 3 for 2 s after attempt 2.
    times = [attempt_times(query, n) for n in (1, 2, 3)]
    assert times[1]["not_before"] - times[0]["finished_at"] == timedelta(seconds=1)
    assert times[2]["not_before"] - times[1]["finished_at"] == timedelta(seconds=2)
    assert all(t["started_at"] >= t["not_before"] for t in times)
    assert query("SELECT mailed FROM operations_jobrun WHERE job = 'feed' AND attempt = 3")[0] == "sent"
    assert query("SELECT COUNT(*) FROM daily_run")[0] == 0  # nothing chained after a failure
    assert (feed_dir / "failed" / "2026-03-02").is_dir()
    assert len(smtp_server.envelopes) == 1
    mail = smtp_server.envelopes[0]
    assert mail.rcpt_tos == ["ops@bank.example.com"]
    body = mail.content.decode("utf-8", "replace")
    assert "loans" in body
    events = query("SELECT COUNT(*) FROM compliance_auditevent WHERE action = 'operations.mail_job_failure'")[0]
    assert events == 1
