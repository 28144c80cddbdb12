"""Fixtures of the late stage's tests: fast password hashing; the daily run's, the desk's and the API's helpers on
the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

for folder in ("daily", "collection", "api"):
    sys.path.insert(0, str(Path(__file__).parent.parent / folder))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
