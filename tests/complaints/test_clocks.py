"""The two clocks at their edges, from the mainland calendar as the calendar table holds it (seeded from
chinese-calendar: Spring Festival 15–23 February 2026 with Saturday 14 February worked; Labour Day 1–5 May with
Saturday 9 May worked; National Day 1–7 October with Saturday 10 October worked)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.complaints.actions import do_file_complaint
from factories import make_user

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def filed(received_at: datetime):
    officer = make_user("compliance_officer")
    return do_file_complaint(
        channel="phone", received_at=received_at, text="催收员辱骂", mobile="13900000000", actor=officer
    )


@pytest.mark.parametrize(
    ("received_at", "response_due", "investigation_due"),
    [
        # 16:00 on Friday 13 February, before the Spring Festival: Saturday 14th is a make-up working day (1),
        # 15–23 February are the holiday, then 24th (2) and 25th (3).
        (datetime(2026, 2, 13, 16, 0, tzinfo=BEIJING), datetime(2026, 2, 14, 8, 0, tzinfo=UTC), date(2026, 2, 25)),
        # received on the make-up Saturday 9 May: Sunday off, then 11th, 12th, 13th.
        (datetime(2026, 5, 9, 10, 0, tzinfo=BEIJING), datetime(2026, 5, 10, 2, 0, tzinfo=UTC), date(2026, 5, 13)),
        # Thursday 7 May: Friday 8th (1), the make-up Saturday 9th (2), Monday 11th (3).
        (datetime(2026, 5, 7, 9, 0, tzinfo=BEIJING), datetime(2026, 5, 8, 1, 0, tzinfo=UTC), date(2026, 5, 11)),
        # 30 September: 1–7 October off, 8th (1), 9th (2), the make-up Saturday 10th (3).
        (datetime(2026, 9, 30, 11, 0, tzinfo=BEIJING), datetime(2026, 10, 1, 3, 0, tzinfo=UTC), date(2026, 10, 10)),
        # 23:30 UTC on 29 September is 07:30 on 30 September in Beijing: counted from the 30th.
        (datetime(2026, 9, 29, 23, 30, tzinfo=UTC), datetime(2026, 9, 30, 23, 30, tzinfo=UTC), date(2026, 10, 10)),
        # 15:00 UTC on 29 September is 23:00 the same day in Beijing: 30th (1), 8 October (2), 9th (3).
        (datetime(2026, 9, 29, 15, 0, tzinfo=UTC), datetime(2026, 9, 30, 15, 0, tzinfo=UTC), date(2026, 10, 9)),
    ],
)
def test_response_in_24_hours_and_investigation_in_3_working_days(received_at, response_due, investigation_due):
    """Clause: CMP-2, CMP-3 — the response 24 hours after the instant of receipt; the investigation 3 working
    days after the Beijing day of receipt, that day not counted, make-up working days counted."""
    complaint = filed(received_at)
    assert complaint.response_due == response_due
    assert complaint.investigation_due == investigation_due
    assert complaint.marker == "催收投诉"
