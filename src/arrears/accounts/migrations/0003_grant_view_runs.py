"""Supervisors and administrators see the nightly runs' reports (the run ledger page)."""

from django.db import migrations

GRANTS = {"supervisor": "engine.view_runs", "administrator": "engine.view_runs"}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("accounts", "RolePermission")
    for role, code in GRANTS.items():
        if apps.get_model("accounts", "Role").objects.filter(code=role).exists():
            RolePermission.objects.get_or_create(role_id=role, code=code)


def revoke(apps, schema_editor):
    RolePermission = apps.get_model("accounts", "RolePermission")
    for role, code in GRANTS.items():
        RolePermission.objects.filter(role_id=role, code=code).delete()


class Migration(migrations.Migration):
    dependencies = (("accounts", "0002_seed_roles"),)

    operations = (migrations.RunPython(grant, revoke),)
