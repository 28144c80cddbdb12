"""Compliance officers keep the list of prohibited phrases (LANG-1)."""

from django.db import migrations

GRANTS = {"compliance_officer": "compliance.manage_phrases"}


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
    dependencies = (("accounts", "0003_grant_view_runs"),)

    operations = (migrations.RunPython(grant, revoke),)
