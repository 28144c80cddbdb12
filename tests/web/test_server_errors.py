"""A server error leaves its traceback in the log, with DEBUG off as in production."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from django.urls import path


def boom(request):
    raise RuntimeError("forced failure 7f3a")


urlpatterns = [path("boom/", boom)]

# A fresh interpreter with the production settings (DEBUG off): a view that fails, answered 500 by the client.
SERVER = """
import os, sys, types
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "arrears.settings"
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import path

def boom(request):
    raise RuntimeError("forced failure 7f3a")

module = types.ModuleType("boom_urls")
module.urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = module
setup_test_environment()
settings.ROOT_URLCONF = "boom_urls"
print(settings.DEBUG, Client(raise_request_exception=False).get("/boom/").status_code)
"""


def test_a_server_error_logs_its_traceback_to_stderr_with_debug_off(tmp_path):
    """With DEBUG off (Django's own console handler then says nothing), a 500 writes the request, the
    exception and its traceback to stderr, where the service manager keeps it."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", SERVER],
        env={**env, "ARREARS_VAR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["False", "500"], result.stderr
    assert "ERROR django.request: Internal Server Error: /boom/" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "RuntimeError: forced failure 7f3a" in result.stderr


def test_a_server_error_is_logged_with_its_exception(client, settings, caplog):
    """The log record of a 500 carries the exception (exc_info), so every handler can print the traceback."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.get("/boom/").status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert record.exc_info[0] is RuntimeError
    assert str(record.exc_info[1]) == "forced failure 7f3a"
