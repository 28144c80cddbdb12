"""Suite-wide set-up: hypothesis profiles and a loud failure when the configured database is unreachable."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from dbstate import restore_migrated_state

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


@pytest.fixture
def _migrated_state_back_after_flush(django_db_blocker):
    """Set up before `transactional_db`, so torn down after its end-of-test flush."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_state()


@pytest.fixture
def ledger_transactional_db(_migrated_state_back_after_flush, transactional_db):
    """`transactional_db` for tests that commit audit events: starts from the migrated state (an earlier
    transactional test's flush may have emptied it), and the append-only triggers step aside only for the
    flush that empties the database after the test."""
    from django.db import connection

    from arrears.compliance import append_only

    restore_migrated_state()
    yield
    append_only.remove(connection)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages raised by code called directly in a test are in English (tests match them); a request through
    the test client still gets the product's default, Simplified Chinese, unless it asks for English."""
    from django.utils import translation

    with translation.override("en"):
        yield
