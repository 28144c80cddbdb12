"""Supervisors and analysts replay past nights under a candidate policy beside the policy in force (the policy
what-if, `reports.whatif`); the nightly run's identity runs it from the command line (`arrears whatif`)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0022_grant_enter_costs"),)

    operations = (
        granting({"supervisor": "reports.whatif"}),
        granting({"analyst": "reports.whatif"}),
        granting({"system": "reports.whatif"}),
    )
