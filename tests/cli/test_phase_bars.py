"""Progress on stderr only for a person at a terminal: `arrears import` and `arrears run-daily` under cron or in
a pipe print nothing but their summary."""

from __future__ import annotations

import sys

from arrears.cli.feed import PhaseBars


def feed_phases(bars: PhaseBars) -> None:
    for phase, total in (("read", 2), ("validate", 2)):
        for done in range(1, total + 1):
            bars(phase, done, total)
    bars.close()


def test_no_progress_when_stderr_is_not_a_terminal(capsys, monkeypatch):
    """Clause: practice — stderr is a pipe (as under cron): not a bar, not a phase's timing line."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    feed_phases(PhaseBars())
    assert capsys.readouterr() == ("", "")


def test_progress_when_stderr_is_a_terminal(capsys, monkeypatch):
    """Clause: practice — at a terminal every phase ends with its line: phase, count, unit, seconds."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    feed_phases(PhaseBars())
    lines = [line for line in capsys.readouterr().err.splitlines() if " in " in line and line.endswith(" s")]
    assert [line.split(" in ")[0].split() for line in lines] == [["read", "2", "files"], ["validate", "2", "files"]]
