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
        port = free_port()
        process = subprocess.Popen(
            [ARREARS, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until_serving(process, f"http://127.0.0.1:{port}")
            yield f"http://127.0.0.1:{port}", process
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=60)


def test_serve_answers_probes_a_page_and_static_files_and_stops_on_sigterm(server, tmp_path):
    """Issue 16, item 1 — two gunicorn workers; /healthz and /readyz 200 with JSON, never cached; the sign-in page
    with DEBUG off (an unknown URL gets the site's 404, not Django's debug page); its stylesheet under a hashed
    name, compressed, cached for a year; every request in the access log on stderr; SIGTERM: exit 0."""
    base, process = server
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
