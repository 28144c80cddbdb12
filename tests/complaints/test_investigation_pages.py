"""The investigation pages: a complaint investigated, substantiated, rectified, told and closed through the forms;
the contact history with the collector; the violation register with its repeated count and CSV; refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from arrears.complaints.actions import do_file_complaint
from arrears.complaints.clocks import BEIJING
from arrears.complaints.investigation import do_record_violation
from arrears.complaints.models import Complaint, Violation
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def officer():
    return make_user("compliance_officer", username="co-7")


@pytest.fixture
def complaint(officer):
    borrower = make_borrower(mobile="13812345678")
    make_loan(borrower, external_id="HT-2026-0007")
    return do_file_complaint(
        channel="phone", received_at=AT, text="夜间多次来电骚扰", mobile="13812345678", actor=officer
    )


def test_investigated_substantiated_rectified_told_and_closed_through_the_pages(officer, complaint):
    """Clause: CMP-3, CMP-4 — the forms, in order; closing refused before the call; the hold lifted at the end."""
    collector = make_user("senior_collector", username="sc-9")
    client = signed_in(officer)
    base = f"/complaints/{complaint.pk}/investigation/"
    assert "Take for investigation" in client.get(base).content.decode()
    assert client.post(base + "take/").status_code == 302
    client.post(
        base + "findings/", {"substantiated": "yes", "findings": "催收员夜间来电", "responsible_user": "nobody"}
    )
    assert Violation.objects.count() == 0
    client.post(
        base + "findings/",
        {
            "substantiated": "yes",
            "findings": "催收员夜间来电",
            "responsible_user": "sc-9",
            "rectification_due": "2026-03-31",
        },
    )
    violation = Violation.objects.get()
    assert violation.responsible_user == collector
    assert violation.rectification.due_on == date(2026, 3, 31)
    client.post(base + "rectification/", {"evidence": "已培训"})
    page = client.post(base + "close/", follow=True).content.decode()
    assert "outcome was told" in page
    assert Complaint.objects.get().status == "investigating"
    client.post(base + "tell/", {"at": "2026-03-20T15:00", "note": "已电话告知投诉人"})
    client.post(base + "close/")
    assert Complaint.objects.get().status == "closed"
    assert Hold.objects.get().released_on is not None
    register = client.get("/complaints/violations/").content.decode()
    assert "sc-9" in register
    assert f"#{complaint.pk}" in register


def test_the_register_marks_repeated_violations_and_exports_csv(officer):
    """Clause: PRV-1 — two violations of one collector within the policy's window (`complaints.repeat_window_days`,
    365 days up to today) are marked as repeated; the CSV lists them; a collector is refused the register."""
    collector = make_user("senior_collector", username="sc-3")
    today = timezone.now().astimezone(BEIJING).date()  # the register counts up to today, whatever the clock says
    for day in (today - timedelta(days=364), today - timedelta(days=30)):
        do_record_violation(
            occurred_on=day, description="越权查询借款人信息", responsible_user=collector, actor=officer
        )
    client = signed_in(officer)
    page = client.get("/complaints/violations/").content.decode()
    assert "2 · repeated" in page
    assert "Violations per person in the last 365 days" in page
    csv = client.get("/complaints/violations/?format=csv").content.decode("utf-8-sig")
    assert csv.count("sc-3") == 2
    client.post(
        "/complaints/violations/new/", {"occurred_on": "2026-06-01", "responsible_user": "sc-3", "description": ""}
    )
    assert Violation.objects.count() == 2
    client.post(
        "/complaints/violations/new/",
        {"occurred_on": "2026-06-01", "responsible_user": "sc-3", "description": "截图发至个人微信"},
    )
    assert Violation.objects.count() == 3
    events = AuditEvent.objects.count()
    other = signed_in(collector)
    assert other.get("/complaints/violations/").status_code == 403
    assert (
        other.post(
            "/complaints/violations/new/",
            {"occurred_on": "2026-06-01", "responsible_user": "sc-3", "description": "越权"},
        ).status_code
        == 403
    )
    assert Violation.objects.count() == 3
    assert AuditEvent.objects.count() == events


def test_the_page_shows_the_contacts_the_complaint_concerns_with_the_agency(officer, complaint):
    """Clause: CMP-3 — calls of the borrower from 90 days before the complaint on, with the collector and the
    agency; an older call is left out."""
    from arrears.accounts.models import Agency
    from arrears.collection.models import Call

    agency = Agency.objects.create(name="远方催收服务有限公司")
    caller = make_user("agency_user", username="ag-1", agency=agency)
    for on, hour in ((date(2026, 3, 16), 14), (date(2025, 12, 1), 10)):
        Call.objects.create(
            borrower_id=complaint.borrower_id,
            collector=caller,
            called_at=datetime(on.year, on.month, on.day, hour - 8, 0, tzinfo=UTC),
            called_on=on,
            outcome="no_answer",
        )
    page = signed_in(officer).get(f"/complaints/{complaint.pk}/investigation/").content.decode()
    assert "2026-03-16" in page
    assert "远方催收服务有限公司" in page
    assert "ag-1" in page
    assert "2025-12-01" not in page


def test_the_complaint_page_links_to_its_investigation(officer, complaint):
    """Clause: CMP-3 — a matched complaint's page leads to its investigation."""
    page = signed_in(officer).get(f"/complaints/{complaint.pk}/").content.decode()
    assert f'href="/complaints/{complaint.pk}/investigation/"' in page
