"""The log's two formats (ARREARS_LOG_FORMAT): `text`, one readable line per record, and `json`, one JSON
object per line for a log collector:

    {"time": "2026-12-06T04:30:00.123Z", "level": "WARNING", "logger": "arrears.security", "message": "…",
     "request_id": "9f1c…", "user": "zhang.wei"}

`time` is UTC; `request_id` and `user` (the signed-in account's username, a member of staff, once the request's
user was looked up) are there for a record written while a request is handled; `exception` carries a traceback.
Nothing else of the request is added: no query string, no form field, no borrower's data (`RequestContext` keeps
the request only to read those two, and never queries the database for them).
A request's id is the `X-Request-ID` its proxy sent, when it looks like one, else a new one; the answer carries it
back in `X-Request-ID`, and gunicorn's access line (json: `"logger": "gunicorn.access"`) names it too.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import LazyObject, empty

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

request_id: ContextVar[str] = ContextVar("request_id", default="")
current_request: ContextVar[object | None] = ContextVar("current_request", default=None)
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class JsonLines(logging.Formatter):
    """One JSON object per record, on one line (a message's own newlines are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC)
        entry = {
            "time": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            entry["request_id"] = rid
        if user := signed_in_user():
            entry["user"] = user
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def signed_in_user() -> str:
    """The username of the request being handled, if its user was already looked up (never a query of its own:
    a record written before the session was read names no user)."""
    request = current_request.get()
    user = getattr(request, "__dict__", {}).get("user")
    if user is None or (isinstance(user, LazyObject) and user._wrapped is empty):
        return ""
    return user.get_username() if user.is_authenticated else ""


def formatter(kind: str) -> logging.Formatter:
    return JsonLines() if kind == "json" else logging.Formatter(TEXT_FORMAT)


class RequestContext:
    """Middleware: the request's id (and, through the request, its signed-in user) for the log records written
    while it is handled; the id is sent back in `X-Request-ID`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        rid = sent if _GOOD_ID.fullmatch(sent) else uuid.uuid4().hex
        id_token, request_token = request_id.set(rid), current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(id_token)
            current_request.reset(request_token)
        response["X-Request-ID"] = rid
        return response
