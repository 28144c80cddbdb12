"""Placing a case with an agency and recalling it through the API: `POST /api/v1/cases/{id}/placement`
{"agency": code, "days": N} and `DELETE` the same URL — each refusal's status with nothing changed, bad input 4xx,
never 500. The book: tests/agencies/placed.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from placed import TODAY, agency, placed_desk

from arrears.agencies.models import Placement
from arrears.collection.models import Task, TaskStatus
from arrears.complaints.models import Violation, ViolationSource
from arrears.compliance.models import AuditEvent
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.models import EscalationDecision
from arrears.notices.models import Template, TemplatePurpose, TemplateStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]


@pytest.fixture
def desk():
    return placed_desk()


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def url(desk, ext) -> str:
    return f"/api/v1/cases/{desk.cases[ext].pk}/placement"


def place(client, desk, ext, body):
    return client.post(url(desk, ext), json.dumps(body), content_type="application/json")


def state() -> dict:
    return {
        "placements": list(Placement.objects.order_by("pk").values_list("pk", "ended_at", "end_reason")),
        "decisions": EscalationDecision.objects.count(),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status")),
        "events": AuditEvent.objects.exclude(action="api.call").count(),
    }


def test_a_supervisor_places_an_eligible_case_with_an_eligible_agency(desk):
    """Clause: LGL-1, LGL-2, AUTH-3, AGY-1, AGY-2 — AGY (DPD 90, three failed attempts, 1,000.00) with GOOD for 60
    days: 201; the period runs from the business date through its 60th day; the commission is the agency's; the
    decision to place is recorded with the facts and closes the legal review; the mandate is the approved
    template filled in; the audit event names the agency, the period and the mandate's hash."""
    review = Task.objects.get(case=desk.cases["AGY"], kind="legal_review", status=TaskStatus.OPEN)
    answer = place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 60})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["agency"] == "GOOD"
    assert body["placed_on"] == "2026-03-21" == TODAY.isoformat()
    assert body["last_day"] == "2026-05-19"  # 21 March + 59 days
    assert (body["days"], body["in_force"], body["commission_percent"], body["overdue"]) == (
        60,
        True,
        "12.50",
        "1000.00",
    )
    assert body["reference"] == f"PLC-20260321-{body['id']:06d}"
    placement = Placement.objects.get()
    decision = placement.decision
    assert (decision.decision, decision.decided_by, decision.facts["failed_attempts"]) == ("agency", desk.boss, 3)
    assert decision.task_id == review.pk
    review.refresh_from_db()
    assert review.status == TaskStatus.DONE
    assert "委托催收函（编号：" + body["reference"] in placement.mandate
    assert "GOOD 催收服务有限公司" in placement.mandate
    assert "1,000.00元" in placement.mandate
    assert "自2026年3月21日起至2026年5月19日止，共60天" in placement.mandate
    assert "12.50%" in placement.mandate
    assert "严禁使用暴力" in placement.mandate  # AGY-2
    event = AuditEvent.objects.filter(action="agencies.place").get()
    assert event.basis["clause"] == "LGL-2"
    assert event.changes["agency"] == [None, "GOOD"]
    assert event.changes["period"] == [None, ["2026-03-21", "2026-05-19"]]
    assert len(event.changes["mandate_sha256"][1]) == 64


def test_the_period_defaults_to_the_policy_and_a_litigation_sized_case_may_go_to_an_agency(desk):
    """Clause: LGL-2 — without "days" the period is agency.placement_days (90); LIT's route is litigation, yet a
    supervisor may place it with an agency (the decision records the route the policy proposed)."""
    answer = place(signed_in(desk.boss), desk, "LIT", {"agency": "good"})
    assert answer.status_code == 201, answer.content
    assert (answer.json()["days"], answer.json()["last_day"]) == (90, "2026-06-18")
    assert Placement.objects.get().decision.route == "litigation"


def test_a_waiting_decision_to_place_is_the_one_the_placement_records(desk):
    """Clause: AUTH-3 — the supervisor decided "agency" on the escalation queue; placing uses that decision."""
    decided = do_decide_escalation(desk.cases["AGY"], decision="agency", actor=desk.boss, today=TODAY)
    answer = place(signed_in(desk.checker), desk, "AGY", {"agency": "GOOD", "days": 30})
    assert answer.status_code == 201
    assert answer.json()["decision_id"] == decided.pk
    assert EscalationDecision.objects.count() == 1
    assert AuditEvent.objects.get(action="agencies.place").changes["decision_recorded_now"] == [None, False]


@pytest.mark.parametrize(
    ("ext", "body", "words"),
    [
        ("YNG", {"agency": "GOOD", "days": 30}, "is not eligible for escalation (LGL-1)"),
        ("SEV", {"agency": "GOOD", "days": 30}, "this case has DPD 100, 0 failed attempts"),
        ("AGY", {"agency": "LAPSED", "days": 30}, "is not eligible on 2026-03-21 (AGY-1): collection licence expired"),
        ("AGY", {"agency": "BARE", "days": 30}, "no signed confidentiality agreement"),
    ],
)
def test_a_case_or_an_agency_that_is_not_eligible_is_refused_409_with_the_reason(desk, ext, body, words):
    """Clause: LGL-1, AGY-1 — 409, the reason named, nothing written."""
    before = state()
    answer = place(signed_in(desk.boss), desk, ext, body)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "placement_refused"
    assert words in answer.json()["error"]["message"]
    assert state() == before


def test_a_licence_expiring_on_the_business_date_is_still_valid_that_day(desk):
    """Clause: AGY-1 — valid through its expiry date: expiring today places, expired yesterday (LAPSED) does not."""
    agency("EDGE", collection_expires=TODAY)
    assert place(signed_in(desk.boss), desk, "AGY", {"agency": "EDGE", "days": 10}).status_code == 201


def test_a_placed_case_is_not_placed_again_and_a_recall_ends_it(desk):
    """Clause: AUTH-3, LGL-2 — a second placement 409; DELETE recalls (200, ended today, by the supervisor); a
    second DELETE 409; after the recall the case may be placed with another agency (a new decision)."""
    client = signed_in(desk.boss)
    assert place(client, desk, "AGY", {"agency": "GOOD", "days": 30}).status_code == 201
    agency("OTHER")
    before = state()
    again = place(client, desk, "AGY", {"agency": "OTHER", "days": 30})
    assert again.status_code == 409
    assert "is already placed with agency GOOD until 2026-04-19" in again.json()["error"]["message"]
    assert state() == before
    recalled = client.delete(
        url(desk, "AGY"), json.dumps({"note": "改由其他机构处理"}), content_type="application/json"
    )
    assert recalled.status_code == 200, recalled.content
    assert (recalled.json()["ended_on"], recalled.json()["end_reason"], recalled.json()["in_force"]) == (
        "2026-03-21",
        "supervisor",
        False,
    )
    event = AuditEvent.objects.get(action="agencies.recall")
    assert (event.reason, event.changes["agency"]) == ("改由其他机构处理", [None, "GOOD"])
    before = state()
    twice = client.delete(url(desk, "AGY"))
    assert twice.status_code == 409
    assert state() == before
    moved = place(client, desk, "AGY", {"agency": "OTHER", "days": 30})
    assert moved.status_code == 201
    assert EscalationDecision.objects.filter(decision="agency").count() == 2
    history = client.get(f"/api/v1/cases/{desk.cases['AGY'].pk}/placements").json()
    assert [(p["agency"], p["end_reason"]) for p in history["items"]] == [("OTHER", ""), ("GOOD", "supervisor")]
    assert history["count"] == 2


def test_an_agency_with_repeated_violations_receives_no_new_placement(desk):
    """Clause: AGY-3 — three violations within the window (agency.suspend_after_violations, 365 days) suspend new
    placements; one dated before the window does not count."""
    for day in (TODAY - timedelta(days=365), TODAY - timedelta(days=10), TODAY - timedelta(days=2)):
        Violation.objects.create(
            source=ViolationSource.AGENCY_AUDIT,
            responsible_agency=desk.good,
            occurred_on=day,
            description="骚扰第三人",
            recorded_by=desk.compliance,
            recorded_at=TODAY.isoformat() + "T10:00:00+08:00",
        )
    assert place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 30}).status_code == 201  # two count
    signed_in(desk.boss).delete(url(desk, "AGY"))
    Violation.objects.filter(occurred_on=TODAY - timedelta(days=365)).update(occurred_on=TODAY - timedelta(days=364))
    before = state()
    answer = place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 30})
    assert answer.status_code == 409
    assert "3 violations recorded since 2025-03-22, 3 suspend new placements" in answer.json()["error"]["message"]
    assert state() == before


def test_without_an_approved_mandate_nothing_is_placed(desk):
    """Clause: AGY-2, LANG-2 — the mandate comes only from an approved template."""
    Template.objects.filter(purpose=TemplatePurpose.AGENCY_MANDATE).update(status=TemplateStatus.RETIRED)
    before = state()
    answer = place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 30})
    assert answer.status_code == 409
    assert "No approved agency mandate (LANG-2)" in answer.json()["error"]["message"]
    assert state() == before


@pytest.mark.parametrize("who", ["junior", "senior", "legal", "compliance", "analyst"])
def test_only_supervisors_place_and_recall(desk, who):
    """Clause: AUTH-3 — another role: 403 (or 404 where it cannot see the case), nothing changed."""
    client = signed_in(getattr(desk, who))
    before = state()
    assert place(client, desk, "AGY", {"agency": "GOOD", "days": 30}).status_code in (403, 404)
    assert state() == before
    place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 30})
    before = state()
    assert client.delete(url(desk, "AGY")).status_code in (403, 404)
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"agency": "GOOD", "days": 0},
        {"agency": "GOOD", "days": 181},
        {"agency": "GOOD", "days": 10**30},
        {"agency": "GOOD", "days": "三十"},
        {"agency": "GOOD", "days": 1.5},
        {"agency": "NOPE", "days": 30},
        {"agency": "GO\x00OD", "days": 30},
        {"agency": "G" * 500, "days": 30},
        {"days": 30},
        {"agency": "GOOD", "days": 30, "reason": "x" * 5000},
    ],
)
def test_bad_input_is_422_and_changes_nothing(desk, body):
    """A period out of 1..agency.placement_max_days, an agency code naming none, a body that is not the schema."""
    before = state()
    answer = place(signed_in(desk.boss), desk, "AGY", body)
    assert answer.status_code in (400, 422), answer.content  # 400: the NUL byte, refused before any view
    assert answer.json()["error"]["message"]
    assert state() == before


def test_ids_that_are_not_ids_are_404(desk):
    client = signed_in(desk.boss)
    for case_id in ("abc", "99999999", "1e3", "٣"):
        answer = client.post(f"/api/v1/cases/{case_id}/placement", "{}", content_type="application/json")
        assert answer.status_code in (404, 422)


def test_the_nightly_run_ends_placements_whose_period_ended_or_whose_case_closed(desk):
    """Clause: LGL-2 — a 1-day placement is in force on its day and ended by the next night's run ("the period
    ended", in the run's report); access ends with it."""
    from late_desk import night_of

    client = signed_in(desk.boss)
    assert place(client, desk, "AGY", {"agency": "GOOD", "days": 1}).status_code == 201
    placement = Placement.objects.get()
    assert placement.in_force_on(TODAY)
    assert not placement.in_force_on(TODAY + timedelta(days=1))
    night_of(TODAY + timedelta(days=1))
    placement.refresh_from_db()
    assert (placement.end_reason, placement.ended_on) == ("period_end", TODAY + timedelta(days=1))
    event = AuditEvent.objects.get(action="agencies.end_placement")
    assert event.changes["last_day"] == [None, "2026-03-21"]
    from arrears.daily.models import Run

    assert Run.objects.get(business_date=TODAY + timedelta(days=1)).changes["placements_ended"] == 1


def test_a_substantiated_complaint_against_the_agency_recalls_the_complainants_case(desk):
    """Clause: AGY-2, CMP-3 — the complaint about AGY's collection is found substantiated against GOOD: GOOD's
    placement of the case ends in the same transaction ("a substantiated complaint"), named in the findings'
    audit event; a finding against another agency leaves it standing."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from arrears.complaints.actions import do_file_complaint
    from arrears.complaints.investigation import do_record_findings, do_take_complaint

    place(signed_in(desk.boss), desk, "AGY", {"agency": "GOOD", "days": 30})
    received = datetime(2026, 3, 21, 9, tzinfo=ZoneInfo("Asia/Shanghai"))

    def complaint(text):
        filed = do_file_complaint(
            channel="phone", received_at=received, text=text, contract_no="L-AGY", actor=desk.compliance
        )
        do_take_complaint(filed, actor=desk.compliance)
        return filed

    first = complaint("外包公司深夜来电")
    do_record_findings(
        first, substantiated=True, findings="其他机构所为", responsible_agency=desk.bare, actor=desk.compliance
    )
    assert Placement.objects.get().ended_at is None
    second = complaint("外包公司联系我的同事")
    do_record_findings(
        second,
        substantiated=True,
        findings="受托机构向第三人透露欠款",
        responsible_agency=desk.good,
        actor=desk.compliance,
    )
    placement = Placement.objects.get()
    assert (placement.end_reason, placement.ended_by) == ("complaint", desk.compliance)
    event = AuditEvent.objects.filter(action="complaints.record_findings").latest("id")
    assert event.changes["placement_recalled"] == [None, placement.pk]
