"""What the migrations put in an empty database, for tests that commit and then flush it."""

from __future__ import annotations

import importlib


def restore_migrated_state() -> None:
    """The append-only triggers, the ledger head, the roles and the nightly run's user, the starting list of
    prohibited phrases — as after `migrate` (a transactional test's flush empties every table)."""
    from django.apps import apps
    from django.db import connection

    from arrears.accounts.models import Role
    from arrears.compliance import append_only
    from arrears.compliance.models import LedgerHead, ProhibitedPhrase

    append_only.install(connection)
    LedgerHead.objects.get_or_create(pk=1)
    if not Role.objects.exists():
        importlib.import_module("arrears.accounts.migrations.0002_seed_roles").seed(apps, None)
    if not ProhibitedPhrase.objects.exists():
        importlib.import_module("arrears.compliance.migrations.0004_seed_prohibited_phrases").seed(apps, None)
