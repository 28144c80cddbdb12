"""Supervisors and compliance officers audit
agencies (AGY-3); agency users record calls and send letters on the cases placed with their agency."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0016_agency_commission"),)

    operations = (
        granting({"supervisor": "agencies.audit"}),
        granting({"compliance_officer": "agencies.audit"}),
        granting({"agency_user": "collection.call"}),
        granting({"agency_user": "collection.send_letter"}),
    )
