"""`arrears serve --workers 2 --port P`: the production server (gunicorn) started as an operator starts it, on a
scratch database of its own (a temporary PostgreSQL database when the suite runs on PostgreSQL, a SQLite file
otherwise), answering the probes, a page and a static file, then stopped with SIGTERM (issue 16, item 1)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from net import free_port
from scratch import ARREARS, scratch_database

OWN = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "ARREARS_STATIC_COLLECTED"}
RATE = 4  # API calls a token may make per hour on the test server
START_SECONDS = 600  # migrate, then collect and compress the static files, on a machine shared with other tests


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a loopback URL the test made)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_serving(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"arrears serve exited with {process.returncode}: {process.stderr.read()[-3000:]}")
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail("arrears serve did not answer /healthz in time")


@pytest.fixture
def server(tmp_path):
    """A running `arrears serve --workers 2 --port P`: (base URL, the process)."""
    with scratch_database(tmp_path) as (url, _query):
        env = {k: v for k, v in os.environ.items() if k not in OWN}
        env |= {"DATABASE_URL": url, "SECRET_KEY": "s" * 10 + "x7Qp" * 10, "ARREARS_VAR": str(tmp_path / "var")}
        env["ARREARS_API_RATE"] = f"{RATE}/hour"
        port = free_port()
        process = subprocess.Popen(
            [ARREARS, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}")
            yield f"http://127.0.0.1:{port}", process, env
        finally:
            if process.poll() is None:  # the test did not stop it: SIGTERM, then the whole group (the workers too)
                process.terminate()
                try:
                    process.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate(timeout=60)


def test_serve_answers_probes_a_page_and_static_files_and_stops_on_sigterm(server, tmp_path):
    """Issue 16, item 1 — two gunicorn workers; /healthz and /readyz 200 with JSON, never cached; the sign-in page
    with DEBUG off (an unknown URL gets the site's 404, not Django's debug page); its stylesheet under a hashed
    name, compressed, cached for a year; every request in the access log on stderr; SIGTERM: exit 0."""
    base, process, _env = server
    status, headers, body = fetch(f"{base}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert "no-store" in headers["Cache-Control"]
    status, headers, body = fetch(f"{base}/readyz")
    ready = json.loads(body)
    assert status == 200, ready
    assert ready["status"] == "ok"
    assert ready["checks"]["database"] == ready["checks"]["migrations"] == "ok"
    assert ready["checks"]["last_nightly_run"] is None  # a new database: no run yet, and still ready
    assert headers["Content-Type"] == "application/json"

    status, headers, body = fetch(f"{base}/login/", **{"Accept-Language": "zh-hans"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "登录".encode() in body
    stylesheet = re.search(rb'href="(/static/home/arrears\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links its stylesheet under a content-hashed name"
    status, headers, css = fetch(base + stylesheet.group(1).decode(), **{"Accept-Encoding": "br, gzip"})
    assert status == 200
    assert headers["Content-Encoding"] in {"br", "gzip"}
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    collected = Path(tmp_path / "var" / "static" / stylesheet.group(1).decode().removeprefix("/static/"))
    assert len(css) < collected.stat().st_size  # the compressed copy, not the file itself

    status, _headers, body = fetch(f"{base}/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body  # not the debug page

    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err[-3000:]
    assert err.count("Booting worker with pid") == 2
    assert '"GET /healthz HTTP/1.1" 200' in err
    assert '"GET /login/ HTTP/1.1" 200' in err
    assert "Shutting down: Master" in err


def test_one_rate_count_per_token_across_server_processes(server):
    """Issue 16, item 3 — a token allowed 4 calls an hour makes 10, each on a new connection that either of the two
    gunicorn workers may accept: exactly 4 answered, the other 6 refused with 429, because the count lives in the
    database, not in a worker's memory (a per-process count would let up to 8 through)."""
    base, _process, env = server
    admin = ["manage", "createsuperuser", "--no-input", "--username", "ops", "--email", "ops@bank.example.com"]
    token_create = ["token", "create", "--name", "crm", "--role", "junior_collector"]
    for args in (admin, token_create):
        made = subprocess.run(
            [ARREARS, *args],
            env=env | {"DJANGO_SUPERUSER_PASSWORD": "Ops-Pass-8812-x"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    statuses = [fetch(f"{base}/api/v1/cases", Authorization=f"Bearer {token}")[0] for _ in range(10)]
    assert statuses == [200] * RATE + [429] * (10 - RATE)
