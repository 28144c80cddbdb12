"""Data migrations that grant a default role a new permission (and take it back when reversed).

Not a migration itself: Django's loader skips modules whose name starts with an underscore.
"""

from django.db import migrations


def granting(grants: dict[str, str]) -> migrations.RunPython:
    """A `RunPython` giving each role code in `grants` its permission code, where the role exists."""

    def grant(apps, schema_editor):
        RolePermission = apps.get_model("accounts", "RolePermission")
        for role, code in grants.items():
            if apps.get_model("accounts", "Role").objects.filter(code=role).exists():
                RolePermission.objects.get_or_create(role_id=role, code=code)

    def revoke(apps, schema_editor):
        RolePermission = apps.get_model("accounts", "RolePermission")
        for role, code in grants.items():
            RolePermission.objects.filter(role_id=role, code=code).delete()

    return migrations.RunPython(grant, revoke)
