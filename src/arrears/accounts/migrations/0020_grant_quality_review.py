"""QA reviewers and compliance officers review inspected calls (QA-1); they and supervisors see the monthly
quality scores (QA-2)."""

from django.db import migrations

from arrears.accounts.migrations._grants import granting


class Migration(migrations.Migration):
    dependencies = (("accounts", "0019_grant_qa_roles"),)

    operations = (
        granting({"qa_reviewer": "quality.review"}),
        granting({"compliance_officer": "quality.review"}),
        granting({"qa_reviewer": "quality.view_scores"}),
        granting({"compliance_officer": "quality.view_scores"}),
        granting({"supervisor": "quality.view_scores"}),
    )
