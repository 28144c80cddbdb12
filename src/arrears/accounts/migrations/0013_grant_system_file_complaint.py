"""The worker, as the nightly run's system user, files every message of the complaint mailbox (CMP-1)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0012_grant_complaints"),)

    operations = (granting({"system": "complaints.file"}),)
