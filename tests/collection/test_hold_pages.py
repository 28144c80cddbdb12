"""Placing and lifting holds from the borrower page (Issue 14 item 17): supervisors, legal and compliance
officers, always with a reason, audited; the borrower and case pages show the holds in force with their end.

The desk on 2026-03-20: borrower J20 (DPD 20) has an open case in the junior pool.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from desk import WORKING_HOURS, open_desk

from arrears.collection import views
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    opened = open_desk([("J20", 20, "12000", "low")], {"junior_collector": 1, "supervisor": 1})
    case = opened["cases"]["J20"]
    return SimpleNamespace(
        case=case,
        borrower=case.borrower,
        loan=case.borrower.loans.get(),
        junior=opened["users"]["junior_collector"][0],
        boss=opened["users"]["supervisor"][0],
    )


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def place(client, desk, **fields):
    data = {"kind": "complaint", "loan": "", "starts_on": "2026-03-20", "ends_on": "2026-04-30", "reason": ""}
    data.update(fields)
    return client.post(f"/borrowers/{desk.borrower.external_id}/holds/", data, follow=True)


def test_a_supervisor_places_a_hold_shown_in_force_on_the_borrower_and_case_pages(client, desk):
    """The hold is stored as entered, audited with its reason, and both pages show it in force until 30 April;
    the case page's contact rules now refuse a call (a hold is in force)."""
    client.force_login(desk.boss)
    assert 'id="place-hold"' in client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()
    response = place(client, desk, reason="客户投诉 CMP-17，调查中")
    assert "The hold is placed" in response.content.decode()
    hold = Hold.objects.get()
    assert (hold.borrower_id, hold.loan_id, hold.kind, hold.starts_on, hold.ends_on, hold.placed_by) == (
        desk.borrower.pk,
        None,
        "complaint",
        date(2026, 3, 20),
        date(2026, 4, 30),
        desk.boss,
    )
    event = AuditEvent.objects.get(action="portfolio.place_hold")
    assert (event.actor, event.reason, event.subject_id) == (desk.boss, "客户投诉 CMP-17，调查中", str(hold.pk))
    assert event.changes["period"] == [None, ["2026-03-20", "2026-04-30"]]
    page = client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()
    row = page[page.index(f'id="hold-{hold.pk}"') :]
    assert "in force" in row[:400]
    assert "2026-04-30" in row[:600]
    case_page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    held = case_page[case_page.index('id="holds-in-force"') :][:400]
    assert "complaint under investigation" in held
    assert "until 2026-04-30" in held
    assert 'id="contact-refused"' in case_page


def test_a_legal_officer_holds_one_loan_open_ended(client, desk):
    """On one loan, without an end: shown "until lifted"."""
    client.force_login(make_user("legal_officer"))
    place(client, desk, kind="legal", loan=desk.loan.external_id, ends_on="", reason="诉讼准备中")
    hold = Hold.objects.get()
    assert (hold.loan_id, hold.ends_on, hold.kind) == (desk.loan.pk, None, "legal")
    page = client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()
    assert "until lifted" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, "This field is required"),
        ({"reason": "ab"}, "Ensure this value has at least 4 characters"),
        ({"ends_on": "2026-03-01", "reason": "complaint"}, "the hold ends (2026-03-01) before it starts (2026-03-20)"),
        ({"loan": "HT-NOT-HERS", "reason": "complaint"}, "Select a valid choice"),
    ],
)
def test_a_hold_without_a_reason_or_with_a_bad_period_or_loan_is_refused(client, desk, fields, message):
    client.force_login(desk.boss)
    response = place(client, desk, **fields)
    assert message in response.content.decode()
    assert (Hold.objects.count(), AuditEvent.objects.filter(action="portfolio.place_hold").count()) == (0, 0)


def test_lifting_needs_a_reason_and_is_audited(client, desk):
    """Lifted on the business date (20 March) with the reason recorded; without a reason nothing changes."""
    client.force_login(desk.boss)
    place(client, desk, reason="complaint opened")
    hold = Hold.objects.get()
    refused = client.post(f"/holds/{hold.pk}/lift/", {"reason": ""}, follow=True)
    assert "This field is required" in refused.content.decode()
    assert Hold.objects.get().released_on is None
    client.post(f"/holds/{hold.pk}/lift/", {"reason": "complaint closed, unfounded"})
    hold.refresh_from_db()
    assert (hold.released_on, hold.released_by) == (date(2026, 3, 20), desk.boss)
    event = AuditEvent.objects.get(action="portfolio.release_hold")
    assert (event.reason, event.changes) == ("complaint closed, unfounded", {"released_on": [None, "2026-03-20"]})
    assert 'class="inline lift-hold"' not in client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()


def test_a_junior_collector_can_neither_place_nor_lift_and_nothing_changes(client, desk):
    """403 for both, no form offered, the hold and the ledger unchanged."""
    hold = Hold.objects.create(
        borrower=desk.borrower, kind="dispute", reason="disputed", starts_on=date(2026, 3, 1), placed_by=desk.boss
    )
    events = AuditEvent.objects.count()
    client.force_login(desk.junior)
    page = client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()
    assert 'id="place-hold"' not in page
    assert "lift-hold" not in page
    assert "disputed" not in page  # the reason is for those who manage holds
    assert place(client, desk, reason="I want a break").status_code == 403
    assert client.post(f"/holds/{hold.pk}/lift/", {"reason": "paid now, honestly"}).status_code == 403
    assert list(Hold.objects.values_list("pk", "released_on")) == [(hold.pk, None)]
    assert AuditEvent.objects.count() == events
