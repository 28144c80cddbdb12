"""Seed the roles with their default grants and the nightly run's user.

A frozen copy of `arrears.accounts.roles` as it was when this migration was written (a migration must do the
same thing forever); tests/accounts/test_roles.py checks the seeded database equals the current table, so a
change there comes with a new data migration.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations

JUNIOR = ["accounts.sign_in", "portfolio.view", "portfolio.search_exact", "collection.call", "collection.send_letter"]
SENIOR = [*JUNIOR, "arrangements.propose_plan", "arrangements.propose_waiver"]
ROLES = {
    "junior_collector": ("初级催收专员", "DPD 1–60 queue: reminder calls, letters, records (AUTH-1).", JUNIOR),
    "senior_collector": (
        "高级催收专员",
        "DPD 61–90 and high-risk: negotiation, proposes plans and waivers (AUTH-2).",
        SENIOR,
    ),
    "supervisor": (
        "催收主管",
        "Approves plans and waivers, reassigns, decides agency or litigation (AUTH-3), monthly review.",
        [
            *SENIOR,
            "arrangements.approve",
            "collection.reassign",
            "legal.decide_escalation",
            "portfolio.manage_holds",
            "portfolio.unmask",
            "reports.view",
        ],
    ),
    "legal_officer": (
        "法务专员",
        "Litigation files and court stages.",
        ["accounts.sign_in", "portfolio.view", "portfolio.search_exact", "portfolio.unmask", "portfolio.manage_holds"],
    ),
    "compliance_officer": (
        "合规专员",
        "Call quality, complaints, the audit ledger, template approval.",
        [
            "accounts.sign_in",
            "portfolio.view",
            "portfolio.search_exact",
            "portfolio.unmask",
            "portfolio.manage_holds",
            "compliance.view_audit",
            "compliance.verify_audit",
            "reports.view",
        ],
    ),
    "agency_user": (
        "委外机构用户",
        "External: only the cases placed with their agency, minimum personal data.",
        ["accounts.sign_in", "portfolio.view_agency_cases"],
    ),
    "analyst": ("数据分析员", "Reports, read-only, no personal data.", ["accounts.sign_in", "reports.view"]),
    "administrator": (
        "系统管理员",
        "Users, roles, policy versions, calendar, the core-banking import.",
        [
            "accounts.sign_in",
            "accounts.manage_users",
            "rules.manage_policy",
            "rules.manage_calendar",
            "portfolio.import_feed",
            "compliance.view_audit",
        ],
    ),
    "system": (
        "日终批处理（系统）",
        "The nightly run's identity (user nightly-run); never signs in.",
        ["portfolio.import_feed", "engine.run_daily", "portfolio.manage_holds"],
    ),
}
SYSTEM_USERNAME = "nightly-run"


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    User = apps.get_model("accounts", "User")
    for code, (name, description, grants) in ROLES.items():
        role = Role.objects.create(code=code, name=name, description=description)
        RolePermission.objects.bulk_create(RolePermission(role=role, code=perm) for perm in grants)
    User.objects.create(
        username=SYSTEM_USERNAME,
        password=make_password(None),
        first_name="Nightly run",
        role_id="system",
        is_active=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(username=SYSTEM_USERNAME).delete()
    apps.get_model("accounts", "Role").objects.filter(code__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = (("accounts", "0001_initial"),)

    operations = (migrations.RunPython(seed, unseed),)
