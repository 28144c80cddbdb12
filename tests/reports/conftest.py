"""Fixtures of the reports' tests: fast password hashing; the agencies' commission book, the late stage's lawsuit
and the API's client helpers on the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

for folder in ("reports", "agencies", "legal", "daily", "collection", "api"):
    path = str(Path(__file__).parent.parent / folder)
    if path not in sys.path:
        sys.path.insert(0, path)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
