"""Templates under legal review (LANG-2) and the notices outbox: who writes, who reviews, who dispatches."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0004_grant_manage_phrases"),)

    operations = (
        granting({"supervisor": "notices.write_templates", "compliance_officer": "notices.write_templates"}),
        granting({"legal_officer": "notices.review_templates", "compliance_officer": "notices.review_templates"}),
        granting({"supervisor": "notices.manage_outbox", "compliance_officer": "notices.manage_outbox"}),
        granting({"system": "notices.dispatch"}),
    )
