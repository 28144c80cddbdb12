"""The facts of a case as the late stage's policy names them (legal.escalation.facts_of), on the desk's business
date 2026-03-20: the route edges of LGL-1 and LGL-2 with literal figures.

Each flat borrower owes exactly the amount given (one interest-free instalment: no penalty accrues); the case
opened on 2026-03-20 (the nightly run), so calls on that day are in the case.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from late_desk import AS_OF, call, late_desk, reopened

from arrears.legal.escalation import facts_of
from arrears.portfolio import queries as portfolio

pytestmark = pytest.mark.django_db


def three_failed(case):
    call(case, AS_OF, "no_answer")
    call(case, AS_OF, "busy")
    call(case, AS_OF, "number_invalid")


@pytest.fixture
def desk():
    return late_desk(
        flat=[
            ("D89", 89, "1000.00"),
            ("D90", 90, "1000.00"),
            ("A50", 95, "50000.00"),
            ("L50", 95, "50000.01"),
        ],
    )


def test_dpd_89_is_not_eligible_and_dpd_90_is(desk):
    """Clause: LGL-1 — three failed attempts in the case: at DPD 89 not eligible (no route); at DPD 90 eligible,
    to an agency for 1,000.00 overdue."""
    for ext in ("D89", "D90"):
        three_failed(desk.cases[ext])
    below, at = facts_of(desk.cases["D89"], AS_OF), facts_of(desk.cases["D90"], AS_OF)
    assert below.as_json() == {
        "dpd": 89,
        "failed_attempts": 3,
        "refused": False,
        "days_since_reached": 0,
        "overdue": "1000.00",
        "eligible": False,
        "route": None,
        "clauses": ["LGL-1"],
    }
    assert at.as_json() == {
        **below.as_json(),
        "dpd": 90,
        "eligible": True,
        "route": "agency",
        "clauses": ["LGL-1", "LGL-2"],
    }
    assert at.grounds == ("failed_attempts",)


def test_two_failed_attempts_are_not_repeated_failure_and_three_are(desk):
    """Clause: LGL-1 — "repeated" is at least legal.min_failed_attempts (3) failed attempts."""
    case = desk.cases["D90"]
    call(case, AS_OF, "no_answer")
    call(case, AS_OF, "wrong_party")
    two = facts_of(case, AS_OF)
    assert (two.failed_attempts, two.eligible, two.route) == (2, False, None)
    call(case, AS_OF, "busy")
    three = facts_of(case, AS_OF)
    assert (three.failed_attempts, three.eligible, three.route) == (3, True, "agency")


def test_50000_00_goes_to_an_agency_and_50000_01_to_litigation(desk):
    """Clause: LGL-2 — litigation is for an overdue amount over 50,000: 50,000.00 → an agency, 50,000.01 →
    litigation; the amount as a string to the fen."""
    for ext in ("A50", "L50"):
        three_failed(desk.cases[ext])
    agency, suit = facts_of(desk.cases["A50"], AS_OF), facts_of(desk.cases["L50"], AS_OF)
    assert (agency.overdue, agency.overdue_fen, agency.route) == ("50000.00", 5_000_000, "agency")
    assert (suit.overdue, suit.overdue_fen, suit.route) == ("50000.01", 5_000_001, "litigation")
    assert (agency.dpd, agency.severe, suit.severe) == (95, True, True)


def test_a_refusal_counts_only_from_dpd_90(desk):
    """Clause: LGL-1 — an explicit refusal (reached, refused) suffices at DPD 90; at DPD 89 it does not. A
    refusal is also a failed attempt (one, not three)."""
    for ext in ("D89", "D90"):
        call(desk.cases[ext], AS_OF, "refused")
    below, at = facts_of(desk.cases["D89"], AS_OF), facts_of(desk.cases["D90"], AS_OF)
    assert (below.refused, below.failed_attempts, below.eligible) == (True, 1, False)
    assert (at.refused, at.eligible, at.route, at.grounds) == (True, True, "agency", ("refused",))


def test_lost_contact_counts_over_30_days_and_only_from_dpd_90(desk):
    """Clause: LGL-1 — a case opened 31 days ago in which no one was reached: contact lost (31 > 30), eligible at
    DPD 90, not at DPD 89; opened 30 days ago: not lost yet. Reached 10 days ago: 10 days since reached."""
    lost = reopened(desk.cases["D90"], AS_OF - timedelta(days=31))
    assert (facts_of(lost, AS_OF).days_since_reached, facts_of(lost, AS_OF).eligible) == (31, True)
    assert facts_of(lost, AS_OF).grounds == ("lost_contact",)
    early = reopened(desk.cases["D89"], AS_OF - timedelta(days=31))
    assert facts_of(early, AS_OF).eligible is False
    thirty = reopened(lost, AS_OF - timedelta(days=30))
    assert (facts_of(thirty, AS_OF).days_since_reached, facts_of(thirty, AS_OF).eligible) == (30, False)
    call(lost, AS_OF - timedelta(days=10), "promised")
    back = reopened(lost, AS_OF - timedelta(days=31))
    assert (facts_of(back, AS_OF).days_since_reached, facts_of(back, AS_OF).eligible) == (10, False)


def test_inbound_calls_and_calls_before_the_case_are_not_failed_attempts(desk):
    """Clause: CLS-2, LGL-1 — two failed calls by the bank and the borrower's own (inbound) call with no answer:
    two attempts, not eligible; calls before the case (re)opened and calls to a contact person do not count."""
    case = reopened(desk.cases["D90"], AS_OF - timedelta(days=5))
    call(case, AS_OF - timedelta(days=6), "no_answer")  # before the case opened
    call(case, AS_OF - timedelta(days=1), "no_answer")
    call(case, AS_OF, "busy")
    call(case, AS_OF, "wrong_party", inbound=True)
    call(case, AS_OF, "no_answer", party="contact")
    facts = facts_of(case, AS_OF)
    assert (facts.failed_attempts, facts.eligible) == (2, False)


def test_the_overdue_amount_is_the_finance_cores_as_the_case_page_shows_it():
    """Clause: LGL-2 — a 12-month loan of 600,000.00 at 4.35% whose first instalment fell due 95 days ago (four
    instalments overdue): overdue principal 197,112.32 + interest 7,631.44 + penalty 1,754.68 + compound
    interest 72.99 = 206,571.43, the finance core's replay as the case page shows it, and the nightly run's figure
    at the top of the page; a refusal at DPD 95: eligible, to litigation."""
    desk = late_desk(penalised=[("P95", 95, "600000")])
    case = desk.cases["P95"]
    call(case, AS_OF, "refused")
    facts = facts_of(case, AS_OF)
    loan = case.borrower.loans.get()
    position = portfolio.loan_position(loan, AS_OF)
    assert (facts.principal_fen, facts.interest_fen, facts.penalty_fen, facts.compound_fen) == (
        19_711_232,
        763_144,
        175_468,
        7_299,
    )
    assert (facts.overdue, facts.overdue_fen) == ("206571.43", 20_657_143)
    assert f"{position.overdue_total:f}" == "206571.43"
    assert case.overdue_fen == 20_657_143
    assert (facts.dpd, facts.eligible, facts.route, facts.contracts) == (95, True, "litigation", (loan.external_id,))
