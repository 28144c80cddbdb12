"""`scripts/bootstrap.sh`: a missing system package is installed when possible, otherwise named."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fake_python_without_venv(bin_dir: Path) -> None:
    """A python3 that is new enough but whose `-m venv` fails, as on Debian without python3-venv."""
    bin_dir.mkdir()
    script = bin_dir / "python3"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        '  *"-m venv"*) echo "ensurepip is not available" >&2; exit 1;;\n'
        "  *version_info\\[0\\]*) echo 3.11;;\n"
        "  *) exit 0;;\n"
        "esac\n"
    )
    script.chmod(0o755)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root to act as another user")
def test_without_root_or_sudo_the_missing_package_is_named():
    """Not root, no sudo: the set-up stops, names the package and the command to install it, creates nothing."""
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:  # pytest's tmp_path is private to root
        run_as_nobody(Path(tmp))


def run_as_nobody(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", project / "scripts" / "bootstrap.sh")
    (project / "requirements").mkdir()
    (project / "requirements" / "dev.lock").write_text("")
    (project / "pyproject.toml").write_text("")
    fake_python_without_venv(tmp_path / "bin")
    os.chmod(tmp_path, 0o755)
    subprocess.run(["chown", "-R", "nobody", str(project)], check=True)
    result = subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            "env",
            f"PATH={tmp_path / 'bin'}:/usr/bin:/bin",
            "PYTHON=python3",
            "bash",
            str(project / "scripts" / "bootstrap.sh"),
            "dev",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "bootstrap: missing system package(s): python3.11-venv. Install them with: sudo apt-get install python3.11-venv"
    )
    assert not (project / ".venv").exists()
