"""Service accounts and their API tokens (Issue 16, item 3): create, revoke, and find the account for a token.

A service account is a `User` with `is_service_account` set, an unusable password (and `RoleBackend` refuses it
a sign-in besides), and one role: its token may do on the API exactly what a person of that role may do, through
the same `has_perm` checks. A token looks like `arr_` + `secrets.token_urlsafe(32)` (43 characters, 256 random
bits); the prefix lets a leaked token be recognised by secret scanners and in logs. Only its SHA-256 is stored —
a fast hash is enough for 256 random bits, and a lookup by hash is one indexed query — so the token is shown
once, to the administrator who creates it, and never again.

Creating and revoking are audited actions of an administrator (`accounts.manage_users`), like creating a user.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import ServiceToken, User
from arrears.accounts.permissions import Perm, forget_permissions
from arrears.accounts.roles import RoleCode
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode

TOKEN_PREFIX = "arr_"  # noqa: S105 - the public prefix of every token, not a secret

# Roles a service account may have: not the administrator's (user management, the admin) nor the system's (the
# nightly run), not the agency user's (which needs an agency), nor the QA reviewer's (a person listening); the
# call platform's is only a service account's.
SERVICE_ROLES = (
    RoleCode.JUNIOR_COLLECTOR,
    RoleCode.SENIOR_COLLECTOR,
    RoleCode.SUPERVISOR,
    RoleCode.LEGAL_OFFICER,
    RoleCode.COMPLIANCE_OFFICER,
    RoleCode.ANALYST,
    RoleCode.TELEPHONY,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def do_create_token(name: str, role: str, *, actor: User, reason: str = "") -> tuple[ServiceToken, str]:
    """Create the token `name` for the service account of that name with `role`, creating the account if it does
    not exist yet; returns the row and the token, to be shown once. Refuses (ValidationError) a name already
    used by a token or by a person's account, a role a service account may not have, or an existing service
    account with another role."""
    name = (name or "").strip()
    if role not in {str(r) for r in SERVICE_ROLES}:
        raise ValidationError(
            _("A service account's role must be one of: %(roles)s.") % {"roles": ", ".join(SERVICE_ROLES)}
        )
    token = new_token()
    with audited(actor, ActionCode.CREATE_TOKEN, permission=Perm.MANAGE_USERS, subject=None, reason=reason) as record:
        if ServiceToken.objects.filter(name=name).exists():
            raise ValidationError(_("A token named %(name)s already exists; choose another name.") % {"name": name})
        account = User.objects.filter(username=name).first()
        if account is None:
            account = User(username=name, role_id=role, is_service_account=True)
            account.set_unusable_password()
            account.full_clean()
            account.save()
            record.change("account", None, account.username)
        elif not account.is_service_account:
            raise ValidationError(
                _("%(name)s is a person's account; a token needs a name of its own.") % {"name": name}
            )
        elif account.role_id != role:
            raise ValidationError(
                _("The service account %(name)s has another role; revoke its tokens and choose a new name.")
                % {"name": name}
            )
        row = ServiceToken.objects.create(
            name=name,
            account=account,
            token_sha256=token_hash(token),
            created_by=actor,
            created_at=timezone.now(),
        )
        record.set_subject(row)
        record.change("name", None, name)
        record.change("role", None, role)
    forget_permissions(account)
    return row, token


def do_revoke_token(name: str, *, actor: User, reason: str = "") -> ServiceToken:
    """Revoke the token `name` at once: its next call is answered 401. Revoking a revoked token changes
    nothing and is refused (ValidationError), as is an unknown name."""
    with audited(actor, ActionCode.REVOKE_TOKEN, permission=Perm.MANAGE_USERS, subject=None, reason=reason) as record:
        row = ServiceToken.objects.select_for_update().filter(name=name).first()
        if row is None:
            raise ValidationError(_("No token is named %(name)s.") % {"name": name})
        if row.revoked_at is not None:
            raise ValidationError(_("The token %(name)s was already revoked.") % {"name": name})
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record.set_subject(row)
        record.change("revoked_at", None, row.revoked_at)
    return row


def token_for(token: str) -> ServiceToken | None:
    """The live token row (with its active service account) for a presented token, or None: unknown,
    malformed, revoked, or its account deactivated. One query."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return (
        ServiceToken.objects.select_related("account")
        .filter(
            token_sha256=token_hash(token),
            revoked_at__isnull=True,
            account__is_active=True,
            account__is_service_account=True,
        )
        .first()
    )
