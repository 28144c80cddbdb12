"""The court stages' pages (Clause: LIT-2): the litigation queue by the nearest deadline with its marks and CSV,
a lawsuit's page with its facts, deadlines, stages, documents and costs, recording a stage and a cost through its
forms, a document's audited download, and the case page's litigation block; refusals change nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lawsuit import PDF, make_litigation, snapshot

from arrears.collection.models import CollectionCase
from arrears.compliance.models import AuditEvent
from arrears.legal import queries_litigation
from arrears.legal.court import Document, do_record_cost, do_record_stage
from arrears.legal.models import CourtDocument, EscalationDecision, LegalCost, Litigation, StageEvent
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 5)
COURT = "北京市朝阳区人民法院"


@pytest.fixture(autouse=True)
def _court_today(monkeypatch):
    monkeypatch.setattr(queries_litigation, "court_today", lambda: TODAY)


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def officer():
    return make_user("legal_officer", username="legal-1")


@pytest.fixture
def book(officer):
    """A: not filed, earliest unpaid due 2024-03-20 (limitation ends 2027-03-20: warned on 2027-01-05).
    B: judged, effective 2026-06-30, enforcement not applied for (ends 2028-06-30: running).
    C: not filed, earliest unpaid due 2023-12-20 (ended 2026-12-20: overdue). D: closed (not listed)."""
    a = make_litigation()
    b = make_litigation()
    for stage, on, facts in [
        ("filed", date(2026, 1, 20), {"court": COURT, "claimed": "65000.00", "court_fee": "712.50"}),
        ("accepted", date(2026, 1, 27), {"court_case_no": "(2026)京0105民初1234号"}),
        ("judgment", date(2026, 6, 15), {"amount": "64200.00", "effective_on": date(2026, 6, 30)}),
    ]:
        do_record_stage(
            b,
            stage,
            on=on,
            today=TODAY,
            actor=officer,
            **facts,
            documents=[Document("判决书.pdf", PDF)] * (stage == "judgment"),
        )
    c = make_litigation(start=date(2023, 11, 20))
    d = make_litigation()
    do_record_stage(d, "closed", on=date(2026, 2, 1), today=TODAY, actor=officer, reason="paid")
    do_record_cost(b, kind="lawyer", amount="3000.00", incurred_on=date(2026, 2, 1), today=TODAY, actor=officer)
    return {"a": a, "b": b, "c": c, "d": d}


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="litigation-(\d+)"', html)]


def test_the_queue_lists_open_lawsuits_by_the_nearest_deadline(book):
    """Clause: LIT-2 — on 2027-01-05: C overdue (2026-12-20), A due soon (2027-03-20), B running (2028-06-30);
    D closed is not listed. A supervisor sees the queue too."""
    for user in (make_user("legal_officer"), make_user("supervisor")):
        page = signed_in(user).get("/legal/litigations/")
        assert page.status_code == 200
        html = page.content.decode()
        assert row_ids(html) == [book["c"].pk, book["a"].pk, book["b"].pk]
    row = re.search(rf'<tr id="litigation-{book["c"].pk}".*?</tr>', html, re.S).group()
    assert "2026-12-20 · limitation period for filing" in row
    assert '<strong class="late">overdue</strong>' in row
    row = re.search(rf'<tr id="litigation-{book["a"].pk}".*?</tr>', html, re.S).group()
    assert "2027-03-20 · limitation period for filing" in row
    assert '<strong class="due">due soon</strong>' in row
    row = re.search(rf'<tr id="litigation-{book["b"].pk}".*?</tr>', html, re.S).group()
    assert "(2026)京0105民初1234号" in row
    assert "2028-06-30 · period for applying for enforcement" in row
    assert "due soon" not in row


def test_the_queue_as_csv(book):
    """Clause: LIT-2, PRV-1 — the queue's rows in its order, the customer number and no name; an audited read."""
    events = AuditEvent.objects.count()
    response = signed_in(make_user("supervisor")).get("/legal/litigations/", {"format": "csv"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Lawsuit,Case,Customer number,Stage,Competent court,Case number (案号),Amount claimed (yuan),Next deadline,"
        "Deadline for,Deadline state"
    )
    b = book["b"]
    assert lines[1:] == [
        f"#{book['c'].pk},#{book['c'].case_id},{book['c'].borrower.external_id},"
        '"decided, not yet filed",,,,2026-12-20,limitation period for filing,overdue',
        f"#{book['a'].pk},#{book['a'].case_id},{book['a'].borrower.external_id},"
        '"decided, not yet filed",,,,2027-03-20,limitation period for filing,due soon',
        f'#{b.pk},#{b.case_id},{b.borrower.external_id},judgment,{COURT},(2026)京0105民初1234号,"65,000.00",'
        "2028-06-30,period for applying for enforcement,running",
    ]
    event = AuditEvent.objects.get(pk__gt=events)
    assert (event.action, event.changes["rows"]) == ("home.export_list", [None, 3])


def test_the_lawsuit_page_shows_facts_deadlines_stages_documents_and_costs(book):
    """Clause: LIT-2 — B: the judgment's facts, the limitation met and the enforcement period running, the
    judgment's document with its SHA-256, costs 712.50 + 3,000.00 = 3,712.50; a legal officer gets the forms for
    what may come next (enforcement or closing), a supervisor none."""
    b = book["b"]
    html = signed_in(make_user("legal_officer")).get(f"/legal/litigations/{b.pk}/").content.decode()
    assert '<dd id="litigation-stage">judgment</dd>' in html
    assert '<dd id="court-case-no">(2026)京0105民初1234号</dd>' in html
    assert re.search(r'<tr id="deadline-limitation" class="met">.*?<td>2024-03-20</td><td>2027-03-20</td>', html, re.S)
    assert re.search(
        r'<tr id="deadline-enforcement" class="running">.*?<td>2026-06-30</td><td>2028-06-30</td><td>2028-05-01</td>',
        html,
        re.S,
    )
    document = CourtDocument.objects.get()
    assert f'href="/legal/court-documents/{document.pk}/"' in html
    assert hashlib.sha256(PDF).hexdigest() in html
    assert '<th class="num" id="costs-total">3,712.50</th>' in html
    assert [m for m in re.findall(r'id="record-([a-z-]+)"', html)] == ["enforcement", "closed", "cost"]
    boss = signed_in(make_user("supervisor")).get(f"/legal/litigations/{b.pk}/").content.decode()
    assert 'id="record-' not in boss
    assert '<th class="num" id="costs-total">3,712.50</th>' in boss


def test_recording_a_stage_through_the_form_with_a_document(book, officer):
    """Clause: LIT-2 — enforcement applied for on 2026-07-10 with the application as a PDF."""
    b = book["b"]
    client = signed_in(officer)
    upload = SimpleUploadedFile("执行申请书.pdf", PDF, content_type="application/pdf")
    form = {
        "stage": "enforcement",
        "on": "2026-07-10",
        "enforcement_case_no": "(2026)京0105执5678号",
        "documents": upload,
    }
    response = client.post(f"/legal/litigations/{b.pk}/stages/", form)
    assert (response.status_code, response["Location"]) == (302, f"/legal/litigations/{b.pk}/")
    b.refresh_from_db()
    assert (b.stage, b.enforcement_applied_on, b.enforcement_case_no) == (
        "enforcement",
        date(2026, 7, 10),
        "(2026)京0105执5678号",
    )
    document = CourtDocument.objects.get(stage_event__stage="enforcement")
    assert (document.filename, document.sha256) == ("执行申请书.pdf", hashlib.sha256(PDF).hexdigest())
    page = client.get(f"/legal/litigations/{b.pk}/").content.decode()
    assert "“enforcement applied for” on 2026-07-10 is recorded." in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"stage": "enforcement", "on": "2026-06-29", "enforcement_case_no": "x"}, "takes effect on 2026-06-30"),
        ({"stage": "enforcement", "on": "２０２６-07-10", "enforcement_case_no": "x"}, "Date:"),
        ({"stage": "accepted", "on": "2026-07-10"}, "cannot be recorded after it"),
        ({"stage": "enforcement", "on": "2027-01-06", "enforcement_case_no": "x"}, "in the future"),
        ({"stage": "appeal", "on": "2026-07-10"}, "Stage:"),
    ],
)
def test_a_refused_form_says_why_and_changes_nothing(book, officer, form, message):
    b = book["b"]
    client = signed_in(officer)
    before = snapshot(b)
    response = client.post(f"/legal/litigations/{b.pk}/stages/", form, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(b) == before


def test_recording_a_cost_through_the_form(book, officer):
    """Clause: LIT-2, KPI-2 — a preservation fee of 1,520.00 on 2026-02-03."""
    b = book["b"]
    form = {"kind": "preservation", "amount": "1520.00", "incurred_on": "2026-02-03", "note": "诉讼保全"}
    response = signed_in(officer).post(f"/legal/litigations/{b.pk}/costs/", form, follow=True)
    assert "The cost is recorded." in response.content.decode()
    assert '<th class="num" id="costs-total">5,232.50</th>' in response.content.decode()
    assert LegalCost.objects.filter(litigation=b, kind="preservation", amount_fen=152_000).count() == 1


@pytest.mark.parametrize("role", ["supervisor", "junior_collector", "analyst"])
def test_roles_that_may_not_record_are_refused_with_nothing_changed(book, role):
    """Clause: LIT-2, AUTH-3 — a supervisor sees but does not record; a collector or an analyst not even that."""
    b = book["b"]
    client = signed_in(make_user(role))
    before = snapshot(b)
    stage = {"stage": "enforcement", "on": "2026-07-10", "enforcement_case_no": "(2026)京0105执5678号"}
    assert client.post(f"/legal/litigations/{b.pk}/stages/", stage).status_code == 403
    cost = {"kind": "lawyer", "amount": "1.00", "incurred_on": "2026-02-03"}
    assert client.post(f"/legal/litigations/{b.pk}/costs/", cost).status_code == 403
    assert snapshot(b) == before


def test_collectors_and_analysts_do_not_see_litigation(book):
    for role in ("junior_collector", "senior_collector", "analyst"):
        client = signed_in(make_user(role))
        assert client.get("/legal/litigations/").status_code == 403
        assert client.get(f"/legal/litigations/{book['b'].pk}/").status_code == 403
        assert client.get(f"/legal/court-documents/{CourtDocument.objects.get().pk}/").status_code == 403


def test_opening_a_document_is_an_audited_read(book):
    """Clause: LIT-2, PRV-1 — the PDF as an attachment under a plain name; the opening on the ledger."""
    document = CourtDocument.objects.get()
    events = AuditEvent.objects.count()
    response = signed_in(make_user("supervisor")).get(f"/legal/court-documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="court-document-{document.pk}.pdf"'
    assert response.content == PDF
    event = AuditEvent.objects.get(pk__gt=events)
    assert (event.action, event.subject_id, event.changes) == (
        "legal.view_court_document",
        str(document.pk),
        {"sha256": [None, hashlib.sha256(PDF).hexdigest()]},
    )
    assert signed_in(make_user("supervisor")).get("/legal/court-documents/999999/").status_code == 404


def test_the_case_page_shows_the_litigation_block_to_those_who_see_litigation(book):
    """Clause: LIT-2 — the case of A: stage, court, 案号 and the next deadline (due soon) with a link, for a
    supervisor; not for a senior collector (whose pool the case is moved to for the test)."""
    a = book["a"]
    html = signed_in(make_user("supervisor")).get(f"/cases/{a.case_id}/").content.decode()
    block = re.search(r'<section class="panel" id="case-litigation".*?</section>', html, re.S).group()
    assert '<dd id="case-litigation-stage">decided, not yet filed</dd>' in block
    assert "2027-03-20 · limitation period for filing" in block
    assert '<strong class="due">due soon</strong>' in block
    assert f'href="/legal/litigations/{a.pk}/"' in block
    CollectionCase.objects.filter(pk=a.case_id).update(pool="senior")
    senior = signed_in(make_user("senior_collector")).get(f"/cases/{a.case_id}/")
    assert senior.status_code == 200
    assert 'id="case-litigation"' not in senior.content.decode()


def test_the_navigation_links_the_queue_for_those_who_see_it():
    assert 'href="/legal/litigations/"' in signed_in(make_user("legal_officer")).get("/").content.decode()
    assert 'href="/legal/litigations/"' not in signed_in(make_user("junior_collector")).get("/").content.decode()


def test_the_stages_recorded_through_pages_are_in_the_timeline(book):
    b = book["b"]
    html = signed_in(make_user("supervisor")).get(f"/legal/litigations/{b.pk}/").content.decode()
    ids = [int(n) for n in re.findall(r'<tr id="stage-(\d+)"', html)]
    assert ids == list(StageEvent.objects.filter(litigation=b).order_by("on", "pk").values_list("pk", flat=True))
    assert len(ids) == 3


def test_the_queue_costs_the_same_queries_for_one_lawsuit_as_for_three(officer):
    """No query per row: the queue, its page and its CSV read the deadlines' facts for all lawsuits at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(make_user("supervisor"))
    make_litigation()
    client.get("/legal/litigations/")  # the session and the policy are read once
    with CaptureQueriesContext(connection) as one:
        assert len(row_ids(client.get("/legal/litigations/").content.decode())) == 1
    make_litigation()
    make_litigation()
    with CaptureQueriesContext(connection) as three:
        assert len(row_ids(client.get("/legal/litigations/").content.decode())) == 3
    assert len(one) == len(three)


def _another_lawsuit(case, stage: str) -> Litigation:
    """A further lawsuit of `case` (with its own escalation decision), newer by id than those before."""
    decision = EscalationDecision.objects.filter(case=case).first() or EscalationDecision.objects.first()
    decision.pk, decision.case, decision.borrower_id = None, case, case.borrower_id
    decision.save()
    return Litigation.objects.create(
        case=case, borrower_id=case.borrower_id, decision=decision, opened_on=date(2026, 3, 1), stage=stage
    )


def test_the_case_block_shows_the_open_lawsuit_else_the_latest_closed(book):
    """Clause: LIT-2 — the case page's summary is the case's lawsuit not closed, even when a closed one is newer;
    a case whose lawsuits are all closed shows the latest of them."""
    supervisor = make_user("supervisor")
    a, d = book["a"], book["d"]
    assert queries_litigation.case_summary(supervisor, d.case, TODAY).litigation == d
    newer_closed = _another_lawsuit(d.case, "closed")
    assert queries_litigation.case_summary(supervisor, d.case, TODAY).litigation == newer_closed
    _another_lawsuit(a.case, "closed")
    assert queries_litigation.case_summary(supervisor, a.case, TODAY).litigation == a
