"""Supervisors approve write-offs another supervisor proposed and see litigation; legal officers keep the
litigation file, its court stages and legal costs (LIT-1, LIT-2; AUTH-3 keeps the decisions with supervisors)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0013_grant_system_file_complaint"),)

    operations = (
        granting({"supervisor": "legal.approve_write_off"}),
        granting({"supervisor": "legal.view_litigation"}),
        granting({"legal_officer": "legal.view_litigation"}),
        granting({"legal_officer": "legal.keep_litigation"}),
    )
