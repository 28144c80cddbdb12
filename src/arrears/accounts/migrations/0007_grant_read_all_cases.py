"""Legal and compliance officers read any collection case, read-only (complaints, litigation)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0006_user_must_change_password"),)

    operations = (
        granting({"legal_officer": "collection.read_all_cases"}),
        granting({"compliance_officer": "collection.read_all_cases"}),
    )
