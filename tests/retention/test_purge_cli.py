"""`arrears purge --as-of D [--dry-run] [--json]`: what it would do, what it did, and a clear refusal."""

from __future__ import annotations

import json
from datetime import date

import pytest

from arrears.cli import main
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Borrower, Loan
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_out():
    borrower = make_borrower()
    loan = make_loan(borrower, start=date(2018, 1, 15), status="closed")
    Loan.objects.filter(pk=loan.pk).update(feed_date=date(2019, 6, 30))
    return borrower


def test_dry_run_says_what_would_go_and_changes_nothing(closed_out, capsys):
    """Clause: PRV-1 — the dry run names the cut-off days and the counts; the borrower is untouched."""
    assert main(["purge", "--as-of", "2024-07-01", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "retention purge of 2024-07-01 (SPEC defaults): dry run" in out
    assert (
        "kept from: personal data 2019-07-01, letters 2019-07-01, recordings 2019-07-01, audit events 2014-07-01" in out
    )
    assert "borrowers anonymised: 1 (PRV-1)" in out
    assert "would purge 1 items; nothing changed (dry run)" in out
    assert Borrower.objects.get(pk=closed_out.pk).name == "张三丰"
    assert AuditEvent.objects.count() == 0


def test_json_reports_what_was_done_then_nothing_the_second_time(closed_out, capsys):
    """Clause: AUTH-4 — the JSON has the counts and the events written; the second run changes nothing."""
    assert main(["purge", "--as-of", "2024-07-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["borrowers_anonymised"], data["events_written"], data["dry_run"]) == (1, 2, False)
    assert main(["purge", "--as-of", "2024-07-01", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["changed"], again["events_written"]) == (0, 0)
    assert Borrower.objects.get(pk=closed_out.pk).name == "已匿名"


def test_a_user_without_the_permission_is_refused_in_one_line(closed_out, capsys):
    """A refusal names the permission and says nothing changed (exit 1, no traceback)."""
    make_user("analyst", username="ana")
    assert main(["purge", "--as-of", "2024-07-01", "--user", "ana"]) == 1
    err = capsys.readouterr().err
    assert "compliance.purge_expired" in err
    assert "nothing changed" in err
    assert Borrower.objects.get(pk=closed_out.pk).name == "张三丰"


def test_a_bad_date_is_refused_before_anything_runs(capsys):
    assert main(["purge", "--as-of", "2024-02-30"]) != 0
    assert "2024-02-30" in capsys.readouterr().err
