"""The nightly run on Apache Spark (`arrears.spark`): on `local[2]`, the same decisions as the engine in this
process, frame for frame and row for row, and `run-daily --engine spark` leaves the database as the local run
does. The book is the demo bank's (`arrears demo`), on its first day and on the day after its first run (open
cases, calls and tasks by then)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import polars as pl
import psycopg
import pytest
from spark_needed import need_spark

from arrears.cli import main
from book import nightly_run
from scratch import ARREARS, scratch_database

DAY = "2026-11-27"
LOANS = "400"


@pytest.fixture
def engine(tmp_path):
    need_spark()
    from arrears.spark.runner import SparkEngine

    with SparkEngine("local[2]", tmp_path / "spark", parts=3) as spark:
        yield spark


def unordered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def assert_same_decisions(local, spark) -> None:
    for name, mine in local.frames().items():
        theirs = spark.frames()[name]
        assert theirs.schema == mine.schema, name
        assert unordered(theirs).equals(unordered(mine)), f"{name}: {theirs.height} rows on Spark, {mine.height} here"


@pytest.mark.django_db
def test_spark_decides_as_the_local_engine_on_the_demo_book(engine, settings, tmp_path, capsys):
    """Clause: CLS-1, CLS-2, REM-1 — every decision frame equal, order aside, on two days of the demo book."""
    from datetime import date

    from arrears.daily.actions import do_run_daily
    from arrears.daily.read import read_inputs
    from arrears.engine.params import Terms
    from arrears.engine.runner import decide
    from arrears.rules.queries import calendar, policy_book

    settings.VAR_DIR = tmp_path / "var"
    assert main(["demo", "--loans", LOANS, "--business-date", DAY, "--out", str(tmp_path / "feed")]) == 0
    capsys.readouterr()
    first = date.fromisoformat(DAY)
    heights = {}
    for day in (first, first + timedelta(days=1)):
        terms = Terms.of(policy_book().version_on(day).policy, day)
        inputs = read_inputs(terms)
        local = decide(inputs, terms, calendar())
        for shuffle in (False, True):  # one task per partition's file; Spark grouping the book itself
            engine.shuffle = shuffle
            assert_same_decisions(local, engine(inputs, terms, calendar()))
        heights[day] = {name: frame.height for name, frame in local.frames().items()}
        if day == first:
            do_run_daily(day, actor=nightly_run())
    # The book gives the comparison something to compare on both days.
    assert heights[first]["positions"] > 20
    assert heights[first]["cases"] > 10
    assert heights[first]["reminders"] > 5
    assert heights[first + timedelta(days=1)]["tasks"] > 0


# What a run leaves, compared between the two databases: every row, without timestamps and the ledger's hashes
# (which cover the timestamps).
STATE = {
    "portfolio_loanposition": "*",
    "portfolio_delinquencyrecord": "business_date, dpd, delinquency_class, clause, loan_id, source",
    "collection_collectioncase": "*",
    "collection_caseevent": "*",
    "collection_task": "*",
    "notices_notice": "kind, channel, due_date, instalment_n, amount_fen, status, queued_on, clause, borrower_id, "
    "loan_id, key, language, reason, plan_id",
    "compliance_changerecord": "*",
    "compliance_auditevent": "actor_username, actor_role, action, subject_type, subject_id, basis, changes, reason",
    "daily_run": "business_date, status, attempts, cursor, policy_name, summary, changes",
}


def state(url: str) -> dict[str, list]:
    tables = {}
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for table, columns in STATE.items():
                tables[table] = sorted(map(repr, conn.execute(f"SELECT {columns} FROM {table}").fetchall()))  # noqa: S608
        return tables
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        for table, columns in STATE.items():
            tables[table] = sorted(map(repr, conn.execute(f"SELECT {columns} FROM {table}").fetchall()))  # noqa: S608
    return tables


def arrears(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARREARS, *args], env=env, capture_output=True, text=True, check=False, timeout=900)


@contextmanager
def twin(url: str, var: Path, name: str):
    """A copy of the scratch database (and of its var directory) for a second run from the same start."""
    shutil.copytree(var, var.with_name(name))
    if url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        shutil.copy(source, source.with_name(f"{name}.sqlite3"))
        yield f"sqlite:///{source.with_name(f'{name}.sqlite3')}", var.with_name(name)
        return
    base, _, db = url.rpartition("/")
    copy = f"{db}_{name}"
    server = base.replace("postgres://", "postgresql://")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{db}"')
    try:
        yield f"{base}/{copy}", var.with_name(name)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def test_run_daily_on_spark_leaves_the_database_as_the_local_run(tmp_path):
    """Clause: CLS-1, CLS-2, REM-1, AUTH-4 — `arrears run-daily --engine spark --master local[2]` on one copy
    of the demo bank, `arrears run-daily` on another: the same positions, cases, events, tasks, notices, sealed
    change records and ledger events (timestamps and hashes aside)."""
    need_spark()
    states = {}
    with scratch_database(tmp_path) as (url, _query):
        var = tmp_path / "var"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "spark-test", "ARREARS_VAR": str(var)}
        assert arrears(env, "manage", "migrate", "--no-input", "-v", "0").returncode == 0
        assert arrears(env, "demo", "--loans", LOANS, "--business-date", DAY).returncode == 0
        with twin(url, var, "spark") as (spark_url, spark_var):
            spark_env = {**env, "DATABASE_URL": spark_url, "ARREARS_VAR": str(spark_var)}
            spark = ("--engine", "spark", "--master", "local[2]", "--spark-parts", "3")
            for name, run_env, extra in (("local", env, ()), ("spark", spark_env, spark)):
                run = arrears(run_env, "run-daily", *extra)
                assert run.returncode == 0, run.stderr
                assert f"run of {DAY}: done" in run.stdout
                states[name] = state(run_env["DATABASE_URL"])
    assert states["local"]["collection_collectioncase"], "the demo book opens cases on its first day"
    for table in STATE:
        assert states["spark"][table] == states["local"][table], table


@pytest.mark.parametrize(
    ("master", "says"),
    [
        ("local[two]", "Spark master local[two] is not a master URL; use one of: local, local[N]"),
        ("spark:/host", "Spark master spark:/host is not a master URL"),
    ],
)
def test_a_bad_master_is_one_clear_line(tmp_path, master, says):
    """A master Spark would not understand is refused before anything runs: one line, exit 1, no traceback."""
    env = {**os.environ, "SECRET_KEY": "spark-test", "ARREARS_VAR": str(tmp_path)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    run = arrears(env, "run-daily", "--engine", "spark", "--master", master)
    assert run.returncode == 1
    assert says in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_no_java_is_one_clear_line(tmp_path):
    """Without Java the Spark engine says what to install, before anything runs."""
    need_spark()
    env = {**os.environ, "SECRET_KEY": "spark-test", "ARREARS_VAR": str(tmp_path), "JAVA_HOME": ""}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["PATH"] = str(tmp_path)  # nothing on it: no java
    run = subprocess.run(
        [ARREARS, "run-daily", "--engine", "spark", "--master", "local[2]"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 1
    assert "the Spark engine needs Java 17" in run.stderr
    assert "openjdk-17-jre-headless" in run.stderr
    assert "Traceback" not in run.stderr
