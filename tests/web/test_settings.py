"""Deployment settings come from the environment and fail loudly when wrong."""

from __future__ import annotations

import os
import subprocess
import sys

OWN = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ARREARS_SESSION_IDLE_MINUTES"}
SHOW = "print(s.DATABASES['default']['ENGINE'], s.DEBUG, len(s.SECRET_KEY))"


def load_settings(tmp_path, show: str = SHOW, **env: str) -> subprocess.CompletedProcess[str]:
    """Import arrears.settings in a fresh interpreter with exactly these variables; run `show` on it."""
    base = {k: v for k, v in os.environ.items() if k not in OWN}
    code = f"import arrears.settings as s; {show}"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "ARREARS_VAR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_embedded_default_is_sqlite_under_var_with_a_generated_key(tmp_path):
    """With nothing set: SQLite in var/, debug off, a 0600 secret key kept beside it."""
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False", "67"]
    key = tmp_path / "var" / "secret_key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = load_settings(tmp_path)
    assert again.stdout == result.stdout  # the same key, not a new one each start


def test_database_url_without_secret_key_is_refused(tmp_path):
    """A real deployment must set SECRET_KEY; the error says so."""
    result = load_settings(tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.returncode != 0
    assert "SECRET_KEY is not set; set it in the environment" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_database_url_selects_postgresql(tmp_path):
    """DATABASE_URL chooses the database."""
    result = load_settings(tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/x", SECRET_KEY="k" * 50, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "True", "50"]


def test_a_debug_value_that_is_not_a_boolean_is_refused(tmp_path):
    """DEBUG=maybe is an error naming the variable and the accepted values."""
    result = load_settings(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean; use 1/0, true/false, yes/no or on/off" in result.stderr


IDLE = "print(s.SESSION_COOKIE_AGE)"


def test_the_idle_timeout_comes_from_the_environment(tmp_path):
    """ARREARS_SESSION_IDLE_MINUTES (default 30); a bad value stops start-up with a message."""
    assert load_settings(tmp_path, IDLE).stdout.split() == ["1800"]
    assert load_settings(tmp_path, IDLE, ARREARS_SESSION_IDLE_MINUTES="10").stdout.split() == ["600"]
    bad = load_settings(tmp_path, IDLE, ARREARS_SESSION_IDLE_MINUTES="ten")
    assert bad.returncode != 0
    assert "ARREARS_SESSION_IDLE_MINUTES='ten' is not a whole number from 1 to 1440" in bad.stderr
