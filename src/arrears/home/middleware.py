"""Requests that carry a NUL character are refused before any view reads them.

No field of arrears accepts a NUL (U+0000): PostgreSQL refuses it in text, so a NUL that reached a view would
either crash the request there (a 500) or, on SQLite, be stored. Whatever carries it — the path (raw or `%00`),
a query parameter's name or value, a header or a cookie, a form field's name or value, a JSON body (raw or as
the escape \\u0000) or any other body that is not a file upload — the answer is 400 with a page in the site's
layout and the user's language (JSON for the API) saying what was wrong. Uploaded files' contents are not
checked: a PDF or an image holds NUL bytes. A JSON string may also carry a lone surrogate (an unpaired
\\ud800–\\udfff escape), which no UTF-8 text holds and the database cannot store: refused the same way.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.api.errors import error_response

log = logging.getLogger("arrears.security")
NUL = "\x00"
SURROGATE = re.compile("[\ud800-\udfff]")


def _json_text(value: object) -> str | None:
    """What is wrong with a parsed JSON value's strings: "nul", "surrogate" (a lone \\ud800–\\udfff escape,
    which no UTF-8 text holds) or None."""
    if isinstance(value, str):
        return "nul" if NUL in value else "surrogate" if SURROGATE.search(value) else None
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value if isinstance(value, list) else []
    return next((found for item in items if (found := _json_text(item))), None)


def _multi_holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def unstorable(request: HttpRequest) -> str | None:
    """ "nul" when the path, the query, a header or cookie, the form fields, the file names or a non-upload body
    holds a NUL; "surrogate" when a JSON body holds a lone surrogate escape; else None."""
    if NUL in request.path or NUL in request.path_info or _multi_holds_nul(request.GET):
        return "nul"
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return "nul"  # a session cookie with a NUL would crash the session's lookup on PostgreSQL
    if any(key.startswith("HTTP_") and isinstance(value, str) and NUL in value for key, value in request.META.items()):
        return "nul"  # the login records the User-Agent of a failed attempt
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        files = request.FILES.lists()
        if _multi_holds_nul(request.POST) or any(NUL in k or any(NUL in (f.name or "") for f in v) for k, v in files):
            return "nul"
        return None
    body = request.body
    if b"\x00" in body:
        return "nul"
    if content_type == "application/x-www-form-urlencoded":
        return "nul" if _multi_holds_nul(request.POST) else None
    if content_type.endswith("json") and b"\\u" in body:
        try:
            return _json_text(json.loads(body))
        except ValueError:
            return None  # not JSON: the view says so
    return None


class RefuseNul:
    """Answers 400 to a request carrying a NUL anywhere it could reach a view, or a lone surrogate in a JSON body
    (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = unstorable(request)
        if problem is None:
            return self.get_response(request)
        # First in the chain (before sessions and LocaleMiddleware): answer in the language the browser asks.
        with translation.override(translation.get_language_from_request(request)):
            return self.refuse(request, problem)

    def refuse(self, request: HttpRequest, problem: str) -> HttpResponse:
        log.warning("refused: %s in %s %r", problem, request.method, request.path.replace(NUL, "\\x00")[:200])
        if problem == "nul":
            message = _(
                "The request contains a NUL character (%00), which no field accepts. Remove it and send the form again."
            )
        else:
            message = _(
                "The request contains text that is not valid Unicode (an unpaired \\ud800–\\udfff escape). Send the "
                "text as UTF-8."
            )
        if request.path.startswith("/api/") or "json" in (request.content_type or ""):
            return error_response(400, message)
        # The page must not echo the path or query back (the language form's `next` would carry the NUL). It
        # runs before the session is read (its cookie may be what carries the NUL), so it shows no user.
        request.path = request.path_info = "/"
        request.META["QUERY_STRING"] = ""
        return render(request, "home/bad_request.html", {"message": message}, status=400)


class LedgerBrokenAnswer:
    """An audited action refused because the ledger's head no longer names its last event (a row written or
    removed outside arrears, `compliance.actions.LedgerBroken`): nothing was recorded, and no audited action can
    run until the database is restored. The user gets 503 with what happened and whom to tell, not a server
    error; the security log already has the details."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from arrears.compliance.actions import LedgerBroken

        if not isinstance(exception, LedgerBroken):
            return None
        message = _(
            "Nothing was saved: the audit ledger was changed outside arrears, so no action can be recorded until it "
            "is restored. Tell a compliance officer, who can see what is wrong under Ledger verification."
        )
        if request.path.startswith("/api/"):
            return error_response(503, message)
        return render(
            request, "home/problem.html", {"title": _("The audit ledger is broken"), "message": message}, status=503
        )
