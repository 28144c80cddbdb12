"""The generator is part of the pure core: it never imports Django, and `arrears demo --no-import` never
starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_generating_and_writing_import_no_django(tmp_path):
    done = run_python(
        f"""
        import sys
        from datetime import date
        from arrears.portfolio.demo import generate_feed, write_feed
        generate_feed(50, seed=1, business_date=date(2026, 11, 27))
        write_feed({str(tmp_path)!r}, 50, seed=1, business_date=date(2026, 11, 27), fmt="parquet")
        print(sorted(m for m in sys.modules if m == "django" or m.startswith("django.")))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_demo_without_import_runs_without_django_settings(tmp_path):
    """With settings that cannot even be imported, a feed-only run still succeeds."""
    done = run_python(
        f"""
        import sys
        from arrears.cli import main
        code = main(["demo", "--loans", "120", "--seed", "4", "--business-date", "2026-11-27",
                     "--out", {str(tmp_path / "feed")!r}, "--no-import"])
        print("django" in sys.modules, code)
        """,
        DJANGO_SETTINGS_MODULE="no_such_settings_module",
        ARREARS_VAR=str(tmp_path / "var"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False 0"
    assert sorted(p.name for p in (tmp_path / "feed").iterdir()) == [
        "borrowers.csv",
        "contacts.csv",
        "delinquency_history.csv",
        "holds.csv",
        "loans.csv",
        "payments.csv",
        "schedules.csv",
    ]
    assert "chunk 1/1" in done.stderr
    assert not (tmp_path / "var").exists()
