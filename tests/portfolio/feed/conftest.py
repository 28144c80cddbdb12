"""Feed-import fixtures: a writer for small literal feeds, the importing users, and table snapshots."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest
from feed_samples import BORROWERS, EXAMPLE, LOANS, PAYMENTS, SCHEDULES


@pytest.fixture
def example_feed():
    """docs/feed-example: the documented example, business date 2026-03-02."""
    return EXAMPLE


@pytest.fixture
def write_feed(tmp_path):
    """write_feed(name, {"borrowers.csv": text or bytes, …}) -> the feed directory."""

    def write(name: str, files: dict[str, str | bytes]) -> Path:
        directory = tmp_path / name
        directory.mkdir()
        for file, content in files.items():
            data = content if isinstance(content, bytes) else textwrap.dedent(content).encode()
            (directory / file).write_bytes(data)
        return directory

    return write


@pytest.fixture
def small_feed(write_feed):
    """The small valid feed above, as CSV."""
    return write_feed(
        "small",
        {"borrowers.csv": BORROWERS, "loans.csv": LOANS, "schedules.csv": SCHEDULES, "payments.csv": PAYMENTS},
    )


@pytest.fixture
def var_dir(settings, tmp_path):
    """Reports go under the test's own directory."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def nightly(db):
    """The system user the nightly run imports as (created by the accounts data migration)."""
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME

    return User.objects.get(username=SYSTEM_USERNAME)


_names = itertools.count(1)


@pytest.fixture
def make_user(db):
    """make_user(role_code or None, username=None) -> an active user with that seeded role."""
    from arrears.accounts.models import Role, User

    def make(role: str | None, username: str | None = None):
        return User.objects.create_user(
            username or f"{role or 'nobody'}-{next(_names)}",
            password="a long passphrase 123",
            role=Role.objects.get(code=role) if role else None,
        )

    return make


@pytest.fixture
def snapshot(db):
    """snapshot() -> every row of the portfolio tables, the feed loads and the audit ledger, by table."""
    from arrears.compliance.models import AuditEvent
    from arrears.portfolio.models import (
        Borrower,
        ContactPerson,
        FeedLoad,
        Instalment,
        Loan,
        Payment,
        PaymentAllocation,
    )

    models = (Borrower, ContactPerson, Loan, Instalment, Payment, PaymentAllocation, FeedLoad, AuditEvent)

    def take() -> dict[str, list[dict]]:
        return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}

    return take
