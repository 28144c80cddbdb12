"""docs/deployment.md says what an operator runs: its systemd units start commands that exist with options that
parse, carry the lines the guide promises, and pass `systemd-analyze verify`; every `arrears …` command and every
setting it names exists (issue 16, item 5)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from arrears.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deployment.md"
# Commands the guide may name before they exist (none now); the test below fails once one exists, so an
# exemption cannot outlive its reason.
NOT_YET: set[str] = set()


def units() -> dict[str, str]:
    """{file name: unit text} of every ```ini block starting with `# /etc/systemd/system/<name>`."""
    found = {}
    for block in re.findall(r"^```ini\n(.*?)^```", DOC.read_text(), re.MULTILINE | re.DOTALL):
        first, _, body = block.partition("\n")
        name = re.fullmatch(r"# /etc/systemd/system/([\w@.-]+\.(?:service|timer))", first.strip())
        assert name, f"a unit block must start with its path: {first!r}"
        found[name.group(1)] = body
    return found


def values(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}=")]


def parse_arrears(args: list[str]) -> None:
    """Parse `arrears ARGS` as click would (the command, its options, their types and ranges), running nothing."""
    command: click.Command = cli
    parent = click.Context(cli, info_name="arrears")
    rest = list(args)
    while isinstance(command, click.Group):
        name, sub, rest = command.resolve_command(parent, rest)
        assert sub is not None, f"`arrears {' '.join(args)}`: no command {name!r}"
        if isinstance(sub, click.Group):
            parent = click.Context(sub, info_name=name, parent=parent)
        else:
            sub.make_context(name, rest, parent=parent)
        command = sub


def test_the_guide_has_the_server_worker_and_backup_units():
    assert set(units()) == {
        "arrears.service",
        "arrears-worker.service",
        "arrears-backup.service",
        "arrears-backup.timer",
    }


def test_each_service_runs_as_its_user_with_the_environment_file_and_hardening():
    for name, unit in units().items():
        if not name.endswith(".service"):
            continue
        assert values(unit, "User") == ["arrears"], name
        assert values(unit, "EnvironmentFile") == ["/etc/arrears/arrears.env"], name
        assert values(unit, "NoNewPrivileges") == ["yes"], name
        assert values(unit, "ProtectSystem") == ["strict"], name
        assert "ARREARS_VAR=/var/lib/arrears" in values(unit, "Environment"), name
        if values(unit, "Type") != ["oneshot"]:
            assert values(unit, "Restart") == ["on-failure"], name


def test_every_exec_start_names_a_command_that_exists_with_options_that_parse():
    for name, unit in units().items():
        for line in values(unit, "ExecStart"):
            program, *args = shlex.split(line)
            if program.endswith("/arrears"):
                if args[0] in NOT_YET:
                    continue
                parse_arrears(args)
            else:
                assert program.startswith("/opt/arrears/"), name
                assert (ROOT / program.removeprefix("/opt/arrears/")).is_file(), (
                    f"{name}: {program} is not in the repository"
                )
                assert args[1].isdigit(), name  # backup.sh ROOT KEEP


def test_every_arrears_command_the_guide_names_exists():
    named = set(re.findall(r"\barrears ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", DOC.read_text()))
    checked = 0
    for words in sorted(named):
        first, *rest = words.split()
        if first not in cli.commands and first not in NOT_YET:
            continue  # prose ("arrears runs as …"), not a command
        if first in NOT_YET:
            continue
        command = cli.commands[first]
        if isinstance(command, click.Group) and rest:
            assert rest[0] in command.commands, f"`arrears {words}` is not a command"
        checked += 1
    assert checked >= 8


def test_the_commands_named_ahead_of_their_branch_do_not_exist_yet():
    """A command named ahead of time leaves NOT_YET when it arrives, so its unit's command is checked like the others."""
    assert not NOT_YET & set(cli.commands)


def test_every_setting_the_guide_names_is_read_by_the_settings():
    source = (ROOT / "src" / "arrears" / "settings.py").read_text()
    named = set(re.findall(r"\b(ARREARS_[A-Z_]+[A-Z])\b", DOC.read_text()))
    assert {"ARREARS_LOG_FORMAT", "ARREARS_LOG_LEVEL", "ARREARS_LEDGER_ANCHOR_KEY"} <= named
    missing = sorted(name for name in named if f'"{name}"' not in source)
    assert missing == []


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """Unknown keys, bad values or a timer without its service are reported by systemd itself. The programs are
    replaced by one that exists here, and the service user by root, which verify knows."""
    for name, unit in units().items():
        text = re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", unit, flags=re.MULTILINE)
        text = text.replace("User=arrears", "User=root").replace("Group=arrears", "Group=root")
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    problems = [line for line in done.stderr.splitlines() if str(tmp_path) in line]
    assert problems == []
    assert done.returncode == 0, done.stderr
