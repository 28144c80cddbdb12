"""A scratch database of its own for a test that starts `arrears` in a subprocess: a temporary PostgreSQL
database when the suite runs on PostgreSQL (dropped afterwards), a temporary SQLite file otherwise."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings

ARREARS = str(Path(sys.executable).parent / "arrears")


@contextmanager
def scratch_database(tmp_path: Path):
    """(DATABASE_URL, a function running one SQL query and returning the first row)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        path = tmp_path / "run.sqlite3"

        def query(sql: str):
            with sqlite3.connect(path) as conn:
                return conn.execute(sql).fetchone()

        yield f"sqlite:///{path}", query
        return
    name = f"arrears_kill_{uuid.uuid4().hex[:10]}"
    server = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None}
    password = db.get("PASSWORD") or ""
    with psycopg.connect(dbname="postgres", autocommit=True, password=password or None, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{server['user'] or 'postgres'}:{password}@" if password else f"{server['user'] or 'postgres'}@"
    url = f"postgres://{auth}{server['host'] or '127.0.0.1'}:{server['port'] or 5432}/{name}"

    def query(sql: str):
        with psycopg.connect(dbname=name, autocommit=True, password=password or None, **server) as conn:
            return conn.execute(sql).fetchone()

    try:
        yield url, query
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, password=password or None, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
