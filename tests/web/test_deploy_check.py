"""The production environment documented in docs/deployment.md passes `arrears manage check --deploy` without a
warning. The test reads the environment from the document's code block, so the two cannot drift apart."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
CHECK = "from arrears.cli import main; main()"


def documented_environment() -> dict[str, str]:
    """NAME=value lines of the document's first fenced code block (comments and blank lines skipped)."""
    block = re.search(r"^```[^\n]*\n(.*?)^```", DOC.read_text(), re.MULTILINE | re.DOTALL)
    assert block, "docs/deployment.md has no code block"
    lines = [line.strip() for line in block.group(1).splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def check_deploy(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`arrears manage check --deploy` with exactly `env` (nothing else of arrears' or Django's from here), run in
    an empty directory: the embedded ./var default lands there."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return subprocess.run(
        [sys.executable, "-c", CHECK, "manage", "check", "--deploy"],
        env={**keep, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_documented_environment_passes_the_deploy_check(tmp_path):
    """Issue 16, item 1 — no warning, no error, with every production setting named in the block."""
    env = documented_environment()
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    } <= set(env)
    result = check_deploy(tmp_path, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output
    assert "System check identified some issues" not in output


def test_the_check_fails_without_hsts_or_the_https_redirect(tmp_path):
    """The check is not vacuous: the same environment without HSTS and the redirect is warned about."""
    env = {k: v for k, v in documented_environment().items() if k not in {"SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"}}
    output = check_deploy(tmp_path, env).stderr
    assert "System check identified some issues" in output
    assert "security.W004" in output
    assert "security.W008" in output


SHOW = (
    "import arrears.settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECURE_REDIRECT_EXEMPT)"
)


def test_the_proxy_header_is_named_as_the_proxy_sends_it(tmp_path):
    """SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto: Django reads HTTP_X_FORWARDED_PROTO == "https"; unset, no header
    is trusted."""
    env = {
        "ARREARS_VAR": str(tmp_path / "var"),
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    proxied = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={
            **env,
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "CSRF_TRUSTED_ORIGINS": "https://a.example, https://b.example",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert proxied.stdout.strip() == (
        "('HTTP_X_FORWARDED_PROTO', 'https') ['https://a.example', 'https://b.example'] ['^healthz$', '^readyz$']"
    )
    direct = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True)
    assert direct.stdout.strip() == "None [] ['^healthz$', '^readyz$']"
