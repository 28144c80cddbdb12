"""Suite-wide set-up: hypothesis profiles and a loud failure when the configured database is unreachable."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from dbstate import restore_migrated_state
from net import free_port, use_smtp

# Money properties run 10,000 examples in CI and a few hundred locally (override with HYPOTHESIS_PROFILE).
settings.register_profile("ci", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """With DATABASE_URL naming PostgreSQL, an unreachable server fails the run; it is never skipped."""
    from django.conf import settings as django_settings

    db = django_settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return
    import psycopg

    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL from DATABASE_URL is unreachable: {exc}".strip(), returncode=3)


@pytest.fixture
def _migrated_state_back_after_flush(django_db_blocker):
    """Set up before `transactional_db`, so torn down after its end-of-test flush."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_state()


@pytest.fixture
def ledger_transactional_db(_migrated_state_back_after_flush, transactional_db):
    """`transactional_db` for tests that commit audit events: starts from the migrated state (an earlier
    transactional test's flush may have emptied it), and the append-only triggers step aside only for the
    flush that empties the database after the test."""
    from django.db import connection

    from arrears.compliance import append_only

    restore_migrated_state()
    yield
    append_only.remove(connection)


@pytest.fixture
def live_db(transactional_db):
    """The live server's database (committed, flushed after the test) in its migrated state; the ledger's
    append-only triggers step aside only for that flush."""
    from django.db import connection

    from arrears.compliance import append_only

    restore_migrated_state()
    yield
    append_only.remove(connection)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages raised by code called directly in a test are in English (tests match them); a request through
    the test client still gets the product's default, Simplified Chinese, unless it asks for English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def ledger_anchors(settings, tmp_path_factory):
    """Each test keeps its own ledger anchors (a nightly run publishes one) and key, in a folder of its own (not
    its tmp_path, which tests list): an anchor of one test's ledger must not be checked against another's.
    Returns the anchor file's path."""
    folder = tmp_path_factory.mktemp("ledger")
    settings.ARREARS_LEDGER_ANCHOR_DIR = folder / "anchors"
    settings.ARREARS_LEDGER_ANCHOR_KEY = ""
    settings.ARREARS_LEDGER_ANCHOR_KEY_FILE = folder / "ledger_anchor_key"
    return folder / "anchors" / "anchors.jsonl"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Each test stores files (call recordings, through `default_storage`) in a folder of its own, never under the
    project's var/; returns it."""
    folder = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = folder
    return folder


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def approved_templates(db) -> dict:
    """{(purpose, language): Template} — an approved version of every purpose in every language, approved by a
    legal officer through `do_review_template` (LANG-2), as on the first day of a real installation.

    Works from whatever state the test database is in: after a transactional test's flush the roles and the
    seeded versions are put back first; a version already approved is kept; where neither an approved nor an
    in-review version exists (a test retired or rejected it), the seeded text is put in review again as the
    next version and approved. Works with `db` and with `ledger_transactional_db` alike.
    """
    from django.utils import timezone

    from arrears.accounts.models import Role
    from arrears.notices.models import Language, Template, TemplatePurpose, TemplateStatus
    from arrears.notices.template_actions import approved_template, do_review_template
    from dbstate import SEEDED_TEMPLATES, restore_migrated_state, seed_templates
    from factories import make_user

    if not Role.objects.exists():
        restore_migrated_state()
    seed_templates()
    reviewer = make_user("legal_officer")
    approved = {}
    for purpose in TemplatePurpose.values:
        for language in Language.values:
            current = approved_template(purpose, language)
            if current is None:
                waiting = (
                    Template.objects.filter(purpose=purpose, language=language, status=TemplateStatus.IN_REVIEW)
                    .order_by("-version")
                    .first()
                )
                if waiting is None:
                    subject, body = SEEDED_TEMPLATES[(purpose, language)]
                    latest = Template.objects.filter(purpose=purpose, language=language).order_by("-version").first()
                    now = timezone.now()
                    waiting = Template.objects.create(
                        purpose=purpose,
                        language=language,
                        version=(latest.version if latest else 0) + 1,
                        status=TemplateStatus.IN_REVIEW,
                        subject=subject,
                        body=body,
                        created_at=now,
                        submitted_at=now,
                    )
                current = do_review_template(waiting, approve=True, note="", actor=reviewer)
            approved[(purpose, language)] = current
    return approved
