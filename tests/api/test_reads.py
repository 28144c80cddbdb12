"""Reading cases, borrowers, loans and tasks through the API (Issue 16, item 4): what the web pages show, to the
same people, masked the same way.

The desk on 2026-03-20: P20's first instalment (loan of 12,000.00) is 20 days overdue — 1,027.43 with its
penalty; H70's is 70 days overdue (senior pool: a junior collector cannot see it). P20's borrower is 张三丰, ID
11010119900307123X.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from apicalls import bearer, events, post
from desk import AS_OF, open_desk
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.accounts.tokens import do_create_token
from arrears.collection.models import Task
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    opened = open_desk(
        [("P20", 20, "12000", "low"), ("H70", 70, "12000", "low")],
        {"junior_collector": 1, "senior_collector": 1},
    )
    admin = make_user("administrator", username="admin-1")
    tokens = {
        role: do_create_token(f"svc-{role}", role, actor=admin)[1]
        for role in ("junior_collector", "supervisor", "legal_officer", "analyst")
    }
    return SimpleNamespace(cases=opened["cases"], junior=opened["users"]["junior_collector"][0], tokens=tokens)


def test_one_case_with_its_loan_position(desk):
    """Clause: TEAM-3, CALL-1 — GET /api/v1/cases/{id} with a junior collector's token: P20's figures, its one
    covered loan with the finance core's position on 2026-03-20 (1,027.43 overdue, 20 days), no hold, no call;
    the borrower's name masked. H70 (senior pool) is 404, like a case that does not exist."""
    client = bearer(desk.tokens["junior_collector"])
    p20 = desk.cases["P20"]
    body = client.get(f"/api/v1/cases/{p20.pk}").json()
    assert body["borrower"] == {"id": p20.borrower_id, "customer": "P20", "name": "张**"}
    assert (body["dpd"], body["overdue"], body["status"], body["pool"]) == (20, "1027.43", "open", "junior")
    (loan,) = body["loans"]
    assert loan["contract"] == p20.borrower.loans.get().external_id
    assert loan["position"]["as_of"] == "2026-03-20"
    assert (loan["position"]["dpd"], loan["position"]["overdue_total"]) == (20, "1027.43")
    assert (body["holds_in_force"], body["calls"], body["promises"]) == ([], [], [])
    hidden = client.get(f"/api/v1/cases/{desk.cases['H70'].pk}")
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")
    assert client.get("/api/v1/cases/999999").status_code == 404


def test_borrowers_are_masked_for_every_role_as_the_pages_show_them(desk):
    """Clause: PRV-1, TEAM-3 — GET /api/v1/borrowers and /borrowers/{id}: a junior collector's token sees P20
    (never H70) with the ID number's last 4, the mobile's first 3 and last 4, the name's surname, the address
    hidden; a supervisor's and a legal officer's tokens see both borrowers, masked exactly the same — the web
    page shows a supervisor those same values and not the numbers. An analyst (no personal data) is refused."""
    p20 = desk.cases["P20"].borrower
    mobile = p20.mobile
    expected = {
        "name": "张**",
        "id_number": "**************123X",
        "mobile": f"170****{mobile[-4:]}",
        "phone_alt": "",
        "email": "●●●",
        "address": "●●●",
        "employer": "●●●",
    }
    junior = bearer(desk.tokens["junior_collector"]).get("/api/v1/borrowers").json()
    assert junior["count"] == 1
    (row,) = junior["items"]
    assert (row["customer"], row["personal"], row["max_dpd"], row["overdue_total"]) == (
        "P20",
        expected,
        20,
        "1027.43",
    )
    assert row["case_id"] == desk.cases["P20"].pk
    for role in ("supervisor", "legal_officer"):
        client = bearer(desk.tokens[role])
        listed = client.get("/api/v1/borrowers").json()
        assert ([b["customer"] for b in listed["items"]], listed["count"]) == (["H70", "P20"], 2), role
        one = client.get(f"/api/v1/borrowers/{p20.pk}").json()
        assert one["personal"] == expected, role
        assert [loan["contract"] for loan in one["loans"]] == [p20.loans.get().external_id]
        assert mobile not in str(one)
        assert p20.id_number not in str(one)
    web = Client()
    web.force_login(make_user("supervisor"))
    page = web.get(f"/borrowers/{p20.external_id}/").content.decode()
    assert expected["mobile"] in page
    assert expected["id_number"] in page
    assert mobile not in page
    hidden = bearer(desk.tokens["junior_collector"]).get(f"/api/v1/borrowers/{desk.cases['H70'].borrower_id}")
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")
    analyst = bearer(desk.tokens["analyst"])
    for url in ["/api/v1/borrowers", f"/api/v1/borrowers/{p20.pk}", f"/api/v1/loans/{p20.loans.get().pk}"]:
        refused = analyst.get(url)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden"), url
        assert "portfolio.view" in refused.json()["error"]["message"]
    page = bearer(desk.tokens["supervisor"]).get("/api/v1/borrowers?limit=1&offset=1&q=").json()
    assert ([b["customer"] for b in page["items"]], page["count"]) == (["P20"], 2)
    assert bearer(desk.tokens["supervisor"]).get("/api/v1/borrowers?q=H7").json()["count"] == 1


def test_a_loan_with_its_position_and_schedule_status(desk):
    """Clause: TEAM-3 — GET /api/v1/loans/{id}: P20's loan of 12,000.00 on 2026-03-20: instalment 1 (980.22
    principal + 43.50 interest) overdue and late, the rest not yet due; the position 1,027.43 overdue (penalty
    3.55, compound 0.16). A junior collector's token gets 404 for H70's loan."""
    loan = desk.cases["P20"].borrower.loans.get()
    body = bearer(desk.tokens["junior_collector"]).get(f"/api/v1/loans/{loan.pk}").json()
    assert (body["contract"], body["principal"], body["status"], body["case_id"]) == (
        loan.external_id,
        "12000.00",
        "active",
        desk.cases["P20"].pk,
    )
    assert body["borrower"]["name"] == "张**"
    assert body["position"] == {
        "as_of": "2026-03-20",
        "dpd": 20,
        "overdue_principal": "980.22",
        "overdue_interest": "43.50",
        "penalty_interest": "3.55",
        "compound_interest": "0.16",
        "overdue_total": "1027.43",
        "outstanding_principal": "12000.00",
        "waived": "0.00",
    }
    first = body["schedule"][0]
    assert (first["n"], first["principal"], first["interest"], first["status"], first["late"]) == (
        1,
        "980.22",
        "43.50",
        "overdue",
        True,
    )
    assert first["still_due"] == "1027.43"  # 1,023.72 due and 3.71 penalty and compound interest on it
    assert {row["status"] for row in body["schedule"][1:]} == {"not_due"}
    other = desk.cases["H70"].borrower.loans.get()
    assert bearer(desk.tokens["junior_collector"]).get(f"/api/v1/loans/{other.pk}").status_code == 404


def test_tasks_are_the_open_work_of_the_borrowers_one_may_see(desk):
    """Clause: TEAM-3, CALL-3 — GET /api/v1/tasks: a junior collector's token lists P20's open call task due
    2026-03-20 and nothing of H70's (a follow-up call due 03-22; the night's moderate-stage call done); a
    supervisor's lists both, by due date; `kind` narrows the list."""
    h70 = desk.cases["H70"]
    Task.objects.filter(borrower=h70.borrower).update(status="done")
    Task.objects.create(
        key="call:test-h70", kind="call", borrower=h70.borrower, case=h70,
        available_from=AS_OF, due_on=AS_OF + timedelta(days=2), clause="CALL-3", created_on=AS_OF,
    )  # fmt: skip
    junior = bearer(desk.tokens["junior_collector"]).get("/api/v1/tasks").json()
    p20 = desk.cases["P20"]
    mine = Task.objects.filter(borrower=p20.borrower, status="open").order_by("due_on", "pk")
    assert [t["id"] for t in junior["items"]] == [t.pk for t in mine]
    assert junior["count"] == len(junior["items"]) >= 1
    task = junior["items"][0]
    assert (task["kind"], task["due_on"], task["case_id"], task["borrower"]["name"]) == (
        "call",
        "2026-03-20",
        p20.pk,
        "张**",
    )
    every = bearer(desk.tokens["supervisor"]).get("/api/v1/tasks").json()
    assert [(t["borrower"]["customer"], t["due_on"]) for t in every["items"]] == [
        ("P20", "2026-03-20"),
        ("H70", "2026-03-22"),
    ]
    assert every["count"] == 2
    calls_only = bearer(desk.tokens["supervisor"]).get("/api/v1/tasks?kind=call").json()
    assert {t["kind"] for t in calls_only["items"]} == {"call"}
    refused = bearer(desk.tokens["analyst"]).get("/api/v1/tasks")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/abc",
        "/api/v1/cases/%C2%B2",  # ² is not an ASCII digit
        "/api/v1/cases/0",
        "/api/v1/cases/-1",
        "/api/v1/cases/100000000000000000000000000000",
        "/api/v1/borrowers/9223372036854775808",
        "/api/v1/loans/1.5",
        "/api/v1/cases?limit=0",
        "/api/v1/cases?limit=501",
        "/api/v1/cases?offset=-1",
        "/api/v1/tasks?kind=nonsense",
        "/api/v1/borrowers?q=" + "1" * 41,
    ],
)
def test_bad_ids_and_parameters_are_4xx_in_the_error_shape(desk, url):
    """Ids that are not positive 64-bit numbers and parameters out of range: 422 in the error shape with the
    field named in `details`, never a 500."""
    response = bearer(desk.tokens["supervisor"]).get(url)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "unprocessable"
    assert error["details"]


@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/cases/1/nope", "/api/v1/borrowers/1/loans", "/api/v1/x/"])
def test_an_unknown_path_under_the_api_is_a_json_404(desk, url):
    """Any other path under /api/v1/: 404 in the error shape (code not_found), in the request's language."""
    response = bearer(desk.tokens["supervisor"]).get(url)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is no such API path: see /api/v1/docs for the endpoints."}
    }
    chinese = Client().get(url, headers={"accept-language": "zh-hans"}).json()
    assert chinese["error"]["code"] == "not_found"
    assert "/api/v1/docs" in chinese["error"]["message"]


def test_every_read_is_recorded_under_the_service_account(desk):
    """Clause: AUTH-4 — each read with a token is one `api.call` event: method, path, status."""
    client = bearer(desk.tokens["junior_collector"])
    p20 = desk.cases["P20"]
    client.get(f"/api/v1/cases/{p20.pk}")
    client.get(f"/api/v1/borrowers/{p20.borrower_id}")
    client.get("/api/v1/tasks")
    assert [(e.actor.username, e.changes["path"][1], e.changes["status"][1]) for e in events("api.call")] == [
        ("svc-junior_collector", f"/api/v1/cases/{p20.pk}", 200),
        ("svc-junior_collector", f"/api/v1/borrowers/{p20.borrower_id}", 200),
        ("svc-junior_collector", "/api/v1/tasks", 200),
    ]


@pytest.mark.parametrize("url", ["/api/v1/borrowers", "/api/v1/tasks", "/api/v1/cases"])
def test_the_lists_make_a_fixed_number_of_queries(desk, url):
    """A list costs the same number of queries for one item as for two (no query per row)."""
    h70 = desk.cases["H70"]
    Task.objects.create(
        key="call:test-h70", kind="call", borrower=h70.borrower, case=h70,
        available_from=AS_OF, due_on=AS_OF, clause="CALL-3", created_on=AS_OF,
    )  # fmt: skip
    client = bearer(desk.tokens["supervisor"])
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{url}?limit=1").json()["items"]) == 1
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(f"{url}?limit=2").json()["items"]) == 2
    assert len(one) == len(two)


def test_the_schema_lists_every_endpoint(desk):
    """/api/v1/openapi.json (OpenAPI 3.1) documents each endpoint of item 4 with its error shape."""
    client = Client()
    client.force_login(desk.junior)
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1.")
    paths = document["paths"]
    for path, method in [
        ("/api/v1/cases/{case_id}", "get"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/cases/{case_id}/calls", "post"),
        ("/api/v1/cases/{case_id}/promises", "post"),
        ("/api/v1/borrowers", "get"),
        ("/api/v1/borrowers/{borrower_id}", "get"),
        ("/api/v1/loans/{loan_id}", "get"),
        ("/api/v1/borrowers/{borrower_id}/holds", "post"),
        ("/api/v1/holds/{hold_id}/lift", "post"),
        ("/api/v1/complaints/sla", "get"),
        ("/api/v1/litigations/{litigation_id}", "get"),
        ("/api/v1/litigations/{litigation_id}/stages", "post"),
        ("/api/v1/litigations/{litigation_id}/costs", "post"),
        ("/api/v1/cases/{case_id}/escalation", "get"),
        ("/api/v1/agencies", "get"),
        ("/api/v1/agencies/{code}/commissions", "get"),
        ("/api/v1/agencies/{code}/audits", "get"),
        ("/api/v1/cases/{case_id}/escalation", "post"),
        ("/api/v1/write-offs/pending", "get"),
        ("/api/v1/write-offs/{write_off_id}/approve", "post"),
        ("/api/v1/write-offs/{write_off_id}/reject", "post"),
        ("/api/v1/cases/{case_id}/litigation/file", "get"),
        ("/api/v1/telephony/events", "post"),
        ("/api/v1/calls/{call_id}/recording", "post"),
        ("/api/v1/calls/{call_id}/transcript", "post"),
        ("/api/v1/calls/{call_id}/inspection", "get"),
        ("/api/v1/quality/scores", "get"),
        ("/api/v1/kpi", "get"),
        ("/api/v1/kpi/rolls", "get"),
        ("/api/v1/kpi/indicators", "get"),
        ("/api/v1/kpi/scorecards", "get"),
        ("/api/v1/costs", "get"),
        ("/api/v1/costs", "post"),
    ]:
        assert "403" in paths[path][method]["responses"], path


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/abc/plans/quote",
        "/api/v1/cases/100000000000000000000000000000/waivers",
        "/api/v1/plans/0/approve",
        "/api/v1/waivers/%EF%BC%93/reject",  # a full-width 3
    ],
)
def test_the_plan_and_waiver_endpoints_refuse_a_bad_id_too(desk, url):
    """The existing endpoints take the same ids: one that is not a positive 64-bit number is 422, not a 500."""
    response = post(bearer(desk.tokens["supervisor"]), url, {"reason": "核实"})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "unprocessable")
