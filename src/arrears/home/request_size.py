"""Refuse a request whose body is too large before anything reads it (Issue 14: uploads refused by size).

A request declaring a `Content-Length` above `ARREARS_MAX_REQUEST_BYTES` gets 413 with a message, and its body
is never read: the middleware runs before the CSRF check and the views, which are what parse `request.POST`
and `request.FILES`. Django's own limits stay as a second line: `DATA_UPLOAD_MAX_MEMORY_SIZE` for a form's
fields and `FILE_UPLOAD_MAX_MEMORY_SIZE` above which an uploaded file is spooled to a temporary file instead
of memory. A body sent without a length (chunked) is read by Django only up to the declared length, i.e. not.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.api.errors import error_response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django's own parsing treats a malformed length as no body


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.ARREARS_MAX_REQUEST_BYTES
        if _declared_length(request) <= limit:
            return self.get_response(request)
        # First in the chain (before sessions and LocaleMiddleware): answer in the language the browser asks, in
        # the site's layout (no user shown: the session is not read for a request refused unread).
        with translation.override(translation.get_language_from_request(request)):
            message = _("The request is too large: at most %(mb)s MB can be sent at once. Send a smaller file.") % {
                "mb": f"{limit / 1024 / 1024:.1f}".removesuffix(".0")
            }
            if request.path.startswith("/api/"):
                response = error_response(413, message)
            else:
                context = {"title": _("Request too large"), "message": message}
                response = render(request, "home/problem.html", context, status=413)
        response["Connection"] = "close"  # the unread body must not be taken for the next request
        return response
