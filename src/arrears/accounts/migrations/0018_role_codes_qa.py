"""The role codes of call quality (QA-1, CALL-3): `qa_reviewer` and `telephony` (the roles themselves and their
grants: 0019_grant_qa_roles)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = (("accounts", "0017_grant_agencies"),)

    operations = (
        migrations.AlterField(
            model_name="role",
            name="code",
            field=models.CharField(
                choices=[
                    ("junior_collector", "junior_collector"),
                    ("senior_collector", "senior_collector"),
                    ("supervisor", "supervisor"),
                    ("legal_officer", "legal_officer"),
                    ("compliance_officer", "compliance_officer"),
                    ("agency_user", "agency_user"),
                    ("analyst", "analyst"),
                    ("administrator", "administrator"),
                    ("qa_reviewer", "qa_reviewer"),
                    ("telephony", "telephony"),
                    ("system", "system"),
                ],
                max_length=32,
                primary_key=True,
                serialize=False,
                verbose_name="code",
            ),
        ),
    )
