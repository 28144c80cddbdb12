"""Roll rates between buckets and the cure rate: on a constructed set of transitions (pure), and on the
hand-computed book's November (kpi_book.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kpi_book import build_book, nightly_run, run_november

from arrears.agencies.commissions import Month
from arrears.daily.actions import do_run_daily
from arrears.reports.indicators import average_dpd, rolls
from arrears.reports.kpi import Filters, KpiUnavailable
from arrears.reports.rolls import FROM, TO, Transition, roll_matrix


def test_roll_rates_of_a_constructed_set_of_transitions():
    """Clause: KPI-1 — 10 loans in M1 at the opening: 3 roll to M2, 5 cure, 1 pays off, 1 stays; 4 in M2: 2 roll to
    M3, 1 cures, 1 is written off; 100 current loans, 6 roll into M1. Rates by count and by opening amount."""
    matrix = roll_matrix(
        [
            Transition("M1", "M2", 3, 300_000),
            Transition("M1", "current", 5, 400_000),
            Transition("M1", "closed", 1, 50_000),
            Transition("M1", "M1", 1, 250_000),
            Transition("M2", "M3", 1, 100_000),
            Transition("M2", "M3", 1, 200_000),  # the same step twice adds up
            Transition("M2", "current", 1, 50_000),
            Transition("M2", "written_off", 1, 650_000),
            Transition("M0", "M1", 6),
            Transition("M0", "current", 94),
        ]
    )
    assert matrix.rate("M1", "M2") == Decimal("0.3000")
    assert matrix.rate("M1", "current") == Decimal("0.5000")
    assert matrix.rate("M2", "M3") == Decimal("0.5000")
    assert matrix.rate("M0", "M1") == Decimal("0.0600")
    assert matrix.rate("M3+", "M3+") is None  # nobody started there
    # by amount: M1's 1,000,000 fen at the opening, 300,000 of it rolled on
    assert matrix.amount_rate("M1", "M2") == Decimal("0.3000")
    assert matrix.amount_rate("M2", "written_off") == Decimal("0.6500")
    # cured: 5 + 1 (paid off) from M1, 1 from M2 → 7 of 14
    assert (matrix.cured, matrix.overdue_at_opening, matrix.cure_rate) == (7, 14, Decimal("0.5000"))
    rates = matrix.rates()
    assert (len(rates), len(rates[0])) == (len(FROM), len(TO))
    for row in rates:  # every row that had loans adds up to 1
        if any(rate is not None for rate in row):
            assert sum(rate for rate in row if rate is not None) == Decimal("1.0000")


def test_a_transition_outside_the_buckets_is_refused():
    with pytest.raises(ValueError, match="from one of"):
        roll_matrix([Transition("M9", "M1", 1)])
    with pytest.raises(ValueError, match="negative"):
        roll_matrix([Transition("M1", "M2", -1)])


@pytest.mark.django_db
def test_novembers_rolls_on_the_hand_computed_book():
    """Clause: KPI-1 — A rolls M1 → M2 (DPD 46 on 11-30), B cures, C and D stay in M3+; of the two current loans E
    rolls into M1 (DPD 15) and F stays current; cure rate 1 of 4."""
    loans = build_book()
    do_run_daily(date(2026, 11, 3), actor=nightly_run())
    with pytest.raises(KpiUnavailable, match="under way"):
        rolls(Month(2026, 11))
    run_november(loans)
    matrix = rolls(Month(2026, 11))
    assert matrix.loans["M1"] == {**dict.fromkeys(TO, 0), "M2": 1, "current": 1}
    assert matrix.loans["M3+"] == {**dict.fromkeys(TO, 0), "M3+": 2}
    assert matrix.loans["M0"] == {**dict.fromkeys(TO, 0), "M1": 1, "current": 1}
    assert (matrix.rate("M1", "M2"), matrix.rate("M0", "M1"), matrix.cure_rate) == (
        Decimal("0.5000"),
        Decimal("0.5000"),
        Decimal("0.2500"),
    )
    # by amount: A's 10,114.22 of M1's 15,167.54 rolled on
    assert matrix.amount_rate("M1", "M2") == Decimal("0.6668")
    # average DPD at November's opening: mild (16 + 11) / 2 = 13.5, severe (113 + 91) / 2 = 102.0
    assert average_dpd(Month(2026, 11)) == {"mild": Decimal("13.5"), "severe": Decimal("102.0")}


@pytest.mark.django_db
def test_novembers_rolls_by_product_read_without_a_subquery_per_loan():
    """Clause: KPI-1 — A, C and E are card loans, the others consumer loans. Cards: A M1 → M2, C M3+ → M3+, and of
    the one current card loan (E, 3 active less 2 overdue) one rolls into M1. Consumer: B M1 → current, D stays in
    M3+, F stays current. The transitions are grouped in the database and next month's new loans found with NOT
    EXISTS: no `IN (SELECT …)`, which PostgreSQL ran as a scan of the opening per loan once the opening
    outgrew its memory (a million-loan opening never finished; bench/kpi_month.py)."""
    loans = build_book(products={"A": "card", "C": "card", "E": "card"})
    run_november(loans)
    with CaptureQueriesContext(connection) as queries:
        cards = rolls(Month(2026, 11), Filters(product="card"))
    assert not [q["sql"] for q in queries if "IN (SELECT" in q["sql"].upper()]
    assert cards.loans["M1"] == {**dict.fromkeys(TO, 0), "M2": 1}
    assert cards.loans["M3+"] == {**dict.fromkeys(TO, 0), "M3+": 1}
    assert cards.loans["M0"] == {**dict.fromkeys(TO, 0), "M1": 1}
    assert cards.amounts["M1"]["M2"] == 1011422  # A's opening overdue, 10,114.22
    assert cards.cure_rate == Decimal("0.0000")
    consumer = rolls(Month(2026, 11), Filters(product="consumer"))
    assert consumer.loans["M1"] == {**dict.fromkeys(TO, 0), "current": 1}
    assert consumer.loans["M3+"] == {**dict.fromkeys(TO, 0), "M3+": 1}
    assert consumer.loans["M0"] == {**dict.fromkeys(TO, 0), "current": 1}
    assert consumer.cure_rate == Decimal("0.5000")
