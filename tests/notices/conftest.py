"""Fixtures of the notices tests: fast password hashing; the book and desk helpers on the path (the approved
templates fixture is suite-wide, in tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The daily run's book helpers and the collection desk's live beside their tests.
for folder in ("daily", "collection"):
    sys.path.insert(0, str(Path(__file__).parent.parent / folder))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests here make many users; a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
