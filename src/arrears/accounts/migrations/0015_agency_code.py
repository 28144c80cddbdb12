"""Every agency gets a unique code (issue 19: the API and other systems name agencies by it): existing agencies are
numbered AGY-001, AGY-002 … in the order they were made; new ones get a fresh code unless one is given."""

from django.core.validators import RegexValidator
from django.db import migrations, models

import arrears.accounts.models


def number(apps, schema_editor):
    Agency = apps.get_model("accounts", "Agency")
    for n, agency in enumerate(Agency.objects.order_by("pk"), start=1):
        Agency.objects.filter(pk=agency.pk).update(code=f"AGY-{n:03d}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0014_grant_legal")]

    operations = [
        migrations.AddField(
            model_name="agency", name="code", field=models.CharField(max_length=16, null=True, verbose_name="code")
        ),
        migrations.RunPython(number, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="agency",
            name="code",
            field=models.CharField(
                default=arrears.accounts.models.new_agency_code,
                max_length=16,
                unique=True,
                validators=[
                    RegexValidator(
                        "^[A-Z0-9][A-Z0-9-]{1,15}$",
                        "Use 2 to 16 upper-case letters, digits or dashes, starting with a letter or digit, e.g. AGY-001.",
                    )
                ],
                verbose_name="code",
            ),
        ),
    ]
