"""What the migrations put in an empty database, for tests that commit and then flush it."""

from __future__ import annotations

import importlib
import pkgutil


def grant_migrations() -> list[str]:
    """Every data migration of `accounts` that grants a role a permission (`NNNN_grant_…`), in order: a new one
    counts here as soon as it exists."""
    from arrears.accounts import migrations

    names = (m.name for m in pkgutil.iter_modules(migrations.__path__))
    return sorted(name for name in names if name[:4].isdigit() and name[4:].startswith("_grant_"))


def restore_migrated_state() -> None:
    """The append-only triggers, the ledger head, the roles and the nightly run's user, the starting list of
    prohibited phrases, the templates awaiting legal review, the working-day calendar seeded from the package — as
    after `migrate` (a transactional test's flush empties every table)."""
    from django.apps import apps
    from django.db import connection

    from arrears.accounts.models import Role
    from arrears.compliance import append_only
    from arrears.compliance.models import LedgerHead, ProhibitedPhrase
    from arrears.notices.models import Template
    from arrears.rules.models import CalendarYear

    append_only.install(connection)
    LedgerHead.objects.get_or_create(pk=1)
    if not Role.objects.exists():
        importlib.import_module("arrears.accounts.migrations.0002_seed_roles").seed(apps, None)
        for later in grant_migrations():  # the grants added since, as `migrate` applied them
            for operation in importlib.import_module(f"arrears.accounts.migrations.{later}").Migration.operations:
                operation.code(apps, None)
    if not ProhibitedPhrase.objects.exists():
        for seeding in ("0004_seed_prohibited_phrases", "0006_seed_workplace_phrases", "0008_seed_english_phrases"):
            importlib.import_module(f"arrears.compliance.migrations.{seeding}").seed(apps, None)
    if not Template.objects.exists():
        seed_templates()
    if not CalendarYear.objects.exists():
        importlib.import_module("arrears.rules.migrations.0002_seed_calendar").seed(apps, None)


_SEEDINGS = (
    "0003_seed_templates",
    "0008_seed_complaint_templates",
    "0010_seed_litigation_complaint_templates",
    "0012_seed_agency_mandate_templates",
)
# (purpose, language) → (subject, text): every template version 1 the migrations seed for legal review.
SEEDED_TEMPLATES = {
    key: text
    for seeding in _SEEDINGS
    for key, text in importlib.import_module(f"arrears.notices.migrations.{seeding}").TEMPLATES.items()
}


def seed_templates() -> None:
    """What the template seeding migrations do, again (after a transactional test's flush)."""
    from django.apps import apps

    importlib.import_module("arrears.notices.migrations.0003_seed_templates").seed_these(apps, SEEDED_TEMPLATES)
