"""`/healthz` (liveness) and `/readyz` (readiness) for load balancers: JSON, no sign-in, never cached, exempt from
the redirect to HTTPS; ready only with the database answering and every migration applied (issue 16, item 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from django.db.migrations.recorder import MigrationRecorder

from arrears.daily.models import Run, RunStatus
from factories import make_user
from net import free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_sign_in_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_the_last_nightly_run_without_failing_on_it(client):
    """A failed nightly run is reported, but the server stays ready: every server shares the database, and
    yesterday's queues are still right to work from."""
    assert client.get("/readyz").json()["checks"]["last_nightly_run"] is None
    started = datetime(2026, 3, 20, 19, 0, tzinfo=UTC)
    Run.objects.create(business_date=date(2026, 3, 19), status=RunStatus.DONE, started_at=started, finished_at=started)
    Run.objects.create(business_date=date(2026, 3, 20), status=RunStatus.FAILED, started_at=started)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "last_nightly_run": {"business_date": "2026-03-20", "status": "failed", "finished_at": None},
        },
    }


def test_readyz_is_503_while_a_migration_is_unapplied(client):
    """The record of one applied migration removed (in this test's transaction): not ready, and says why."""
    MigrationRecorder.Migration.objects.filter(app="daily").order_by("-id").first().delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "migrations": "pending", "unapplied_migrations": 1},
    }


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_probes_are_exempt_from_the_https_redirect(client, settings, path):
    """With SECURE_SSL_REDIRECT on, a plain-HTTP page is redirected to HTTPS; the probes answer 200 over HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301
    assert client.get("/login/")["Location"] == "https://testserver/login/"
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_user_who_must_change_password_still_gets_the_probes(client, path):
    client.force_login(make_user("junior_collector", must_change_password=True))
    assert client.get("/cases/").status_code == 302  # sent to choose a password
    assert client.get(path).status_code == 200


def test_the_probes_refuse_a_post(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# A fresh interpreter on a database of the environment's choice: /healthz and /readyz through Django's test client.
PROBE = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "arrears.settings"
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
print(json.dumps({p: [r.status_code, r.json()] for p in ("/healthz", "/readyz") for r in [client.get(p)]}))
"""


def probe(tmp_path, **env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**base, "ARREARS_VAR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_an_empty_database_is_alive_but_not_ready(tmp_path):
    """A new SQLite database nobody migrated: live, not ready, every migration pending."""
    answers = probe(tmp_path)
    assert answers["/healthz"] == [200, {"status": "ok"}]
    status, body = answers["/readyz"]
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == "pending"
    assert body["checks"]["unapplied_migrations"] > 30


def test_an_unreachable_database_is_alive_but_not_ready(tmp_path):
    """PostgreSQL on a port where nothing listens: /healthz still 200 (it touches no database), /readyz 503."""
    answers = probe(
        tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/arrears", SECRET_KEY="k7Qp" * 13
    )
    assert answers == {
        "/healthz": [200, {"status": "ok"}],
        "/readyz": [503, {"status": "unavailable", "checks": {"database": "unreachable"}}],
    }
