"""A feed with bad rows and bad files: the good rows load, every fault is one line of the rejection report
(file,row,key,field,value,reason), personal data masked, and rows depending on a rejected row stay out."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from feed_samples import BORROWERS, LOANS, PAYMENTS, SCHEDULES

from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.models import Borrower, ContactPerson, Instalment, Loan, Payment

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)

BAD_BORROWERS = """\
borrower_id,name,id_number,mobile,risk_level,monthly_income
B1,张伟,11010519491231002X,13812345678,low,8000
B2,王芳,110105194912310021,13912345678,medium,5000
B3,李强,11010519491231002X,1391234567,high,abc
B4,赵六,11010519491231002X,13712345678,low,
B4,钱七,11010519491231002X,13712345679,low,
B5,孙八,11010519491231002X,13612345678,urgent,
"""
BAD_LOANS = """\
loan_id,borrower_id,product,principal,annual_rate,term_months,method,start_date,status
L1,B1,consumer,12000,0.0435,12,equal-instalment,2026-01-15,active
L2,B2,consumer,5000,0.0435,6,bullet,2026-01-15,active
L3,B1,consumer,-100,0.0435,12,equal-instalment,2026-01-15,active
L4,B9,consumer,100,0.0435,twelve,equal-instalment,2026-01-15,active
"""
BAD_SCHEDULES = """\
loan_id,n,due_date,principal,interest
L1,1,2026-02-15,980.22,43.50
L1,2,2026-03-15,983.77,39.95
L2,1,2026-07-15,5000,108.75
"""
BAD_PAYMENTS = """\
payment_id,loan_id,paid_on,amount
P1,L1,2026-02-15,1023.72
P2,L7,2026-02-15,10
P3,L1,2026-02-15,12.345
P4,L1,2026-03-05,10
P5,L1,2026-02-16,0
"""


def report(result) -> list[tuple[str, ...]]:
    """The report's data lines as tuples (file, row, key, field, value, reason)."""
    with Path(result.report_path).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "key", "field", "value", "reason"]
    return [tuple(row) for row in rows[1:]]


def test_good_rows_load_and_each_bad_row_is_reported(write_feed, nightly, var_dir):
    """Wrong types, a bad check digit, a bad mobile, duplicate keys (both rows), an unknown choice, a negative
    principal, an unknown borrower and loan, too many decimals, a zero and a late-dated payment: each is one
    report line; a loan of a rejected borrower and a schedule row of a rejected loan are rejected too."""
    feed = write_feed(
        "bad",
        {
            "borrowers.csv": BAD_BORROWERS,
            "loans.csv": BAD_LOANS,
            "schedules.csv": BAD_SCHEDULES,
            "payments.csv": BAD_PAYMENTS,
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert Path(result.report_path).read_text(encoding="utf-8").splitlines() == [
        "file,row,key,field,value,reason",
        "borrowers.csv,2,B2,id_number,**************0021,check digit does not match (GB 11643)",
        'borrowers.csv,3,B3,mobile,139***4567,"not a mainland mobile number (11 digits, 13… to 19…)"',
        'borrowers.csv,3,B3,monthly_income,abc,"not an amount: write yuan with at most two decimals, e.g. 362.50"',
        'borrowers.csv,4,B4,borrower_id,B4,"duplicate key: on rows 4, 5 of this file; none of them is loaded"',
        'borrowers.csv,5,B4,borrower_id,B4,"duplicate key: on rows 4, 5 of this file; none of them is loaded"',
        'borrowers.csv,6,B5,risk_level,urgent,"must be one of low, medium, high"',
        "loans.csv,2,L2,borrower_id,B2,borrower B2 was rejected",
        "loans.csv,3,L3,principal,-100,must not be negative",
        "loans.csv,4,L4,term_months,twelve,not a whole number",
        "loans.csv,4,L4,borrower_id,B9,unknown borrower B9: not in this feed and not stored",
        "schedules.csv,3,L2/1,loan_id,L2,loan L2 was rejected",
        "payments.csv,2,P2,loan_id,L7,unknown loan L7: not in this feed and not stored",
        "payments.csv,3,P3,amount,12.345,more than two decimals: an amount is a whole number of fen",
        'payments.csv,4,P4,paid_on,2026-03-05,"paid on 2026-03-05, after the business date (2026-03-01)"',
        "payments.csv,5,P5,amount,0,must be greater than 0",
    ]
    assert list(Borrower.objects.values_list("external_id", flat=True)) == ["B1"]
    assert list(Loan.objects.values_list("external_id", flat=True)) == ["L1"]
    assert list(Instalment.objects.order_by("n").values_list("loan__external_id", "n")) == [("L1", 1), ("L1", 2)]
    assert list(Payment.objects.values_list("external_id", flat=True)) == ["P1"]
    assert {name: (f.read, f.inserted, f.rejected) for name, f in result.files.items()} == {
        "borrowers": (6, 1, 5),
        "loans": (4, 1, 3),
        "schedules": (3, 2, 1),
        "payments": (5, 1, 4),
    }
    assert (result.rejected, result.faults) == (13, 15)


def test_schedule_dates_are_checked_and_a_schedule_loads_whole(write_feed, nightly, var_dir):
    """A due date before the loan's start or not after the previous instalment's is refused, and the loan's
    other schedule rows in the file are held back with it; a payment before the start is refused."""
    feed = write_feed(
        "dates",
        {
            "borrowers.csv": BORROWERS,
            "loans.csv": LOANS,
            "schedules.csv": """\
                loan_id,n,due_date,principal,interest
                L1,1,2026-02-15,980.22,43.50
                L1,2,2026-02-15,983.77,39.95
                L1,3,2026-04-15,987.34,36.38
                L2,1,2026-01-10,1000.00,30.00
                """,
            "payments.csv": "payment_id,loan_id,paid_on,amount\nP1,L2,2026-01-19,10\n",
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert report(result) == [
        (
            "schedules.csv",
            "1",
            "L1/1",
            "loan_id",
            "L1",
            "the schedule of loan L1 loads whole or not at all: row 2 rejected",
        ),
        (
            "schedules.csv",
            "2",
            "L1/2",
            "due_date",
            "2026-02-15",
            "due on 2026-02-15, not after instalment 1 (due 2026-02-15)",
        ),
        (
            "schedules.csv",
            "3",
            "L1/3",
            "loan_id",
            "L1",
            "the schedule of loan L1 loads whole or not at all: row 2 rejected",
        ),
        (
            "schedules.csv",
            "4",
            "L2/1",
            "due_date",
            "2026-01-10",
            "due on 2026-01-10, before the loan started (2026-01-20)",
        ),
        (
            "payments.csv",
            "1",
            "P1",
            "paid_on",
            "2026-01-19",
            "paid on 2026-01-19, before the loan started (2026-01-20)",
        ),
    ]
    assert Instalment.objects.count() == 0
    assert Loan.objects.count() == 2


def test_personal_data_in_the_report_is_masked(write_feed, nightly, var_dir):
    """A too-long name, a bad phone_alt and a contact's phone inside its key never appear in full."""
    feed = write_feed(
        "masked",
        {
            "borrowers.csv": "borrower_id,name,id_number,mobile,phone_alt,risk_level\n"
            f"B1,{'张' * 101},11010519491231002X,13812345678,0215555x,low\n",
            "contacts.csv": "borrower_id,name,relation,phone\nB9,刘洋,spouse,13812349001\n",
            "loans.csv": "loan_id,borrower_id,product,principal,annual_rate,term_months,method,start_date,status\n",
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert [line[:5] for line in report(result)] == [
        ("borrowers.csv", "1", "B1", "name", "张" + "*" * 100),
        ("borrowers.csv", "1", "B1", "phone_alt", "021*555x"),
        ("contacts.csv", "1", "B9/138****9001", "borrower_id", "B9"),
    ]
    assert ContactPerson.objects.count() == 0


def test_whole_file_faults_are_one_line_each_and_other_files_load(write_feed, nightly, var_dir):
    """Not UTF-8 (byte, offset and line named), a missing column and a float amount column in Parquet each
    reject their whole file with one line; borrowers and loans, which do not depend on them, load."""
    contacts = (
        "borrower_id,name,relation,phone\nB1,刘洋,spouse,13812349001\nB2,".encode() + b"\xff\xfe,parent,13912349002\n"
    )
    feed = write_feed(
        "files",
        {
            "borrowers.csv": BORROWERS,
            "contacts.csv": contacts,
            "loans.csv": LOANS,
            "schedules.csv": "loan_id,n,due_date,principal\nL1,1,2026-02-15,980.22\n",
            "payments.parquet": _parquet_payments(pa.array([1023.72], pa.float64())),
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert report(result) == [
        (
            "contacts.csv",
            "2",
            "",
            "",
            "",
            "not valid UTF-8: byte 0xff at offset 64 (line 3); the file was not loaded — save it as UTF-8",
        ),
        ("schedules.csv", "0", "", "interest", "", "required column interest is missing; the file was not loaded"),
        (
            "payments.parquet",
            "0",
            "",
            "amount",
            "",
            "amount is a floating-point column (Float64); send amounts and rates as decimal128 or text — "
            "a float cannot carry a fen exactly",
        ),
    ]
    assert {name: (f.read, f.inserted, f.rejected) for name, f in result.files.items()} == {
        "borrowers": (2, 2, 0),
        "contacts": (2, 0, 2),
        "loans": (2, 2, 0),
        "schedules": (1, 0, 1),
        "payments": (1, 0, 1),
    }
    assert (Borrower.objects.count(), Loan.objects.count(), ContactPerson.objects.count()) == (2, 2, 0)
    assert (Instalment.objects.count(), Payment.objects.count()) == (0, 0)


def test_a_rejected_parent_file_rejects_its_dependent_files(write_feed, nightly, var_dir):
    """An unknown column rejects loans.csv; schedules and payments depend on it and load nothing either."""
    feed = write_feed(
        "cascade",
        {
            "borrowers.csv": BORROWERS,
            "loans.csv": LOANS.replace("status\n", "status,branch\n", 1).replace("active\n", "active,BJ\n"),
            "schedules.csv": SCHEDULES,
            "payments.csv": PAYMENTS,
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert [line[:4] + line[5:] for line in report(result)] == [
        (
            "loans.csv",
            "0",
            "",
            "branch",
            "unknown column branch (the loans file has loan_id, borrower_id, product, principal, annual_rate, "
            "penalty_markup, term_months, method, start_date, status); the file was not loaded",
        ),
        ("schedules.csv", "", "", "", "not loaded: its rows depend on loans.csv, which was rejected"),
        ("payments.csv", "", "", "", "not loaded: its rows depend on loans.csv, which was rejected"),
    ]
    assert (Borrower.objects.count(), Loan.objects.count(), Instalment.objects.count()) == (2, 0, 0)
    assert result.rejected == 2 + 3 + 1


def test_parquet_decimals_load_exactly_and_a_bom_is_tolerated(write_feed, nightly, var_dir):
    """decimal128 amounts keep their digits (1023.720 is 102372 fen; 0.015 is refused); a UTF-8 BOM on a CSV
    file is skipped."""
    feed = write_feed(
        "parquet",
        {
            "borrowers.csv": b"\xef\xbb\xbf" + BORROWERS.encode(),
            "loans.csv": LOANS,
            "payments.parquet": _parquet_payments(
                pa.array([Decimal("1023.720"), Decimal("0.015")], pa.decimal128(18, 3)), rows=2
            ),
        },
    )
    result = do_import_feed(feed, DAY, actor=nightly)
    assert report(result) == [
        ("payments.parquet", "2", "P2", "amount", "0.015", "more than two decimals: an amount is a whole number of fen")
    ]
    assert list(Payment.objects.values_list("external_id", "amount_fen")) == [("P1", 102372)]
    assert Borrower.objects.count() == 2


def test_a_stray_file_in_the_feed_directory_is_reported(write_feed, nightly, var_dir):
    """A file the feed does not know (a misspelt name) is named in the report, not silently skipped."""
    feed = write_feed("stray", {"borrowers.csv": BORROWERS, "loans.csv": LOANS, "payment.csv": PAYMENTS})
    result = do_import_feed(feed, DAY, actor=nightly)
    assert report(result) == [
        (
            "payment.csv",
            "",
            "",
            "",
            "",
            "not a feed file (borrowers, contacts, loans, schedules, payments, delinquency_history or holds, "
            ".csv or .parquet); not loaded",
        )
    ]
    assert Loan.objects.count() == 2


def _parquet_payments(amounts: pa.Array, rows: int = 1) -> bytes:
    table = pa.table(
        {
            "payment_id": [f"P{i}" for i in range(1, rows + 1)],
            "loan_id": ["L1"] * rows,
            "paid_on": pa.array([date(2026, 2, 15)] * rows, pa.date32()),
            "amount": amounts,
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
