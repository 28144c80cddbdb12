"""A month's collection cost to the fen (Clause: KPI-2): what arrears knows plus what administrators entered.

The book is tests/reports/cost_book.py: March 2026 with 1,234 SMS and 17 letters sent, AGY-101's commissions and a
lawyer's fee, then staff 80,000.00 entered for team A.
"""

from __future__ import annotations

import pytest
from cost_book import MARCH, TODAY, cost_book

from arrears.reports.actions import do_enter_cost
from arrears.reports.costs import month_cost

pytestmark = pytest.mark.django_db


def test_the_month_cost_is_every_source_to_the_fen():
    """Clause: KPI-2 — 1,234 SMS × 0.05 = 61.70, 17 letters × 6.00 = 102.00, commissions 494.61, legal 2,500.00,
    staff 80,000.00 for team A: 83,158.31 in all. Notices sent after midnight in Beijing on 1 April, queued or
    cancelled ones, and April's legal fee are not March's."""
    book = cost_book()
    before = month_cost(MARCH)
    assert before.total_fen == 6_170 + 10_200 + 49_461 + 250_000
    do_enter_cost(
        month=MARCH, team=book.team_a, kind="staff", amount_fen=8_000_000, note="3月工资", actor=book.admin, today=TODAY
    )
    found = month_cost(MARCH)
    assert found.by_source == {
        "sms": 6_170,
        "email": 0,
        "letters": 10_200,
        "commissions": 49_461,
        "legal": 250_000,
        "staff": 8_000_000,
        "telephony": 0,
        "other": 0,
    }
    assert found.notices == {"sms": 1234, "email": 0, "letters": 17}
    assert found.total_fen == 8_315_831  # 83,158.31


def test_a_replaced_figure_counts_once_and_the_department_beside_the_teams():
    """Clause: KPI-2 — staff 80,000.00 for team A corrected to 78,500.00 counts 78,500.00 only; team B's 60,000.00
    and the department's telephony 12,500.50 count beside it: 151,000.50 entered in all."""
    book = cost_book()
    enter = {"month": MARCH, "note": "", "actor": book.admin, "today": TODAY}
    do_enter_cost(team=book.team_a, kind="staff", amount_fen=8_000_000, **enter)
    do_enter_cost(team=book.team_a, kind="staff", amount_fen=7_850_000, **enter)
    do_enter_cost(team=book.team_b, kind="staff", amount_fen=6_000_000, **enter)
    do_enter_cost(team=None, kind="telephony", amount_fen=1_250_050, **enter)
    found = month_cost(MARCH)
    assert (found.by_source["staff"], found.by_source["telephony"]) == (13_850_000, 1_250_050)
    assert found.total_fen == 6_170 + 10_200 + 49_461 + 250_000 + 13_850_000 + 1_250_050
