"""`do_purge_expired`: what is past its retention period is deleted or anonymised, audited, once.

Worked example: a borrower whose only loan closed on 2019-06-30 (5 years of personal data) is anonymised by a
purge as of 2024-07-01, not by one as of 2024-06-29; a letter sent on 2019-05-10 (5 years) loses its PDF on the
first purge after 2024-05-10 and keeps its row and SHA-256; the recordings of 2019-03-01 go from disk.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection.models import Call, Letter
from arrears.compliance.actions import ActionDenied, system_actor
from arrears.compliance.anchors import verify_ledger
from arrears.compliance.models import AuditEvent
from arrears.notices.models import Notice, PrintBatch
from arrears.portfolio.models import Borrower, ContactPerson, Loan
from arrears.retention.actions import do_purge_expired
from arrears.rules.models import PolicyVersion
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

PDF = "%PDF-1.7 overdue notice of 张三丰".encode()
SHA = hashlib.sha256(PDF).hexdigest()


def closed_borrower(closed_on: date, *, status: str = "closed", **fields) -> Borrower:
    """A borrower with one loan, last changed by the feed (closed) on `closed_on`, a contact person, a call on
    the mobile and an SMS reminder that reached it."""
    borrower = make_borrower(phone_alt="02161234567", **fields)
    loan = make_loan(borrower, start=date(2018, 1, 15), status=status)
    Loan.objects.filter(pk=loan.pk).update(feed_date=closed_on)
    ContactPerson.objects.create(
        borrower=borrower, name="李四", relation="spouse", phone="13900001111", feed_date=closed_on
    )
    Call.objects.create(
        borrower=borrower,
        collector=make_user("junior_collector"),
        called_at=datetime(2019, 3, 1, 2, 0, tzinfo=UTC),
        called_on=date(2019, 3, 1),
        number=borrower.mobile,
        outcome="promised",
    )
    Notice.objects.create(
        key=f"reminder:{loan.pk}:2019-02-15",
        loan=loan,
        borrower=borrower,
        kind="reminder",
        channel="sms",
        amount_fen=105_000,
        queued_on=date(2019, 2, 12),
        clause="REM-1",
        recipient=borrower.mobile,
        body="张三丰您好，您的贷款将于2019-02-15到期，应还1,050.00元。",
    )
    return borrower


def letter(borrower: Borrower, sent_on: date) -> Letter:
    return Letter.objects.create(
        borrower=borrower, channel="post", sent_on=sent_on, overdue_fen=250_000, pdf=PDF, pdf_sha256=SHA
    )


def print_batch(day: date) -> PrintBatch:
    return PrintBatch.objects.create(
        business_date=day,
        created_at=datetime(2019, 5, 10, 8, 0, tzinfo=UTC),
        created_by=system_actor(),
        letters=1,
        pages=2,
        pdf=PDF,
        pdf_sha256=SHA,
        manifest="reference,name,address\nL1,张三丰,上海市浦东新区世纪大道100号\n",
    )


def test_personal_data_is_anonymised_the_day_after_the_fifth_anniversary_of_closing():
    """Clause: PRV-1 — closed 2019-06-30: kept as of 2024-06-29 (and 2024-06-30), anonymised as of 2024-07-01:
    name, ID number, phones, email, address, employer, income, the contact person, the number dialled, the
    notice's recipient and text. The customer number and the loan stay."""
    borrower = closed_borrower(date(2019, 6, 30))
    actor = system_actor()
    for day in (date(2024, 6, 29), date(2024, 6, 30)):
        report = do_purge_expired(day, actor=actor, basis="daily purge")
        assert (report.borrowers_anonymised, report.changed, report.events_written) == (0, 0, 0)
    assert Borrower.objects.get(pk=borrower.pk).name == "张三丰"
    assert AuditEvent.objects.count() == 0

    report = do_purge_expired(date(2024, 7, 1), actor=actor, basis="daily purge")
    assert (report.borrowers_anonymised, report.contacts_anonymised) == (1, 1)
    assert (report.call_numbers_erased, report.notices_erased) == (1, 1)
    assert report.cutoffs["personal_data"] == "2019-07-01"
    b = Borrower.objects.get(pk=borrower.pk)
    assert (b.name, b.id_number, b.mobile, b.phone_alt, b.email, b.address, b.employer) == (
        "已匿名",
        "",
        "",
        "",
        "",
        "",
        "",
    )
    assert b.monthly_income_fen is None
    assert b.external_id == borrower.external_id
    assert b.loans.count() == 1
    contact = ContactPerson.objects.get(borrower=b)
    assert (contact.name, contact.phone) == ("", f"#{contact.pk}")
    assert Call.objects.get(borrower=b).number == ""
    notice = Notice.objects.get(borrower=b)
    assert (notice.recipient, notice.body, notice.amount_fen) == ("", "", 105_000)


def test_a_borrower_with_an_open_or_written_off_loan_keeps_their_data():
    """Clause: PRV-1 — one loan closed in 2015 but another active: nothing; a written-off loan (账销案存) is not
    closed either."""
    active = closed_borrower(date(2015, 1, 31))
    make_loan(active, start=date(2024, 1, 15))
    written_off = closed_borrower(date(2015, 1, 31), status="written_off")
    report = do_purge_expired(date(2024, 7, 1), actor=system_actor())
    assert report.borrowers_anonymised == 0
    assert set(Borrower.objects.values_list("name", flat=True)) == {"张三丰"}
    assert {active.pk, written_off.pk} <= set(Borrower.objects.values_list("pk", flat=True))


def test_the_period_runs_from_the_last_loan_closed():
    """Clause: PRV-1 — loans closed 2016-03-31 and 2020-08-31: the borrower is kept until 2025-08-31."""
    borrower = closed_borrower(date(2016, 3, 31))
    later = make_loan(borrower, start=date(2019, 1, 15), status="closed")
    Loan.objects.filter(pk=later.pk).update(feed_date=date(2020, 8, 31))
    assert do_purge_expired(date(2025, 8, 31), actor=system_actor()).borrowers_anonymised == 0
    assert do_purge_expired(date(2025, 9, 1), actor=system_actor()).borrowers_anonymised == 1


def test_letter_pdfs_go_the_rows_and_checksums_stay():
    """Clause: LTR-1 — sent 2019-05-10, 5 years: the PDF is kept as of 2024-05-10 and deleted as of 2024-05-11;
    the row keeps its figures, its SHA-256 and the day of deletion. A letter of 2020 keeps its PDF. The print
    batch of 2019-05-10 loses its PDF and manifest too."""
    borrower = make_borrower()
    old, recent = letter(borrower, date(2019, 5, 10)), letter(borrower, date(2020, 1, 6))
    batch = print_batch(date(2019, 5, 10))
    assert do_purge_expired(date(2024, 5, 10), actor=system_actor()).letter_pdfs_deleted == 0
    report = do_purge_expired(date(2024, 5, 11), actor=system_actor())
    assert (report.letter_pdfs_deleted, report.print_batches_deleted) == (1, 1)
    old.refresh_from_db()
    assert (bytes(old.pdf), old.pdf_sha256, old.pdf_purged_on, old.overdue_fen) == (
        b"",
        SHA,
        date(2024, 5, 11),
        250_000,
    )
    recent.refresh_from_db()
    assert (bytes(recent.pdf), recent.pdf_purged_on) == (PDF, None)
    batch.refresh_from_db()
    assert (bytes(batch.pdf), batch.manifest, batch.pdf_sha256, batch.pdf_purged_on) == (
        b"",
        "",
        SHA,
        date(2024, 5, 11),
    )
    event = AuditEvent.objects.get(action="retention.purge_letter_pdf")
    assert (event.subject_type, event.subject_id) == ("collection.letter", str(old.pk))
    assert event.changes == {"pdf": [f"sha256:{SHA}", "deleted"], "sent_on": [None, "2019-05-10"]}
    assert event.basis == {"permission": "compliance.purge_expired", "clause": "LTR-1", "approval": None}


def test_recording_days_past_the_period_are_removed_from_disk(recordings):
    """Clause: CALL-3 — recordings of 2019-03-01 (two files) and 2019-06-30 go as of 2024-07-01; 2019-07-01
    stays, and so does an entry not named as a date."""
    for day, files in (("2019-03-01", 2), ("2019-06-30", 1), ("2019-07-01", 1)):
        (recordings / day / "agent7").mkdir(parents=True)
        for n in range(files):
            (recordings / day / "agent7" / f"call-{n}.wav").write_bytes(b"RIFF")
    (recordings / "index.txt").write_text("not a day")
    report = do_purge_expired(date(2024, 7, 1), actor=system_actor())
    assert (report.recording_days_deleted, report.recording_files_deleted) == (2, 3)
    assert sorted(p.name for p in recordings.iterdir()) == ["2019-07-01", "index.txt"]


def test_one_event_with_the_counts_then_a_second_run_changes_nothing(recordings):
    """Clause: AUTH-4 — one `retention.purge_expired` event with the counts per kind, one per borrower, letter
    and batch; the same purge again finds nothing and writes nothing."""
    (recordings / "2019-01-02").mkdir()
    (recordings / "2019-01-02" / "a.wav").write_bytes(b"RIFF")
    borrower = closed_borrower(date(2019, 6, 30))
    letter(borrower, date(2019, 5, 10))
    first = do_purge_expired(date(2024, 7, 1), actor=system_actor(), basis="daily purge")
    assert first.events_written == 3  # the borrower, the letter, the summary
    summary = AuditEvent.objects.get(action="retention.purge_expired")
    assert summary.reason == "daily purge"
    assert (summary.subject_type, summary.subject_id) == ("retention.purge", "2024-07-01")
    assert {k: v[1] for k, v in summary.changes.items() if not k.startswith("cutoff_")} == {
        "borrowers_anonymised": 1,
        "contacts_anonymised": 1,
        "call_numbers_erased": 1,
        "notices_erased": 1,
        "letter_pdfs_deleted": 1,
        "print_batches_deleted": 0,
        "recording_days_deleted": 1,
        "recording_files_deleted": 1,
        "recordings_deleted": 0,
        "audit_events_past_period": 0,
        "change_records_past_period": 0,
    }
    assert summary.changes["cutoff_audit"] == [None, "2014-07-01"]
    per_borrower = AuditEvent.objects.get(action="retention.anonymise_borrower")
    assert per_borrower.subject_id == str(borrower.pk)
    assert per_borrower.changes["personal_data"] == ["kept", "anonymised"]
    assert per_borrower.changes["contacts"] == [None, 1]

    events = AuditEvent.objects.count()
    again = do_purge_expired(date(2024, 7, 1), actor=system_actor(), basis="daily purge")
    assert (again.changed, again.events_written) == (0, 0)
    assert AuditEvent.objects.count() == events


def test_the_ledger_still_verifies_after_the_purge_and_old_events_are_only_counted():
    """Clause: AUTH-4 — the purge appends to the chain and deletes no event: `audit verify` passes; events
    recorded more than 10 years before the date are counted as past their period, and kept."""
    closed_borrower(date(2019, 6, 30))
    do_purge_expired(date(2024, 7, 1), actor=system_actor())
    before = AuditEvent.objects.count()
    far = do_purge_expired(date(2040, 1, 1), actor=system_actor(), dry_run=True)
    assert far.audit_events_past_period == before  # all recorded now (in 2026 or later, under faketime 2027)
    assert AuditEvent.objects.count() == before
    result = verify_ledger()
    assert result.ok, result.reason
    assert result.checked == before


def test_a_dry_run_counts_and_changes_nothing(recordings):
    """A dry run reports what is past its period and writes, deletes and records nothing."""
    (recordings / "2019-01-02").mkdir()
    borrower = closed_borrower(date(2019, 6, 30))
    letter(borrower, date(2019, 5, 10))
    report = do_purge_expired(date(2024, 7, 1), actor=system_actor(), dry_run=True)
    assert (report.borrowers_anonymised, report.letter_pdfs_deleted, report.recording_days_deleted) == (1, 1, 1)
    assert Borrower.objects.get(pk=borrower.pk).name == "张三丰"
    assert bytes(Letter.objects.get().pdf) == PDF
    assert (recordings / "2019-01-02").is_dir()
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role", ["administrator", "compliance_officer", "supervisor", "junior_collector"])
def test_without_the_permission_nothing_changes(role, recordings):
    """Clause: AUTH-4 — only a role granted compliance.purge_expired (the nightly run's) may purge; a refusal
    changes no row, no file and writes no event."""
    (recordings / "2019-01-02").mkdir()
    borrower = closed_borrower(date(2019, 6, 30))
    letter(borrower, date(2019, 5, 10))
    with pytest.raises(ActionDenied, match=r"compliance\.purge_expired"):
        do_purge_expired(date(2024, 7, 1), actor=make_user(role))
    assert Borrower.objects.get(pk=borrower.pk).name == "张三丰"
    assert ContactPerson.objects.get(borrower=borrower).phone == "13900001111"
    assert bytes(Letter.objects.get().pdf) == PDF
    assert (recordings / "2019-01-02").is_dir()
    assert AuditEvent.objects.count() == 0


def test_a_deleted_print_batch_answers_410_with_the_day_and_checksum(client):
    """Clause: LTR-1 — after the purge the download says when the PDF was deleted and its SHA-256; no event
    claims a download."""
    batch = print_batch(date(2019, 5, 10))
    do_purge_expired(date(2024, 5, 11), actor=system_actor())
    officer = make_user("compliance_officer")
    client.force_login(officer)
    events = AuditEvent.objects.count()
    response = client.get(f"/notices/print-batches/{batch.pk}.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    text = response.content.decode()
    assert "deleted on 2024-05-11" in text
    assert SHA in text
    assert AuditEvent.objects.count() == events


def test_the_periods_are_those_of_the_policy_in_force_on_the_date():
    """Clause: PRV-1 — a version in force from 2024-01-01 keeps personal data 7 years: closed 2019-06-30, the
    borrower is still kept as of 2024-07-01 and anonymised from 2026-07-01."""
    PolicyVersion.objects.create(
        effective_from=date(2024, 1, 1),
        name="seven years",
        text='effective_from = 2024-01-01\nname = "seven years"\n[retention]\npersonal_data_years = 7\n',
        added_by=make_user("administrator"),
        added_at=datetime(2023, 12, 1, tzinfo=UTC),
    )
    closed_borrower(date(2019, 6, 30))
    kept = do_purge_expired(date(2024, 7, 1), actor=system_actor())
    assert (kept.policy, kept.cutoffs["personal_data"], kept.borrowers_anonymised) == ("seven years", "2017-07-01", 0)
    assert do_purge_expired(date(2026, 6, 30), actor=system_actor()).borrowers_anonymised == 0
    assert do_purge_expired(date(2026, 7, 1), actor=system_actor()).borrowers_anonymised == 1


def test_the_purge_queries_by_set_not_by_row():
    """5 borrowers closed out, each with a letter, are anonymised with 11 events; then 40 more with 81 events in
    no more queries: the purge's queries do not grow with the rows (and stay fewer than one per borrower)."""
    for _ in range(5):
        letter(closed_borrower(date(2019, 6, 30)), date(2019, 5, 10))
    with CaptureQueriesContext(connection) as few:
        report = do_purge_expired(date(2024, 7, 1), actor=system_actor())
    assert (report.borrowers_anonymised, report.letter_pdfs_deleted, report.events_written) == (5, 5, 11)
    for _ in range(40):
        letter(closed_borrower(date(2019, 6, 30)), date(2019, 5, 10))
    with CaptureQueriesContext(connection) as queries:
        report = do_purge_expired(date(2024, 7, 2), actor=system_actor())
    assert (report.borrowers_anonymised, report.letter_pdfs_deleted, report.events_written) == (40, 40, 81)
    assert len(queries) <= len(few)  # the first also reads the policy versions, cached after it
    assert len(queries) < 40
