"""The only writers of users, roles' grants, teams and agencies, and of sign-in and sign-out. Each is audited.

The admin calls these from `save_model` (and the password reset), so a change made there is on the ledger with
its before and after values like any other action. Passwords never reach the ledger: only that one was set.

No one sets another person's password and so acts as them (Issue 14, item 13): a new user (`do_create_user`) and
a reset (`do_reset_password`) get a random one-time password, shown once to the administrator, and the user must
choose their own at first sign-in (`must_change_password`; `accounts.middleware` allows nothing else until then).
A user changes only their own password (`do_change_password`, `do_set_user_password`). The one exception is the
console (`do_set_password_at_console`, used by `arrears demo` for the demo logins it prints), where the operator
already holds the database. Deactivating a user ends their sessions at once.

Separation of duties: a role that manages users never holds `USER_ADMIN_INCOMPATIBLE` (permissions.py says
which and why), and nobody changes their own role — so an administrator cannot give themselves a way into the
portfolio. Both are refused here, in the actions, whatever the seeds or the admin form say.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency, Role, RolePermission, Team, User
from arrears.accounts.permissions import USER_ADMIN_INCOMPATIBLE, Perm, forget_permissions
from arrears.accounts.roles import SYSTEM_USERNAME, RoleCode
from arrears.compliance.actions import ActionDenied, AuditRecorder, audited
from arrears.compliance.codes import ActionCode

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "role",
    "team",
    "agency",
    "must_change_password",
)
ROLE_FIELDS = ("name", "description")
TEAM_FIELDS = ("name",)
AGENCY_FIELDS = (
    "code",
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
    """The grants as `Perm`s; refuses unknown codes, a role that manages users (or the administrator role)
    holding any of `USER_ADMIN_INCOMPATIBLE` (separation of duties), and a change that leaves no active user
    able to manage users."""
    try:
        grants = frozenset(Perm(code) for code in permissions)
    except ValueError as exc:
        raise ValidationError(_("Unknown permission: %(error)s") % {"error": exc}) from None
    if role.pk == RoleCode.ADMINISTRATOR or Perm.MANAGE_USERS in grants:
        clash = sorted(grants & USER_ADMIN_INCOMPATIBLE)
        if clash:
            raise ValidationError(
                _(
                    "Separation of duties: a role that manages users cannot also be granted %(perms)s. "
                    "Give these to another role."
                )
                % {"perms": "; ".join(f"{p.value} ({p.text()})" for p in clash)}
            )
    if Perm.MANAGE_USERS not in grants:
        others = User.objects.filter(is_active=True, role__grants__code=Perm.MANAGE_USERS).exclude(role=role)
        if not others.exists():
            raise ValidationError(_("No active user could manage users after this change; keep one administrator."))
    return grants


def end_sessions(user: User) -> int:
    """Delete every session signed in as `user` (they are signed out at their next request); how many ended.
    Sessions live at most `SESSION_COOKIE_AGE` (the idle timeout), so the live ones are few."""
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _refuse_setting_anothers_password(user: User, before: User | None, actor: User) -> None:
    created_with_password = before is None and user.has_usable_password()
    changed = before is not None and before.password != user.password
    if (created_with_password or changed) and getattr(actor, "pk", None) != user.pk:
        raise ValidationError(
            _(
                "No one sets another user's password: create the user or reset their password to give them a "
                "one-time password that they change at first sign-in."
            )
        )


def do_save_user(user: User, *, actor: User, reason: str = "") -> User:
    """Create or update a user as given (fields already set on `user`); records every changed field. Refused:
    a password set for someone else (use `do_create_user` / `do_reset_password`), a change of one's own role.
    Deactivating a user ends their sessions."""
    with audited(actor, ActionCode.SAVE_USER, permission=Perm.MANAGE_USERS, subject=user, reason=reason) as record:
        before = User.objects.select_for_update().filter(pk=user.pk).first() if user.pk else None
        user.full_clean()
        validate_user(user)
        _refuse_setting_anothers_password(user, before, actor)
        if before is not None and user.pk == actor.pk and before.role_id != user.role_id:
            raise ValidationError({"role": _("No one changes their own role; ask another administrator.")})
        _record_fields(record, before, user, USER_FIELDS)
        if before is None:
            record.change("password", None, _password_state(user))
        elif before.password != user.password:
            record.change("password", HIDDEN, _password_state(user))
        user.save()
        if before is not None and before.is_active and not user.is_active:
            record.change("sessions_ended", None, end_sessions(user))
    forget_permissions(user)
    return user


def new_one_time_password() -> str:
    """20 random URL-safe characters (about 120 bits), which pass the password rules."""
    return secrets.token_urlsafe(15)


def do_create_user(user: User, *, actor: User, reason: str = "") -> tuple[User, str]:
    """Create `user` (fields set, not saved) with a random one-time password they must change at first sign-in;
    returns the user and the password, to be shown once to whoever created them (never stored in clear, never on
    the ledger). The creator does not choose the password."""
    if user.pk is not None:
        raise ValueError("do_create_user creates; use do_save_user to change a user")
    password = new_one_time_password()
    with audited(actor, ActionCode.SAVE_USER, permission=Perm.MANAGE_USERS, subject=user, reason=reason) as record:
        user.set_password(password)
        user.must_change_password = True
        user.full_clean()
        validate_user(user)
        _record_fields(record, None, user, USER_FIELDS)
        record.change("password", None, "(one-time)")
        user.save()
    forget_permissions(user)
    return user, password


def do_reset_password(user: User, *, actor: User, reason: str = "") -> str:
    """Give `user` a new random one-time password (returned, shown once), make them change it at their next
    sign-in, and end their sessions. Needs `accounts.manage_users`."""
    password = new_one_time_password()
    with audited(actor, ActionCode.RESET_PASSWORD, permission=Perm.MANAGE_USERS, subject=user, reason=reason) as record:
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.must_change_password = True
        locked.save(update_fields=["password", "must_change_password"])
        record.change("password", HIDDEN, "(one-time)")
        record.change("must_change_password", user.must_change_password, True)
        record.change("sessions_ended", None, end_sessions(locked))
    user.password, user.must_change_password = locked.password, True
    return password


def do_change_password(user: User, *, old_password: str, new_password: str, actor: User) -> User:
    """The user replaces their own password (e.g. the one-time one): the old one must match, the new one pass
    the password rules and differ from it. Clears `must_change_password`."""
    if getattr(actor, "pk", None) != user.pk:
        raise ActionDenied(_("Only the user themselves can choose their password."))
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is not correct; type it again.")})
    if old_password == new_password:
        raise ValidationError({"new_password2": _("Choose a password different from the one you were given.")})
    password_validation.validate_password(new_password, user)
    with audited(actor, ActionCode.CHANGE_PASSWORD, permission=Perm.SIGN_IN, subject=user) as record:
        user.set_password(new_password)
        record.change("password", HIDDEN, "(set)")
        if user.must_change_password:
            record.change("must_change_password", True, False)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    return user


def do_set_user_password(user: User, password: str | None, *, actor: User) -> User:
    """Set one's own password (validated by the password rules), or make it unusable with `None`. Refused for
    another user: they get a one-time password through `do_reset_password` instead."""
    if getattr(actor, "pk", None) != user.pk:
        raise ActionDenied(_("No one sets another user's password; reset it to give them a one-time password instead."))
    return _set_password(user, password, actor=actor, reason="")


def do_set_password_at_console(user: User, password: str | None, *, actor: User, reason: str) -> User:
    """At the console only (`arrears demo` prints the demo logins it sets): set any user's password. No page or
    API calls this; whoever runs the console already holds the database."""
    return _set_password(user, password, actor=actor, reason=reason)


def _set_password(user: User, password: str | None, *, actor: User, reason: str) -> User:
    with audited(actor, ActionCode.SET_PASSWORD, permission=Perm.MANAGE_USERS, subject=user, reason=reason) as rec:
        if password is None:
            user.set_unusable_password()
        else:
            password_validation.validate_password(password, user)
            user.set_password(password)
        rec.change("password", HIDDEN, _password_state(user))
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
