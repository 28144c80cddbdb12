"""Supervisors start and stop champion/challenger experiments (a strategy tried on a share of new cases)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0023_grant_whatif"),)

    operations = (granting({"supervisor": "reports.experiment"}),)
