"""ARREARS_LOG_FORMAT=json: one JSON object per log line, with the request's id and user (issue 16, item 5);
bad values of the log settings are refused at start-up with what to write instead."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from arrears.logs import JsonLines
from factories import make_user

OWN = {"DEBUG", "DATABASE_URL", "SECRET_KEY", "ARREARS_LOG_FORMAT", "ARREARS_LOG_LEVEL"}

# A fresh interpreter with the production settings and JSON logs: a view that fails, answered 500.
SERVER = """
import sys, types
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import path

def boom(request):
    raise RuntimeError("forced failure 7f3a")

module = types.ModuleType("boom_urls")
module.urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = module
setup_test_environment()
settings.ROOT_URLCONF = "boom_urls"
response = Client(raise_request_exception=False).get("/boom/", headers={"X-Request-ID": "edge-4f2a9c11"})
print(response.status_code, response["X-Request-ID"])
"""


def run(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in OWN}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "ARREARS_VAR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "arrears.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_server_error_is_one_json_line_with_the_request_id(tmp_path):
    """Every stderr line parses as JSON; the 500's record: UTC time, level, logger, message, the id the proxy sent
    (echoed in the answer's X-Request-ID), and the traceback."""
    result = run(tmp_path, SERVER, ARREARS_LOG_FORMAT="json")
    assert result.stdout.split() == ["500", "edge-4f2a9c11"], result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    (error,) = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["message"] == "Internal Server Error: /boom/"
    assert error["request_id"] == "edge-4f2a9c11"
    assert error["time"].endswith("Z")
    assert len(error["time"]) == len("2027-03-01T03:00:00.000Z")
    assert "RuntimeError: forced failure 7f3a" in error["exception"]


def test_text_stays_the_default(tmp_path):
    result = run(tmp_path, SERVER)
    assert "ERROR django.request: Internal Server Error: /boom/" in result.stderr
    assert not result.stderr.startswith("{")


@pytest.mark.django_db
def test_a_record_written_during_a_signed_in_request_names_its_id_and_user(client):
    """A refused page logs on `arrears.security`; the JSON line names the request (a new id when the proxy sent
    none, the same as the answer's X-Request-ID) and the member of staff signed in — nothing else of theirs."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(JsonLines().format(record)))

    handler = Collect()
    logger = logging.getLogger("arrears.security")
    logger.addHandler(handler)
    try:
        client.force_login(make_user("junior_collector", username="log-junior"))
        response = client.get("/compliance/ledger/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    (denied,) = [line for line in lines if line["message"].startswith("denied:")]
    assert denied["user"] == "log-junior"
    assert denied["request_id"] == response["X-Request-ID"]
    assert len(denied["request_id"]) == 32
    assert set(denied) == {"time", "level", "logger", "message", "request_id", "user"}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ARREARS_LOG_FORMAT", "xml", "ARREARS_LOG_FORMAT='xml' is not a log format; use text or json"),
        (
            "ARREARS_LOG_LEVEL",
            "loud",
            "ARREARS_LOG_LEVEL='loud' is not a log level; use DEBUG, INFO, WARNING, ERROR or CRITICAL",
        ),
    ],
)
def test_a_bad_log_setting_is_refused_at_start_up(tmp_path, name, value, message):
    result = run(tmp_path, "import arrears.settings", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_gunicorn_access_lines_are_json_without_the_query_string(settings, capsys):
    """`arrears serve`'s logger with ARREARS_LOG_FORMAT=json: an access line is a JSON object with the method,
    the path (its query string, which can hold what was searched, left out), status, bytes, duration and the
    request's id from the answer; gunicorn's own messages are JSON too."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from arrears.cli.server import StderrLogger

    settings.ARREARS_LOG_FORMAT = "json"
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("errorlog", "-")
    logger = StderrLogger(cfg)
    answer = SimpleNamespace(status_code=200, sent=5120, headers=[("X-Request-ID", "edge-77aa01bc")], status="200 OK")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/borrowers/", "QUERY_STRING": "q=13912340001"}
    logger.access(answer, SimpleNamespace(), environ, timedelta(milliseconds=12.5))
    logger.error("worker %s booted", 7)
    err = capsys.readouterr().err
    access, error = (json.loads(line) for line in err.splitlines())
    assert {k: access[k] for k in ("logger", "message", "method", "path", "status", "bytes", "duration_ms")} == {
        "logger": "gunicorn.access",
        "message": "GET /borrowers/ 200",
        "method": "GET",
        "path": "/borrowers/",
        "status": 200,
        "bytes": 5120,
        "duration_ms": 12.5,
    }
    assert access["request_id"] == "edge-77aa01bc"
    assert "13912340001" not in err
    assert (error["logger"], error["level"], error["message"]) == ("gunicorn.error", "ERROR", "worker 7 booted")


def test_the_servers_own_lines_follow_the_format(settings, capsys):
    """`arrears serve`'s lines for the operator (collecting, serving on …) are JSON too, or plain text by default."""
    from arrears.cli.web import say

    settings.ARREARS_LOG_FORMAT = "json"
    say("serving on http://127.0.0.1:8000/ with 4 worker(s)")
    settings.ARREARS_LOG_FORMAT = "text"
    say("serving on http://127.0.0.1:8000/ with 4 worker(s)")
    as_json, as_text = capsys.readouterr().err.splitlines()
    line = json.loads(as_json)
    assert (line["logger"], line["level"]) == ("arrears.server", "INFO")
    assert line["message"] == "serving on http://127.0.0.1:8000/ with 4 worker(s)"
    assert as_text == "arrears: serving on http://127.0.0.1:8000/ with 4 worker(s)"
