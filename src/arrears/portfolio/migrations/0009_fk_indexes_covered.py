"""A loan position's borrower had two identical indexes: Django's for the foreign key and position_borrower_idx.
The foreign key's is dropped (by name, on either database: no table rebuilt on SQLite)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0008_hold_kinds_bank"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="loanposition",
                    name="borrower",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portfolio.borrower",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "portfolio_loanposition_borrower_id_44988e22"',
                    'CREATE INDEX "portfolio_loanposition_borrower_id_44988e22" '
                    'ON "portfolio_loanposition" ("borrower_id")',
                ),
            ],
        ),
    ]
