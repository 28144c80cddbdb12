"""The roles of call quality (QA-1, CALL-3): the QA reviewer (质检员), who listens to call recordings, and the call
platform (话务平台), the telephony's service account that reports calls and uploads their recordings; supervisors
and compliance officers listen to recordings too, and the nightly run's identity imports them from a directory.

A frozen copy of what `arrears.accounts.roles` says of them when this migration was written.
"""

from django.db import migrations

from arrears.accounts.migrations._grants import granting

ROLES = {
    "qa_reviewer": (
        "质检员",
        "Listens to call recordings and reviews the quality inspection's findings (QA-1).",
        ["accounts.sign_in", "quality.listen"],
    ),
    "telephony": (
        "话务平台（系统）",
        "The call platform's service account: call events and recordings (CALL-3, QA-1); opens nothing else.",
        ["accounts.sign_in", "quality.telephony"],
    ),
}


def add_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    for code, (name, description, grants) in ROLES.items():
        role, _created = Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})
        for perm in grants:
            RolePermission.objects.get_or_create(role=role, code=perm)


def remove_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = (("accounts", "0018_role_codes_qa"),)

    operations = (
        migrations.RunPython(add_roles, remove_roles),
        granting({"supervisor": "quality.listen"}),
        granting({"compliance_officer": "quality.listen"}),
        granting({"system": "quality.telephony"}),
    )
