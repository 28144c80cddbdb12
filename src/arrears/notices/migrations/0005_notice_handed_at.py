from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0004_plan_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="handed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed to the mail server at"),
        ),
    ]
