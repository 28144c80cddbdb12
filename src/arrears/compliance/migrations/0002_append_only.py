"""The ledger's head row, and database triggers that refuse UPDATE, DELETE and TRUNCATE of audit events."""

from django.db import migrations

from arrears.compliance import append_only


def install(apps, schema_editor):
    apps.get_model("compliance", "LedgerHead").objects.create(id=1, last_id=0, last_hash="0" * 64)
    append_only.install(schema_editor.connection)


def remove(apps, schema_editor):
    append_only.remove(schema_editor.connection)
    apps.get_model("compliance", "LedgerHead").objects.filter(id=1).delete()


class Migration(migrations.Migration):
    dependencies = (("compliance", "0001_initial"),)

    operations = (migrations.RunPython(install, remove),)
