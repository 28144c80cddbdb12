"""Recording calls and promises and placing and lifting holds through the API (Issue 16, item 4): the web's
actions with the web's rules, audited under the service account's name; refused calls change nothing.

The desk on 2026-03-20 at 10:00 in Shanghai: P20's and P25's first instalments are 20 and 25 days overdue
(junior pool); H70's 70 days (senior pool, a junior collector cannot see it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from apicalls import bearer, events, post, state
from desk import AS_OF, SHANGHAI, WORKING_HOURS, open_desk
from django.test import Client

from arrears.accounts.tokens import do_create_token
from arrears.api import desk as desk_api
from arrears.collection import views
from arrears.collection.models import Call, Promise, Task
from arrears.portfolio.models import Hold
from factories import make_user

pytestmark = pytest.mark.django_db

# A complete record of a first-stage call that reached the borrower and got a promise of 1,200.50 by 03-25.
CALL = {
    "outcome": "promised",
    "duration_seconds": 184,
    "greeted": True,
    "purpose_stated": True,
    "identity_verified": True,
    "facts_stated": True,
    "ability_asked": True,
    "suggestion": "full",
    "attitude": "difficulty",
    "note": "借款人称月底发工资后还款",
    "promise_amount": "1200.50",
    "promise_due_on": "2026-03-25",
    "next_action": "call",
    "next_follow_up_on": "2026-03-26",
}


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    monkeypatch.setattr(desk_api, "now", lambda: WORKING_HOURS)
    opened = open_desk(
        [
            ("P20", 20, "12000", "low"),
            ("P25", 25, "12000", "low"),
            ("M45", 45, "12000", "low"),
            ("H70", 70, "12000", "low"),
        ],
        {"junior_collector": 1},
    )
    admin = make_user("administrator", username="admin-1")
    tokens = {
        role: do_create_token(f"svc-{role}", role, actor=admin)[1]
        for role in ("junior_collector", "supervisor", "legal_officer", "compliance_officer", "analyst")
    }
    return SimpleNamespace(cases=opened["cases"], junior=opened["users"]["junior_collector"][0], tokens=tokens)


def _call_row(call: Call) -> dict:
    keep = set(CALL) | {"party", "inbound", "borrower_asked", "called_at", "called_on", "consequences_stated"}
    row = {k: v for k, v in Call.objects.filter(pk=call.pk).values()[0].items() if k in keep}
    return row


def test_a_call_with_a_promise_is_recorded_as_the_web_records_it(desk):
    """Clause: CALL-2, CALL-3, SCR-1, SCR-2, AUTH-4 — a junior collector's token records CALL on P20; the junior
    collector records the same call on P25 on the web page. Each makes the same records: the call (by the
    service account, at 10:00), the promise of 1,200.50 (120,050 fen) by 03-25, the follow-up task on 03-26,
    P20's first-call task done; and the same `collection.record_call` event, with the same changes — the API's
    under the service account's name, followed by its `api.call` record."""
    p20, p25 = desk.cases["P20"], desk.cases["P25"]
    response = post(bearer(desk.tokens["junior_collector"]), f"/api/v1/cases/{p20.pk}/calls", CALL)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["case_id"], body["outcome"], body["collector"], body["next_follow_up_on"]) == (
        p20.pk,
        "promised",
        "svc-junior_collector",
        "2026-03-26",
    )
    assert body["called_at"] == "2026-03-20T02:00:00Z"  # 10:00 in Shanghai
    assert (body["promise"]["amount"], body["promise"]["due_on"], body["promise"]["status"]) == (
        "1200.50",
        "2026-03-25",
        "open",
    )
    web = Client()
    web.force_login(desk.junior)
    form = {k: ("on" if v is True else v) for k, v in CALL.items()}
    assert web.post(f"/cases/{p25.pk}/call/", {**form, "party": "borrower"}).status_code == 302
    by_api, by_web = Call.objects.get(case=p20), Call.objects.get(case=p25)
    assert by_api.collector.username == "svc-junior_collector"
    assert by_api.called_at == WORKING_HOURS
    assert _call_row(by_api) == _call_row(by_web)
    promises = {p.case_id: (p.amount_fen, p.made_on, p.due_on, p.status) for p in Promise.objects.all()}
    assert promises == {p20.pk: (120_050, AS_OF, AS_OF + timedelta(days=5), "open"), p25.pk: promises[p25.pk]}
    assert promises[p25.pk] == promises[p20.pk]
    follow_ups = Task.objects.filter(key__startswith="follow_up:").order_by("pk")
    assert [(t.case_id, t.kind, t.due_on, t.clause) for t in follow_ups] == [
        (p20.pk, "call", AS_OF + timedelta(days=6), "CALL-3"),
        (p25.pk, "call", AS_OF + timedelta(days=6), "CALL-3"),
    ]
    assert not Task.objects.filter(borrower=p20.borrower, status="open").exclude(key__startswith="follow_up:")
    api_event, web_event = events("collection.record_call")
    assert (api_event.actor.username, web_event.actor) == ("svc-junior_collector", desk.junior)
    assert sorted(api_event.changes) == sorted(web_event.changes)
    assert (api_event.basis, api_event.reason) == (web_event.basis, web_event.reason)
    assert [e.action for e in events() if e.actor.username == "svc-junior_collector"] == [
        "collection.record_call",
        "api.call",
    ]


def test_a_promise_is_a_call_with_the_outcome_promised(desk):
    """Clause: CALL-3 — POST /cases/{id}/promises takes the call's fields with `amount` and `due_on`: one call
    with the outcome "promised", one promise of 800.00 by 03-27, through the same action and event."""
    p20 = desk.cases["P20"]
    body = {k: v for k, v in CALL.items() if k not in ("outcome", "promise_amount", "promise_due_on")}
    response = post(
        bearer(desk.tokens["junior_collector"]),
        f"/api/v1/cases/{p20.pk}/promises",
        {**body, "amount": "800.00", "due_on": "2026-03-27"},
    )
    assert response.status_code == 201, response.content
    call = Call.objects.get()
    promise = Promise.objects.get()
    assert (call.outcome, promise.call_id, promise.amount_fen, promise.due_on) == (
        "promised",
        call.pk,
        80_000,
        AS_OF + timedelta(days=7),
    )
    assert response.json()["promise"]["amount"] == "800.00"
    assert [e.actor.username for e in events("collection.record_call")] == ["svc-junior_collector"]
    too_late = post(
        bearer(desk.tokens["junior_collector"]),
        f"/api/v1/cases/{p20.pk}/promises",
        {**body, "amount": "800.00", "due_on": "2026-06-30"},
    )
    assert (too_late.status_code, too_late.json()["error"]["code"]) == (422, "incomplete_record")
    assert [d["field"] for d in too_late.json()["error"]["details"]] == ["promise_due_on"]


def test_quiet_hours_refuse_the_call_and_nothing_is_stored(desk, monkeypatch):
    """Clause: CALL-1 — at 22:30 in Shanghai the contact rules refuse a call: 409 `contact_refused` naming the
    rule and the next allowed instant (08:00 the next morning), in English and in Chinese; nothing is stored
    but the refused call's own `api.call` record."""
    monkeypatch.setattr(desk_api, "now", lambda: datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI))
    before = state()
    client = bearer(desk.tokens["junior_collector"])
    response = post(client, f"/api/v1/cases/{desk.cases['P20'].pk}/calls", CALL)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "contact_refused"
    assert error["details"][0]["rule"] == "quiet_hours"
    assert datetime.fromisoformat(error["details"][0]["next_allowed_at"]) == datetime(
        2026, 3, 21, 8, 0, tzinfo=SHANGHAI
    )
    assert error["message"] == (
        "This call is not allowed now: quiet hours — 22:30 is inside the quiet hours 22:00–08:00 (Asia/Shanghai). "
        "Next allowed: 2026-03-21 08:00"
    )
    chinese = Client(headers={"authorization": f"Bearer {desk.tokens['junior_collector']}"})
    refused = post(chinese, f"/api/v1/cases/{desk.cases['P20'].pk}/calls", CALL).json()["error"]
    assert refused["code"] == "contact_refused"
    assert "2026-03-21 08:00" in refused["message"]
    assert "This call" not in refused["message"]
    assert state() == before
    assert [e.changes["status"][1] for e in events("api.call")] == [409, 409]


def test_the_cadence_refuses_a_second_call_unless_the_borrower_asked(desk):
    """Clause: CALL-4 — M45 is in the second stage (DPD 45): after a connected call on 03-20 the next call to the
    borrower is allowed from 03-25. A second call the same day is 409 `cadence_refused` with both dates and
    nothing stored; the same call with `borrower_asked` is recorded."""
    client = bearer(desk.tokens["junior_collector"])
    url = f"/api/v1/cases/{desk.cases['M45'].pk}/calls"
    reached = {
        **{k: v for k, v in CALL.items() if not k.startswith("promise")},
        "outcome": "reached_other",
        "consequences_stated": True,
        "obstacle": "cash_flow",
        "next_follow_up_on": "2026-03-25",
    }
    assert post(client, url, reached).status_code == 201
    before = state()
    again = post(client, url, reached)
    assert again.status_code == 409
    error = again.json()["error"]
    assert (error["code"], error["details"]) == (
        "cadence_refused",
        [{"last_connected_on": "2026-03-20", "allowed_from": "2026-03-25"}],
    )
    assert "the next call is allowed from 2026-03-25" in error["message"]
    assert state() == before
    asked = post(client, url, {**reached, "borrower_asked": True})
    assert asked.status_code == 201, asked.content
    assert Call.objects.filter(case=desk.cases["M45"]).count() == 2


def test_an_incomplete_record_is_refused_field_by_field(desk):
    """Clause: CALL-2, SCR-2 — a reached borrower, identity verified, but no attitude and no suggestion: 422
    `incomplete_record` listing both fields with what to do; nothing stored."""
    before = state()
    body = {k: v for k, v in CALL.items() if k not in ("attitude", "suggestion")}
    response = post(bearer(desk.tokens["junior_collector"]), f"/api/v1/cases/{desk.cases['P20'].pk}/calls", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "incomplete_record"
    assert {d["field"]: d["message"] for d in error["details"]} == {
        "suggestion": "record the suggestion offered: in full, a short plan or an extension (CALL-2)",
        "attitude": "record the borrower's attitude (SCR-2)",
    }
    assert state() == before


@pytest.mark.parametrize("role", ["legal_officer", "compliance_officer", "analyst"])
def test_a_role_that_makes_no_calls_is_refused_and_nothing_changes(desk, role):
    """Clause: AUTH-1 — a token whose role lacks `collection.call` gets 403 naming the permission, for a call and
    for a promise; nothing changes but the refused calls' own records."""
    before = state()
    client = bearer(desk.tokens[role])
    case = desk.cases["P20"].pk
    promise = {**CALL, "amount": "800.00", "due_on": "2026-03-27"}
    for url, body in [(f"/api/v1/cases/{case}/calls", CALL), (f"/api/v1/cases/{case}/promises", promise)]:
        response = post(client, url, body)
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden"), url
        assert "collection.call" in response.json()["error"]["message"]
    assert state() == before


def test_a_junior_token_cannot_call_on_a_senior_pool_case(desk):
    """Clause: TEAM-3 — H70 is in the senior pool: a junior collector's token gets 404, nothing stored."""
    before = state()
    response = post(bearer(desk.tokens["junior_collector"]), f"/api/v1/cases/{desk.cases['H70'].pk}/calls", CALL)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert state() == before


def test_a_session_needs_the_csrf_header_to_record_a_call(desk):
    """Clause: AUTH-1 — the junior collector's own session: without X-CSRFToken 403 (error shape), nothing
    stored; with the csrftoken cookie's value in X-CSRFToken the call is recorded, by the person."""
    session = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    session.force_login(desk.junior)
    url = f"/api/v1/cases/{desk.cases['P20'].pk}/calls"
    before = state()
    refused = post(session, url, CALL)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert "X-CSRFToken" in refused.json()["error"]["message"]
    assert state() == before
    session.get("/api/v1/docs")  # hands out the csrftoken cookie
    done = post(session, url, CALL, headers={"x-csrftoken": session.cookies["csrftoken"].value})
    assert done.status_code == 201
    assert Call.objects.get().collector == desk.junior


HOLD = {"kind": "complaint", "starts_on": "2026-03-20", "ends_on": "2026-04-30", "reason": "客户投诉处理中"}


def test_a_supervisor_token_places_and_lifts_a_hold(desk):
    """Clause: AUTH-4 — a supervisor's token places a complaint hold on P20 from 03-20 to 04-30 and lifts it
    on the business date, each with a reason: the hold row, the `portfolio.place_hold` and
    `portfolio.release_hold` events under the service account's name; lifting it again is 409."""
    client = bearer(desk.tokens["supervisor"])
    borrower = desk.cases["P20"].borrower
    placed = post(client, f"/api/v1/borrowers/{borrower.pk}/holds", HOLD)
    assert placed.status_code == 201, placed.content
    hold = Hold.objects.get()
    assert (hold.borrower, hold.loan, hold.kind, str(hold.ends_on), hold.placed_by.username) == (
        borrower,
        None,
        "complaint",
        "2026-04-30",
        "svc-supervisor",
    )
    assert placed.json() == {
        "id": hold.pk,
        "kind": "complaint",
        "loan": None,
        "starts_on": "2026-03-20",
        "ends_on": "2026-04-30",
        "released_on": None,
        "in_force": True,
        "reason": "客户投诉处理中",
    }
    case = bearer(desk.tokens["supervisor"]).get(f"/api/v1/cases/{desk.cases['P20'].pk}").json()
    assert [h["id"] for h in case["holds_in_force"]] == [hold.pk]
    lifted = post(client, f"/api/v1/holds/{hold.pk}/lift", {"reason": "投诉已解决"})
    assert (lifted.status_code, lifted.json()["released_on"]) == (200, "2026-03-20")
    again = post(client, f"/api/v1/holds/{hold.pk}/lift", {"reason": "投诉已解决"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    mine = [(e.action, e.reason) for e in events() if e.actor.username == "svc-supervisor" and e.action != "api.call"]
    assert mine == [("portfolio.place_hold", "客户投诉处理中"), ("portfolio.release_hold", "投诉已解决")]
    loan = borrower.loans.get()
    on_loan = post(client, f"/api/v1/borrowers/{borrower.pk}/holds", {**HOLD, "loan": loan.external_id})
    assert (on_loan.status_code, on_loan.json()["loan"]) == (201, loan.external_id)


def test_a_junior_token_can_neither_place_nor_lift_a_hold(desk):
    """Clause: AUTH-1 — 403 naming `portfolio.manage_holds`, for placing and for lifting; nothing changes."""
    borrower = desk.cases["P20"].borrower
    post(bearer(desk.tokens["supervisor"]), f"/api/v1/borrowers/{borrower.pk}/holds", HOLD)
    before = state()
    junior = bearer(desk.tokens["junior_collector"])
    hold = Hold.objects.get()
    for url, body in [
        (f"/api/v1/borrowers/{borrower.pk}/holds", HOLD),
        (f"/api/v1/holds/{hold.pk}/lift", {"reason": "投诉已解决"}),
    ]:
        response = post(junior, url, body)
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden"), url
        assert "portfolio.manage_holds" in response.json()["error"]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({**HOLD, "reason": "no"}, 422, "at least 4 characters"),
        ({**HOLD, "kind": "holiday"}, 422, "Unknown hold kind holiday"),
        ({**HOLD, "ends_on": "2026-03-01"}, 422, "ends (2026-03-01) before it starts"),
        ({**HOLD, "loan": "L-NOT-HERS"}, 422, "is not one of borrower"),
        ({**HOLD, "starts_on": "2026-02-30"}, 422, "does not match the schema"),
        ({**HOLD, "reason": "x" * 1001}, 422, "does not match the schema"),
    ],
)
def test_a_refused_hold_says_why_and_stores_nothing(desk, body, status, words):
    """A hold the action refuses, or a body the schema refuses: 422 with what to fix; nothing stored."""
    before = state()
    response = post(bearer(desk.tokens["supervisor"]), f"/api/v1/borrowers/{desk.cases['P20'].borrower_id}/holds", body)
    assert response.status_code == status, response.content
    assert words in response.json()["error"]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b"[]", 422, "unprocessable"),
        (b'{"outcome": "promised\\u0000"}', 400, "bad_request"),
        (b'{"outcome": "maybe", "next_action": "call"}', 422, "unprocessable"),
        (b'{"outcome": "no_answer", "next_action": "none", "duration_seconds": 100000000000000000000}', 422, None),
        (b'{"outcome": "no_answer", "next_action": "none", "contact": 100000000000000000000}', 422, None),
        (b'{"outcome": "promised", "next_action": "none", "promise_amount": 12.5}', 422, None),
        (b'{"outcome": "promised", "next_action": "none", "promise_amount": "1e999"}', 422, "incomplete_record"),
        (
            b'{"outcome": "promised", "next_action": "none", "promise_amount": "\\uff11\\uff12"}',
            422,
            "incomplete_record",
        ),
        (b'{"outcome": "no_answer", "next_action": "none", "promise_due_on": "9999-99-99"}', 422, None),
    ],
)
def test_bad_bodies_are_4xx_in_the_error_shape(desk, raw, status, code):
    """Bad JSON, a NUL character, unknown choices, numbers too large for a column, money as a JSON number or
    not in ASCII digits, an impossible date: 4xx in the error shape, never a 500; nothing stored."""
    before = state()
    response = bearer(desk.tokens["junior_collector"]).post(
        f"/api/v1/cases/{desk.cases['P20'].pk}/calls", raw, content_type="application/json"
    )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == (code or "unprocessable")
    assert error["message"]
    assert state() == before


def test_a_hold_placed_through_the_api_stops_calls_through_the_api(desk):
    """Clause: CALL-1 — a supervisor's token places a dispute hold on P20; a junior collector's token calling P20
    is then refused, 409 `contact_refused` with the rule `hold` and no next allowed instant (until lifted)."""
    borrower = desk.cases["P20"].borrower
    hold = {**HOLD, "kind": "dispute", "ends_on": None}
    assert post(bearer(desk.tokens["supervisor"]), f"/api/v1/borrowers/{borrower.pk}/holds", hold).status_code == 201
    before = state()
    response = post(bearer(desk.tokens["junior_collector"]), f"/api/v1/cases/{desk.cases['P20'].pk}/calls", CALL)
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("contact_refused", [{"rule": "hold", "next_allowed_at": None}])
    assert error["message"].startswith("This call is not allowed now: a hold is in force")
    assert state() == before
