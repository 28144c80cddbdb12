"""Suite-wide set-up: hypothesis profiles and a loud failure when the configured database is unreachable."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Money properties run 10,000 examples in CI and a few hundred locally (override with HYPOTHESIS_PROFILE).
settings.register_profile("ci", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """With DATABASE_URL naming PostgreSQL, an unreachable server fails the run; it is never skipped."""
    from django.conf import settings as django_settings

    db = django_settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return
    import psycopg

    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL from DATABASE_URL is unreachable: {exc}".strip(), returncode=3)
