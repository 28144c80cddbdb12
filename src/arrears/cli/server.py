"""The production server behind `arrears serve`: gunicorn, run in this process as its master.

gunicorn's master forks the workers, restarts one that dies or hangs past the timeout, and on SIGTERM stops
accepting connections, lets each worker finish its request (up to the graceful timeout) and exits 0. Its access
log and its own messages go to stderr, one line each, where the service manager keeps them.
"""

from __future__ import annotations

import logging
import sys

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from arrears.logs import JsonLines


class StderrLogger(glogging.Logger):
    """gunicorn's logger with the access log on stderr (gunicorn writes "-" to stdout): stdout stays for what a
    command prints, and every line of the server reaches the same journal. With ARREARS_LOG_FORMAT=json its
    error lines and access lines are JSON objects like the application's (arrears/logs.py); an access line
    carries the method, the path without its query string (which can hold what was searched), the status, the
    bytes sent, the duration and the request's id."""

    def setup(self, cfg):
        from django.conf import settings

        super().setup(cfg)
        self.json = settings.ARREARS_LOG_FORMAT == "json"
        if cfg.accesslog == "-":
            self._set_handler(self.access_log, "-", fmt=logging.Formatter(self.access_fmt), stream=sys.stderr)
        if self.json:
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(JsonLines())

    def access(self, resp, req, environ, request_time):
        if not self.json:
            return super().access(resp, req, environ, request_time)
        headers = dict((name.lower(), value) for name, value in (resp.headers or ()))
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        rid = headers.get("x-request-id", "")
        message = f"{fields['method']} {fields['path']} {fields['status']}"
        try:
            self.access_log.info(message, extra={"fields": fields, "request_id": rid})
        except Exception:  # as gunicorn's own access(): a log line never fails a request
            self.error(f"Failed to format log message: {message}")
        return None


class Server(BaseApplication):
    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run(application, *, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,  # above 1: the threaded worker, which also keeps connections alive
        "timeout": timeout,  # a worker silent this long is restarted (a request past it is cut off)
        "graceful_timeout": 30,  # on SIGTERM, how long running requests have to finish
        "accesslog": "-",
        "errorlog": "-",
        "logger_class": StderrLogger,
        "proc_name": "arrears",
        "control_socket_disable": True,  # no gunicornc socket in the home directory: the service manager controls it
    }
    Server(application, options).run()
