"""Failed sign-ins are audit events (Clause: AUTH-4), next to django-axes' own count that locks a username and
address pair out after `AXES_FAILURE_LIMIT` wrong passwords.

Django sends `user_login_failed` whenever authentication fails — a wrong password, an unknown username, or a
pair axes has locked out (axes refuses those before any password is checked). Each such attempt becomes one
`auth.login_failed` event, recorded by the system user (the one who tried is not signed in): the username as
given (the staff member's login name, not a borrower's personal data; at most 150 characters), the source
address (as axes reads it), whether axes had it locked out, and — when the username is a user's — that user as
the subject. Never the password.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import DatabaseError

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import record_system_event
from arrears.compliance.codes import ActionCode

log = logging.getLogger("arrears.security")

MAX_USERNAME = 150  # the user model's limit: a longer string is not a username anyone has


def _source_address(request: Any) -> str:
    if request is None:
        return ""
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", ""))


def record_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """`user_login_failed` receiver: one audit event per failed attempt (see the module docstring). A failure
    to write it is logged, never turned into an error page for the person signing in."""
    username = str(credentials.get("username") or "")[:MAX_USERNAME]
    user_pk = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    changes = {
        "username": (None, username),
        "remote_addr": (None, _source_address(request)),
        "locked_out": (None, bool(getattr(request, "axes_locked_out", False))),
    }
    try:
        record_system_event(
            ActionCode.LOGIN_FAILED,
            permission=Perm.SIGN_IN,
            subject=("accounts.user", "" if user_pk is None else str(user_pk)),
            changes=changes,
            clause="AUTH-4",
        )
    except DatabaseError:
        log.exception("failed sign-in of %r from %s not recorded in the ledger", username, changes["remote_addr"][1])


def connect() -> None:
    user_login_failed.connect(record_failed_login, dispatch_uid="arrears.accounts.record_failed_login")
