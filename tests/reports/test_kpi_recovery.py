"""Recovery rate by amount and cost rate on the hand-computed book (kpi_book.py; docs/kpi.md)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from kpi_book import build_book, nightly_run, pay, run_november

from arrears.agencies.commissions import Month
from arrears.cli import main
from arrears.daily.actions import do_run_daily
from arrears.portfolio.models import Payment
from arrears.portfolio.posting import allocate_payments
from arrears.reports.kpi import recovery
from arrears.reports.models import OpeningPosition
from arrears.reports.summary import month_summary

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)


def test_the_first_night_opens_november_with_the_overdue_loans_to_the_fen():
    """Clause: KPI-1 — the opening: class and overdue amount at the end of the day before the month."""
    loans = build_book()
    opening = {
        row.loan_id: (row.delinquency_class, row.bucket, row.dpd, row.overdue_fen)
        for row in OpeningPosition.objects.filter(month=NOVEMBER.first)
    }
    assert opening == {
        loans["A"].pk: ("mild", "M1", 16, 1_011_422),
        loans["B"].pk: ("mild", "M1", 11, 505_332),
        loans["C"].pk: ("severe", "M3+", 113, 6_156_615),
        loans["D"].pk: ("severe", "M3+", 91, 818_218),
    }


def test_recovery_by_class_to_the_fen():
    """Clause: KPI-1 — recovered = per loan the smaller of what it paid and its opening overdue."""
    loans = build_book()
    run_november(loans)
    figures = recovery(NOVEMBER, "class")
    assert (figures.closed, figures.through) == (True, date(2026, 11, 30))
    rows = {row.key: (row.loans, row.opening_overdue_fen, row.recovered_fen, row.recovery_rate) for row in figures.rows}
    # mild: 10,114.22 + 5,053.32 = 15,167.54 opening; 3,000.00 + min(5,060.00, 5,053.32) = 8,053.32 recovered
    # severe: 61,566.15 + 8,182.18 = 69,748.33 opening; 20,000.00 recovered
    assert rows == {
        "mild": (2, 1_516_754, 805_332, Decimal("0.5310")),
        "moderate": (0, 0, 0, None),
        "severe": (2, 6_974_833, 2_000_000, Decimal("0.2867")),
    }


def test_arrears_kpi_json_prints_the_interface_the_bank_checks(capsys):
    """Clause: KPI-1, KPI-2 — `arrears kpi --month 2026-11 --by class --json`: amounts to the fen, rates 4 decimals;
    no notice, commission or legal cost was recorded in November, so the cost is 0.00 and its rate 0.0000."""
    loans = build_book()
    run_november(loans)
    assert main(["kpi", "--month", "2026-11", "--by", "class", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["month"], printed["closed"]) == ("2026-11", True)
    assert printed["rows"] == [
        {
            "class": "mild",
            "loans": 2,
            "opening_overdue": "15167.54",
            "recovered": "8053.32",
            "recovery_rate": "0.5310",
            "target": "0.8000",
            "met": False,
        },
        {
            "class": "moderate",
            "loans": 0,
            "opening_overdue": "0.00",
            "recovered": "0.00",
            "recovery_rate": None,
            "target": None,
            "met": None,
        },
        {
            "class": "severe",
            "loans": 2,
            "opening_overdue": "69748.33",
            "recovered": "20000.00",
            "recovery_rate": "0.2867",
            "target": "0.5000",
            "met": False,
        },
    ]
    # 84,915.87 opening, 28,053.32 recovered: 0.33036… → 0.3304
    assert (printed["opening_overdue"], printed["recovered"], printed["recovery_rate"]) == (
        "84915.87",
        "28053.32",
        "0.3304",
    )
    assert (printed["cost"], printed["cost_rate"], printed["cost_target"]) == ("0.00", "0.0000", "0.0500")


def test_a_month_before_the_first_night_is_refused_with_what_to_do(capsys):
    """Clause: KPI-1 — October began before arrears' first nightly run: no opening, so no figures."""
    build_book()
    assert main(["kpi", "--month", "2026-10", "--json"]) == 1
    error = capsys.readouterr().err
    assert "2026-10 has no opening figures" in error
    assert "2026-09-30" in error
    assert main(["kpi", "--month", "2026-13"]) != 0
    assert "YYYY-MM" in capsys.readouterr().err


def test_the_month_under_way_is_provisional_through_the_last_night():
    """Clause: KPI-1 — before November closes its figures read the payments delivered so far."""
    loans = build_book()
    pay(loans["A"], date(2026, 11, 10), "3000.00")
    do_run_daily(date(2026, 11, 12), actor=nightly_run())
    figures = recovery(NOVEMBER, "class")
    assert (figures.closed, figures.through) == (False, date(2026, 11, 12))
    assert [(row.key, row.recovered_fen) for row in figures.rows] == [("mild", 300_000), ("moderate", 0), ("severe", 0)]


def test_a_closed_month_stays_what_it_was_after_later_feeds():
    """Clause: KPI-1 — November asked again after December's feeds bring a late payment dated in November and a
    correction of one of November's payments: the same figures; the late payment counts in December."""
    loans = build_book()
    run_november(loans)
    before = month_summary(NOVEMBER, "class")
    late = pay(loans["D"], date(2026, 11, 28), "1000.00", delivered=date(2026, 12, 2))
    corrected = Payment.objects.get(loan=loans["A"], paid_on=date(2026, 11, 10))
    Payment.objects.filter(pk=corrected.pk).update(amount_fen=350_000, feed_date=date(2026, 12, 2))
    allocate_payments([loans["A"].pk], business_date=date(2026, 12, 2))
    do_run_daily(date(2026, 12, 2), actor=nightly_run())
    assert month_summary(NOVEMBER, "class") == before
    december = {row.key: row.recovered_fen for row in recovery(Month(2026, 12), "class").rows}
    # December's opening: A (DPD 46, moderate) and D (DPD 121, severe) and E (DPD 15, mild); the feed of 12-02
    # delivered D's 1,000.00 and A's corrected 3,500.00
    late.refresh_from_db()
    assert late.feed_date == date(2026, 12, 2)
    assert december == {"mild": 0, "moderate": 350_000, "severe": 100_000}


def test_the_month_under_way_sums_each_opening_loans_payments_before_capping_them():
    """Clause: KPI-1 — through 11-12: B pays 3,000.00 and 2,060.00 (5,060.00, capped at its opening 5,053.32), A
    3,000.00; F's 2,018.00 is a current loan's; C's 20,000.00 arrives with the feed of 11-13, after the last night.
    Mild 3,000.00 + 5,053.32 = 8,053.32 of 15,167.54; severe nothing yet. Closed after the nights through 11-30
    with nothing else delivered, severe counts C's 20,000.00 and mild stays 8,053.32."""
    loans = build_book()
    pay(loans["B"], date(2026, 11, 5), "3000.00")
    pay(loans["B"], date(2026, 11, 8), "2060.00")
    pay(loans["A"], date(2026, 11, 10), "3000.00")
    pay(loans["F"], date(2026, 11, 10), "2018.00")
    do_run_daily(date(2026, 11, 12), actor=nightly_run())
    pay(loans["C"], date(2026, 11, 13), "20000.00")
    figures = recovery(NOVEMBER, "class")
    assert (figures.closed, figures.through) == (False, date(2026, 11, 12))
    assert [(row.key, row.loans, row.opening_overdue_fen, row.recovered_fen) for row in figures.rows] == [
        ("mild", 2, 1_516_754, 805_332),
        ("moderate", 0, 0, 0),
        ("severe", 2, 6_974_833, 0),
    ]
    assert figures.rows[0].recovery_rate == Decimal("0.5310")
    do_run_daily(date(2026, 11, 30), actor=nightly_run())
    closed = recovery(NOVEMBER, "class")
    assert closed.closed
    assert [(row.key, row.recovered_fen) for row in closed.rows] == [
        ("mild", 805_332),
        ("moderate", 0),
        ("severe", 2_000_000),
    ]
