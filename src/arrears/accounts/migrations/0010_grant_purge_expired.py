"""The nightly run's identity may run the retention purge (`arrears purge`)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0009_service_tokens"),)

    operations = (granting({"system": "compliance.purge_expired"}),)
