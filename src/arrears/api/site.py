"""The REST API, version 1: mounted at /api/v1/; OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs
(Clause: AUTH-2, AUTH-4).

How this works
--------------
* Two ways in (`arrears.api.auth`): another system's service-account token, `Authorization: Bearer <token>`
  (created by an administrator with `arrears token create`; no CSRF; rate-limited; every call recorded on the
  ledger under the account's name), or a signed-in person's session, which sends the `csrftoken` cookie's value
  in `X-CSRFToken` on every unsafe method. Without either: 401. The docs and the schema need a signed-in user.
* Either way the caller meets the permission checks of their role: the same `has_perm`, the same case
  visibility (a case outside it is answered 404, like one that does not exist), the same masking.
* Nothing here decides anything: each endpoint turns JSON into the arguments of one query or action.
* Every error has one shape, {"error": {"code": ..., "message": ...}} (`arrears.api.errors`), the message in
  the request's language (Accept-Language, or the language cookie): 400 bad request, 401 no or a bad token,
  403 refused (the role lacks the permission, CSRF, maker–checker), 404 not found or not yours, 409 already
  decided, 422 invalid (with "details" for a body that does not match the schema), 429 over the rate (with
  Retry-After).
* Lists are {"items": [...], "count": n}, n the number of all items (before `limit`/`offset`).
* Money is yuan as a string both ways ("10000.00"; a JSON number is refused), with fen as integers where a
  list gives both. Dates are ISO 8601, instants in UTC.
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import django_auth

from arrears.api.auth import TokenAuth, TokenRateThrottle, audit_token_calls
from arrears.api.cases import router as cases_router
from arrears.api.errors import error_body
from arrears.arrangements.api import router as arrangements_router
from arrears.arrangements.errors import ArrangementError
from arrears.compliance.actions import ActionDenied
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.finance.errors import FinanceError

__all__ = ["api", "urls"]

api = NinjaAPI(
    title="arrears API",
    version="1",
    description=__doc__.split("How this works", 1)[0].strip(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=login_required,
    auth=[TokenAuth(), django_auth],
    throttle=[TokenRateThrottle()],
)
api.add_router("/", cases_router)
api.add_router("/", arrangements_router)


def _error(request: HttpRequest, status: int, message: str, details=None, **headers):
    response = api.create_response(request, error_body(status, message, details), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(ActionDenied)
def _denied(request: HttpRequest, exc: ActionDenied):
    return _error(request, 403, str(exc))


@api.exception_handler(ArrangementError)
@api.exception_handler(FinanceError)
@api.exception_handler(ProhibitedLanguage)
def _refused(request: HttpRequest, exc: ValueError):
    return _error(request, 422, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    return _error(request, 422, _("The request does not match the schema: see details."), details=exc.errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return _error(request, 404, _("Not found."))


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled):
    wait = max(1, math.ceil(exc.wait or 1))
    message = _("Too many calls with this token: wait %(seconds)s seconds and try again.") % {"seconds": wait}
    return _error(request, 429, message, Retry_After=str(wait))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    message = str(exc)
    if isinstance(exc, AuthenticationError) and message == "Unauthorized":  # django-ninja's own word
        message = _("Sign in, or send a service account's token as Authorization: Bearer <token>.")
    elif exc.status_code == 403 and message == "CSRF check Failed":  # django-ninja's own words
        message = _("The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.")
    return _error(request, exc.status_code, message)


def urls():
    """`api.urls` with each view wrapped to record the calls made with a token (`audit_token_calls`)."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, audit_token_calls(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
        for p in patterns
    ]
    return wrapped, app_name, namespace
