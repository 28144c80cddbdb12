"""Compliance officers keep the list of prohibited phrases (LANG-1)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0003_grant_view_runs"),)

    operations = (granting({"compliance_officer": "compliance.manage_phrases"}),)
