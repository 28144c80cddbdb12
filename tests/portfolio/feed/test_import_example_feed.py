"""`do_import_feed` on the documented example feed: everything loads, amounts land as exact fen, payments are
posted, and the import is one audited action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.models import Borrower, FeedLoad, Instalment, Loan, Payment, PaymentAllocation

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


def counts(result):
    return {name: (f.read, f.inserted, f.updated, f.unchanged, f.rejected) for name, f in result.files.items()}


def test_the_example_feed_loads_every_row(example_feed, nightly, var_dir):
    """docs/feed-example is valid: every row of every file is inserted and the report has no line."""
    result = do_import_feed(example_feed, DAY, actor=nightly)
    assert result.status == "done"
    assert counts(result) == {
        "borrowers": (4, 4, 0, 0, 0),
        "contacts": (4, 4, 0, 0, 0),
        "loans": (5, 5, 0, 0, 0),
        "schedules": (37, 37, 0, 0, 0),
        "payments": (14, 14, 0, 0, 0),
        "delinquency_history": (2, 2, 0, 0, 0),
        "holds": (1, 1, 0, 0, 0),
    }
    assert result.rejected == 0
    assert Path(result.report_path) == var_dir / "feeds" / "2026-03-02" / result.digest[:12] / "rejections.csv"
    assert Path(result.report_path).read_text() == "file,row,key,field,value,reason\n"


def test_example_values_are_stored_exactly(example_feed, nightly, var_dir):
    """Amounts become integer fen from their decimal text, rates stay exact, the feed date is recorded."""
    do_import_feed(example_feed, DAY, actor=nightly)
    borrower = Borrower.objects.get(external_id="C0004")
    assert (borrower.monthly_income_fen, borrower.risk_level, borrower.consent_email, borrower.feed_date) == (
        620050,
        "medium",
        False,
        DAY,
    )
    assert Borrower.objects.get(external_id="C0003").monthly_income_fen is None
    assert Borrower.objects.get(external_id="C0003").preferred_channel == "email"
    loan = Loan.objects.get(external_id="L2025-0002")
    assert (loan.borrower.external_id, loan.principal_fen, loan.annual_rate, loan.penalty_markup) == (
        "C0002",
        3_600_000,
        Decimal("0.072"),
        Decimal("0.5"),
    )
    assert Loan.objects.get(external_id="L2025-0001").penalty_markup is None
    first = Instalment.objects.get(loan__external_id="L2025-0001", n=1)
    assert (first.due_date, first.principal_fen + first.interest_fen) == (date(2025, 11, 15), 1_026_740)
    assert Payment.objects.get(external_id="P20251231-0013").amount_fen == 150_000


def test_the_import_is_recorded_and_audited_once(example_feed, nightly, var_dir):
    """One FeedLoad (done) and one audit event naming the feed, with the row counts as its change."""
    result = do_import_feed(example_feed, DAY, actor=nightly)
    load = FeedLoad.objects.get()
    assert (load.business_date, load.digest, load.status, load.replay, load.rejected) == (
        DAY,
        result.digest,
        "done",
        False,
        0,
    )
    assert load.imported_by == nightly
    assert load.finished_at is not None
    assert load.counts["files"]["payments"]["inserted"] == 14
    event = AuditEvent.objects.get(action="portfolio.import_feed")
    assert (event.actor_username, event.subject_type, event.subject_id) == (
        "nightly-run",
        "feed",
        f"2026-03-02/{result.digest[:12]}",
    )
    assert event.basis["permission"] == "portfolio.import_feed"
    assert event.changes["rows"][1]["files"]["loans"]["inserted"] == 5


def test_payments_of_the_feed_are_posted(example_feed, nightly, var_dir):
    """Every loan with payments is handed to the posting step; its allocations are stored."""
    result = do_import_feed(example_feed, DAY, actor=nightly)
    assert result.posted_loans == 5
    assert result.allocations == PaymentAllocation.objects.count() > 0
    assert set(PaymentAllocation.objects.values_list("payment__external_id", flat=True)) == set(
        Payment.objects.values_list("external_id", flat=True)
    )


def test_the_report_is_found_after_a_restore_into_another_var(example_feed, nightly, var_dir, settings, tmp_path):
    """The report's path is kept relative to ARREARS_VAR: moved with its directory to another ARREARS_VAR (a
    restore elsewhere), the feed's load still names its report there — and a path stored absolute before, naming
    the old directory, is read under the new one too."""
    import shutil

    first = do_import_feed(example_feed, DAY, actor=nightly)
    load = FeedLoad.objects.get(pk=first.feed_load_id)
    assert load.report_path == f"feeds/2026-03-02/{first.digest[:12]}/rejections.csv"
    moved = tmp_path / "restored" / "var"
    shutil.move(str(var_dir), moved)
    settings.VAR_DIR = moved
    again = do_import_feed(example_feed, DAY, actor=nightly)
    assert again.status == "already_loaded"
    assert Path(again.report_path) == moved / "feeds" / "2026-03-02" / first.digest[:12] / "rejections.csv"
    assert Path(again.report_path).read_text() == "file,row,key,field,value,reason\n"
    FeedLoad.objects.filter(pk=load.pk).update(report_path=str(var_dir / load.report_path))  # stored before
    load.refresh_from_db()
    assert load.report_file == Path(again.report_path)
    assert load.report_file.is_file()
