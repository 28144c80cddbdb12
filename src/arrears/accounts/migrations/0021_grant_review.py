"""The monthly review (REV-1): supervisors prepare the pack again, edit it and approve it; the nightly run's identity
prepares it on the month's first working day (the worker's `review` job)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0020_grant_quality_review"),)

    operations = (
        granting({"supervisor": "reports.prepare_review"}),
        granting({"supervisor": "reports.review"}),
        granting({"system": "reports.prepare_review"}),
    )
