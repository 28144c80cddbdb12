"""Helpers of the import tests that compare two imports of one feed: the demo feed with bad rows of every kind
the checks look across rows for, and every table the import writes, row by row by keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from django.db import models, transaction

from arrears.portfolio.actions_import import do_import_feed
from arrears.portfolio.demo import write_feed
from arrears.portfolio.models import (
    Borrower,
    ContactPerson,
    DelinquencyRecord,
    Hold,
    Instalment,
    Loan,
    Payment,
    PaymentAllocation,
)

DAY = date(2026, 11, 27)


def bad_feed(directory: Path, fmt: str) -> Path:
    """The demo bank's feed of 80 loans with bad rows of every kind the checks look across rows for."""
    write_feed(directory, 80, seed=3, business_date=DAY)
    frames = {p.stem: pl.read_csv(p, infer_schema=False) for p in directory.glob("*.csv")}
    b, lo, s, p, c, h = (
        frames[n] for n in ("borrowers", "loans", "schedules", "payments", "contacts", "delinquency_history")
    )
    first_loan, second_loan = lo["loan_id"][0], lo["loan_id"][5]
    frames["borrowers"] = pl.concat(
        [
            b.with_columns(  # a bad ID number: the borrower's loans, and their schedules and payments, follow
                id_number=pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("12345")).otherwise("id_number")
            ),
            b.slice(4, 1).with_columns(name=pl.lit("重复")),  # a duplicate key far from the first
        ]
    )
    frames["contacts"] = pl.concat([c, c.slice(0, 1), c.slice(1, 1).with_columns(borrower_id=pl.lit("C404"))])
    frames["loans"] = pl.concat(
        [
            lo.with_columns(
                annual_rate=pl.when(pl.int_range(pl.len()) == 9).then(pl.lit("0.5x")).otherwise("annual_rate")
            ),
            lo.slice(11, 1),  # duplicated loan
            lo.slice(0, 1).with_columns(loan_id=pl.lit("LN-ORPHAN"), borrower_id=pl.lit("C404")),
        ]
    )
    swapped = s.filter(pl.col("loan_id") == second_loan).with_columns(
        due_date=pl.when(pl.col("n") == "2").then(pl.lit("2099-01-01")).otherwise("due_date")
    )
    frames["schedules"] = pl.concat(
        [
            s.filter(pl.col("loan_id") != second_loan),
            s.slice(3, 1),  # a duplicated instalment
            swapped,  # out of order: the loan's whole schedule is rejected
            s.slice(20, 1).with_columns(principal=pl.lit("1.234"), n=pl.lit("999")),
        ]
    )
    frames["payments"] = pl.concat(
        [
            p,
            p.slice(0, 1).with_columns(loan_id=pl.lit(second_loan)),  # the same payment id on another loan
            p.slice(2, 1).with_columns(payment_id=pl.lit("PY-LATE"), paid_on=pl.lit("2027-01-01")),
            p.slice(3, 1).with_columns(
                payment_id=pl.lit("PY-EARLY"), loan_id=pl.lit(first_loan), paid_on=pl.lit("2001-01-01")
            ),
            p.slice(4, 1).with_columns(payment_id=pl.lit("PY-LOST"), loan_id=pl.lit("LN404")),
        ]
    )
    frames["delinquency_history"] = pl.concat([h, h.slice(0, 1)])
    for name, frame in frames.items():
        (directory / f"{name}.csv").unlink()
        if fmt == "csv":
            frame.write_csv(directory / f"{name}.csv")
        else:
            frame.write_parquet(directory / f"{name}.parquet")
    return directory


def tables() -> dict[str, list[tuple]]:
    """Every table the import writes, each row by its keys instead of database ids, sorted."""
    ids = {
        "borrower_id": dict(Borrower.objects.values_list("id", "external_id")),
        "loan_id": dict(Loan.objects.values_list("id", "external_id")),
        "payment_id": dict(Payment.objects.values_list("id", "external_id")),
        "instalment_id": {
            pk: (loan, n) for pk, loan, n in Instalment.objects.values_list("id", "loan__external_id", "n")
        },
    }
    out = {}
    for model in (Borrower, ContactPerson, Loan, Instalment, Payment, PaymentAllocation, DelinquencyRecord, Hold):
        fields = model._meta.concrete_fields
        names = [f.attname for f in fields if f.attname != "id" and not isinstance(f, models.DateTimeField)]
        rows = [
            tuple(
                ids[n].get(value) if n in ids and value is not None else value
                for n, value in zip(names, row, strict=True)
            )
            for row in model.objects.values_list(*names)
        ]
        out[model.__name__] = sorted(rows, key=repr)
    return out


def import_and_roll_back(directory: Path, actor, sizes: dict) -> tuple[dict, list[str], dict]:
    """Import, snapshot, and roll everything back."""
    with transaction.atomic():
        result = do_import_feed(directory, DAY, actor=actor, **sizes)
        snapshot = tables()
        report = Path(result.report_path).read_text(encoding="utf-8").splitlines()
        summary = {
            "files": result.files,
            "rejected": result.rejected,
            "faults": result.faults,
            "posted": result.posted_loans,
            "allocations": result.allocations,
        }
        transaction.set_rollback(True)
    return snapshot, report, summary
