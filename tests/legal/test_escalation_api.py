"""The late stage's API: `GET /api/v1/cases/{id}/escalation` (the facts), `POST` the same URL (the decision), and
the write-offs awaiting approval with their approval and rejection — each refusal's status with nothing changed,
and bad input answered 4xx, never 500.

The book on 2026-03-21 (tests/legal/test_decide_escalation.py): LIT (DPD 90, a refusal, 60,000.00 → litigation),
AGY (DPD 90, 3 failed attempts, 1,000.00 → an agency), SEV (DPD 100, severe, no grounds).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from apicalls import post
from django.test import Client
from late_desk import AS_OF, call, late_desk, night_of

from arrears.collection.models import CollectionCase, Task
from arrears.compliance.models import AuditEvent
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.models import EscalationDecision, Litigation, WriteOff

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=1)


@pytest.fixture
def desk():
    desk = late_desk(flat=[("LIT", 89, "60000.00"), ("AGY", 89, "1000.00"), ("SEV", 99, "1000.00")])
    call(desk.cases["LIT"], AS_OF, "refused")
    for outcome in ("no_answer", "busy", "wrong_party"):
        call(desk.cases["AGY"], AS_OF, outcome)
    call(desk.cases["SEV"], AS_OF, "promised")
    night_of(TODAY)
    # The junior collector owns AGY (a collector sees the cases they own).
    CollectionCase.objects.filter(pk=desk.cases["AGY"].pk).update(owner=desk.junior)
    return desk


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def url(desk, ext) -> str:
    return f"/api/v1/cases/{desk.cases[ext].pk}/escalation"


def state() -> dict:
    return {
        "decisions": EscalationDecision.objects.count(),
        "litigations": Litigation.objects.count(),
        "write_offs": list(WriteOff.objects.values_list("pk", "status")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status")),
        "events": AuditEvent.objects.exclude(action="api.call").count(),
    }


def test_the_facts_of_a_case(desk):
    """Clause: LGL-1, LGL-2 — GET: the facts and the route, for whoever may open the case (a supervisor, the
    collector who owns it, a legal officer); the overdue amount a string to the fen."""
    expected = {
        "dpd": 90,
        "failed_attempts": 1,
        "refused": True,
        "days_since_reached": 1,
        "overdue": "60000.00",
        "eligible": True,
        "route": "litigation",
        "clauses": ["LGL-1", "LGL-2"],
    }
    for user in (desk.boss, desk.legal, desk.compliance):
        response = signed_in(user).get(url(desk, "LIT"))
        assert (response.status_code, response.json()) == (200, expected)
    agency = signed_in(desk.junior).get(url(desk, "AGY")).json()
    assert (agency["failed_attempts"], agency["route"], agency["overdue"]) == (3, "agency", "1000.00")
    severe = signed_in(desk.boss).get(url(desk, "SEV")).json()
    assert (severe["eligible"], severe["route"], severe["clauses"]) == (False, None, ["LGL-1", "CLS-2"])


def test_a_case_outside_ones_view_is_404_and_an_analyst_is_refused(desk):
    """Clause: AUTH-3, TEAM-3 — the junior collector does not own LIT (the supervisors' pool): 404, as for a case
    that does not exist; an analyst (no portfolio) is refused; ids that are not ids are refused by the schema."""
    junior = signed_in(desk.junior)
    assert junior.get(url(desk, "LIT")).status_code == 404
    assert junior.get("/api/v1/cases/999999/escalation").status_code == 404
    assert signed_in(desk.analyst).get(url(desk, "LIT")).status_code == 403
    for bad in ("abc", str(10**30), "%C2%B2", "0"):
        assert signed_in(desk.boss).get(f"/api/v1/cases/{bad}/escalation").status_code == 422, bad


def test_a_supervisor_decides_through_the_api(desk):
    """Clause: LGL-1, LGL-2, AUTH-3 — POST litigation on LIT: 201 with the decision, the facts as decided, the
    review task it closed and the lawsuit it opened."""
    response = post(signed_in(desk.boss), url(desk, "LIT"), {"decision": "litigation", "reason": ""})
    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(case=desk.cases["LIT"], kind="legal_review")
    suit = Litigation.objects.get()
    assert {k: body[k] for k in ("case_id", "decision", "revisit_on", "business_date", "decided_by", "task_id")} == {
        "case_id": desk.cases["LIT"].pk,
        "decision": "litigation",
        "revisit_on": None,
        "business_date": "2026-03-21",
        "decided_by": "boss-1",
        "task_id": task.pk,
    }
    assert (body["litigation_id"], body["write_off_id"]) == (suit.pk, None)
    assert body["facts"]["overdue"] == "60000.00"
    assert task.status == "done"
    later = post(
        signed_in(desk.boss),
        url(desk, "AGY"),
        {"decision": "continue", "reason": "借款人称月底有回款", "revisit_on": "2026-03-28"},
    )
    assert (later.status_code, later.json()["revisit_on"]) == (201, "2026-03-28")


@pytest.mark.parametrize("who", ["junior", "legal", "compliance", "senior"])
def test_a_role_that_sees_the_case_but_may_not_decide_gets_403_and_nothing_changes(desk, who):
    """Clause: AUTH-3 — the junior collector who owns AGY, a legal officer, a compliance officer (readers of
    every case), a senior collector owning it: 403 naming the permission; nothing changed."""
    user = getattr(desk, who)
    CollectionCase.objects.filter(pk=desk.cases["AGY"].pk).update(owner=user if who == "senior" else desk.junior)
    before = state()
    response = post(signed_in(user), url(desk, "AGY"), {"decision": "agency", "reason": "委外"})
    assert response.status_code == 403
    assert "legal.decide_escalation" in response.json()["error"]["message"]
    assert state() == before


def test_outside_ones_view_a_decision_is_404_and_nothing_changes(desk):
    """Clause: AUTH-3 — the junior collector on LIT (not theirs), an analyst on any case: 404."""
    before = state()
    assert post(signed_in(desk.junior), url(desk, "LIT"), {"decision": "agency", "reason": "x"}).status_code == 404
    assert post(signed_in(desk.analyst), url(desk, "AGY"), {"decision": "agency"}).status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "sue"},
        {"decision": 3},
        {},
        {"decision": "continue", "reason": "再观察", "revisit_on": "2026-02-30"},
        {"decision": "continue", "reason": "再观察", "revisit_on": 10**30},
        {"decision": "continue", "reason": "再观察", "revisit_on": "２０２６-04-01"},
        {"decision": "continue", "reason": 10**30, "revisit_on": "2026-04-01"},
        {"decision": "agency", "reason": "理" * 1001},
        {"decision": "continue", "reason": "再观察"},
        {"decision": "continue", "reason": "再观察", "revisit_on": "2026-03-21"},
        {"decision": "litigation", "revisit_on": "2026-04-01"},
    ],
)
def test_bad_input_is_422_and_changes_nothing(desk, body):
    """Clause: AUTH-3 — an unknown decision, a date that does not exist or is a huge number or written in other
    digits, a reason that is a number or too long, keeping collecting without a later revisit date, a revisit
    date on litigation: 422 with a message, never 500; nothing changed."""
    before = state()
    response = post(signed_in(desk.boss), url(desk, "AGY"), body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["message"]
    assert state() == before


def test_a_nul_or_a_broken_body_is_refused_before_anything(desk):
    """A NUL in the reason, a body that is not JSON: 400, nothing changed."""
    before = state()
    client = signed_in(desk.boss)
    nul = client.post(
        url(desk, "AGY"), '{"decision": "agency", "reason": "x\\u0000y"}', content_type="application/json"
    )
    assert nul.status_code == 400
    broken = client.post(url(desk, "AGY"), "{decision", content_type="application/json")
    assert 400 <= broken.status_code < 500
    assert state() == before


def test_write_offs_through_the_api(desk):
    """Clause: AUTH-3 — SEV's write-off proposed by boss-1 is pending; boss-1 approving it: 403 (maker–checker);
    rejecting without a note: 422; boss-2 approves: 200, approved; again: 409."""
    do_decide_escalation(desk.cases["SEV"], decision="write_off", reason="无力偿还", actor=desk.boss, today=TODAY)
    proposal = WriteOff.objects.get()
    pending = signed_in(desk.checker).get("/api/v1/write-offs/pending").json()
    assert pending["count"] == 1
    assert {k: pending["items"][0][k] for k in ("id", "status", "principal", "total", "proposed_by")} == {
        "id": proposal.pk,
        "status": "proposed",
        "principal": "1000.00",
        "total": "1000.00",
        "proposed_by": "boss-1",
    }
    approve = f"/api/v1/write-offs/{proposal.pk}/approve"
    before = state()
    own = post(signed_in(desk.boss), approve)
    assert own.status_code == 403
    assert "yourself" in own.json()["error"]["message"]
    assert post(signed_in(desk.checker), f"/api/v1/write-offs/{proposal.pk}/reject", {"note": ""}).status_code == 422
    assert post(signed_in(desk.legal), approve).status_code == 403
    assert signed_in(desk.junior).get("/api/v1/write-offs/pending").status_code == 403
    assert state() == before
    done = post(signed_in(desk.checker), approve, {"note": "核实无误"})
    assert (done.status_code, done.json()["status"], done.json()["decided_by"]) == (200, "approved", "boss-2")
    assert post(signed_in(desk.checker), approve).status_code == 409
    assert post(signed_in(desk.checker), "/api/v1/write-offs/999999/approve").status_code == 404
