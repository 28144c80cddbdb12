"""The investigation of a complaint, the violation register and telling the complainant: the whole path, the
unsubstantiated path, a privacy violation recorded directly, refusals with nothing changed, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arrears.accounts.models import Agency
from arrears.complaints.actions import do_file_complaint
from arrears.complaints.errors import ComplaintError
from arrears.complaints.investigation import (
    do_close_complaint,
    do_close_rectification,
    do_record_findings,
    do_record_violation,
    do_take_complaint,
    do_tell_outcome,
)
from arrears.complaints.models import Complaint, Investigation, Rectification, Violation
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def officer():
    return make_user("compliance_officer")


@pytest.fixture
def complaint(officer):
    borrower = make_borrower(mobile="13812345678")
    make_loan(borrower, external_id="HT-2026-0001")
    return do_file_complaint(
        channel="phone", received_at=AT, text="夜间多次来电骚扰", mobile="13812345678", actor=officer
    )


def test_the_whole_path_from_taking_to_closing(officer, complaint):
    """Clause: CMP-3, CMP-4 — taken, substantiated against a collector, rectified, closing refused until the
    outcome is told, told by call, closed: the complaint hold is lifted and the violation is in the register."""
    collector = make_user("senior_collector")
    assert complaint.hold is not None
    assert complaint.hold.released_on is None
    investigation = do_take_complaint(complaint, actor=officer)
    assert complaint.status == "investigating"
    assert investigation.taken_by == officer
    do_record_findings(
        complaint,
        substantiated=True,
        findings="催收员在22:00后三次来电",
        responsible_user=collector,
        rectification_due=date(2026, 3, 31),
        actor=officer,
    )
    violation = Violation.objects.get()
    assert (violation.source, violation.responsible_user, violation.complaint) == ("complaint", collector, complaint)
    assert violation.occurred_on == date(2026, 3, 17)
    rect = violation.rectification
    assert rect.due_on == date(2026, 3, 31)
    assert rect.closed_at is None
    do_close_rectification(rect, evidence="已对催收员进行培训并调整外呼时段", actor=officer)
    assert Rectification.objects.get().evidence == "已对催收员进行培训并调整外呼时段"
    with pytest.raises(ComplaintError, match="outcome"):
        do_close_complaint(complaint, actor=officer)
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    assert complaint.closed_at is None
    assert Hold.objects.get(pk=complaint.hold_id).released_on is None
    do_tell_outcome(complaint, how="call", note="已电话告知投诉人调查结果及整改措施", actor=officer)
    do_close_complaint(complaint, actor=officer)
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert complaint.closed_at is not None
    assert Hold.objects.get(pk=complaint.hold_id).released_on is not None
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    for code in (
        "complaints.take_complaint",
        "complaints.record_findings",
        "complaints.close_rectification",
        "complaints.tell_outcome",
        "portfolio.release_hold",
        "complaints.close_complaint",
    ):
        assert code in actions
    with pytest.raises(ComplaintError, match="already closed"):
        do_close_complaint(complaint, actor=officer)


def test_an_unsubstantiated_complaint_adds_no_violation(officer, complaint):
    """Clause: CMP-3 — not substantiated: no one named, no rectification, no violation; closes once told."""
    with pytest.raises(ComplaintError, match="Take the complaint"):
        do_record_findings(complaint, substantiated=False, findings="录音核查未见违规", actor=officer)
    do_take_complaint(complaint, actor=officer)
    with pytest.raises(ComplaintError, match="findings"):
        do_close_complaint(complaint, actor=officer)
    do_record_findings(complaint, substantiated=False, findings="录音核查未见违规", actor=officer)
    do_tell_outcome(complaint, how="call", note="已告知投诉人核查结果", actor=officer)
    do_close_complaint(complaint, actor=officer)
    assert Violation.objects.count() == 0
    assert Rectification.objects.count() == 0
    assert Complaint.objects.get().status == "closed"


def test_a_substantiated_complaint_against_an_agency(officer, complaint):
    """Clause: CMP-3 — an agency may be the one responsible."""
    agency = Agency.objects.create(name="示例催收服务有限公司")
    do_take_complaint(complaint, actor=officer)
    do_record_findings(
        complaint, substantiated=True, findings="委外机构冒用律师名义", responsible_agency=agency, actor=officer
    )
    violation = Violation.objects.get()
    assert violation.responsible_agency == agency
    assert violation.responsible_user is None
    assert violation.rectification.due_on == complaint.investigation_due


def test_a_privacy_violation_is_recorded_directly(officer):
    """Clause: PRV-1 — a staff privacy violation goes into the register directly, audited."""
    collector = make_user("senior_collector")
    violation = do_record_violation(
        occurred_on=date(2026, 3, 2),
        description="将借款人通讯录截图发至个人微信",
        responsible_user=collector,
        actor=officer,
    )
    assert (violation.source, violation.complaint, violation.rectification) == ("privacy", None, None)
    event = AuditEvent.objects.get(action="complaints.record_violation")
    assert event.subject_id == str(violation.pk) or event.subject_id == violation.pk


@pytest.mark.parametrize("role", ["senior_collector", "legal_officer", "analyst"])
def test_roles_without_the_permission_are_refused_with_nothing_changed(officer, complaint, role):
    """Clause: CMP-3, CMP-4, PRV-1, AUTH-4 — without complaints.handle nothing is taken, found, told or recorded."""
    someone = make_user(role)
    events = AuditEvent.objects.count()
    with pytest.raises(ActionDenied):
        do_take_complaint(complaint, actor=someone)
    with pytest.raises(ActionDenied):
        do_record_violation(
            occurred_on=date(2026, 3, 2), description="越权查询", responsible_user=someone, actor=someone
        )
    do_take_complaint(complaint, actor=officer)
    events = AuditEvent.objects.count()
    with pytest.raises(ActionDenied):
        do_record_findings(complaint, substantiated=False, findings="未见违规", actor=someone)
    with pytest.raises(ActionDenied):
        do_tell_outcome(complaint, how="call", note="已告知投诉人", actor=someone)
    with pytest.raises(ActionDenied):
        do_close_complaint(complaint, actor=someone)
    assert AuditEvent.objects.count() == events
    assert Investigation.objects.get().found_at is None
    assert Violation.objects.count() == 0
    assert Complaint.objects.get().status == "investigating"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"substantiated": True, "findings": ""}, "may not be empty"),
        ({"substantiated": True, "findings": "违规\x00来电"}, "NUL"),
        ({"substantiated": True, "findings": "催收员夜间来电"}, "Name the person or the agency"),
        ({"substantiated": False, "findings": "未见违规", "responsible": True}, "names no one"),
        ({"substantiated": "yes", "findings": "未见违规"}, "substantiated"),
    ],
)
def test_bad_findings_are_refused_with_nothing_changed(officer, complaint, fields, words):
    """Clause: CMP-3 — empty findings, NUL, substantiated without anyone responsible: refused, nothing written."""
    do_take_complaint(complaint, actor=officer)
    events = AuditEvent.objects.count()
    if fields.pop("responsible", False):
        fields["responsible_user"] = make_user("senior_collector")
    with pytest.raises(ComplaintError, match=words):
        do_record_findings(complaint, actor=officer, **fields)
    assert AuditEvent.objects.count() == events
    assert Investigation.objects.get().found_at is None
    assert Violation.objects.count() == 0


def test_bad_input_to_the_outcome_and_the_register(officer, complaint):
    """Clause: CMP-4, PRV-1 — the outcome before the findings, an empty call note, a notice by no channel, a
    privacy violation naming no one or in the future: refused."""
    do_take_complaint(complaint, actor=officer)
    with pytest.raises(ComplaintError, match="findings"):
        do_tell_outcome(complaint, how="call", note="已告知投诉人", actor=officer)
    do_record_findings(complaint, substantiated=False, findings="未见违规", actor=officer)
    with pytest.raises(ComplaintError, match="may not be empty"):
        do_tell_outcome(complaint, how="call", note="", actor=officer)
    with pytest.raises(ComplaintError, match="SMS or email"):
        do_tell_outcome(complaint, how="notice", actor=officer)
    with pytest.raises(ComplaintError, match="SMS or email"):
        do_tell_outcome(complaint, how="notice", channel="post", actor=officer)
    with pytest.raises(ComplaintError, match="Name the person"):
        do_record_violation(occurred_on=date(2026, 3, 2), description="越权查询", actor=officer)
    with pytest.raises(ComplaintError, match="future"):
        do_record_violation(
            occurred_on=date(2099, 1, 1), description="越权查询", responsible_user=officer, actor=officer
        )
    assert Investigation.objects.get().outcome_at is None
    assert Violation.objects.count() == 0
