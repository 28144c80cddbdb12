"""Filing a complaint: matched each way or left for triage, a mail's Message-ID filed once, attachments kept
with their SHA-256, the complaint hold, refusals with nothing changed."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from arrears.complaints.actions import ComplaintError, do_file_complaint, do_match_complaint, do_record_response
from arrears.complaints.models import Complaint, ComplaintAttachment
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from arrears.rules.models import PolicyVersion
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def officer():
    return make_user("compliance_officer")


@pytest.fixture
def borrower():
    found = make_borrower(mobile="13812345678", id_number="11010119900307123X")
    make_loan(found, external_id="HT-2026-0001")
    return found


def file(actor, **fields):
    return do_file_complaint(
        **{"channel": "phone", "received_at": AT, "text": "夜间多次来电骚扰", **fields}, actor=actor
    )


@pytest.mark.parametrize(
    ("numbers", "matched_by"),
    [
        ({"mobile": "138 1234 5678"}, "mobile"),
        ({"id_number": "11010119900307123x"}, "id_number"),
        ({"contract_no": "HT-2026-0001"}, "contract_no"),
        ({"mobile": "13700000000", "contract_no": "HT-2026-0001"}, "contract_no"),
    ],
)
def test_matched_by_mobile_id_number_or_contract_number(officer, borrower, numbers, matched_by):
    """Clause: CMP-1 — each number finds the borrower; the complaint carries the marker 催收投诉."""
    complaint = file(officer, **numbers)
    assert (complaint.borrower_id, complaint.matched_by, complaint.marker) == (borrower.pk, matched_by, "催收投诉")


def test_an_unknown_or_shared_number_waits_in_triage_then_staff_match_it(officer, borrower):
    """Clause: CMP-1, CMP-3 — no match (or a mobile two borrowers share) leaves the complaint for triage, with no
    hold; matching it in triage places the complaint hold."""
    make_borrower(mobile="13600000000")
    make_borrower(mobile="13600000000")
    shared = file(officer, mobile="13600000000")
    unknown = file(officer, mobile="13500000000")
    assert (shared.borrower_id, unknown.borrower_id, shared.hold_id) == (None, None, None)
    assert Hold.objects.count() == 0

    matched = do_match_complaint(unknown, borrower, actor=officer, reason="caller confirmed the contract")
    assert (matched.borrower_id, matched.matched_by) == (borrower.pk, "staff")
    hold = Hold.objects.get()
    assert (matched.hold_id, hold.kind, hold.borrower_id, hold.starts_on, hold.ends_on) == (
        hold.pk,
        "complaint",
        borrower.pk,
        date(2026, 3, 17),
        None,
    )
    with pytest.raises(ComplaintError):
        do_match_complaint(unknown, borrower, actor=officer, reason="again")
    assert AuditEvent.objects.filter(action="complaints.match_complaint").count() == 1


def test_the_complaint_hold_is_placed_and_audited(officer, borrower):
    """Clause: CMP-3, AUTH-4 — a complaint about collection conduct pauses collection: one complaint hold, open
    ended, placed with the filing in one transaction; both events on the ledger."""
    complaint = file(officer, mobile="13812345678")
    hold = Hold.objects.get()
    assert (complaint.hold_id, hold.kind, hold.reason) == (hold.pk, "complaint", f"催收投诉 {complaint.pk}")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["portfolio.place_hold", "complaints.file_complaint"]
    event = AuditEvent.objects.get(action="complaints.file_complaint")
    assert event.changes["borrower"] == [None, borrower.external_id]
    assert event.changes["investigation_due"] == [None, "2026-03-20"]


def test_a_complaint_not_about_conduct_places_no_hold(officer, borrower):
    """Clause: CMP-3 — the hold is for complaints about collection conduct only."""
    complaint = file(officer, mobile="13812345678", about_conduct=False)
    assert (complaint.borrower_id, complaint.hold_id, Hold.objects.count()) == (borrower.pk, None, 0)


def test_the_policy_switch_off_places_no_hold(officer, borrower):
    """Clause: CMP-3 — a policy version from 2026-03-01 with `hold_on_conduct_complaint = false`: the complaint is
    matched, no hold placed."""
    PolicyVersion.objects.create(
        effective_from=date(2026, 3, 1),
        name="no complaint holds",
        text='effective_from = 2026-03-01\nname = "no complaint holds"\n[complaints]\nhold_on_conduct_complaint = false\n',
        added_by=make_user("administrator"),
        added_at=timezone.now(),
    )
    complaint = file(officer, mobile="13812345678")
    assert (complaint.borrower_id, complaint.hold_id, Hold.objects.count()) == (borrower.pk, None, 0)


def test_the_same_message_id_is_filed_once_with_its_attachments(officer, borrower):
    """Clause: CMP-1 — a second read of the same mail returns the first complaint and changes nothing; the
    attachment is kept with its SHA-256."""
    data = "投诉截图".encode()
    first = file(officer, channel="email", message_id="<a1@bank.example>", attachments=[("a.png", "image/png", data)])
    events = AuditEvent.objects.count()
    again = file(officer, channel="email", message_id="<a1@bank.example>", text="another text")
    assert again.pk == first.pk
    assert (Complaint.objects.count(), AuditEvent.objects.count(), Hold.objects.count()) == (1, events, 0)
    attachment = ComplaintAttachment.objects.get()
    assert (attachment.filename, bytes(attachment.data), attachment.sha256) == (
        "a.png",
        data,
        hashlib.sha256(data).hexdigest(),
    )


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "analyst", "agency_user", "administrator"])
def test_roles_without_the_permission_are_refused_with_nothing_changed(borrower, role):
    """Clause: CMP-1, AUTH-4 — only compliance officers and supervisors file complaints."""
    with pytest.raises(ActionDenied):
        file(make_user(role), mobile="13812345678")
    assert (Complaint.objects.count(), Hold.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_a_supervisor_files_too(borrower):
    """Clause: CMP-1 — supervisors take complaints as well."""
    assert file(make_user("supervisor"), channel="branch", mobile="13812345678").borrower_id == borrower.pk


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"received_at": datetime(2026, 3, 17, 10, 0)}, "UTC offset"),  # noqa: DTZ001 - the naive instant refused
        ({"text": "  "}, "may not be empty"),
        ({"received_at": datetime(2099, 1, 1, tzinfo=UTC)}, "in the future"),
        ({"text": "a\x00b"}, "NUL"),
        ({"text": "x" * 20_001}, "longer than"),
        ({"channel": "fax"}, "Unknown channel"),
        ({"mobile": "1" * 21}, "longer than"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(officer, fields, words):
    with pytest.raises(ComplaintError, match=words):
        file(officer, **fields)
    assert (Complaint.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_a_late_response_is_recorded_and_a_collector_cannot_record_one(officer, borrower):
    """Clause: CMP-2 — the call with the complainant is recorded with what was said; a collector is refused."""
    complaint = file(officer, mobile="13812345678")
    late = datetime(2026, 3, 18, 3, 0, tzinfo=UTC)
    with pytest.raises(ActionDenied):
        do_record_response(complaint, how="call", at=late, actor=make_user("junior_collector"), note="called back")
    assert Complaint.objects.get().status == "open"
    done = do_record_response(complaint, how="call", at=late, actor=officer, note="apologised; investigating")
    assert (done.status, done.responded_at, done.response_how) == ("responded", late, "call")
    event = AuditEvent.objects.get(action="complaints.record_response")
    assert event.changes["late"] == [None, True]
    with pytest.raises(ComplaintError):
        do_record_response(complaint, how="call", at=late, actor=officer, note="second time")
