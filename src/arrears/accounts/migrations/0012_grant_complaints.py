"""Compliance officers and supervisors file collection complaints and handle the complaint queues (CMP-1, CMP-2)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0011_rate_limit_cache"),)

    operations = (
        granting({"compliance_officer": "complaints.file"}),
        granting({"compliance_officer": "complaints.handle"}),
        granting({"supervisor": "complaints.file"}),
        granting({"supervisor": "complaints.handle"}),
    )
