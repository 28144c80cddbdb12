"""The log's two formats (ARREARS_LOG_FORMAT): `text`, one readable line per record, and `json`, one JSON
object per line for a log collector:

    {"time": "2026-12-06T04:30:00.123Z", "level": "WARNING", "logger": "arrears.security", "message": "…",
     "request_id": "9f1c…", "user": "zhang.wei"}

`time` is UTC; `request_id` and `user` (the signed-in account's username, a member of staff) are there for a
record written while a request is handled; `exception` carries a traceback. Nothing else of the request is
added: no query string, no form field, no borrower's data (`RequestContext` sets only the id and the username).
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

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

request_id: ContextVar[str] = ContextVar("request_id", default="")
request_user: ContextVar[str] = ContextVar("request_user", default="")
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
        for key in ("request_id", "user"):
            value = getattr(record, key, "") or (request_id.get() if key == "request_id" else request_user.get())
            if value:
                entry[key] = value
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(kind: str) -> logging.Formatter:
    return JsonLines() if kind == "json" else logging.Formatter(TEXT_FORMAT)


class RequestContext:
    """Middleware: the request's id (and, once signed in, its user's username) for the log records written while
    it is handled; the id is sent back in `X-Request-ID`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        rid = sent if _GOOD_ID.fullmatch(sent) else uuid.uuid4().hex
        id_token = request_id.set(rid)
        user_token = request_user.set("")
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(id_token)
            request_user.reset(user_token)
        response["X-Request-ID"] = rid
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)  # authenticated by the middleware before this one
        if user is not None and user.is_authenticated:
            request_user.set(user.get_username())
        return None
