"""Administrators enter and import the collection costs arrears cannot know by itself (staff, telephony, other;
KPI-2); the nightly run's identity imports a file of them (`arrears costs import`, a scheduled import)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0021_grant_review"),)

    operations = (
        granting({"administrator": "reports.enter_costs"}),
        granting({"system": "reports.enter_costs"}),
    )
