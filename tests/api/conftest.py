import sys
from pathlib import Path

import pytest

# The daily run's book helpers, the collection desk's and the API's clients live beside their tests.
for folder in ("daily", "collection", "api"):
    sys.path.insert(0, str(Path(__file__).parent.parent / folder))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
