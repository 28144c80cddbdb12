"""Supervisors and administrators see the nightly runs' reports (the run ledger page)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0002_seed_roles"),)

    operations = (granting({"supervisor": "engine.view_runs", "administrator": "engine.view_runs"}),)
