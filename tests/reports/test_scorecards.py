"""The month's scorecards of the collectors and the agencies (arrears.reports.scorecards), on November of
scorecard_book.py, worked by hand with the policy's default weights (recovery 0.30, promises kept 0.15, contact
0.15, quality 0.25, complaints 0.10 with 2 taking it to 0, violations 0.05 with 1 taking it to 0)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scorecard_book import NOVEMBER, build_november, close

from arrears.agencies.commissions import Month
from arrears.reports.kpi import KpiUnavailable
from arrears.reports.scorecards import as_data, scorecards
from arrears.reports.scoring import NoScore

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def november(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_november()


def card(found, side: str, key: int):
    return next(c for c in found[side] if c.key == key)


def test_who_has_a_card(november):
    """Clause: QA-2 — the collectors with loans at the opening, calls, promises, inspected calls, complaints or
    violations in the month (zhao: a violation only), sorted by name; the agency of the placed loan and the agent.
    The loan with no collector is on no card; the people who only reviewed or investigated have none."""
    found = scorecards(NOVEMBER)
    assert [c.name for c in found["collectors"]] == ["agent", "li", "wang", "zhao"]
    assert [(c.key, c.name) for c in found["agencies"]] == [(november.firm.pk, "示例催收服务有限公司")]
    assert (found["closed"], found["through"].isoformat()) == (True, "2026-11-30")


def test_a_full_recovery_does_not_outweigh_complaints_and_a_violation(november):
    """Clause: QA-2, KPI-1 — li recovered all 10,000.00 (1.0000), kept 1 of 2 promises (0.5000), reached the
    borrower on 3 of 4 calls (0.7500), scored 80.00 in quality (0.8000), had 2 substantiated complaints (0) and a
    violation (0): 100 × (0.30 + 0.075 + 0.1125 + 0.20) = 68.75. The complaints' own register entries are not
    counted again as violations."""
    li = card(scorecards(NOVEMBER), "collectors", november.li.pk)
    assert (li.loans, li.opening_overdue_fen, li.recovered_fen, li.recovery_rate) == (1, 1_000_000, 1_000_000, D("1"))
    assert (li.promises_kept, li.promises_decided, li.calls_reached, li.calls_outbound) == (1, 2, 3, 4)
    assert (li.quality_score, li.calls_inspected, li.complaints, li.violations) == (D("80.00"), 2, 2, 1)
    assert li.parts == {
        "recovery": D("1.0000"),
        "promises_kept": D("0.5000"),
        "contact": D("0.7500"),
        "quality": D("0.8000"),
        "complaints": D("0.0000"),
        "violations": D("0.0000"),
    }
    assert li.score == D("68.75")


def test_without_an_inspected_call_the_other_weights_are_scaled_up(november):
    """Clause: QA-2 — wang: 3,000.00 of 5,000.00 (0.6000), 1 of 1 promise kept, 1 of 2 outbound calls reached
    (the inbound call not counted), no inspected call, 1 substantiated complaint (received 01:30 on 1 November in
    Beijing; the one of 23:30 on 31 October is October's): the weights present add up to 0.75, so
    100 × (0.18 + 0.15 + 0.075 + 0.05 + 0.05) ÷ 0.75 = 67.33."""
    wang = card(scorecards(NOVEMBER), "collectors", november.wang.pk)
    assert (wang.recovery_rate, wang.promises_kept, wang.promises_decided) == (D("0.6"), 1, 1)
    assert (wang.calls_reached, wang.calls_outbound, wang.quality_score, wang.complaints) == (1, 2, None, 1)
    assert wang.weights == {
        "recovery": D("0.4000"),
        "promises_kept": D("0.2000"),
        "contact": D("0.2000"),
        "quality": None,
        "complaints": D("0.1333"),
        "violations": D("0.0667"),
    }
    assert wang.score == D("67.33")


def test_an_agent_and_their_agency(november):
    """Clause: QA-2 — the agent: 2,000.00 of 8,000.00 (0.25), no promise due, 1 of 2 calls reached, quality 60.00,
    a violation (the threat confirmed; October's privacy violation not counted): 100 × (0.075 + 0.075 + 0.15 +
    0.10 + 0) ÷ 0.85 = 47.06. The agency: the same loan, calls and quality, 1 complaint against it (0.5) and 2
    violations (the agent's, counted once though it names the agency too, and one against the agency): 100 ×
    (0.075 + 0.075 + 0.15 + 0.05 + 0) ÷ 0.85 = 41.18."""
    found = scorecards(NOVEMBER)
    agent = card(found, "collectors", november.agent.pk)
    assert (agent.parts["recovery"], agent.parts["promises_kept"], agent.violations, agent.score) == (
        D("0.2500"),
        None,
        1,
        D("47.06"),
    )
    firm = card(found, "agencies", november.firm.pk)
    assert (firm.loans, firm.calls_reached, firm.calls_outbound, firm.quality_score) == (1, 1, 2, D("60.00"))
    assert (firm.complaints, firm.violations, firm.parts["complaints"], firm.parts["violations"]) == (
        1,
        2,
        D("0.5000"),
        D("0.0000"),
    )
    assert firm.score == D("41.18")


def test_a_violation_alone_is_shown_but_not_scored(november):
    """Clause: QA-2 — zhao had nothing of the month's work, only a privacy violation: the card shows it, no score."""
    zhao = card(scorecards(NOVEMBER), "collectors", november.zhao.pk)
    assert (zhao.violations, zhao.parts["violations"], zhao.score, zhao.no_score) == (
        1,
        D("0.0000"),
        None,
        NoScore.NO_WORK,
    )


def test_the_cards_as_data(november):
    """Clause: QA-2 — what the API and `arrears scorecards --json` give: amounts yuan to the fen, parts and weights
    4 decimals, the score 2, the policy's weights."""
    data = as_data(scorecards(NOVEMBER))
    assert (data["month"], data["closed"], data["through"]) == ("2026-11", True, "2026-11-30")
    assert data["weights"]["recovery"] == "0.30"
    assert (data["complaints_to_zero"], data["violations_to_zero"]) == (2, 1)
    wang = next(row for row in data["collectors"] if row["name"] == "wang")
    assert wang == {
        "id": november.wang.pk,
        "name": "wang",
        "loans": 1,
        "opening_overdue": "5000.00",
        "recovered": "3000.00",
        "recovery_rate": "0.6000",
        "promises_kept": 1,
        "promises_decided": 1,
        "calls_reached": 1,
        "calls_outbound": 2,
        "quality_score": None,
        "calls_inspected": 0,
        "complaints": 1,
        "violations": 0,
        "parts": {
            "recovery": "0.6000",
            "promises_kept": "1.0000",
            "contact": "0.5000",
            "quality": None,
            "complaints": "0.5000",
            "violations": "1.0000",
        },
        "weights": {
            "recovery": "0.4000",
            "promises_kept": "0.2000",
            "contact": "0.2000",
            "quality": None,
            "complaints": "0.1333",
            "violations": "0.0667",
        },
        "score": "67.33",
        "no_score": None,
    }
    zhao = next(row for row in data["collectors"] if row["name"] == "zhao")
    assert (zhao["score"], zhao["no_score"]) == (None, "no_work")


def test_a_month_without_an_opening_says_so():
    """Clause: KPI-1 — before the first nightly run kept an opening, there are no scorecards: KpiUnavailable says
    why; a month opened but with nothing in it has empty tables."""
    with pytest.raises(KpiUnavailable, match="has no opening figures"):
        scorecards(NOVEMBER)
    close(Month(2026, 10), 0, 0)
    found = scorecards(NOVEMBER)
    assert (found["collectors"], found["agencies"], found["closed"]) == ([], [], False)
