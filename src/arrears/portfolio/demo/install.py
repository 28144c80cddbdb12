"""The Django half of `arrears demo`: whether the demo feed may be imported here, and the demo users (one per
role, two junior collectors so that allocation has a choice).

How this works
--------------
* `import_decision` keeps a demo from corrupting a portfolio. Feed rows are upserts and are never deleted, so
  a second, different demo feed (another seed, size or business date) over the same loan numbers would leave
  the first one's payments behind. So the feed is imported into a database that holds no feed yet, or again
  when it is the very feed already loaded (the importer then changes nothing); into a demo database loaded
  with another demo feed it is not imported (the stored bank stays as it was, which is what a bank sees on a
  day without payments); and a database with feeds but no demo users is refused outright — it may hold a
  real portfolio, and printed passwords do not belong there.
* `demo-admin` is created the way `manage createsuperuser` creates an administrator (the console path of the
  accounts app, audited with the new administrator as actor); it then acts for every other change: the demo
  agency (`do_save_agency`), the other users (`do_save_user`) and their new passwords
  (`do_set_password_at_console`: the console prints them, so they are not one-time passwords). Every run draws
  new passwords with `secrets.token_urlsafe`; nothing fixed is stored in the repository. Running it again changes passwords (and repairs a demo user's role), and creates
  nothing twice.

Imports Django: import it only after `setup_django()`. The rest of `arrears.portfolio.demo` is pure.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from arrears.accounts.actions import (
    do_create_administrator_at_console,
    do_save_agency,
    do_save_user,
    do_set_password_at_console,
    do_set_user_password,
)
from arrears.accounts.models import Agency, Role, User
from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.roles import ROLE_NAMES, RoleCode
from arrears.portfolio.feed.read import discover, feed_digest
from arrears.portfolio.models import FeedLoad

__all__ = [
    "DEMO_ADMIN",
    "DEMO_AGENCY",
    "DEMO_USERS",
    "DemoError",
    "DemoLogin",
    "approve_demo_templates",
    "ensure_demo_users",
    "import_decision",
    "write_logins",
]

DEMO_ADMIN = "demo-admin"
DEMO_AGENCY = "演示委外催收服务有限公司（演示数据）"
DEMO_USERS: tuple[tuple[str, RoleCode], ...] = (
    ("demo-junior", RoleCode.JUNIOR_COLLECTOR),
    ("demo-junior-2", RoleCode.JUNIOR_COLLECTOR),
    ("demo-senior", RoleCode.SENIOR_COLLECTOR),
    ("demo-supervisor", RoleCode.SUPERVISOR),
    ("demo-legal", RoleCode.LEGAL_OFFICER),
    ("demo-compliance", RoleCode.COMPLIANCE_OFFICER),
    ("demo-agency", RoleCode.AGENCY_USER),
    ("demo-analyst", RoleCode.ANALYST),
    (DEMO_ADMIN, RoleCode.ADMINISTRATOR),
)
_REASON = "arrears demo: demonstration user"


class DemoError(Exception):
    """The demo users cannot be set up as asked; the message says why and what to do."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: RoleCode
    password: str
    created: bool


def import_decision(feed_dir: Path, business_date: date) -> str | None:
    """None when the demo feed in `feed_dir` may be imported; otherwise why it is not (see the module doc).

    Raises DemoError when the database holds feeds but no demo users: it may be a real bank's.
    """
    loaded = FeedLoad.objects.filter(status="done")
    if not loaded.exists():
        return None
    paths, _strays = discover(feed_dir)
    if loaded.filter(business_date=business_date, digest=feed_digest(paths)).exists():
        return None  # the same feed: the importer will say so and change nothing
    newest = loaded.order_by("-business_date").values_list("business_date", flat=True).first()
    if not User.objects.filter(username=DEMO_ADMIN).exists():
        raise DemoError(
            f"this database already holds core-banking feeds (the newest of {newest}) and no demo users: it may "
            "be a real portfolio. Run the demo against a fresh database (ARREARS_VAR or DATABASE_URL)"
        )
    return (
        f"this demo database already holds a bank (feed of {newest}); another demo feed over the same loan "
        "numbers would mix two banks, so it is not imported. For a new bank, use a fresh database "
        "(ARREARS_VAR or DATABASE_URL)"
    )


def _new_password() -> str:
    return secrets.token_urlsafe(16)  # 22 characters, about 128 bits


def _admin(password: str) -> tuple[User, bool]:
    admin = User.objects.filter(username=DEMO_ADMIN).first()
    if admin is None:
        return do_create_administrator_at_console(DEMO_ADMIN, email="demo-admin@example.com", password=password), True
    if not admin.is_active or not has_perm(admin, Perm.MANAGE_USERS):
        raise DemoError(
            f"user {DEMO_ADMIN} exists but cannot manage users (inactive, or its role changed); give it the "
            "administrator role again in the admin, or use a fresh database"
        )
    do_set_user_password(admin, password, actor=admin)
    return admin, False


def _agency(admin: User, business_date: date) -> Agency:
    agency = Agency.objects.filter(name=DEMO_AGENCY).first()
    if agency is not None:
        return agency
    # AGY-1 documents, valid well past the business date, so the agency may receive cases in the demo.
    return do_save_agency(
        Agency(
            code="AGY-DEMO",
            name=DEMO_AGENCY,
            business_licence_no="DEMO-BL-0001",
            business_licence_expires=business_date + timedelta(days=3 * 365),
            collection_licence_no="DEMO-CL-0001",
            collection_licence_expires=business_date + timedelta(days=2 * 365),
            confidentiality_signed_on=business_date - timedelta(days=30),
            commission_percent=Decimal("12.50"),
        ),
        actor=admin,
        reason=_REASON,
    )


def _user(username: str, role: RoleCode, agency: Agency | None, password: str, admin: User) -> bool:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=ROLE_NAMES[role],
            last_name="（演示）",
            email=f"{username}@example.com",
            role=Role.objects.get(pk=role),
            agency=agency,
        )
        user.set_unusable_password()
        do_save_user(user, actor=admin, reason=_REASON)
        do_set_password_at_console(user, password, actor=admin, reason=_REASON)
        return True
    if user.role_id != role or user.agency_id != (agency.pk if agency else None) or not user.is_active:
        user.role, user.agency, user.is_active = Role.objects.get(pk=role), agency, True
        do_save_user(user, actor=admin, reason=f"{_REASON} (role restored)")
    do_set_password_at_console(user, password, actor=admin, reason=_REASON)
    return False


def ensure_demo_users(business_date: date) -> list[DemoLogin]:
    """Create (or reset) the demo users; returns each one's new password, in `DEMO_USERS` order."""
    passwords = {username: _new_password() for username, _ in DEMO_USERS}
    created: dict[str, bool] = {}
    with transaction.atomic():
        admin, created[DEMO_ADMIN] = _admin(passwords[DEMO_ADMIN])
        agency = _agency(admin, business_date)
        for username, role in DEMO_USERS:
            if username != DEMO_ADMIN:
                own_agency = agency if role == RoleCode.AGENCY_USER else None
                created[username] = _user(username, role, own_agency, passwords[username], admin)
    return [DemoLogin(username, role, passwords[username], created[username]) for username, role in DEMO_USERS]


def approve_demo_templates() -> int:
    """The demo's legal officer approves every template still in legal review (LANG-2), through the review
    action, so the demo bank's notices can be sent. A real bank's legal reviewer reads them first."""
    from arrears.notices.models import Template, TemplateStatus
    from arrears.notices.template_actions import do_review_template

    legal = User.objects.get(username="demo-legal")
    approved = 0
    for template in Template.objects.filter(status=TemplateStatus.IN_REVIEW).order_by("pk"):
        if template.author_id != legal.pk:
            do_review_template(template, approve=True, note="approved for the demonstration", actor=legal)
            approved += 1
    return approved


def write_logins(path: Path, logins: list[DemoLogin], *, business_date: date) -> Path:
    """Write the logins to `path`, readable by its owner only (0600), replacing an earlier file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    lines = [
        f"# arrears demo logins (business date {business_date}); passwords drawn at run time.",
        "# Run `arrears demo` again to draw new ones. Never use these accounts outside a demonstration.",
        *(f"{login.username}\t{login.password}\t{login.role.value}" for login in logins),
    ]
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)  # also when the file existed with a wider mode
        fh.write("\n".join(lines) + "\n")
    os.replace(part, path)
    return path
