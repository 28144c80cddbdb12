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
  403 refused (the role lacks the permission, CSRF, maker–checker), 404 not found or not yours (and any path
  under /api/v1/ that is no endpoint), 409 already decided or lifted, or a call the contact rules or the cadence
  refuse now (`contact_refused`, `cadence_refused`), or a placement the case's or the agency's state refuses
  (`placement_refused`), or a call platform's event that contradicts one received, or a second recording of a
  call; 413 a recording too large; 422 invalid (with "details" for a body that does not match
  the schema, or `incomplete_record` with the call record's fields), 429 over the rate (with Retry-After).
* Lists are {"items": [...], "count": n}, n the number of all items (before `limit`/`offset`).
* Money is yuan as a string both ways ("10000.00"; a JSON number is refused), with fen as integers where a
  list gives both. Dates are ISO 8601, instants in UTC.
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.urls import URLPattern, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import django_auth

from arrears.agencies.access import PlacementFrozen
from arrears.agencies.api import router as agencies_router
from arrears.agencies.api_audits import router as agency_audits_router
from arrears.agencies.api_commissions import router as commissions_router
from arrears.agencies.api_placement import router as placement_router
from arrears.agencies.errors import PlacementError
from arrears.api.auth import TokenAuth, TokenRateThrottle, audit_token_calls
from arrears.api.cases import router as cases_router
from arrears.api.desk import router as desk_router
from arrears.api.errors import error_body, error_response
from arrears.api.portfolio import router as portfolio_router
from arrears.arrangements.api import router as arrangements_router
from arrears.arrangements.errors import ArrangementError
from arrears.collection.calls import CadenceRefused, ContactRefused, IncompleteRecord
from arrears.collection.errors import CollectionError
from arrears.collection.queries import refusal
from arrears.complaints.api import router as complaints_router
from arrears.complaints.api_sla import router as complaint_sla_router
from arrears.complaints.errors import ComplaintError
from arrears.compliance.actions import ActionDenied
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.finance.errors import FinanceError
from arrears.legal.api_escalation import router as escalation_router
from arrears.legal.api_litigation import router as litigation_router
from arrears.legal.errors import LegalError
from arrears.portfolio.actions import PortfolioError
from arrears.quality.api import router as quality_router
from arrears.quality.api_review import router as review_router
from arrears.quality.errors import QualityError
from arrears.reports.api import router as reports_router
from arrears.reports.api_costs import router as costs_router
from arrears.reports.api_scorecards import router as scorecards_router

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
api.add_router("/", desk_router)
api.add_router("/", portfolio_router)
api.add_router("/", arrangements_router)
api.add_router("/", complaint_sla_router)  # before /complaints/{id}
api.add_router("/", complaints_router)
api.add_router("/", escalation_router)
api.add_router("/", agencies_router)
api.add_router("/", placement_router)
api.add_router("/", commissions_router)
api.add_router("/", agency_audits_router)
api.add_router("/", litigation_router)
api.add_router("/", quality_router)
api.add_router("/", review_router)
api.add_router("/", reports_router)
api.add_router("/", scorecards_router)
api.add_router("/", costs_router)


def _error(request: HttpRequest, status: int, message: str, details=None, code: str | None = None, **headers):
    response = api.create_response(request, error_body(status, message, details, code), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(ActionDenied)
def _denied(request: HttpRequest, exc: ActionDenied):
    return _error(request, 403, str(exc))


@api.exception_handler(IncompleteRecord)
def _incomplete(request: HttpRequest, exc: IncompleteRecord):
    details = [{"field": name, "message": str(text)} for name, text in exc.errors.items()]
    message = _("The call record is not complete: %(fields)s.") % {
        "fields": "; ".join(f"{d['field']}: {d['message']}" for d in details)
    }
    return _error(request, 422, message, details, code="incomplete_record")


@api.exception_handler(ContactRefused)
def _contact_refused(request: HttpRequest, exc: ContactRefused):
    """The contact rules refuse the call now (quiet hours, a daily cap, a hold): the rule in words and when a
    call is next allowed, as the call page says it."""
    verdict = exc.verdict
    worded = refusal(verdict)
    message = f"{_('This call is not allowed now')}: {worded['label']} — {worded['reason']}"
    when = verdict.next_allowed_at
    if when is not None:
        message += f". {_('Next allowed')}: {timezone.localtime(when):%Y-%m-%d %H:%M}"
    details = [{"rule": verdict.rule, "next_allowed_at": when.isoformat() if when else None}]
    return _error(request, 409, message, details, code="contact_refused")


@api.exception_handler(CadenceRefused)
def _cadence_refused(request: HttpRequest, exc: CadenceRefused):
    found = exc.refusal
    details = [
        {"last_connected_on": found.last_connected_on.isoformat(), "allowed_from": found.allowed_from.isoformat()}
    ]
    return _error(request, 409, found.message(), details, code="cadence_refused")


@api.exception_handler(PlacementFrozen)
def _frozen(request: HttpRequest, exc: PlacementFrozen):
    """AGY-1: the caller's agency is not eligible today; its placements take no new contact until renewed."""
    return _error(request, 409, str(exc), code="placement_frozen")


@api.exception_handler(ArrangementError)
@api.exception_handler(ComplaintError)
@api.exception_handler(LegalError)
@api.exception_handler(CollectionError)
@api.exception_handler(PortfolioError)
@api.exception_handler(FinanceError)
@api.exception_handler(ProhibitedLanguage)
def _refused(request: HttpRequest, exc: ValueError):
    return _error(request, 422, str(exc))


@api.exception_handler(PlacementError)
def _placement_refused(request: HttpRequest, exc: PlacementError):
    """409 when the state refuses a placement or recall now (LGL-1, AGY-1, one standing), 422 for input that is
    never right."""
    if exc.conflict:
        return _error(request, 409, str(exc), code="placement_refused")
    return _error(request, 422, str(exc))


@api.exception_handler(QualityError)
def _quality_refused(request: HttpRequest, exc: QualityError):
    """The call platform's events and recordings (CALL-3, QA-1): 422 for a field that is wrong (named in the
    message), 409 for what contradicts what was received or is there already, 413 for a recording too large."""
    return _error(request, exc.status, str(exc))


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


def unknown_path(request: HttpRequest, rest: str = ""):
    """Any other path under /api/v1/: 404 in the error shape (not the site's HTML page)."""
    return error_response(404, _("There is no such API path: see /api/v1/docs for the endpoints."))


def urls():
    """`api.urls` with each view wrapped to record the calls made with a token (`audit_token_calls`), and after
    them every other path answered 404 in the error shape."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, audit_token_calls(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
        for p in patterns
    ]
    wrapped.append(re_path(r"^(?P<rest>.*)$", unknown_path, name="unknown"))
    return wrapped, app_name, namespace
