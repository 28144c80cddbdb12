"""Who calls the API: a service account's token (`Authorization: Bearer arr_…`) or a signed-in person's session
with CSRF; the rate limit of each token; and the audit event of each call a token makes (Issue 16, item 3).

* A token is looked up by its SHA-256 (`accounts.tokens.token_for`); the call then runs as its service account
  (`request.user`), so every permission check is the one a person of that role meets. An unknown, malformed or
  revoked token, or one whose role no longer grants signing in, is answered 401 at once (not handed on to the
  session check). The token path needs no CSRF:
  a browser never sends the header by itself, so another site cannot make it call the API.
* The session path is django-ninja's `SessionAuth`: CSRF enforced on every unsafe method (`X-CSRFToken`).
* Each token may make `ARREARS_API_RATE` calls (default "120/min") in any sliding window of that length;
  beyond that, 429 with `Retry-After`. The count lives in Django's cache (django-ninja's throttle), which is the
  database cache: one count per token however many server processes and machines answer.
* Each call made with a token appends one `api.call` event to the ledger under the service account's name, with
  the method, path (without its query string, which may carry search terms) and status — a read too, and a
  refused call (403/404/409/422) too; a call refused for its rate (429) is logged, not recorded, so a flood
  cannot flood the ledger. A write's own event (a plan proposed…) is written by its action as for a person, so a
  write makes two events. Calls by a person's session are not recorded again: their actions are.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from arrears.accounts.models import ServiceToken
from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.tokens import token_for
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode

security_log = logging.getLogger("arrears.security")

DEFAULT_RATE = "120/min"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` → the token's service account, or 401."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header and header.split(" ", 1)[0].lower() != "bearer":
            raise AuthenticationError(401, _("Send the API token as Authorization: Bearer <token>."))
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ServiceToken:
        row = token_for(token.strip())
        # A role whose sign-in grant was withdrawn stops its tokens too (and the call's event rests on that grant).
        if row is None or not has_perm(row.account, Perm.SIGN_IN):
            security_log.warning("api: refused an unknown or revoked token for %s %s", request.method, request.path)
            raise AuthenticationError(401, _("The API token is not valid or was revoked."))
        ServiceToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.account
        request.service_token = row
        return row


class TokenRateThrottle(SimpleRateThrottle):
    """At most `ARREARS_API_RATE` calls per token in a sliding window; session calls are not limited here."""

    scope = "api_token"

    def __init__(self) -> None:
        super().__init__(getattr(settings, "ARREARS_API_RATE", DEFAULT_RATE))

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "ARREARS_API_RATE", DEFAULT_RATE)
        if rate != self.rate:  # the setting is read on each call, so a changed one applies without a restart
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        row = getattr(request, "service_token", None)
        if row is None:
            return None
        # Keyed by the token's hash, not its row id: ids can come back after a rolled-back transaction.
        return self.cache_format % {"scope": self.scope, "ident": row.token_sha256}


def audit_token_calls(view):
    """Wrap an API URL's view: after a call made with a token, append its `api.call` event (see above)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        row = getattr(request, "service_token", None)
        if row is None:
            return response
        if response.status_code == 429:
            security_log.warning("api: token %s over its rate on %s %s", row.name, request.method, request.path)
            return response
        with audited(row.account, ActionCode.API_CALL, permission=Perm.SIGN_IN, subject=row) as record:
            record.change("method", None, request.method)
            record.change("path", None, request.path)
            record.change("status", None, response.status_code)
        return response

    return wrapper
