"""Two foreign keys lead a composite index of their own table, which serves every lookup by them: a task's
borrower (task_borrower_open_idx) and a case's collector (case_owner_status_idx). Their own indexes only slowed
the nightly run's writes and are dropped (by name, on either database: no table rebuilt on SQLite)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = (
    ("collection_collectioncase_owner_id_5f07c114", "collection_collectioncase", "owner_id"),
    ("collection_task_borrower_id_91ef19fa", "collection_task", "borrower_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0011_case_urgency"),
        ("portfolio", "0009_fk_indexes_covered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="collectioncase",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="collector",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="borrower",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tasks",
                        to="portfolio.borrower",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
                for name, table, column in INDEXES
            ],
        ),
    ]
