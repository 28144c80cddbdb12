"""The Spark runner's tests need pyspark and Java 17: CI (CI=true) fails without them; elsewhere they skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def _missing() -> str:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'arrears[spark]')"
    home = os.environ.get("JAVA_HOME")
    if not (home and (Path(home) / "bin" / "java").exists()) and shutil.which("java") is None:
        return "no Java found (JAVA_HOME or PATH); Spark 4 needs Java 17 (apt-get install openjdk-17-jre-headless)"
    return ""


def need_spark() -> None:
    """Fail under CI, skip elsewhere, when Spark cannot run here."""
    missing = _missing()
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI runs the Spark runner's tests: {missing}", pytrace=False)
    pytest.skip(missing)
