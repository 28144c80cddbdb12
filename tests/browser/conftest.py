"""Playwright driving Debian's Chromium against the live test server.

The browser is the system's (`chromium`, or `ARREARS_CHROMIUM`): Playwright's own browser downloads are not
used. A missing browser fails the run with what to install; it is never skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import settings

from dbstate import restore_migrated_state

sys.path.insert(0, str(Path(__file__).parent.parent / "collection"))
sys.path.insert(0, str(Path(__file__).parent.parent / "daily"))
sys.path.insert(0, str(Path(__file__).parent.parent / "legal"))  # the late stage's book (file_book)
sys.path.insert(0, str(Path(__file__).parent.parent / "agencies"))  # the agencies' book (placed)

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path() -> str:
    path = os.environ.get("ARREARS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("no Chromium found: install Debian's package `chromium` (scripts/bootstrap.sh dev does)")
    return path


@pytest.fixture(scope="session")
def browser():
    """Chromium for the session. Playwright runs an event loop in this thread while it lives, and Django's
    connections are then kept per context instead of per thread: the connection this thread opened before could no
    longer be seen, so it could never be closed, and the test database could not be dropped at the end of the
    session. So they are closed before it starts, while it stops (what the tests after the browser's opened), and
    after it stopped."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield browser
        browser.close()
        connections.close_all()
    connections.close_all()


@pytest.fixture
def screenshots(request) -> Path:
    """Where this test saves its screenshots: var/screenshots/<test name>/."""
    folder = Path(settings.VAR_DIR) / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module", autouse=True)
def _migrated_state_back_after_the_module(django_db_blocker):
    """The live server's flush after each test empties the database; the tests after these need what the
    migrations seeded."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        restore_migrated_state()
        # Playwright's greenlet gives this teardown a context of its own, and so a database connection of its
        # own: close it, or the test database cannot be dropped at the end of the session.
        connections.close_all()


@pytest.fixture
def new_page(browser):
    """Pages in their own browser contexts (one per signed-in user), all closed at the end of the test so no
    connection to the live server outlives it."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
