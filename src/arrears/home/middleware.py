"""Requests that carry a NUL character are refused before any view reads them.

No field of arrears accepts a NUL (U+0000): PostgreSQL refuses it in text, so a NUL that reached a view would
either crash the request there (a 500) or, on SQLite, be stored. Whatever carries it — the path (raw or `%00`),
a query parameter's name or value, a header or a cookie, a form field's name or value, a JSON body (raw or as
the escape \\u0000) or any other body that is not a file upload — the answer is 400 with a page in the site's
layout and the user's language (JSON for the API) saying what was wrong. Uploaded files' contents are not
checked: a PDF or an image holds NUL bytes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger("arrears.security")
NUL = "\x00"


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _multi_holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def carries_nul(request: HttpRequest) -> bool:
    """Whether the path, the query, a header or cookie, the form fields, the file names or a non-upload body
    holds a NUL."""
    if NUL in request.path or NUL in request.path_info or _multi_holds_nul(request.GET):
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True  # a session cookie with a NUL would crash the session's lookup on PostgreSQL
    if any(key.startswith("HTTP_") and isinstance(value, str) and NUL in value for key, value in request.META.items()):
        return True  # the login records the User-Agent of a failed attempt
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        if _multi_holds_nul(request.POST):
            return True
        return any(NUL in key or any(NUL in (f.name or "") for f in files) for key, files in request.FILES.lists())
    body = request.body
    if b"\x00" in body:
        return True
    if content_type == "application/x-www-form-urlencoded":
        return _multi_holds_nul(request.POST)
    if content_type.endswith("json") and b"\\u0000" in body.lower():
        try:
            return _holds_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the view says so
    return False


class RefuseNul:
    """Answers 400 to a request carrying a NUL anywhere it could reach a view (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not carries_nul(request):
            return self.get_response(request)
        # First in the chain (before sessions and LocaleMiddleware): answer in the language the browser asks.
        with translation.override(translation.get_language_from_request(request)):
            return self.refuse(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        log.warning("refused: a NUL character in %s %r", request.method, request.path.replace(NUL, "\\x00")[:200])
        message = _(
            "The request contains a NUL character (%00), which no field accepts. Remove it and send the form again."
        )
        if request.path.startswith("/api/") or "json" in (request.content_type or ""):
            return JsonResponse({"detail": message}, status=400)
        # The page must not echo the path or query back (the language form's `next` would carry the NUL). It
        # runs before the session is read (its cookie may be what carries the NUL), so it shows no user.
        request.path = request.path_info = "/"
        request.META["QUERY_STRING"] = ""
        return render(request, "home/bad_request.html", {"message": message}, status=400)
