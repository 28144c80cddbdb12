"""The staff pages: a complaint taken by phone through the form, the queue (nearest deadline first, warned and
breached), triage and matching, the response, the complaint's timeline, the CSV export; a collector refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from arrears.complaints import queries
from arrears.complaints.actions import do_file_complaint, do_record_response
from arrears.complaints.models import Complaint
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def borrower():
    found = make_borrower(external_id="C0000077", mobile="13812345678", name="王小明")
    make_loan(found, external_id="HT-77")
    return found


def test_a_complaint_taken_by_phone(borrower):
    """Clause: CMP-1, CMP-3 — the form files it marked 催收投诉, matched by mobile, a hold placed; the page shows
    the clocks, the complainant masked, and the timeline."""
    officer = make_user("compliance_officer", username="co-1")
    client = signed_in(officer)
    assert client.get("/complaints/new/").status_code == 200
    form = {
        "channel": "phone",
        "received_at": "2026-09-30T16:00",
        "mobile": "13812345678",
        "complainant": "王小明",
        "text": "催收员晚上十一点打电话",
    }
    response = client.post("/complaints/new/", form)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.pk}/"
    assert (complaint.borrower_id, complaint.channel, complaint.received_at) == (
        borrower.pk,
        "phone",
        datetime(2026, 9, 30, 8, 0, tzinfo=UTC),
    )
    assert Hold.objects.get().kind == "complaint"
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    for expected in ("催收投诉", "2026-10-10", "C0000077", "138****5678", "王**", "file a complaint", "co-1"):
        assert expected in page, expected
    assert "13812345678" not in page
    assert "王小明" not in page


def test_the_form_refuses_a_complaint_without_a_number(borrower):
    client = signed_in(make_user("supervisor"))
    form = {"channel": "branch", "received_at": "2026-09-30T16:00", "text": "态度恶劣"}
    response = client.post("/complaints/new/", form)
    assert response.status_code == 422
    assert "mobile, ID number or contract number" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_the_queue_orders_by_the_nearest_deadline_and_warns(borrower):
    """Clause: CMP-2 — at 2026-09-30 14:00 in Beijing: one due in two hours (warned) comes before one due tomorrow;
    one past due is breached and first. The page lists them in that order; the CSV too, with the marker."""
    officer = make_user("compliance_officer")
    now = datetime(2026, 9, 30, 14, 0, tzinfo=BJ)

    def file(hours_ago: int, mobile: str):
        return do_file_complaint(
            channel="phone", received_at=now - timedelta(hours=hours_ago), text="态度恶劣", mobile=mobile, actor=officer
        )

    later, soon, late = file(1, "13000000001"), file(22, "13000000002"), file(30, "13812345678")
    rows = queries.queue(now)
    assert [(r.complaint.pk, r.which, r.breached, r.warn) for r in rows] == [
        (late.pk, "response", True, False),
        (soon.pk, "response", False, True),
        (later.pk, "response", False, False),
    ]
    page = signed_in(officer).get("/complaints/").content.decode()
    assert page.index(f"complaint-{late.pk}") < page.index(f"complaint-{soon.pk}") < page.index(f"complaint-{later.pk}")
    csv = signed_in(officer).get("/complaints/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    assert lines[1].startswith(f"#{late.pk},催收投诉")
    assert AuditEvent.objects.filter(action="home.export_list").count() == 1


def test_an_investigation_due_today_is_warned_once_responded(borrower):
    """Clause: CMP-3 — received Friday 2026-09-18, answered at once: investigation due Tuesday 22nd (Sunday 20th
    is a make-up working day); on the 22nd at 09:00 it is warned, on the 23rd it is breached."""
    officer = make_user("compliance_officer")
    complaint = do_file_complaint(
        channel="phone", received_at=datetime(2026, 9, 18, 10, 0, tzinfo=BJ), text="态度恶劣", mobile="1", actor=officer
    )
    assert complaint.investigation_due == date(2026, 9, 22)
    do_record_response(
        complaint, how="call", at=datetime(2026, 9, 18, 11, 0, tzinfo=BJ), actor=officer, note="已回电致歉"
    )
    (row,) = queries.queue(datetime(2026, 9, 22, 9, 0, tzinfo=BJ))
    assert (row.which, row.deadline, row.breached, row.warn) == (
        "investigation",
        datetime(2026, 9, 23, 0, 0, tzinfo=BJ),
        False,
        True,
    )
    (row,) = queries.queue(datetime(2026, 9, 23, 0, 0, tzinfo=BJ))
    assert (row.breached, row.warn) == (True, False)


def test_triage_then_the_response(borrower):
    """Clause: CMP-1, CMP-2 — an unmatched complaint waits in triage; matched by customer number it gets its hold;
    the call recorded, it leaves 'open'."""
    officer = make_user("compliance_officer")
    complaint = do_file_complaint(
        channel="branch",
        received_at=datetime(2026, 9, 30, 10, 0, tzinfo=BJ),
        text="亲友被骚扰",
        mobile="13000000000",
        actor=officer,
    )
    client = signed_in(officer)
    assert f"/complaints/{complaint.pk}/" in client.get("/complaints/triage/").content.decode()
    client.post(f"/complaints/{complaint.pk}/match/", {"customer": "C0000077", "reason": "核对合同号"})
    complaint.refresh_from_db()
    assert (complaint.borrower_id, complaint.hold_id is not None) == (borrower.pk, True)
    assert f"/complaints/{complaint.pk}/" not in client.get("/complaints/triage/").content.decode()
    client.post(f"/complaints/{complaint.pk}/respond/", {"at": "2026-09-30T15:00", "note": "已致歉并说明调查"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.responded_at) == ("responded", datetime(2026, 9, 30, 7, 0, tzinfo=UTC))


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "legal_officer", "analyst"])
def test_other_roles_are_refused_with_nothing_changed(borrower, role):
    """Clause: CMP-1, AUTH-4 — 403 on every complaint page and form; no complaint, no hold, no event."""
    client = signed_in(make_user(role))
    for url in ("/complaints/", "/complaints/new/", "/complaints/triage/"):
        assert client.get(url).status_code == 403, url
    form = {"channel": "phone", "received_at": "2026-09-30T16:00", "mobile": "13812345678", "text": "态度恶劣"}
    assert client.post("/complaints/new/", form).status_code == 403
    assert (Complaint.objects.count(), Hold.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)
