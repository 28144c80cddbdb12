"""`arrears complaints sla --on D --json`: the figures as of the end of Beijing day D, worked with literal numbers
(Clause: CMP-2, CMP-3).

Filed (Beijing times): F on Friday 13 March 10:00, answered 12:00, investigation due Wednesday 18th; A on 17 March
10:00, answered late on the 18th at 11:00 (due 10:00); B on 17 March 14:00, unmatched and never answered; C on
17 March 20:00, answered on the 18th at 09:00; D on 18 March 09:00; E on 19 March 09:00.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.cli import main
from arrears.complaints.actions import do_file_complaint, do_record_response
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def filed():
    officer = make_user("compliance_officer")
    make_borrower(mobile="13812345678")

    def file(day, hour, mobile="13812345678", answered=None):
        complaint = do_file_complaint(
            channel="phone",
            received_at=datetime(2026, 3, day, hour, 0, tzinfo=BJ),
            text="催收人员态度恶劣",
            mobile=mobile,
            actor=officer,
        )
        if answered:
            at = datetime(2026, 3, *answered, 0, tzinfo=BJ)
            do_record_response(complaint, how="call", at=at, actor=officer, note="called the complainant back")
        return complaint

    file(13, 10, answered=(13, 12))  # F
    file(17, 10, answered=(18, 11))  # A, late
    file(17, 14, mobile="13000000000")  # B, unmatched, no answer
    file(17, 20, answered=(18, 9))  # C
    file(18, 9)  # D
    file(19, 9)  # E


def sla(on: str, capsys) -> dict:
    assert main(["complaints", "sla", "--on", on, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_end_of_18_march(filed, capsys):
    """Clause: CMP-2, CMP-3 — open: F, A, B, C, D (B unmatched still counts); due today: B's response, F's
    investigation; response breached: A (answered late) and B; investigation breached: F."""
    assert sla("2026-03-18", capsys) == {"open": 5, "due_today": 2, "breached_response": 2, "breached_investigation": 1}


def test_end_of_17_march(filed, capsys):
    """Clause: CMP-2, CMP-3 — D and E not yet received; nothing due on the 17th; nothing breached yet."""
    assert sla("2026-03-17", capsys) == {"open": 4, "due_today": 0, "breached_response": 0, "breached_investigation": 0}


def test_the_table_without_json(filed, capsys):
    assert main(["complaints", "sla", "--on", "2026-03-18"]) == 0
    out = capsys.readouterr().out
    assert "as of the end of 2026-03-18" in out
    assert "first response breached (CMP-2)" in out
