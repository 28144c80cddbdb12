"""One-time passwords: a user given a password by someone else must choose their own at first sign-in."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = (("accounts", "0005_grant_notices"),)

    operations = (
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False, verbose_name="must change password at next sign-in"),
        ),
    )
