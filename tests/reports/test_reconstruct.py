"""Months before go-live reconstructed from the book's history: the same figures the nightly runs would have kept
(docs/kpi.md, "Months before go-live")."""

from __future__ import annotations

import json
from datetime import date

import pytest
from kpi_book import NOVEMBER_PAYMENTS, build_book, nightly_run, pay

from arrears.agencies.commissions import Month
from arrears.cli import main
from arrears.compliance.models import AuditEvent
from arrears.daily.actions import do_run_daily
from arrears.reports.kpi import recovery
from arrears.reports.models import MonthClose, OpeningPosition
from arrears.reports.reconstruct import ReconstructRefused, do_reconstruct_months

pytestmark = pytest.mark.django_db
GO_LIVE = date(2026, 12, 2)


def _go_live() -> dict:
    """The book of kpi_book.py arriving whole in the first feed, of 2026-12-02: November's payments and D's
    1,000.00 of 12-02 all delivered by it; the first nightly run that night."""
    loans = build_book(first_night=False)
    for name, (on, amount) in NOVEMBER_PAYMENTS.items():
        pay(loans[name], on, amount, delivered=GO_LIVE)
    pay(loans["D"], GO_LIVE, "1000.00")
    do_run_daily(GO_LIVE, actor=nightly_run())
    return loans


def test_november_reconstructed_gives_the_figures_the_nightly_runs_kept():
    """Clause: KPI-1 — November's opening from the engine as of 10-31 and its payments by the day they were made:
    the hand-computed figures (mild 8,053.32 of 15,167.54, severe 20,000.00 of 69,748.33)."""
    loans = _go_live()
    done = do_reconstruct_months(Month(2026, 11), actor=nightly_run())
    assert (done.months, done.opened, done.loans) == (["2026-11"], "2026-12", {"2026-11": 4, "2026-12": 4})
    november = recovery(Month(2026, 11), "class")
    assert november.closed
    assert [(r.key, r.opening_overdue_fen, r.recovered_fen) for r in november.rows] == [
        ("mild", 1_516_754, 805_332),
        ("moderate", 0, 0),
        ("severe", 6_974_833, 2_000_000),
    ]
    assert OpeningPosition.objects.get(month=date(2026, 11, 1), loan=loans["A"]).overdue_fen == 1_011_422
    assert MonthClose.objects.get(month=date(2026, 11, 1)).reconstructed
    # December, under way: its opening already holds November's payments, which the first feed delivered in
    # December: only D's 1,000.00 of 12-02 is recovery
    december = recovery(Month(2026, 12), "class")
    assert (december.closed, december.through) == (False, GO_LIVE)
    assert {r.key: r.recovered_fen for r in december.rows} == {"mild": 0, "moderate": 0, "severe": 100_000}
    assert AuditEvent.objects.filter(action="reports.reconstruct_months").count() == 1


def test_months_with_figures_are_never_reconstructed():
    """Clause: KPI-1 — a second reconstruction, or one reaching the first night's month, is refused; nothing
    changes."""
    _go_live()
    with pytest.raises(ReconstructRefused, match="before 2026-12"):
        do_reconstruct_months(Month(2026, 12), actor=nightly_run())
    do_reconstruct_months(Month(2026, 10), actor=nightly_run())
    before = (OpeningPosition.objects.count(), MonthClose.objects.count())
    with pytest.raises(ReconstructRefused, match="already have figures"):
        do_reconstruct_months(Month(2026, 9), actor=nightly_run())
    assert (OpeningPosition.objects.count(), MonthClose.objects.count()) == before


def test_the_command_reconstructs_n_months_and_a_rerun_does_nothing(capsys):
    _go_live()
    assert main(["kpi-reconstruct", "--months", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["months"] == ["2026-10", "2026-11"]
    assert main(["kpi-reconstruct", "--months", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["months"] == []
    assert main(["kpi-reconstruct", "--from", "2026-12"]) == 1
    assert "before 2026-12" in capsys.readouterr().err
