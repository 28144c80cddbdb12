"""Agency audits (Clause: AGY-3, PRV-1): the schedule at its edges, the sample of the agency's own contacts in the
period, violations entered in the register against the agency and its agent with a rectification, repeated
violations suspending new placements, closing, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from audit_book import PNG, agent_of, call, letter, make_agency, make_case, place

from arrears.agencies.audit_actions import (
    AuditConflict,
    Contact,
    ReportFile,
    contacts_in_period,
    do_close_audit,
    do_enter_audit_violation,
    do_judge_contact,
    do_open_audit,
    do_upload_report,
    draw_sample,
)
from arrears.agencies.models_audit import AuditStatus, AuditViolation
from arrears.agencies.schedule import audit_schedule, days_overdue, next_due, overdue_audits
from arrears.agencies.suspension import suspension
from arrears.complaints.models import Violation
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)
PERIOD = (date(2027, 1, 1), date(2027, 1, 31))


@pytest.fixture
def book():
    """Agency A with two users, agency B with one, a bank collector; one case placed with A on 2026-09-01."""
    a, b = make_agency("AGY-A01", "甲方催收有限公司"), make_agency("AGY-B01", "乙方催收有限公司")
    case = make_case()
    place(case, a, date(2026, 9, 1))
    return {
        "a": a,
        "b": b,
        "a1": agent_of(a, "agent-a1"),
        "a2": agent_of(a, "agent-a2"),
        "b1": agent_of(b, "agent-b1"),
        "bank": make_user("senior_collector"),
        "case": case,
        "officer": make_user("compliance_officer"),
    }


def opened(book, *, size: int = 20, period=PERIOD):
    return do_open_audit(
        book["a"], period_start=period[0], period_end=period[1], sample_size=size, today=TODAY, actor=book["officer"]
    )


# -- the schedule -----------------------------------------------------------------------------------------------


def test_the_next_audit_falls_due_on_the_interval_day_and_is_overdue_the_day_after():
    """Clause: AGY-3 — first placement 2026-09-01, interval 90: due 2026-11-30 (not overdue that day), overdue by
    one on 2026-12-01; after an audit of the period through 2026-11-30, the next is due 2027-02-28."""
    due = next_due(date(2026, 9, 1), None, 90)
    assert due == date(2026, 11, 30)
    assert (days_overdue(due, date(2026, 11, 29)), days_overdue(due, date(2026, 11, 30))) == (0, 0)
    assert days_overdue(due, date(2026, 12, 1)) == 1
    assert next_due(date(2026, 9, 1), date(2026, 11, 30), 90) == date(2027, 2, 28)
    assert next_due(None, None, 90) is None
    assert days_overdue(None, date(2026, 12, 1)) == 0


def test_the_schedule_lists_agencies_that_held_a_placement_by_their_first_one(book):
    """Clause: AGY-3 — the earliest placement counts; an agency never placed is not due; on the due day the row is
    due with 0 days left, the day after overdue by 1 and in the overdue list (policy interval: 90 days)."""
    place(make_case("司马静怡"), book["a"], date(2026, 10, 15))  # a later placement does not move the date
    place(make_case("诸葛文博"), book["b"], date(2026, 9, 2))
    make_agency("AGY-C01")  # never placed
    on_day = {row.agency.code: row for row in audit_schedule(date(2026, 11, 30))}
    assert sorted(on_day) == ["AGY-A01", "AGY-B01"]
    a, b = on_day["AGY-A01"], on_day["AGY-B01"]
    assert (a.due_on, a.days_left, a.overdue_days, a.overdue) == (date(2026, 11, 30), 0, 0, False)
    assert (b.due_on, b.days_left, b.overdue) == (date(2026, 12, 1), 1, False)
    assert overdue_audits(date(2026, 11, 30)) == []
    late = overdue_audits(date(2026, 12, 1))
    assert [(row.agency.code, row.overdue_days) for row in late] == [("AGY-A01", 1)]


def test_a_closed_audit_moves_the_due_date_an_open_one_does_not(book):
    """Clause: AGY-3 — the next audit counts from the period end of the last closed audit (2027-01-31 + 90 days =
    2027-05-01); while the audit is open the old date stands and the row names the open audit."""
    audit = opened(book)
    row = audit_schedule(TODAY)[0]
    assert (row.due_on, row.overdue_days, row.open_audit_id) == (date(2026, 11, 30), 91, audit.pk)
    assert audit.due_on == date(2026, 11, 30)
    do_upload_report(audit, report=ReportFile("报告.png", PNG), actor=book["officer"])
    do_close_audit(audit, findings="本期无抽样联系，报告已审阅", actor=book["officer"])
    row = audit_schedule(TODAY)[0]
    assert (row.last_audited_through, row.due_on, row.overdue, row.open_audit_id) == (
        date(2027, 1, 31),
        date(2027, 5, 1),
        False,
        None,
    )


# -- the sample -------------------------------------------------------------------------------------------------


def test_the_sample_holds_only_the_agencys_contacts_in_the_period(book):
    """Clause: AGY-3 — calls and letters of agency A's users dated within 2027-01-01…31, both ends included; not
    the day before or after, not agency B's, not the bank's own collectors', not a cancelled letter."""
    case, a1, a2 = book["case"], book["a1"], book["a2"]
    inside = [
        call(case, a1, date(2027, 1, 1)),
        call(case, a2, date(2027, 1, 31)),
        letter(case, a1, date(2027, 1, 15)),
    ]
    call(case, a1, date(2026, 12, 31))
    call(case, a1, date(2027, 2, 1))
    call(case, book["b1"], date(2027, 1, 10))
    call(case, book["bank"], date(2027, 1, 10))
    letter(case, a2, date(2027, 1, 16), status="cancelled")
    audit = opened(book)
    sampled = {(s.call_id or s.letter_id, "call" if s.call_id else "letter", s.agent_id) for s in audit.samples.all()}
    assert sampled == {
        (inside[0].pk, "call", a1.pk),
        (inside[1].pk, "call", a2.pk),
        (inside[2].pk, "letter", a1.pk),
    }
    assert (audit.contacts_in_period, audit.samples.count(), audit.status) == (3, 3, AuditStatus.OPEN)


def test_a_sample_smaller_than_the_contacts_is_spread_evenly_over_the_period(book):
    """Clause: AGY-3 — 10 contacts, 4 asked: numbers 0, 2, 5 and 7 in time order (⌊i·10/4⌋); 3 asked of 2: both."""
    contacts = [Contact(date(2027, 1, 1 + i), "call", 100 + i, 1) for i in range(10)]
    assert [c.pk for c in draw_sample(contacts, 4)] == [100, 102, 105, 107]
    assert draw_sample(contacts[:2], 3) == contacts[:2]
    calls = [call(book["case"], book["a1"], date(2027, 1, 1 + day)) for day in range(5)]
    audit = opened(book, size=2)
    assert sorted(audit.samples.values_list("call_id", flat=True)) == [calls[0].pk, calls[2].pk]
    assert audit.contacts_in_period == 5
    assert [c.pk for c in contacts_in_period(book["a"].pk, *PERIOD)] == [c.pk for c in calls]


# -- violations -------------------------------------------------------------------------------------------------


def test_a_violation_enters_the_register_against_the_agency_and_its_agent_with_a_rectification(book):
    """Clause: AGY-3, PRV-1 — the sampled call of agent-a1 on 2027-01-12: a violation of source agency_audit
    against agency A and agent-a1, dated the call's day, rectification due 2027-03-31; the verdict follows."""
    made = call(book["case"], book["a1"], date(2027, 1, 12), note="再不还就上门")
    audit = opened(book)
    sample = audit.samples.get()
    violation = do_enter_audit_violation(
        audit,
        sample=sample,
        description="威胁上门催收",
        rectification="对该催收员停岗培训",
        rectification_due=date(2027, 3, 31),
        today=TODAY,
        actor=book["officer"],
    )
    violation = Violation.objects.select_related("rectification").get(pk=violation.pk)
    assert (violation.source, violation.responsible_agency, violation.responsible_user) == (
        "agency_audit",
        book["a"],
        book["a1"],
    )
    assert (violation.occurred_on, violation.description) == (made.called_on, "威胁上门催收")
    assert (violation.rectification.description, violation.rectification.due_on) == (
        "对该催收员停岗培训",
        date(2027, 3, 31),
    )
    sample.refresh_from_db()
    assert (sample.verdict, sample.note) == ("violation", "威胁上门催收")
    assert AuditViolation.objects.get(violation=violation).sample == sample
    event = AuditEvent.objects.filter(action="agencies.record_audit_violation").get()
    assert event.changes["responsible_user"] == [None, "agent-a1"]
    assert event.changes["responsible_agency"] == [None, book["a"].pk]
    assert event.changes["rectification_due"] == [None, "2027-03-31"]
    assert event.basis["clause"] == "AGY-3"


def test_a_violation_found_in_the_report_names_the_agency_and_the_agent_only_where_known(book):
    """Clause: AGY-3 — without a sampled contact: the day within the period; the agent optional, but only one of
    the agency's own users."""
    audit = opened(book)
    unknown = do_enter_audit_violation(
        audit,
        description="报告漏报投诉两起",
        occurred_on=date(2027, 1, 20),
        rectification_due=TODAY,
        today=TODAY,
        actor=book["officer"],
    )
    assert (unknown.responsible_agency, unknown.responsible_user, unknown.rectification.description) == (
        book["a"],
        None,
        "报告漏报投诉两起",
    )
    named = do_enter_audit_violation(
        audit,
        description="夜间拨打电话",
        occurred_on=date(2027, 1, 21),
        agent=book["a2"],
        rectification_due=TODAY,
        today=TODAY,
        actor=book["officer"],
    )
    assert named.responsible_user == book["a2"]
    before = Violation.objects.count()
    for wrong in (
        {"occurred_on": date(2027, 2, 1)},  # after the period
        {"occurred_on": date(2027, 1, 20), "agent": book["b1"]},  # another agency's user
        {"occurred_on": date(2027, 1, 20), "rectification_due": TODAY - timedelta(days=1)},  # due in the past
        {"occurred_on": "2027-01-20"},  # not a date
    ):
        with pytest.raises(
            ValueError, match=r"outside the audited period|not a user of this agency|before today|as a date"
        ):
            do_enter_audit_violation(
                audit,
                description="夜间拨打电话",
                **{"rectification_due": TODAY, **wrong},
                today=TODAY,
                actor=book["officer"],
            )
    assert Violation.objects.count() == before


def test_three_violations_within_the_window_suspend_new_placements(book):
    """Clause: AGY-3 — policy: 3 violations within 365 days suspend new placements; two do not; the third does,
    counted from 2026-03-02 (the window's first day as of 2027-03-01)."""
    days = [date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7)]
    for day in days:
        call(book["case"], book["a1"], day)
    audit = opened(book)
    samples = list(audit.samples.order_by("contact_on"))
    for sample in samples[:2]:
        do_enter_audit_violation(
            audit, sample=sample, description="辱骂借款人", rectification_due=TODAY, today=TODAY, actor=book["officer"]
        )
    assert (suspension(book["a"].pk, TODAY).violations, suspension(book["a"].pk, TODAY).suspended) == (2, False)
    do_enter_audit_violation(
        audit, sample=samples[2], description="辱骂借款人", rectification_due=TODAY, today=TODAY, actor=book["officer"]
    )
    standing = suspension(book["a"].pk, TODAY)
    assert (standing.violations, standing.limit, standing.since, standing.suspended) == (3, 3, date(2026, 3, 2), True)
    assert suspension(book["b"].pk, TODAY).suspended is False
    assert suspension(book["a"].pk, date(2028, 1, 6)).violations == 1  # two have left the window by then


# -- verdicts and closing ---------------------------------------------------------------------------------------


def test_closing_waits_for_the_report_every_verdict_and_every_violation_in_the_register(book):
    """Clause: AGY-3 — each missing step refuses the closing with what to do; then the findings close it, and a
    closed audit takes no more changes."""
    call(book["case"], book["a1"], date(2027, 1, 5))
    call(book["case"], book["a2"], date(2027, 1, 6))
    audit = opened(book)
    first, second = audit.samples.order_by("contact_on")
    officer = book["officer"]
    with pytest.raises(AuditConflict, match="Upload the agency's periodic report"):
        do_close_audit(audit, findings="抽查两次通话", actor=officer)
    do_upload_report(audit, report=ReportFile("报告.png", PNG), actor=officer)
    with pytest.raises(AuditConflict, match="2 sampled contacts have no verdict"):
        do_close_audit(audit, findings="抽查两次通话", actor=officer)
    do_judge_contact(first, verdict="ok", actor=officer)
    do_judge_contact(second, verdict="violation", note="未表明身份", actor=officer)
    with pytest.raises(AuditConflict, match="1 contacts judged violations are not in the violation register"):
        do_close_audit(audit, findings="抽查两次通话", actor=officer)
    with pytest.raises(AuditConflict, match="judged this contact compliant"):
        do_enter_audit_violation(
            audit, sample=first, description="未表明身份", rectification_due=TODAY, today=TODAY, actor=officer
        )
    do_enter_audit_violation(
        audit, sample=second, description="未表明身份", rectification_due=TODAY, today=TODAY, actor=officer
    )
    with pytest.raises(AuditConflict, match="its verdict stays a violation"):
        do_judge_contact(second, verdict="ok", actor=officer)
    closed = do_close_audit(audit, findings="抽查两次通话，一次违规已登记", actor=officer)
    assert (closed.status, closed.findings, closed.closed_by) == ("closed", "抽查两次通话，一次违规已登记", officer)
    events = list(AuditEvent.objects.filter(action__startswith="agencies.").values_list("action", flat=True))
    assert events == [
        "agencies.open_audit",
        "agencies.upload_report",
        "agencies.judge_contact",
        "agencies.judge_contact",
        "agencies.record_audit_violation",
        "agencies.close_audit",
    ]
    with pytest.raises(AuditConflict, match="is closed"):
        do_judge_contact(first, verdict="violation", note="复核后认定违规", actor=officer)
    with pytest.raises(AuditConflict, match="is closed"):
        do_upload_report(audit, report=ReportFile("新报告.png", PNG), actor=officer)


def test_only_one_audit_of_an_agency_is_open_at_a_time(book):
    """Clause: AGY-3 — a second audit of the same agency waits for the first to close; another agency's does not."""
    first = opened(book)
    with pytest.raises(AuditConflict, match=f"Audit {first.pk} of this agency is still open"):
        opened(book, period=(date(2027, 2, 1), date(2027, 2, 28)))
    other = do_open_audit(
        book["b"], period_start=PERIOD[0], period_end=PERIOD[1], sample_size=5, today=TODAY, actor=book["officer"]
    )
    assert other.agency == book["b"]


def test_a_replaced_report_keeps_both_hashes_in_the_ledger(book):
    """Clause: AGY-3 — the report's SHA-256, name and size; a second upload while open replaces it."""
    import hashlib

    audit = opened(book)
    first = do_upload_report(audit, report=ReportFile("一月报告.png", PNG), actor=book["officer"])
    assert (first.filename, first.size, first.content_type, first.sha256) == (
        "一月报告.png",
        len(PNG),
        "image/png",
        hashlib.sha256(PNG).hexdigest(),
    )
    from audit_book import PDF

    second = do_upload_report(audit, report=ReportFile("一月报告.pdf", PDF), actor=book["officer"])
    assert (second.pk, second.content_type, second.sha256) == (
        first.pk,
        "application/pdf",
        hashlib.sha256(PDF).hexdigest(),
    )
    changes = (
        AuditEvent.objects.filter(action="agencies.upload_report").order_by("id").values_list("changes", flat=True)
    )
    assert [c["report_sha256"] for c in changes] == [[None, first.sha256], [first.sha256, second.sha256]]
