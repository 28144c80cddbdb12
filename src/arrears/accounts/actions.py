"""The only writers of users, roles' grants, teams and agencies, and of sign-in and sign-out. Each is audited.

The admin calls these from `save_model` (and the password form), so a change made there is on the ledger with
its before and after values like any other action. Passwords never reach the ledger: only that one was set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency, Role, RolePermission, Team, User
from arrears.accounts.permissions import Perm, forget_permissions
from arrears.accounts.roles import SYSTEM_USERNAME, RoleCode
from arrears.compliance.actions import ActionDenied, AuditRecorder, audited
from arrears.compliance.codes import ActionCode

USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "role", "team", "agency")
ROLE_FIELDS = ("name", "description")
TEAM_FIELDS = ("name",)
AGENCY_FIELDS = (
    "name",
    "business_licence_no",
    "business_licence_expires",
    "collection_licence_no",
    "collection_licence_expires",
    "confidentiality_signed_on",
)
HIDDEN = "(hidden)"


def _value(instance: models.Model | None, name: str) -> Any:
    if instance is None:
        return None
    return getattr(instance, instance._meta.get_field(name).attname)


def _record_fields(record: AuditRecorder, before: models.Model | None, after: models.Model, fields) -> None:
    for name in fields:
        old, new = _value(before, name), _value(after, name)
        if old != new and not (before is None and new in (None, "")):
            record.change(name, old, new)


def _password_state(user: User) -> str:
    return "(set)" if user.has_usable_password() else "(unusable)"


def _managers_other_than(user_pk: int | None) -> bool:
    return User.objects.filter(is_active=True, role__grants__code=Perm.MANAGE_USERS).exclude(pk=user_pk).exists()


def validate_user(user: User) -> None:
    """Rules for any user record beyond its fields and constraints (checked by the admin form and the action):
    the system role belongs to the nightly run alone, and someone active can still manage users afterwards."""
    if (user.role_id == RoleCode.SYSTEM) != (user.username == SYSTEM_USERNAME):
        raise ValidationError(
            {"role": _("The system role belongs to the nightly run (user %(name)s) alone.") % {"name": SYSTEM_USERNAME}}
        )
    manages = user.is_active and RolePermission.objects.filter(role_id=user.role_id, code=Perm.MANAGE_USERS).exists()
    if not manages and not _managers_other_than(user.pk):
        raise ValidationError(_("No active user could manage users after this change; keep one administrator."))


def validate_role_grants(role: Role, permissions: Iterable[str]) -> frozenset[Perm]:
    """The grants as `Perm`s; refuses unknown codes, and a change that leaves no active user able to manage
    users."""
    try:
        grants = frozenset(Perm(code) for code in permissions)
    except ValueError as exc:
        raise ValidationError(_("Unknown permission: %(error)s") % {"error": exc}) from None
    if Perm.MANAGE_USERS not in grants:
        others = User.objects.filter(is_active=True, role__grants__code=Perm.MANAGE_USERS).exclude(role=role)
        if not others.exists():
            raise ValidationError(_("No active user could manage users after this change; keep one administrator."))
    return grants


def do_save_user(user: User, *, actor: User, reason: str = "") -> User:
    """Create or update a user as given (fields already set on `user`); records every changed field."""
    with audited(actor, ActionCode.SAVE_USER, permission=Perm.MANAGE_USERS, subject=user, reason=reason) as record:
        before = User.objects.select_for_update().filter(pk=user.pk).first() if user.pk else None
        user.full_clean()
        validate_user(user)
        _record_fields(record, before, user, USER_FIELDS)
        if before is None:
            record.change("password", None, _password_state(user))
        elif before.password != user.password:
            record.change("password", HIDDEN, _password_state(user))
        user.save()
    forget_permissions(user)
    return user


def do_set_user_password(user: User, password: str | None, *, actor: User) -> User:
    """Set a new password (validated by the password rules), or make it unusable with `None`."""
    with audited(actor, ActionCode.SET_PASSWORD, permission=Perm.MANAGE_USERS, subject=user) as record:
        if password is None:
            user.set_unusable_password()
        else:
            password_validation.validate_password(password, user)
            user.set_password(password)
        record.change("password", HIDDEN, _password_state(user))
        user.save(update_fields=["password"])
    return user


def do_update_role(role: Role, *, permissions: Iterable[str], actor: User, reason: str = "") -> Role:
    """Save a role's name and description as set on `role`, and replace its grants with `permissions`."""
    with audited(actor, ActionCode.UPDATE_ROLE, permission=Perm.MANAGE_USERS, subject=role, reason=reason) as record:
        before = Role.objects.select_for_update().get(pk=role.pk)
        grants = validate_role_grants(role, permissions)
        _record_fields(record, before, role, ROLE_FIELDS)
        held = set(RolePermission.objects.filter(role=role).values_list("code", flat=True))
        wanted = {str(p) for p in grants}
        if held != wanted:
            record.change("permissions", sorted(held), sorted(wanted))
            RolePermission.objects.filter(role=role, code__in=held - wanted).delete()
            RolePermission.objects.bulk_create(RolePermission(role=role, code=code) for code in sorted(wanted - held))
        role.save(update_fields=list(ROLE_FIELDS))
    forget_permissions(actor)
    return role


def _save_record(instance: models.Model, code: ActionCode, fields, *, actor: User, reason: str) -> models.Model:
    model = type(instance)
    with audited(actor, code, permission=Perm.MANAGE_USERS, subject=instance, reason=reason) as record:
        before = model.objects.select_for_update().filter(pk=instance.pk).first() if instance.pk else None
        instance.full_clean()
        _record_fields(record, before, instance, fields)
        instance.save()
    return instance


def do_save_team(team: Team, *, actor: User, reason: str = "") -> Team:
    return _save_record(team, ActionCode.SAVE_TEAM, TEAM_FIELDS, actor=actor, reason=reason)


def do_save_agency(agency: Agency, *, actor: User, reason: str = "") -> Agency:
    """An agency and its AGY-1 documents (licence numbers and expiry dates, confidentiality agreement)."""
    return _save_record(agency, ActionCode.SAVE_AGENCY, AGENCY_FIELDS, actor=actor, reason=reason)


def do_log_in(request: HttpRequest, user: User) -> None:
    """Start the session of an authenticated user (Django rotates the session key) and record it."""
    with audited(user, ActionCode.LOGIN, permission=Perm.SIGN_IN, subject=user) as record:
        auth_login(request, user)
        record.change("remote_addr", None, request.META.get("REMOTE_ADDR", ""))


def do_log_out(request: HttpRequest) -> None:
    """End the session and record it. Leaving is never refused: a user whose role lost `accounts.sign_in`
    mid-request is still logged out (without an event; the refusal is logged)."""
    user = request.user
    if not user.is_authenticated:
        auth_logout(request)
        return
    try:
        with audited(user, ActionCode.LOGOUT, permission=Perm.SIGN_IN, subject=user):
            auth_logout(request)
    except ActionDenied:
        auth_logout(request)


def do_create_administrator_at_console(username: str, *, email: str | None, password: str | None, **extra) -> User:
    """`manage createsuperuser`: the first administrator of an installation (or another, from the console).
    Recorded with the new administrator as actor, since no one signed in did it."""
    with transaction.atomic():
        role = Role.objects.get(pk=RoleCode.ADMINISTRATOR)
        user = User.objects.create_user(username, email, password, role=role, **extra)
        with audited(
            user,
            ActionCode.SAVE_USER,
            permission=Perm.MANAGE_USERS,
            subject=user,
            reason="created with `manage createsuperuser` at the console",
        ) as record:
            _record_fields(record, None, user, USER_FIELDS)
            record.change("password", None, _password_state(user))
    return user
