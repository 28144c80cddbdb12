"""Fixtures for tests that commit transactions (threads, locks) while the ledger refuses deletes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from arrears.accounts.models import Role
from arrears.compliance import append_only
from arrears.compliance.models import LedgerHead

_seed_roles = importlib.import_module("arrears.accounts.migrations.0002_seed_roles")


def _restore_migrated_state() -> None:
    """What the migrations put in an empty database: the append-only triggers, the ledger head, the roles and
    the nightly run's user."""
    append_only.install(connection)
    LedgerHead.objects.get_or_create(pk=1)
    if not Role.objects.exists():
        _seed_roles.seed(apps, None)


@pytest.fixture
def _migrated_state_back_after_flush(django_db_blocker):
    """Set up before `transactional_db`, so torn down after its end-of-test flush."""
    yield
    with django_db_blocker.unblock():
        _restore_migrated_state()


@pytest.fixture
def ledger_transactional_db(_migrated_state_back_after_flush, transactional_db):
    """`transactional_db` for tests that commit audit events: starts from the migrated state (an earlier
    transactional test's flush may have emptied it), and the append-only triggers step aside only for the
    flush that empties the database after the test."""
    _restore_migrated_state()
    yield
    append_only.remove(connection)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests here make many users; a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
