"""The arrangement pages: the designer, the approval queue, a plan's page and documents, waivers from the case
page — each refusing on the server whoever may not, with nothing changed."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from test_waiver_actions import borrower_called

from arrears.arrangements.actions import do_decide_plan, do_propose_plan
from arrears.arrangements.models import Plan, Waiver
from arrears.collection import views as desk_views
from arrears.collection.models import Call
from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    opened = open_desk([("P20", 20, "12000", "low")], {"junior_collector": 1, "senior_collector": 1, "supervisor": 1})
    users = opened["users"]
    return SimpleNamespace(
        case=opened["cases"]["P20"],
        junior=users["junior_collector"][0],
        senior=users["senior_collector"][0],
        boss=users["supervisor"][0],
    )


@pytest.fixture
def client(client):
    """The pages in English (the browser asks for it), so the assertions read the English texts."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_designer_quotes_and_proposes(client, desk):
    """Clause: PLAN-1, PLAN-2, PLAN-3 — the means give the cap 3,000.00 and four options (htmx swaps only the
    options in); choosing 4 proposes the plan and opens its page."""
    client.force_login(desk.senior)
    url = f"/cases/{desk.case.pk}/plan/"
    options = client.post(url, MEANS, HTTP_HX_REQUEST="true")
    html = options.content.decode()
    assert options.status_code == 200
    assert "<html" not in html
    assert '<dd id="quote-cap">3,000.00</dd>' in html
    assert html.count('name="instalments"') == 4
    proposed = client.post(url, {**MEANS, "instalments": "4", "note": "收入稳定"})
    plan = Plan.objects.get()
    assert proposed.status_code == 302
    assert proposed["Location"] == f"/plans/{plan.pk}/"
    assert (plan.instalment_count, plan.note) == (4, "收入稳定")


def test_a_junior_collector_cannot_open_the_designer_or_propose(client, desk):
    """Clause: AUTH-1, AUTH-2 — the designer and a proposal are refused on the server (403); no plan, no event."""
    client.force_login(desk.junior)
    events = AuditEvent.objects.count()
    assert client.get(f"/cases/{desk.case.pk}/plan/").status_code == 403
    assert client.post(f"/cases/{desk.case.pk}/plan/", {**MEANS, "instalments": "4"}).status_code == 403
    assert (Plan.objects.count(), AuditEvent.objects.count()) == (0, events)
    assert 'id="design-plan"' not in client.get(f"/cases/{desk.case.pk}/").content.decode()


def test_the_queue_decides_and_a_senior_collector_cannot(client, desk):
    """Clause: AUTH-2 — the senior collector cannot open the queue or decide (403, the plan unchanged); the
    supervisor sees the plan in the queue and approves it there."""
    plan = do_propose_plan(desk.case, **MEANS, instalments=4, actor=desk.senior, today=AS_OF)
    client.force_login(desk.senior)
    assert client.get("/approvals/").status_code == 403
    assert client.post(f"/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == "proposed"
    client.force_login(desk.boss)
    queue = client.get("/approvals/").content.decode()
    assert f'id="pending-plan-{plan.pk}"' in queue
    answer = client.post(f"/plans/{plan.pk}/decide/", {"decision": "approve", "reason": "核实", "back": "queue"})
    assert answer["Location"] == "/approvals/"
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_opening_the_agreement_is_an_audited_read_and_a_bad_scan_changes_nothing(client, desk):
    """Clause: PLAN-4, PRV-1 — the agreement PDF (it names the borrower) is served to whoever may see the case
    and each opening is audited; a text file uploaded as the signed scan is refused with the reason and the
    plan stays approved."""
    plan = do_propose_plan(desk.case, **MEANS, instalments=4, actor=desk.senior, today=AS_OF)
    do_decide_plan(plan, approve=True, reason="还款能力已核实", actor=desk.boss, today=AS_OF)
    client.force_login(desk.senior)
    pdf = client.get(f"/plans/{plan.pk}/agreement.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert pdf["Cache-Control"] == "private, no-store"
    opened = AuditEvent.objects.filter(action="arrangements.view_agreement").get()
    assert (opened.actor_id, opened.subject_id, opened.basis["clause"]) == (desk.senior.pk, str(plan.pk), "PRV-1")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("scan.txt", b"not a scan", content_type="image/png")
    answer = client.post(f"/plans/{plan.pk}/sign/", {"signed_on": AS_OF.isoformat(), "scan": bad}, follow=True)
    assert "is not a PDF, JPEG or PNG file" in answer.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_a_waiver_is_proposed_from_the_case_page(client, desk):
    """Clause: WVR-1, WVR-2 — the case page shows the loan's facts and the cap (3.71 accrued: at most 0.74 once
    the borrower has called); the form proposes it; a junior collector's POST is refused (403), nothing saved."""
    loan = desk.case.borrower.loans.get()
    client.force_login(desk.senior)
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    assert "no call from the borrower during this delinquency" in page
    borrower_called(desk.case, desk.senior)
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    assert "at most 0.74 may be waived" in page
    junior = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    junior.force_login(desk.junior)
    refused = junior.post(f"/cases/{desk.case.pk}/waivers/", {"loan": loan.pk, "amount": "0.74"})
    assert refused.status_code == 403
    assert not Waiver.objects.exists()
    client.post(f"/cases/{desk.case.pk}/waivers/", {"loan": loan.pk, "amount": "0.74", "note": "主动来电"})
    waiver = Waiver.objects.get()
    assert (waiver.amount_fen, waiver.status, waiver.proposed_by_id) == (74, "proposed", desk.senior.pk)


def test_the_waiver_facts_read_in_chinese_by_default(desk):
    """Clause: WVR-1 — the finance core words its reasons in English; the workstation, in zh-Hans by default,
    shows them in Chinese."""
    from django.test import Client

    chinese = Client()
    chinese.force_login(desk.senior)
    page = chinese.get(f"/cases/{desk.case.pk}/").content.decode()
    assert "WVR-1：借款人未主动联系银行" in page
    assert "did not contact the bank" not in page


def test_the_case_page_quotes_a_plan_in_place(client, desk):
    """Clause: PLAN-1, PLAN-2 — the case workspace has the means form; htmx gets the options in place, or what
    was wrong with a figure; once a plan is proposed the form gives way to a note naming it."""
    client.force_login(desk.senior)
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    assert 'id="case-plan-means"' in page
    url = f"/cases/{desk.case.pk}/plan/"
    wrong = client.post(url, {**MEANS, "income": "ten thousand"}, HTTP_HX_REQUEST="true")
    assert wrong.status_code == 200
    assert "Monthly income (yuan): Enter a number." in wrong.content.decode()
    assert 'id="quote"' not in wrong.content.decode()
    do_propose_plan(desk.case, **MEANS, instalments=4, actor=desk.senior, today=AS_OF)
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    assert 'id="case-plan-means"' not in page
    assert "is awaiting approval on this case" in page


def test_a_borrowers_call_is_recorded_in_the_quiet_hours(client, desk, monkeypatch):
    """Clause: WVR-1 — at 22:30 the bank may not call, but the borrower may call the bank: the inbound record is
    offered and saved (a contact the borrower initiated), while an outbound call stays refused."""
    from datetime import datetime

    from desk import SHANGHAI

    monkeypatch.setattr(desk_views, "now", lambda: datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI))
    client.force_login(desk.senior)
    assert client.get(f"/cases/{desk.case.pk}/call/").status_code == 409
    form = client.get(f"/cases/{desk.case.pk}/call/?inbound=1")
    assert form.status_code == 200
    assert re.search(r'<input type="checkbox" name="inbound"[^>]* checked>', form.content.decode())
    steps = {step: "on" for step in ("greeted", "purpose_stated", "identity_verified", "facts_stated", "ability_asked")}
    answer = client.post(
        f"/cases/{desk.case.pk}/call/",
        {
            **steps,
            "party": "borrower",
            "inbound": "on",
            "outcome": "needs_plan",
            "duration_seconds": "300",
            "attitude": "difficulty",
            "obstacle": "unemployment",
            "suggestion": "short_plan",
            "note": "借款人主动来电，希望分期",
            "next_action": "none",
        },
    )
    assert answer.status_code == 302, re.findall(r"errorlist.{0,300}", answer.content.decode())
    call = Call.objects.get()
    assert (call.inbound, call.outcome) == (True, "needs_plan")
    # The borrower's call is not one of the bank's three connected calls of the day (the guideline's cap).
    from arrears.collection.queries import calls_today

    assert calls_today(desk.case.borrower_id, call.called_at, SHANGHAI, call.number) == (0, 0)


def test_a_malformed_waiver_form_is_not_found_not_a_crash(client, desk):
    """Clause: WVR-1 — a loan that is not a number, or not the borrower's, is answered 404; nothing is saved."""
    client.force_login(desk.senior)
    for loan in ("abc", "", "999999"):
        assert client.post(f"/cases/{desk.case.pk}/waivers/", {"loan": loan, "amount": "1.00"}).status_code == 404
    assert not Waiver.objects.exists()


def test_the_designer_counts_the_loans_own_instalments_and_refuses_what_does_not_fit(client, desk):
    """Clause: PLAN-2 — income 4,300 allows 1,290.00 a month; the loan's own 1,023.72 falls due in every plan
    month. The htmx quote lists it by month and says in figures why 3 instalments do not fit (342.48 + 1,023.72
    = 1,366.20); the page's propose form refuses 3 with the same figures and writes nothing; 4 fit."""
    client.force_login(desk.senior)
    url = f"/cases/{desk.case.pk}/plan/"
    means = {"income": "4300", "expenses": "0", "debts": "0"}
    html = client.post(url, means, HTTP_HX_REQUEST="true").content.decode()
    own = html[html.index('id="quote-own"') :]
    assert own[: own.index("</dd>")].count("1,023.72") == 6
    three = html[html.index('id="option-3"') : html.index('id="option-4"')]
    assert "month 1: plan 342.48 + own instalments 1,023.72 = 1,366.20 &gt; 1,290.00 allowed" in three
    assert 'name="instalments"' not in three
    four = html[html.index('id="option-4"') : html.index('id="option-5"')]
    assert "1,280.58" in four
    assert 'name="instalments" value="4"' in four
    events = AuditEvent.objects.count()
    refused = client.post(url, {**means, "instalments": "3"})
    assert refused.status_code == 422
    assert "month 1: plan 342.48 + own instalments 1,023.72 = 1,366.20 &gt; 1,290.00 allowed" in (
        refused.content.decode()
    )
    assert (Plan.objects.count(), AuditEvent.objects.count()) == (0, events)
