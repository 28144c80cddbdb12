"""Refused agency-audit actions change nothing (Clause: AGY-3, AUTH-1): an agency's own user and a junior
collector may not audit; bad dates, a period ending before it starts or in the future, a sample size out of
bounds, an empty, huge, disguised or unknown report, and NUL characters are refused with a message saying what
to do."""

from __future__ import annotations

from datetime import date

import pytest
from audit_book import PDF, PNG, agent_of, call, make_agency, make_case

from arrears.agencies.audit_actions import (
    MAX_REPORT_BYTES,
    AuditError,
    ReportFile,
    do_close_audit,
    do_enter_audit_violation,
    do_judge_contact,
    do_open_audit,
    do_open_report,
    do_upload_report,
)
from arrears.agencies.models_audit import AgencyAudit, AuditReport, AuditSample, AuditViolation
from arrears.complaints.models import Rectification, Violation
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


def state() -> tuple:
    """Everything an audit action may write."""
    samples = tuple(AuditSample.objects.order_by("pk").values_list("verdict", "note"))
    audits = tuple(AgencyAudit.objects.order_by("pk").values_list("status", "findings"))
    reports = tuple(AuditReport.objects.values_list("sha256", flat=True))
    counts = tuple(m.objects.count() for m in (AuditViolation, Violation, Rectification, AuditEvent))
    return samples, audits, reports, counts


@pytest.fixture
def audit():
    agency = make_agency("AGY-R01", "丙方催收有限公司")
    agent = agent_of(agency, "agent-r1")
    call(make_case(), agent, date(2027, 1, 9))
    return do_open_audit(
        agency,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 1, 31),
        sample_size=20,
        today=TODAY,
        actor=make_user("supervisor"),
    )


def attempts(audit, actor):
    sample = audit.samples.get()
    return {
        "open": lambda: do_open_audit(
            make_agency("AGY-R02"),
            period_start=date(2027, 1, 1),
            period_end=date(2027, 1, 31),
            sample_size=20,
            today=TODAY,
            actor=actor,
        ),
        "upload": lambda: do_upload_report(audit, report=ReportFile("报告.png", PNG), actor=actor),
        "judge": lambda: do_judge_contact(sample, verdict="ok", actor=actor),
        "violation": lambda: do_enter_audit_violation(
            audit, sample=sample, description="辱骂借款人", rectification_due=TODAY, today=TODAY, actor=actor
        ),
        "close": lambda: do_close_audit(audit, findings="审查完毕", actor=actor),
        "report": lambda: do_open_report(audit, actor=actor),
    }


@pytest.mark.parametrize("role", ["agency_user", "junior_collector", "legal_officer", "administrator"])
@pytest.mark.parametrize("step", ["open", "upload", "judge", "violation", "close", "report"])
def test_only_supervisors_and_compliance_officers_audit(audit, role, step):
    """Clause: AGY-3, AUTH-1 — even the audited agency's own user is refused every step; nothing changes."""
    do_upload_report(audit, report=ReportFile("报告.png", PNG), actor=audit.auditor)
    actor = agent_of(audit.agency) if role == "agency_user" else make_user(role)
    before = state()
    with pytest.raises(ActionDenied, match=r"agencies\.audit"):
        attempts(audit, actor)[step]()
    assert state() == before


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"period_start": "2027-01-01"}, "as a date"),
        ({"period_end": None}, "as a date"),
        ({"period_start": date(2027, 2, 1)}, r"ends \(2027-01-31\) before it starts \(2027-02-01\)"),
        ({"period_end": date(2027, 3, 2)}, "after today"),
        ({"sample_size": 0}, "from 1 to 500"),
        ({"sample_size": 501}, "from 1 to 500"),
        ({"sample_size": True}, "from 1 to 500"),
        ({"sample_size": "20"}, "from 1 to 500"),
    ],
)
def test_bad_periods_and_sample_sizes_are_refused(given, message):
    """Clause: AGY-3 — what was wrong and what to give instead; no audit, no event."""
    agency = make_agency("AGY-R03")
    values = {"period_start": date(2027, 1, 1), "period_end": date(2027, 1, 31), "sample_size": 20, **given}
    before = state()
    with pytest.raises(AuditError, match=message):
        do_open_audit(agency, **values, today=TODAY, actor=make_user("compliance_officer"))
    assert state() == before


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (ReportFile("空.pdf", b""), "is empty"),
        (ReportFile("大.pdf", b"%PDF-" + b"0" * MAX_REPORT_BYTES), r"is 10\.0 MB; upload a report of at most 10 MB"),
        (ReportFile("网页.pdf", PDF.replace(b"%%EOF", b"<script>alert(1)</script>%%EOF")), "not a PDF, JPEG or PNG"),
        (ReportFile("表格.xlsx", b"PK\x03\x04rest"), "not a PDF, JPEG or PNG"),
    ],
)
def test_a_report_that_is_empty_too_large_disguised_or_of_another_kind_is_refused(audit, report, message):
    """Clause: AGY-3 — PDF, JPEG or PNG told by the first bytes, at most 10 MB, no web page code in a PDF."""
    before = state()
    with pytest.raises(AuditError, match=message):
        do_upload_report(audit, report=report, actor=audit.auditor)
    assert state() == before


def test_nul_characters_and_empty_texts_are_refused(audit):
    """Clause: AGY-3 — a NUL in findings, a description or a note; findings or a violation note left empty."""
    sample = audit.samples.get()
    officer = audit.auditor
    before = state()
    refusals = [
        (lambda: do_close_audit(audit, findings="审查\x00完毕", actor=officer), "NUL"),
        (lambda: do_close_audit(audit, findings="  ", actor=officer), "Write the findings"),
        (lambda: do_judge_contact(sample, verdict="violation", note="", actor=officer), "Write the note"),
        (lambda: do_judge_contact(sample, verdict="maybe", actor=officer), "Choose the verdict"),
        (lambda: do_judge_contact(sample, verdict="ok", note="好\x00", actor=officer), "NUL"),
        (
            lambda: do_enter_audit_violation(
                audit, sample=sample, description="辱\x00骂", rectification_due=TODAY, today=TODAY, actor=officer
            ),
            "NUL",
        ),
    ]
    for attempt, message in refusals:
        with pytest.raises(AuditError, match=message):
            attempt()
    assert state() == before
