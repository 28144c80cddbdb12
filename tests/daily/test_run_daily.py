"""The nightly run in the database: read, decide, apply; idempotent per date; catch-up; permissions."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from arrears.cli import main
from arrears.collection.models import CaseEvent, CollectionCase, Task
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.compliance.sealed import sealed_changes
from arrears.daily.actions import RunRefused, do_run_daily
from arrears.daily.models import Run, RunProblem
from arrears.finance import from_fen, to_fen
from arrears.finance.account import Receipt, ScheduledInstalment, replay
from arrears.notices.models import Notice
from arrears.portfolio.models import DelinquencyRecord, Instalment, LoanPosition, Payment, PaymentAllocation
from arrears.portfolio.posting import account_terms, allocate_payments
from arrears.rules.queries import policy_on
from book import build_book, nightly_run
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 20)
TABLES = (LoanPosition, DelinquencyRecord, CollectionCase, CaseEvent, Task, Notice, Run, RunProblem, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def three_borrowers():
    """Late: instalment 2 (due 2026-03-15) unpaid → DPD 5. Soon: due 2026-03-23 (SMS on the 20th).
    Tomorrow: due 2026-03-21 (phone reminder on the 20th)."""
    consents = {"consent_sms": True, "consent_phone": True}
    late = make_loan(make_borrower(external_id="LATE", **consents), start=date(2026, 1, 15), principal="12000")
    make_payment(late, date(2026, 2, 15), "1023.72")
    soon = make_loan(make_borrower(external_id="SOON", **consents), start=date(2026, 2, 23), principal="6000")
    tomorrow = make_loan(make_borrower(external_id="TOMORROW", **consents), start=date(2026, 2, 21), principal="3000")
    allocate_payments([late.pk, soon.pk, tomorrow.pk], business_date=AS_OF)
    return late, soon, tomorrow


def test_first_run_classifies_opens_cases_and_queues_reminders(three_borrowers):
    """Clause: CLS-1, CLS-2, REM-1, REM-2, AUTH-4 — worked example of one date."""
    late, soon, tomorrow = three_borrowers
    (report,) = do_run_daily(AS_OF, actor=nightly_run())
    position = LoanPosition.objects.get(loan=late)
    assert (position.dpd, position.delinquency_class, position.bucket) == (5, "mild", "M1")
    # instalment 2: 983.78 principal, 39.94 interest; penalty 983.78 × 0.06525 × 5/360 = 0.8915… → 0.89
    second = Instalment.objects.get(loan=late, n=2)
    assert (position.overdue_principal_fen, position.overdue_interest_fen) == (
        second.principal_fen,
        second.interest_fen,
    )
    assert (position.penalty_fen, position.compound_fen) == (89, 4)
    case = CollectionCase.objects.get(borrower=late.borrower)
    assert (case.status, case.delinquency_class, case.pool, case.opened_on) == ("open", "mild", "junior", AS_OF)
    # The queue's figures, written with the new case: 983.78 + 39.94 + 0.89 + 0.04 = 1,024.65 overdue, DPD 5.
    assert (case.dpd, case.overdue_fen) == (5, 102_465)
    assert list(Task.objects.filter(borrower=late.borrower).values_list("key", "clause", "case_id")) == [
        (f"call:{late.borrower_id}:{AS_OF}", "CLS-2", case.pk)
    ]
    notice = Notice.objects.get()
    first = Instalment.objects.get(loan=soon, n=1)
    assert (notice.loan_id, notice.channel, notice.due_date, notice.amount_fen) == (
        soon.pk,
        "sms",
        date(2026, 3, 23),
        first.principal_fen + first.interest_fen,
    )
    phone = Task.objects.get(kind="phone_reminder")
    assert (phone.loan_id, phone.due_on, phone.clause) == (tomorrow.pk, AS_OF, "REM-1")
    assert DelinquencyRecord.objects.get().loan_id == late.pk
    run = Run.objects.get()
    assert (run.status, run.business_date, run.changes["cases_opened"], run.changes["reminders_queued"]) == (
        "done",
        AS_OF,
        1,
        1,
    )
    assert report.summary["by_class"] == {"current": 2, "mild": 1}
    assert run.changes.get("case_figures", 0) == 0  # the new case was written with them: no second write
    events = AuditEvent.objects.exclude(action__startswith="auth").order_by("id")
    # The changes are sealed change records; the ledger holds their seal (one chunk) and the run's event.
    assert [e.action for e in events] == ["engine.seal_changes", "engine.daily_run"]
    assert {e.actor_username for e in events} == {"nightly-run"}
    changes = sealed_changes()
    assert [c.action for c in changes].count("collection.open_case") == 1
    opened = next(c for c in changes if c.action == "collection.open_case")
    assert opened.basis == {"permission": "engine.run_daily", "clause": "CLS-1", "approval": None}
    assert (opened.seal, opened.actor_username) == (events[0].id, "nightly-run")


def test_a_second_run_of_the_same_date_changes_nothing(three_borrowers):
    """Running a date again writes nothing and says so."""
    do_run_daily(AS_OF, actor=nightly_run())
    before = counts()
    (again,) = do_run_daily(AS_OF, actor=nightly_run())
    assert again.already_done
    assert again.changes == {}
    assert counts() == before


def test_the_next_days_catch_up_in_order_and_a_payment_closes_the_case(three_borrowers):
    """Clause: CLS-1, REM-1 — run 20 March, then 23 March: 21, 22 and 23 March are run in order; the late loan
    paid on the 22nd is cured: position removed, class back to current, case closed; nothing queued twice."""
    late, _soon, _tomorrow = three_borrowers
    do_run_daily(AS_OF, actor=nightly_run())
    make_payment(late, date(2026, 3, 22), "1030.00")
    allocate_payments([late.pk], business_date=date(2026, 3, 22))
    reports = do_run_daily(date(2026, 3, 23), actor=nightly_run())
    assert [r.business_date for r in reports] == [date(2026, 3, 21), date(2026, 3, 22), date(2026, 3, 23)]
    assert not LoanPosition.objects.filter(loan=late).exists()
    case = CollectionCase.objects.get(borrower=late.borrower)
    assert (case.status, case.closed_on) == ("closed", date(2026, 3, 22))
    assert list(DelinquencyRecord.objects.filter(loan=late).values_list("business_date", "delinquency_class")) == [
        (AS_OF, "mild"),
        (date(2026, 3, 22), "current"),
    ]
    assert Notice.objects.count() == 1
    assert list(Run.objects.order_by("business_date").values_list("status", flat=True)) == ["done"] * 4


def test_a_date_before_the_last_completed_run_is_refused(three_borrowers):
    do_run_daily(AS_OF, actor=nightly_run())
    before = counts()
    with pytest.raises(RunRefused, match="runs go in date order and 2026-03-20 is already done"):
        do_run_daily(AS_OF - timedelta(days=3), actor=nightly_run())
    assert counts() == before


def test_a_user_without_the_permission_changes_nothing(three_borrowers):
    """Clause: AUTH-4 — a supervisor may not run the batch: refused, nothing written."""
    before = counts()
    with pytest.raises(ActionDenied):
        do_run_daily(AS_OF, actor=make_user("supervisor"))
    assert counts() == before


def test_a_dry_run_reports_the_changes_and_writes_nothing(three_borrowers):
    before = counts()
    (report,) = do_run_daily(AS_OF, actor=nightly_run(), dry_run=True)
    assert report.dry_run
    assert report.changes["cases_opened"] == 1
    assert report.changes["reminders_queued"] == 1
    assert counts() == before


def test_a_loan_with_inconsistent_data_is_reported_and_the_run_goes_on(three_borrowers):
    """A loan whose allocations exceed its instalment becomes an error row; the other loans are decided."""
    late, soon, _tomorrow = three_borrowers
    payment = Payment.objects.filter(loan=late).first()
    PaymentAllocation.objects.create(
        payment=payment, instalment=Instalment.objects.get(loan=late, n=2), component="principal", amount_fen=10**8
    )
    (report,) = do_run_daily(AS_OF, actor=nightly_run())
    assert report.summary["errors"] == 1
    assert list(RunProblem.objects.values_list("loan_id", "problem")) == [
        (late.pk, "payments allocated beyond the instalment's principal or interest")
    ]
    assert not CollectionCase.objects.filter(borrower=late.borrower).exists()
    assert Notice.objects.get().loan_id == soon.pk


def test_positions_equal_the_finance_core_for_a_generated_book():
    """Clause: CLS-1 — read from the database (only unsettled instalments), decided by the engine, stored:
    every delinquent loan's figures equal the finance core's replay of its whole account, to the fen."""
    loans = build_book(60, seed=11, as_of=AS_OF)
    do_run_daily(AS_OF, actor=nightly_run())
    stored = {p.loan_id: p for p in LoanPosition.objects.all()}
    policy = policy_on(AS_OF)
    checked = 0
    for loan in loans:
        schedule = Instalment.objects.filter(loan=loan).values_list("n", "due_date", "principal_fen", "interest_fen")
        payments = Payment.objects.filter(loan=loan).values_list("external_id", "paid_on", "amount_fen")
        position = replay(
            [ScheduledInstalment(n, due, from_fen(p), from_fen(i)) for n, due, p, i in schedule],
            [Receipt(key, paid_on, from_fen(amount)) for key, paid_on, amount in payments],
            as_of=AS_OF,
            **account_terms(loan, policy),
        )
        if position.dpd == 0:
            assert loan.pk not in stored
            continue
        got = stored[loan.pk]
        assert (got.dpd, got.overdue_principal_fen, got.overdue_interest_fen, got.penalty_fen, got.compound_fen) == (
            position.dpd,
            to_fen(position.overdue_principal),
            to_fen(position.overdue_interest),
            to_fen(position.penalty_interest),
            to_fen(position.compound_interest),
        )
        checked += 1
    assert checked >= 10


def test_the_command_prints_one_json_object_with_the_changes(three_borrowers, capsys):
    assert main(["run-daily", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["business_date"] == AS_OF.isoformat()
    assert data["changes"]["cases_opened"] == 1
    assert data["rows_written"] >= 5
    assert data["by_class"] == {"current": 2, "mild": 1}
    assert set(data["seconds"]) == {"read", "compute", "apply", "allocate"}


def test_the_run_ends_by_anchoring_the_ledger_head(three_borrowers, capsys, ledger_anchors):
    """Clause: AUTH-4 — after its last date the run publishes the ledger head (the run's own event), signed, to
    the anchor file; a second run with nothing new writes no second line; a dry run none at all."""
    assert main(["run-daily", "--as-of", AS_OF.isoformat(), "--dry-run"]) == 0
    assert not ledger_anchors.exists()
    assert main(["run-daily", "--as-of", AS_OF.isoformat()]) == 0
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash", "action").first()
    assert last[2] == "engine.daily_run"
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"ledger anchor: event #{last[0]} published in {ledger_anchors}"
    (line,) = ledger_anchors.read_text().splitlines()
    assert (json.loads(line)["head_id"], json.loads(line)["head_hash"]) == last[:2]
    assert main(["run-daily", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    anchor = json.loads(capsys.readouterr().out)["ledger_anchor"]
    assert (anchor["head_id"], anchor["published"]) == (last[0], False)
    assert len(ledger_anchors.read_text().splitlines()) == 1
    assert main(["audit", "verify"]) == 0


def test_a_broken_ledger_is_not_anchored_and_the_run_says_so(three_borrowers, capsys, ledger_anchors):
    """Clause: AUTH-4 — the run's work is committed, but an edited event keeps the anchor from vouching for
    the chain: the command names the broken event and exits 1."""
    from django.db import connection

    from arrears.accounts.permissions import Perm
    from arrears.compliance import append_only
    from arrears.compliance.actions import audited
    from arrears.compliance.codes import ActionCode

    with audited(nightly_run(), ActionCode.DAILY_RUN, permission=Perm.RUN_DAILY, subject=None):
        pass  # an event (#1) before the run
    append_only.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET reason = 'edited' WHERE id = 1")
    append_only.install(connection)
    assert main(["run-daily", "--as-of", AS_OF.isoformat()]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith(
        "arrears: error: the run is done, but the ledger anchor was not published: the audit ledger is broken "
        "at event #1: event #1's hash does not match its contents: it was edited"
    )
    assert Run.objects.get().status == "done"
    assert not ledger_anchors.exists()


def test_a_phone_reminder_for_a_large_instalment_is_stored_whole():
    """Clause: REM-1, REM-2 — the phone task states instalment, due date and amount, however large."""
    big = make_loan(
        make_borrower(consent_phone=True), start=date(2026, 2, 21), principal="99999999.99", months=1, method="bullet"
    )
    do_run_daily(AS_OF, actor=nightly_run())
    task = Task.objects.get(kind="phone_reminder", loan=big)
    assert task.reason.startswith("instalment 1 due 2026-03-21, ")
    assert task.reason.endswith(" fen")


def test_the_command_prints_a_summary_per_date_and_refusals_in_one_line(three_borrowers, capsys):
    assert main(["run-daily", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr()
    assert "run of 2026-03-20: done" in out.out
    assert "delinquent 1 (current 2, mild 1)" in out.out
    assert "cases: open 1" in out.out
    assert "reminders: written 1, phone 1, without a consented channel 0" in out.out
    assert out.err == ""  # stderr is not a terminal here: no progress, only the summary
    assert main(["run-daily", "--as-of", AS_OF.isoformat()]) == 0
    assert "already done; nothing changed" in capsys.readouterr().out
    assert main(["run-daily", "--as-of", "2026-03-01"]) == 1
    err = capsys.readouterr().err.strip()
    assert (
        err == "arrears: error: runs go in date order and 2026-03-20 is already done; 2026-03-01 cannot be run after it"
    )


def test_a_second_run_at_the_same_time_is_refused(three_borrowers):
    """While another process runs the batch (it holds the run lock), a run is refused and writes nothing."""
    from django.conf import settings as django_settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the run lock is PostgreSQL's advisory lock; SQLite has one writer at a time")
    import psycopg

    from arrears.daily.actions import RUN_LOCK

    db = django_settings.DATABASES["default"]
    other = psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])
        before = counts()
        with pytest.raises(RunRefused, match="another nightly run is working"):
            do_run_daily(AS_OF, actor=nightly_run())
        assert counts() == before
        other.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
        (report,) = do_run_daily(AS_OF, actor=nightly_run())
        assert report.status == "done"
    finally:
        other.close()
