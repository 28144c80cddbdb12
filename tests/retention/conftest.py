"""Fixtures of the retention tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def recordings(settings, tmp_path):
    """A recordings store of its own, one directory per call date."""
    root = tmp_path / "recordings"
    root.mkdir()
    settings.ARREARS_RECORDINGS_DIR = str(root)
    return root
