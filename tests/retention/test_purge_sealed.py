"""The retention purge and the sealed change records (AUTH-4): counted past the audit period like the ledger events
that seal them, never deleted; and the worker's purge job says what it did in words of the catalogue only."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import system_actor
from arrears.compliance.anchors import verify_ledger
from arrears.compliance.codes import ActionCode
from arrears.compliance.models import ChangeRecord
from arrears.compliance.sealed import record_sealed
from arrears.operations import jobs
from arrears.operations.words import MESSAGES
from arrears.portfolio.models import Loan
from arrears.retention.actions import do_purge_expired
from factories import make_borrower, make_loan

pytestmark = pytest.mark.django_db


def _seal(batch: str, count: int) -> None:
    events = [
        {
            "action": ActionCode.CLASSIFY_LOAN,
            "subject": ("portfolio.loan", n),
            "clause": "CLS-1",
            "changes": {"delinquency_class": ("current", "mild"), "dpd": (None, 5)},
        }
        for n in range(1, count + 1)
    ]
    record_sealed(batch, events, actor=system_actor(), permission=Perm.RUN_DAILY, subject=("daily.run", batch))


def test_sealed_change_records_are_counted_past_the_period_and_kept():
    """Clause: AUTH-4 — two seals (3 and 2 records) recorded now: on a date whose audit period began after them
    (2040, 10 years: kept from 2030) the purge counts the 5 records as past their period, and the 2 seal events
    among the events; on a date whose period began before them, none. Nothing is deleted; the ledger verifies."""
    _seal("daily:2026-03-02", 3)
    _seal("daily:2026-03-03", 2)
    records = ChangeRecord.objects.count()
    far = do_purge_expired(date(2040, 1, 1), actor=system_actor(), dry_run=True)
    assert far.cutoffs["audit"] == "2030-01-01"
    assert far.change_records_past_period == 5
    assert far.audit_events_past_period >= 2
    near = do_purge_expired(date(2030, 1, 1), actor=system_actor(), dry_run=True)
    assert (near.change_records_past_period, near.audit_events_past_period) == (0, 0)
    assert far.as_json()["change_records_past_period"] == 5
    assert ChangeRecord.objects.count() == records == 5
    result = verify_ledger()
    assert result.ok, result.reason


def test_the_purge_job_says_what_it_did_in_catalogue_words_only():
    """A purge that anonymises a borrower: the job's words are messages of the catalogue (no bare field name such
    as the report's total or its events written), each with its count."""
    borrower = make_borrower()
    loan = make_loan(borrower, start=date(2018, 1, 15), status="closed")
    Loan.objects.filter(pk=loan.pk).update(feed_date=date(2019, 6, 30))
    outcome = jobs.purge({"business_date": "2024-07-01"}, system_actor())
    codes = [code for code, _params in outcome.words]
    assert codes[0] == "purge"
    assert "purged_borrowers_anonymised" in codes
    assert [code for code in codes if code not in MESSAGES] == []
    assert all(params["n"] > 0 for code, params in outcome.words[1:])
