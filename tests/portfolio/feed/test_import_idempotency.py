"""Importing is idempotent and ordered: the same feed twice changes nothing, an older feed needs --replay, and
an update feed rewrites exactly the rows that changed."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from feed_samples import BORROWERS, LOANS, PAYMENTS, SCHEDULES

from arrears.portfolio.actions_import import FeedRefused, do_import_feed
from arrears.portfolio.models import Borrower, FeedLoad, Loan, PaymentAllocation

pytestmark = pytest.mark.django_db

D1, D2 = date(2026, 3, 1), date(2026, 3, 2)


def counts(result):
    return {name: (f.inserted, f.updated, f.unchanged, f.rejected) for name, f in result.files.items()}


def test_the_same_feed_again_changes_nothing(example_feed, nightly, var_dir, snapshot):
    """A second import of the same feed (same date, same files) writes nothing, records nothing and says
    'already loaded' — with --replay too, and from a copy of the directory elsewhere."""
    first = do_import_feed(example_feed, D2, actor=nightly)
    before = snapshot()
    again = do_import_feed(example_feed, D2, actor=nightly)
    assert (again.status, again.already_loaded, again.feed_load_id) == ("already_loaded", True, first.feed_load_id)
    replayed = do_import_feed(example_feed, D2, actor=nightly, replay=True)
    assert replayed.already_loaded
    copy = shutil.copytree(example_feed, var_dir / "copy")
    assert do_import_feed(copy, D2, actor=nightly).already_loaded
    assert snapshot() == before


def test_unchanged_rows_are_not_rewritten_by_the_next_days_feed(small_feed, nightly, var_dir, snapshot):
    """The same rows under the next business date: every row is unchanged, nothing is rewritten (feed_date
    stays the day the row last changed), no loan is re-posted; only the new FeedLoad and audit event appear."""
    do_import_feed(small_feed, D1, actor=nightly)
    before = snapshot()
    result = do_import_feed(small_feed, D2, actor=nightly)
    assert counts(result) == {
        "borrowers": (0, 0, 2, 0),
        "loans": (0, 0, 2, 0),
        "schedules": (0, 0, 3, 0),
        "payments": (0, 0, 1, 0),
    }
    assert result.posted_loans == 0
    after = snapshot()
    for table in ("Borrower", "ContactPerson", "Loan", "Instalment", "Payment", "PaymentAllocation"):
        assert after[table] == before[table], table
    assert len(after["FeedLoad"]) == len(before["FeedLoad"]) + 1


def test_an_older_feed_is_refused_unless_replayed(small_feed, write_feed, nightly, var_dir, snapshot):
    """After the feed of D2, a feed of D1 is refused (naming --replay) and changes nothing; with replay=True it
    loads and is recorded as a replay."""
    do_import_feed(small_feed, D2, actor=nightly)
    corrected = write_feed(
        "corrected",
        {"borrowers.csv": BORROWERS.replace("8000.00", "8100.00"), "loans.csv": LOANS},
    )
    before = snapshot()
    with pytest.raises(FeedRefused, match=r"older than the newest loaded feed \(2026-03-02\); use --replay"):
        do_import_feed(corrected, D1, actor=nightly)
    assert snapshot() == before
    result = do_import_feed(corrected, D1, actor=nightly, replay=True)
    assert result.files["borrowers"].updated == 1
    assert FeedLoad.objects.get(business_date=D1).replay is True
    assert Borrower.objects.get(external_id="B1").monthly_income_fen == 810000


def test_an_update_feed_changes_exactly_the_changed_rows(small_feed, write_feed, nightly, var_dir):
    """Day 2 changes one borrower's mobile, adds a loan and a payment: the counts say so, only the changed
    rows carry the new feed date, and only the loans with new payments or schedule rows are re-posted."""
    do_import_feed(small_feed, D1, actor=nightly)
    update = write_feed(
        "update",
        {
            "borrowers.csv": BORROWERS.replace("13912345678", "13912340000"),
            "loans.csv": LOANS + "L3,B1,consumer,3000,0.05,3,bullet,2026-02-01,active\n",
            "schedules.csv": SCHEDULES,
            "payments.csv": PAYMENTS + "P2,L2,2026-02-20,1030.00\n",
        },
    )
    result = do_import_feed(update, D2, actor=nightly)
    assert counts(result) == {
        "borrowers": (0, 1, 1, 0),
        "loans": (1, 0, 2, 0),
        "schedules": (0, 0, 3, 0),
        "payments": (1, 0, 1, 0),
    }
    assert dict(Borrower.objects.values_list("external_id", "feed_date")) == {"B1": D1, "B2": D2}
    assert Borrower.objects.get(external_id="B2").mobile == "13912340000"
    assert dict(Loan.objects.values_list("external_id", "feed_date")) == {"L1": D1, "L2": D1, "L3": D2}
    assert result.posted_loans == 1
    assert PaymentAllocation.objects.filter(payment__external_id="P2").exists()


def test_a_changed_payment_is_updated_and_its_loan_re_posted(small_feed, write_feed, nightly, var_dir):
    """A corrected amount of a known payment is an update, and the loan's allocations follow it."""
    do_import_feed(small_feed, D1, actor=nightly)
    corrected = write_feed(
        "corrected",
        {"borrowers.csv": BORROWERS, "loans.csv": LOANS, "payments.csv": PAYMENTS.replace("1023.72", "500.00")},
    )
    result = do_import_feed(corrected, D2, actor=nightly)
    assert counts(result)["payments"] == (0, 1, 0, 0)
    assert result.posted_loans == 1
    allocated = PaymentAllocation.objects.filter(payment__external_id="P1").values_list("amount_fen", flat=True)
    assert sum(allocated) == 50000
