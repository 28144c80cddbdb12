"""The late stage's pages: the supervisors' queue (and its CSV), a case's decision page, the late-stage section
of the case page, the write-offs with their approve and reject forms, and the recoveries after write-off.

The book on 2026-03-21 (as in test_decide_escalation.py): LIT (DPD 90, refused, 60,000.00 → litigation), AGY
(DPD 90, three failed attempts, 1,000.00 → an agency), SEV (DPD 100, severe, no grounds), MOD (DPD 46).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from late_desk import AS_OF, call, flat_borrower, late_desk, night_of

from arrears.compliance.models import AuditEvent
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.models import EscalationDecision, WriteOff
from arrears.portfolio.posting import allocate_payments
from factories import make_payment

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=1)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def desk():
    desk = late_desk(
        flat=[("LIT", 89, "60000.00"), ("AGY", 89, "1000.00"), ("SEV", 99, "1000.00"), ("MOD", 45, "1000.00")]
    )
    call(desk.cases["LIT"], AS_OF, "refused")
    for outcome in ("no_answer", "busy", "wrong_party"):
        call(desk.cases["AGY"], AS_OF, outcome)
    call(desk.cases["SEV"], AS_OF, "promised")
    night_of(TODAY)
    return desk


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_lists_the_waiting_cases_with_their_facts_and_route(desk):
    """Clause: LGL-1, LGL-2, CLS-2, AUTH-3 — the supervisor's queue: SEV (severe review since 03-20), then LIT and
    AGY (legal reviews of 03-21, the larger overdue first), each with its facts and the route proposed; MOD is
    not there. The CSV lists the same rows in the same order, names masked."""
    page = signed_in(desk.boss).get("/legal/escalations/", **EN).content.decode()
    order = re.findall(r'data-case="([0-9]+)"', page)
    assert order == [str(desk.cases[ext].pk) for ext in ("SEV", "LIT", "AGY")]
    row = page.split(f'data-case="{desk.cases["LIT"].pk}">')[1].split("</tr>")[0]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split() == [
        f"#{desk.cases['LIT'].pk}",
        "LIT",
        "张**",
        "legal",
        "review:",
        "the",
        "grounds",
        "of",
        "LGL-1",
        "are",
        "met",
        "2026-03-21",
        "90",
        "1",
        "yes",
        "1",
        "60,000.00",
        "litigation",
        "Decide",
    ]
    lines = list(
        csv.reader(
            io.StringIO(signed_in(desk.boss).get("/legal/escalations/?format=csv", **EN).content.decode("utf-8-sig"))
        )
    )
    assert lines[0][:3] == ["Case", "Customer number", "Name"]
    assert [line[1] for line in lines[1:]] == ["SEV", "LIT", "AGY"]
    assert lines[2][5:] == ["90", "1", "yes", "1", "60,000.00", "yes", "litigation"]
    assert AuditEvent.objects.order_by("-pk").first().action == "home.export_list"


def test_the_queue_makes_the_same_number_of_queries_whatever_its_length(desk):
    """The facts are read for all the page's cases at once: five more severe cases, the same number of queries."""
    client = signed_in(desk.boss)
    with CaptureQueriesContext(connection) as few:
        client.get("/legal/escalations/")
    loans = [flat_borrower(f"X{i}", 120 + i, "2000.00", on=TODAY)[1] for i in range(5)]
    allocate_payments([loan.pk for loan in loans], business_date=TODAY)
    night_of(TODAY + timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/legal/escalations/").content.decode()
    assert len(re.findall(r'data-case="', page)) == 8
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["junior", "senior", "legal", "compliance", "analyst"])
def test_only_supervisors_open_the_queue_and_decide(desk, role):
    """Clause: AUTH-3 — every other role: the queue, the decision page and its form, the write-offs refused (403),
    nothing written."""
    client = signed_in(getattr(desk, role))
    events, decisions = AuditEvent.objects.count(), EscalationDecision.objects.count()
    case = desk.cases["AGY"].pk
    assert client.get("/legal/escalations/").status_code == 403
    assert client.get(f"/legal/cases/{case}/escalation/").status_code == 403
    assert client.post(f"/legal/cases/{case}/escalation/", {"decision": "agency"}).status_code == 403
    assert client.get("/legal/write-offs/").status_code == 403
    assert client.get("/legal/write-offs/recoveries/").status_code == 403
    assert (AuditEvent.objects.count(), EscalationDecision.objects.count()) == (events, decisions)


def test_a_supervisor_decides_on_the_case_page_and_the_case_page_shows_it(desk):
    """Clause: LGL-1, AUTH-3 — the decision page shows the facts; keeping AGY in collection until 2026-03-28
    with a reason: recorded, back to the case page with the message, and the case page's late-stage section
    lists the decision; a form without a revisit date is answered 422 with the reason, nothing recorded."""
    client = signed_in(desk.boss)
    url = f"/legal/cases/{desk.cases['AGY'].pk}/escalation/"
    shown = client.get(url, **EN).content.decode()
    assert '<dd id="facts-route">an agency</dd>' in shown
    assert 'id="facts-failed">3 ' in shown
    refused = client.post(url, {"decision": "continue", "reason": "借款人称月底有回款", "revisit_on": ""}, **EN)
    assert refused.status_code == 422
    assert "give a revisit date after the business date 2026-03-21" in refused.content.decode()
    assert not EscalationDecision.objects.exists()
    bad_date = client.post(url, {"decision": "continue", "reason": "x", "revisit_on": "2026-02-30"}, **EN)
    assert bad_date.status_code == 422
    done = client.post(url, {"decision": "continue", "reason": "借款人称月底有回款", "revisit_on": "2026-03-28"}, **EN)
    assert done.status_code == 302
    assert done["Location"] == f"/cases/{desk.cases['AGY'].pk}/"
    case_page = client.get(done["Location"], **EN).content.decode()
    assert "Decision recorded: keep collecting." in case_page
    section = case_page.split('id="late-stage"')[1].split("</section>")[0]
    assert "revisit on 2026-03-28" in section
    assert "借款人称月底有回款" in section
    assert 'id="decide-escalation"' in section


def test_readers_of_the_case_see_the_late_stage_section_without_the_decision(desk):
    """Clause: AUTH-3 — a legal officer reading LIT's case page sees the facts and the route (litigation), and no
    link to decide."""
    page = signed_in(desk.legal).get(f"/cases/{desk.cases['LIT'].pk}/", **EN).content.decode()
    section = page.split('id="late-stage"')[1].split("</section>")[0]
    assert '<dd id="facts-route">litigation</dd>' in section
    assert "legal review: the grounds of LGL-1 are met" in section
    assert 'id="decide-escalation"' not in section


def test_write_offs_are_approved_by_another_supervisor_and_recoveries_reported(desk):
    """Clause: AUTH-3 — SEV's write-off proposed by boss-1: boss-1 sees no form for it, and posting one is refused
    with the message; boss-2 approves it. A payment of 250.00 two days later is on the recoveries page (sum and
    list) and in its CSV."""
    do_decide_escalation(desk.cases["SEV"], decision="write_off", reason="无力偿还", actor=desk.boss, today=TODAY)
    proposal = WriteOff.objects.get()
    maker = signed_in(desk.boss)
    page = maker.get("/legal/write-offs/", **EN).content.decode()
    assert "your proposal: another supervisor decides it" in page
    refused = maker.post(f"/legal/write-offs/{proposal.pk}/decide/", {"decision": "approve"}, follow=True, **EN)
    assert "yourself; another supervisor must approve or reject it" in refused.content.decode()
    assert WriteOff.objects.get().status == "proposed"
    checker = signed_in(desk.checker)
    assert f'action="/legal/write-offs/{proposal.pk}/decide/"' in checker.get("/legal/write-offs/").content.decode()
    approved = checker.post(f"/legal/write-offs/{proposal.pk}/decide/", {"decision": "approve", "note": ""}, **EN)
    assert approved.status_code == 302
    assert WriteOff.objects.get().status == "approved"
    loan = desk.cases["SEV"].borrower.loans.get()
    make_payment(loan, TODAY + timedelta(days=2), "250.00", external_id="P-AFTER")
    allocate_payments([loan.pk], business_date=TODAY + timedelta(days=2))
    recovered = checker.get("/legal/write-offs/recoveries/", **EN).content.decode()
    assert "Recovered after write-off: 250.00" in recovered
    assert "P-AFTER" in recovered
    lines = list(
        csv.reader(
            io.StringIO(checker.get("/legal/write-offs/recoveries/?format=csv", **EN).content.decode("utf-8-sig"))
        )
    )
    assert lines[1][:2] == ["2026-03-23", "P-AFTER"]
    assert lines[1][5:] == ["250.00", f"#{proposal.pk}", "2026-03-21"]


def test_the_late_stage_link_is_in_the_supervisors_navigation_only(desk):
    """Clause: AUTH-3 — "Late stage" in the supervisor's navigation, not in a collector's."""
    assert 'href="/legal/escalations/"' in signed_in(desk.boss).get("/", **EN).content.decode()
    assert 'href="/legal/escalations/"' not in signed_in(desk.junior).get("/", **EN).content.decode()
