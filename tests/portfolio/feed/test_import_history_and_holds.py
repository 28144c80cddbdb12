"""The feed's optional `delinquency_history` and `holds` files: validated, rejected line by line into the
report, loaded idempotently, and kept apart from what arrears records itself (the nightly run's delinquency
records, a release recorded in arrears)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from feed_samples import BORROWERS, LOANS, PAYMENTS, SCHEDULES

from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.models import DelinquencyRecord, Hold

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)

HISTORY = """\
loan_id,effective_on,dpd,delinquency_class
L1,2026-02-16,1,mild
L1,2026-02-20,0,current
"""
HOLDS = """\
hold_id,borrower_id,loan_id,kind,reason,starts_on,ends_on,released_on
H1,B1,,complaint,投诉处理中,2026-02-20,,
H2,B2,L2,dispute,对利息有异议,2026-02-01,2026-02-28,2026-02-10
"""
BAD_HISTORY = """\
loan_id,effective_on,dpd,delinquency_class
L1,2026-02-16,1,mild
L9,2026-02-16,1,mild
L1,2026-03-01,3,mild
L1,2026-02-18,5,current
L1,2026-02-19,0,severe
L1,2026-01-10,1,mild
L1,2026-02-17,40,moderate
L2,2026-02-25,2,late
"""
BAD_HOLDS = """\
hold_id,borrower_id,loan_id,kind,reason,starts_on,ends_on,released_on
H1,B1,,complaint,投诉处理中,2026-02-20,,
H2,B1,L2,dispute,张伟说已还清,2026-02-01,,
H3,B2,,legal,法院冻结,2026-02-10,2026-02-01,
H4,B2,,legal,法院冻结,2026-02-10,,2026-03-05
H5,B9,,dispute,x,2026-02-10,,
H6,B2,,strike,x,2026-02-10,,
"""


def feed(write_feed, name: str, **extra: str) -> Path:
    files = {"borrowers.csv": BORROWERS, "loans.csv": LOANS, "schedules.csv": SCHEDULES, "payments.csv": PAYMENTS}
    files.update({f"{file}.csv": text for file, text in extra.items()})
    return write_feed(name, files)


def report(result) -> list[tuple[str, ...]]:
    with Path(result.report_path).open(encoding="utf-8", newline="") as fh:
        return [tuple(row) for row in csv.reader(fh)][1:]


def counts(result, file: str) -> tuple[int, int, int, int, int]:
    f = result.files[file]
    return (f.read, f.inserted, f.updated, f.unchanged, f.rejected)


def test_history_and_holds_load_as_fed_rows(write_feed, nightly, var_dir):
    """Clause: WVR-1 — the fed history becomes delinquency records marked as the feed's; the holds are stored
    with the core's hold number, placed by the importing user, in force as the feed says."""
    result = do_import_feed(feed(write_feed, "one", delinquency_history=HISTORY, holds=HOLDS), DAY, actor=nightly)
    assert report(result) == []
    assert counts(result, "delinquency_history") == (2, 2, 0, 0, 0)
    assert counts(result, "holds") == (2, 2, 0, 0, 0)
    rows = DelinquencyRecord.objects.order_by("business_date").values_list(
        "loan__external_id", "business_date", "dpd", "delinquency_class", "source"
    )
    assert list(rows) == [
        ("L1", date(2026, 2, 16), 1, "mild", "feed"),
        ("L1", date(2026, 2, 20), 0, "current", "feed"),
    ]
    complaint, dispute = Hold.objects.order_by("external_id")
    assert (complaint.borrower.external_id, complaint.loan, complaint.kind, complaint.placed_by) == (
        "B1",
        None,
        "complaint",
        nightly,
    )
    assert complaint.in_force_on(DAY)
    assert (dispute.loan.external_id, dispute.ends_on, dispute.released_on) == (
        "L2",
        date(2026, 2, 28),
        date(2026, 2, 10),
    )
    assert not dispute.in_force_on(DAY)


def test_the_same_history_and_holds_again_change_nothing(write_feed, nightly, var_dir):
    """The next day's feed carries the same history and holds: every row unchanged, none rewritten."""
    do_import_feed(feed(write_feed, "one", delinquency_history=HISTORY, holds=HOLDS), DAY, actor=nightly)
    before = (
        list(DelinquencyRecord.objects.order_by("pk").values()),
        list(Hold.objects.order_by("pk").values()),
    )
    again = feed(write_feed, "two", delinquency_history=HISTORY, holds=HOLDS)
    (again / "payments.csv").write_text("payment_id,loan_id,paid_on,amount\nP1,L1,2026-02-15,1023.72\n")
    (again / "borrowers.csv").write_text(BORROWERS + "B3,李强,11010519491231002X,13712345678,low,\n")
    result = do_import_feed(again, date(2026, 3, 2), actor=nightly)
    assert counts(result, "delinquency_history") == (2, 0, 0, 2, 0)
    assert counts(result, "holds") == (2, 0, 0, 2, 0)
    after = (
        list(DelinquencyRecord.objects.order_by("pk").values()),
        list(Hold.objects.order_by("pk").values()),
    )
    assert after == before


def test_a_changed_hold_is_updated_and_a_release_recorded_in_arrears_stays(write_feed, nightly, make_user, var_dir):
    """A hold the core extends is updated in place; a release recorded in arrears is not undone by a feed that
    says nothing of one."""
    from arrears.portfolio.actions import do_lift_hold

    do_import_feed(feed(write_feed, "one", holds=HOLDS), DAY, actor=nightly)
    complaint = Hold.objects.get(external_id="H1")
    do_lift_hold(complaint, on=date(2026, 3, 1), actor=make_user("supervisor"), reason="complaint settled")
    changed = HOLDS.replace("2026-02-01,2026-02-28,2026-02-10", "2026-02-01,2026-03-31,2026-02-10")
    result = do_import_feed(feed(write_feed, "two", holds=changed), date(2026, 3, 2), actor=nightly)
    assert counts(result, "holds") == (2, 0, 1, 1, 0)
    assert Hold.objects.get(external_id="H2").ends_on == date(2026, 3, 31)
    complaint.refresh_from_db()
    assert complaint.released_on == date(2026, 3, 1)
    assert complaint.placed_by == nightly


def test_the_nightly_runs_own_record_on_the_same_day_is_kept(write_feed, nightly, var_dir):
    """Clause: WVR-1 — fed history and the nightly run's records are told apart: a fed row for a date the run
    recorded adds the feed's row and leaves the run's alone."""
    do_import_feed(feed(write_feed, "one"), DAY, actor=nightly)
    from arrears.portfolio.models import Loan

    loan = Loan.objects.get(external_id="L1")
    DelinquencyRecord.objects.create(loan=loan, business_date=date(2026, 2, 16), dpd=1, delinquency_class="mild")
    result = do_import_feed(feed(write_feed, "two", delinquency_history=HISTORY), date(2026, 3, 2), actor=nightly)
    assert counts(result, "delinquency_history") == (2, 2, 0, 0, 0)
    assert sorted(DelinquencyRecord.objects.values_list("business_date", "source")) == [
        (date(2026, 2, 16), "feed"),
        (date(2026, 2, 16), "run"),
        (date(2026, 2, 20), "feed"),
    ]


def test_bad_history_and_hold_rows_are_reported_and_the_rest_loads(write_feed, nightly, var_dir):
    """Each fault is one line: unknown loan or borrower, a date on or after the business date, a class at odds
    with its DPD, a DPD counting from before the loan started, a hold on another borrower's loan, a hold ending
    or released before it starts, a release after the business date, an unknown kind. The hold's reason is
    never echoed (it may name people)."""
    result = do_import_feed(
        feed(write_feed, "bad", delinquency_history=BAD_HISTORY, holds=BAD_HOLDS), DAY, actor=nightly
    )
    history = "delinquency_history.csv"
    holds = "holds.csv"
    assert report(result) == [
        (history, "2", "L9/2026-02-16", "loan_id", "L9", "unknown loan L9: not in this feed and not stored"),
        (
            history,
            "3",
            "L1/2026-03-01",
            "effective_on",
            "2026-03-01",
            "on 2026-03-01, not before the business date (2026-03-01): the history is what happened before; "
            "the nightly run records the rest",
        ),
        (history, "4", "L1/2026-02-18", "dpd", "5", "DPD 5 with class current: a current loan has DPD 0"),
        (history, "5", "L1/2026-02-19", "dpd", "0", "DPD 0 with class severe: a delinquent loan has DPD 1 or more"),
        (
            history,
            "6",
            "L1/2026-01-10",
            "effective_on",
            "2026-01-10",
            "on 2026-01-10, before the loan started (2026-01-15)",
        ),
        (
            history,
            "7",
            "L1/2026-02-17",
            "dpd",
            "40",
            "DPD 40 on 2026-02-17 counts from before the loan started (2026-01-15)",
        ),
        (
            history,
            "8",
            "L2/2026-02-25",
            "delinquency_class",
            "late",
            "must be one of current, mild, moderate, severe",
        ),
        (holds, "2", "H2", "loan_id", "L2", "loan L2 is borrower B2's, not borrower B1's"),
        (holds, "3", "H3", "ends_on", "2026-02-01", "ends on 2026-02-01, before it starts (2026-02-10)"),
        (holds, "4", "H4", "released_on", "2026-03-05", "released on 2026-03-05, after the business date (2026-03-01)"),
        (holds, "5", "H5", "borrower_id", "B9", "unknown borrower B9: not in this feed and not stored"),
        (
            holds,
            "6",
            "H6",
            "kind",
            "strike",
            "must be one of dispute, complaint, legal, deceased, fraud_claim, bankruptcy",
        ),
    ]
    assert counts(result, "delinquency_history") == (8, 1, 0, 0, 7)
    assert counts(result, "holds") == (6, 1, 0, 0, 5)
    assert list(DelinquencyRecord.objects.values_list("business_date", "source")) == [(date(2026, 2, 16), "feed")]
    assert list(Hold.objects.values_list("external_id", flat=True)) == ["H1"]


def test_a_long_hold_reason_is_refused_without_being_echoed(write_feed, nightly, var_dir):
    """The report hides a hold's reason as it hides an address: only the fault is said."""
    long = "hold_id,borrower_id,kind,reason,starts_on\nH1,B1,legal," + "张" * 501 + ",2026-02-01\n"
    result = do_import_feed(feed(write_feed, "long", holds=long), DAY, actor=nightly)
    assert report(result) == [("holds.csv", "1", "H1", "reason", "●●●", "longer than 500 characters (501)")]
    assert not Hold.objects.exists()
