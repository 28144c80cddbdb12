"""The error pages (400, 403, 404, 500) in the site's layout and the user's language.

Django's defaults are bare English pages; a collector working in Chinese gets these instead. None of them
repeats the exception's text: a refusal's message names permission codes and a 404's names internal lookups,
which are for the log (`arrears.security`, `django.request`), not the page. The 500 page is rendered with the
same layout when it can be; if rendering itself fails (the database is down, say), a plain page in the same
words is sent instead, so a server error never hides behind a second one.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "home/problem.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("Bad request"), _("The request could not be read. Go back and send the form again."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _(
        "Your role does not allow this page or action. If your work needs it, ask your supervisor or an administrator."
    )
    return _page(request, 403, _("Not allowed"), message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("There is no such page, or it is not one you may see. Check the address, or start again from the menu.")
    return _page(request, 404, _("Not found"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    title = _("Server error")
    message = _(
        "Something went wrong on the server; nothing was saved by this request. The error is logged for the "
        "administrators; try again, and tell them if it happens again."
    )
    try:
        return _page(request, 500, title, message)
    except Exception:  # the layout needs the database and the session; a server error must still be answered
        log.exception("the 500 page could not be rendered; answered in plain HTML")
        body = f"<!doctype html><title>{escape(title)}</title><h2>{escape(title)}</h2><p>{escape(message)}</p>"
        return HttpResponse(body, status=500)
