"""The agency audit pages and `GET /api/v1/agencies/{code}/audits` (Clause: AGY-3, PRV-1): the schedule warns of
overdue audits, an audit shows its sample with borrowers masked, forms refuse bad input with a clear 4xx and
nothing written, an agency's own users never see an audit, and the agencies page shows the suspension."""

from __future__ import annotations

from datetime import timedelta

import pytest
from audit_book import PNG, agent_of, call, make_agency, make_case, place
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from arrears.agencies.audit_actions import MAX_REPORT_BYTES, ReportFile, do_enter_audit_violation, do_open_audit
from arrears.agencies.audit_actions import do_upload_report as upload
from arrears.agencies.models_audit import AgencyAudit, AuditReport, AuditSample
from arrears.complaints.models import Violation
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def signed_in(user, language="zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.fixture
def book():
    """Agency AGY-P01, placed with 100 days ago (so its first audit is 10 days overdue, interval 90), its user's
    call on the case of 欧阳明远 (mobile 13912340001) 20 days ago, and an open audit of the last 30 days."""
    today = timezone.localdate()
    agency = make_agency("AGY-P01", "远方资产管理有限公司")
    case = make_case("欧阳明远", mobile="13912340001")
    place(case, agency, today - timedelta(days=100))
    agent = agent_of(agency, "agent-p1")
    made = call(case, agent, today - timedelta(days=20), note="借款人称下周还款")
    officer = make_user("compliance_officer")
    audit = do_open_audit(
        agency,
        period_start=today - timedelta(days=30),
        period_end=today - timedelta(days=1),
        sample_size=20,
        today=today,
        actor=officer,
    )
    return {"today": today, "agency": agency, "agent": agent, "call": made, "officer": officer, "audit": audit}


def book_state() -> tuple:
    return (
        tuple(AgencyAudit.objects.order_by("pk").values_list("status", "findings")),
        tuple(AuditSample.objects.order_by("pk").values_list("verdict", "note")),
        AuditReport.objects.count(),
        Violation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_schedule_warns_of_the_overdue_audit(book):
    """Clause: AGY-3 — placed 100 days ago, interval 90: due 10 days ago, overdue by 10, with its open audit."""
    for role in ("supervisor", "compliance_officer"):
        page = signed_in(make_user(role), "en").get("/agencies/audits/")
        assert page.status_code == 200
        text = page.content.decode()
        assert 'id="audits-overdue"' in text
        assert "1 agency's audit is overdue: open it below." in text
        due = (book["today"] - timedelta(days=10)).isoformat()
        assert f"<td>{due}</td>" in text
        assert "overdue by 10 days" in text
        assert f"audit {book['audit'].pk} open" in text


def test_the_audit_page_shows_the_sample_masked(book):
    """Clause: AGY-3, PRV-1 — the contact's time, channel, outcome and agent; the borrower and number masked."""
    page = signed_in(book["officer"]).get(f"/agencies/audits/{book['audit'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("欧阳**", "139****0001", "agent-p1", "无人接听", "借款人称下周还款"):
        assert shown in text
    for hidden in ("欧阳明远", "13912340001"):
        assert hidden not in text
    assert timezone.localtime(book["call"].called_at).strftime("%Y-%m-%d %H:%M") in text


@pytest.mark.parametrize("role", ["agency_user", "junior_collector", "administrator"])
def test_an_agencys_own_user_and_other_roles_never_see_or_change_an_audit(book, role):
    """Clause: AGY-3, AUTH-1 — every page, the download, the API and each form: 403, nothing changed."""
    user = agent_of(book["agency"]) if role == "agency_user" else make_user(role)
    client = signed_in(user)
    audit_id, sample_id = book["audit"].pk, book["audit"].samples.get().pk
    before = book_state()
    for url in (
        "/agencies/audits/",
        f"/agencies/audits/{audit_id}/",
        f"/agencies/audits/{audit_id}/report/file",
        "/agencies/AGY-P01/audits/",
        "/api/v1/agencies/AGY-P01/audits",
    ):
        assert client.get(url).status_code == 403, url
    posts = {
        "/agencies/audits/open/": {"agency": "AGY-P01", "period_start": "2027-01-01", "period_end": "2027-01-31"},
        f"/agencies/audits/{audit_id}/samples/{sample_id}/verdict/": {"verdict": "ok"},
        f"/agencies/audits/{audit_id}/violations/": {"sample": str(sample_id), "description": "x" * 8},
        f"/agencies/audits/{audit_id}/close/": {"findings": "审查完毕"},
        f"/agencies/audits/{audit_id}/report/": {"report": SimpleUploadedFile("r.png", PNG)},
    }
    for url, form in posts.items():
        assert client.post(url, form).status_code == 403, url
    assert book_state() == before


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"period_start": "2027-02-30"}, "Audited period from: "),
        ({"period_end": "yesterday"}, "Audited period to: "),
        ({"sample_size": "０"}, "Use the digits 0–9 only"),
        ({"sample_size": "501"}, "Contacts to sample: "),
        ({"agency": "AGY-NONE"}, "No agency has that code"),
    ],
)
def test_opening_with_bad_input_is_a_clear_400(book, form, message):
    """Clause: AGY-3 — the schedule page again with what was wrong; nothing written."""
    other = make_agency("AGY-P02")
    values = {"agency": other.code, "period_start": "2027-01-01", "period_end": "2027-01-31", "sample_size": "20"}
    before = book_state()
    answer = signed_in(book["officer"], "en").post("/agencies/audits/open/", {**values, **form})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert book_state() == before


def test_a_period_ending_before_it_starts_is_a_clear_400_and_a_second_open_audit_409(book):
    """Clause: AGY-3 — the action's refusals: 400 for what was typed, 409 for the audit still open."""
    client = signed_in(book["officer"], "en")
    other = make_agency("AGY-P03")
    before = book_state()
    start, end = book["today"] - timedelta(days=10), book["today"] - timedelta(days=40)
    backwards = client.post(
        "/agencies/audits/open/",
        {"agency": other.code, "period_start": start.isoformat(), "period_end": end.isoformat(), "sample_size": "20"},
    )
    assert backwards.status_code == 400
    assert f"ends ({end.isoformat()}) before it starts ({start.isoformat()})" in backwards.content.decode()
    again = client.post(
        "/agencies/audits/open/",
        {"agency": "AGY-P01", "period_start": end.isoformat(), "period_end": start.isoformat(), "sample_size": "20"},
    )
    assert again.status_code == 409
    assert "still open; close it before opening another" in again.content.decode()
    assert book_state() == before


def test_a_huge_report_is_refused_before_it_is_read(book):
    """Clause: AGY-3 — 10 MB and one byte: 400 with the limit, nothing stored."""
    before = book_state()
    huge = SimpleUploadedFile("大报告.pdf", b"%PDF-" + b"0" * (MAX_REPORT_BYTES - 4), content_type="application/pdf")
    answer = signed_in(book["officer"], "en").post(f"/agencies/audits/{book['audit'].pk}/report/", {"report": huge})
    assert answer.status_code == 400
    assert "upload a report of at most 10 MB" in answer.content.decode()
    assert book_state() == before


def test_a_nul_in_a_form_is_a_400_and_nothing_is_written(book):
    """Clause: AGY-3 — the site's own refusal of NUL characters covers these forms."""
    client = signed_in(book["officer"], "en")
    audit_id, sample_id = book["audit"].pk, book["audit"].samples.get().pk
    before = book_state()
    for url, form in (
        (f"/agencies/audits/{audit_id}/close/", {"findings": "审查\x00完毕"}),
        (f"/agencies/audits/{audit_id}/samples/{sample_id}/verdict/", {"verdict": "violation", "note": "辱\x00骂"}),
        (f"/agencies/audits/{audit_id}/violations/", {"sample": str(sample_id), "description": "辱骂\x00借款人"}),
    ):
        answer = client.post(url, form)
        assert answer.status_code == 400
        assert "NUL character" in answer.content.decode()
    assert book_state() == before


def test_the_forms_take_an_audit_through_to_its_close(book):
    """Clause: AGY-3, PRV-1 — upload, verdict, violation with its rectification, closing: each answers with the
    audit page; the report's download is an audited read."""
    client = signed_in(book["officer"], "en")
    audit_id, sample = book["audit"].pk, book["audit"].samples.get()
    due = (book["today"] + timedelta(days=30)).isoformat()
    steps = [
        (f"/agencies/audits/{audit_id}/report/", {"report": SimpleUploadedFile("报告.png", PNG)}),
        (f"/agencies/audits/{audit_id}/samples/{sample.pk}/verdict/", {"verdict": "violation", "note": "语气粗暴"}),
        (
            f"/agencies/audits/{audit_id}/violations/",
            {"sample": str(sample.pk), "description": "语气粗暴，威胁借款人", "rectification_due": due},
        ),
        (f"/agencies/audits/{audit_id}/close/", {"findings": "抽查一次通话，违规一次，已登记整改"}),
    ]
    for url, form in steps:
        answer = client.post(url, form)
        assert (answer.status_code, answer.headers.get("Location")) == (302, f"/agencies/audits/{audit_id}/"), url
    violation = Violation.objects.get()
    assert (violation.responsible_user, violation.responsible_agency) == (book["agent"], book["agency"])
    assert violation.rectification.due_on.isoformat() == due
    download = client.get(f"/agencies/audits/{audit_id}/report/file")
    assert (download.status_code, download.content, download["Content-Type"]) == (200, PNG, "image/png")
    assert AuditEvent.objects.filter(action="agencies.view_report").count() == 1
    page = client.get(f"/agencies/audits/{audit_id}/").content.decode()
    assert "抽查一次通话，违规一次，已登记整改" in page
    assert 'id="enter-violation"' not in page  # closed: no more forms


def test_suspension_shows_on_the_agencies_and_agency_pages_and_the_api(book):
    """Clause: AGY-3 — three violations in the window: suspended, on each page and in the API."""
    officer, audit, today = book["officer"], book["audit"], book["today"]
    upload(audit, report=ReportFile("报告.png", PNG), actor=officer)
    for n in range(3):
        do_enter_audit_violation(
            audit,
            description=f"违规第{n + 1}次",
            occurred_on=today - timedelta(days=10 + n),
            agent=book["agent"],
            rectification_due=today,
            today=today,
            actor=officer,
        )
    since = (today - timedelta(days=364)).isoformat()
    listing = signed_in(make_user("supervisor"), "en").get("/agencies/").content.decode()
    assert 'id="agencies-suspended"' in listing
    assert f"suspended: 3 violations since {since}" in listing
    agency_page = signed_in(officer, "en").get("/agencies/AGY-P01/audits/").content.decode()
    assert f"Suspended: 3 violations since {since}" in agency_page
    assert agency_page.count("违规第") == 3
    body = signed_in(officer).get("/api/v1/agencies/AGY-P01/audits").json()
    assert (body["suspended"], body["violations_in_window"], body["overdue_days"], body["count"]) == (True, 3, 10, 1)
    assert body["items"][0]["id"] == audit.pk
    assert body["items"][0]["report_sha256"] == AuditReport.objects.get().sha256
    assert signed_in(officer).get("/api/v1/agencies/NOPE/audits").status_code == 404


def test_the_violation_register_names_the_agent_and_the_agency(book):
    """Clause: AGY-3, PRV-1 — an audit's violation in the complaints' register: source agency audit, "agent · agency"."""
    officer, audit, today = book["officer"], book["audit"], book["today"]
    do_enter_audit_violation(
        audit,
        sample=audit.samples.get(),
        description="辱骂借款人",
        rectification_due=today,
        today=today,
        actor=officer,
    )
    page = signed_in(officer, "en").get("/complaints/violations/")
    assert page.status_code == 200
    row = page.content.decode().split('<table id="violations">')[1]
    assert "<td>agency audit</td><td>agent-p1 · 远方资产管理有限公司</td><td>辱骂借款人</td>" in row
