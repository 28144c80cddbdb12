"""Triggers that protect the ledger head and accept an event only as the next link after it (AUTH-4)."""

from django.db import migrations

from arrears.compliance import append_only


def install(apps, schema_editor):
    append_only.install(schema_editor.connection)


def remove(apps, schema_editor):
    append_only.remove(schema_editor.connection, only_chain=True)


class Migration(migrations.Migration):
    dependencies = (("compliance", "0006_seed_workplace_phrases"),)

    operations = (migrations.RunPython(install, remove),)
