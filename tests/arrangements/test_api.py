"""The arrangements REST API: the OpenAPI 3.1 document, session authentication with CSRF, the same case visibility
and permissions as the workstation, and each refusal's status code with its message.

The desk on 2026-03-20: borrower P20's only loan (12,000.00 at 4.35% over 12 months) has its first instalment
20 days overdue — overdue principal and interest 1,023.72 plus penalty and compound interest 3.71 = 1,027.43, in
the junior pool; borrower H70's loan is 70 days overdue, in the senior pool (a junior collector cannot see it).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.arrangements.actions import do_propose_plan
from arrears.arrangements.models import Plan, Waiver
from arrears.collection.models import Call
from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000.00", "expenses": "3000.00", "debts": "500.00"}
PATHS = {
    "/api/v1/cases": {"get"},
    "/api/v1/cases/{case_id}/plans/quote": {"post"},
    "/api/v1/cases/{case_id}/plans": {"post"},
    "/api/v1/plans/pending": {"get"},
    "/api/v1/plans/{plan_id}/approve": {"post"},
    "/api/v1/plans/{plan_id}/reject": {"post"},
    "/api/v1/cases/{case_id}/waivers": {"post"},
    "/api/v1/waivers/pending": {"get"},
    "/api/v1/waivers/{waiver_id}/approve": {"post"},
    "/api/v1/waivers/{waiver_id}/reject": {"post"},
    "/api/v1/cases/{case_id}": {"get"},
    "/api/v1/tasks": {"get"},
    "/api/v1/cases/{case_id}/calls": {"post"},
    "/api/v1/cases/{case_id}/promises": {"post"},
    "/api/v1/borrowers": {"get"},
    "/api/v1/borrowers/{borrower_id}": {"get"},
    "/api/v1/loans/{loan_id}": {"get"},
    "/api/v1/borrowers/{borrower_id}/holds": {"post"},
    "/api/v1/holds/{hold_id}/lift": {"post"},
    "/api/v1/holds/{hold_id}/extend": {"post"},
    "/api/v1/complaints/sla": {"get"},
    "/api/v1/complaints": {"post"},
    "/api/v1/complaints/{complaint_id}": {"get"},
    "/api/v1/litigations/{litigation_id}": {"get"},
    "/api/v1/litigations/{litigation_id}/stages": {"post"},
    "/api/v1/litigations/{litigation_id}/costs": {"post"},
    "/api/v1/cases/{case_id}/escalation": {"get", "post"},
    "/api/v1/agencies": {"get"},
    "/api/v1/cases/{case_id}/placement": {"post", "delete"},
    "/api/v1/cases/{case_id}/placements": {"get"},
    "/api/v1/agencies/{code}/commissions": {"get"},
    "/api/v1/agencies/{code}/audits": {"get"},
    "/api/v1/write-offs/pending": {"get"},
    "/api/v1/write-offs/{write_off_id}/approve": {"post"},
    "/api/v1/write-offs/{write_off_id}/reject": {"post"},
    "/api/v1/cases/{case_id}/litigation/file": {"get"},
    "/api/v1/telephony/events": {"post"},
    "/api/v1/calls/{call_id}/recording": {"post"},
    "/api/v1/calls/{call_id}/transcript": {"post"},
    "/api/v1/calls/{call_id}/inspection": {"get"},
    "/api/v1/quality/scores": {"get"},
    "/api/v1/kpi": {"get"},
    "/api/v1/kpi/rolls": {"get"},
    "/api/v1/kpi/indicators": {"get"},
    "/api/v1/kpi/scorecards": {"get"},
    "/api/v1/costs": {"get", "post"},
}


@pytest.fixture
def desk():
    opened = open_desk(
        [("P20", 20, "12000", "low"), ("H70", 70, "12000", "low")],
        {"junior_collector": 1, "senior_collector": 1, "supervisor": 2},
    )
    users = opened["users"]
    return SimpleNamespace(
        case=opened["cases"]["P20"],
        senior_case=opened["cases"]["H70"],
        junior=users["junior_collector"][0],
        senior=users["senior_collector"][0],
        boss=users["supervisor"][0],
        other_boss=users["supervisor"][1],
    )


def signed_in(user, **kwargs) -> Client:
    """A test client with `user`'s session, asking for English (the product's default is Simplified Chinese)."""
    client = Client(headers={"accept-language": "en"}, **kwargs)
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def error(status: int, message: str) -> dict:
    """The API's one error shape (arrears.api.errors)."""
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "unprocessable"}
    return {"error": {"code": code[status], "message": message}}


def propose(desk, instalments: int = 4, actor=None) -> Plan:
    return do_propose_plan(desk.case, **MEANS, instalments=instalments, actor=actor or desk.senior, today=AS_OF)


def test_the_openapi_document_is_3_1_and_lists_every_endpoint(desk):
    """Clause: AUTH-2 — /api/v1/openapi.json is an OpenAPI 3.1.0 document titled "arrears API", version 1, listing
    every endpoint with its method, each behind a service account's bearer token or the session cookie;
    /api/v1/docs serves the docs. Both need a signed-in user."""
    assert Client().get("/api/v1/openapi.json").status_code == 302  # to the sign-in page
    client = signed_in(desk.junior)
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert (document["info"]["title"], document["info"]["version"]) == ("arrears API", "1")
    assert {path: set(ops) for path, ops in document["paths"].items()} == PATHS
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    for ops in document["paths"].values():
        for op in ops.values():
            assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    assert client.get("/api/v1/docs").status_code == 200


def test_a_quote_for_income_10000_allows_3000_a_month(desk):
    """Clause: PLAN-1, PLAN-2, PLAN-3 — income 10,000, expenses 3,000, debts 500: at most 3000.00 a month (30% of
    income); the 1,027.43 overdue split into 3 to 6 fixed instalments, all feasible, due monthly from the business
    date; money as strings with two decimals."""
    response = post(signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/plans/quote", MEANS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["max_monthly_payment"] == "3000.00"
    assert (body["amount"], body["includes_penalty"], body["reason"]) == ("1027.43", True, "")
    assert [(o["instalments"], o["payment"], o["feasible"], o["reason"]) for o in body["options"]] == [
        (3, "342.48", True, ""),
        (4, "256.86", True, ""),
        (5, "205.49", True, ""),
        (6, "171.24", True, ""),
    ]
    assert body["options"][1]["schedule"] == [
        {"n": 1, "due_on": "2026-04-20", "amount": "256.86"},
        {"n": 2, "due_on": "2026-05-20", "amount": "256.86"},
        {"n": 3, "due_on": "2026-06-20", "amount": "256.86"},
        {"n": 4, "due_on": "2026-07-20", "amount": "256.85"},
    ]


def test_an_infeasible_quote_says_why_in_figures(desk):
    """Clause: PLAN-2, PLAN-3 — income 500 allows 150.00 a month; 1,027.43 needs 7 months; the policy allows at
    most 6: no option is feasible and the reason has those figures."""
    means = {"income": "500", "expenses": "0", "debts": "0"}
    body = post(signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/plans/quote", means).json()
    assert body["max_monthly_payment"] == "150.00"
    assert not any(o["feasible"] for o in body["options"])
    assert (
        body["reason"] == "Income 500.00 allows 150.00 a month; 1,027.43 needs 7 months; the policy allows at most 6."
    )


def test_bad_figures_are_answered_422_with_the_message(desk):
    """Clause: PLAN-1 — a figure that is not a number, or is negative, is refused with a message naming it; a JSON
    number (a float) is refused by the schema: money travels as a string."""
    client, url = signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/plans/quote"
    response = post(client, url, {**MEANS, "income": "ten thousand"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("income: 'ten thousand' is not a number")
    response = post(client, url, {**MEANS, "debts": "-500"})
    assert (response.status_code, response.json()) == (422, error(422, "debts must not be negative, got -500"))
    assert post(client, url, {**MEANS, "income": 10000.5}).status_code == 422


def test_a_quote_needs_the_permission_to_propose_plans(desk):
    """Clause: AUTH-1, AUTH-2 — a junior collector sees the case but may not negotiate a plan: 403 naming the
    permission."""
    response = post(signed_in(desk.junior), f"/api/v1/cases/{desk.case.pk}/plans/quote", MEANS)
    assert response.status_code == 403
    assert "arrangements.propose_plan" in response.json()["error"]["message"]


def test_a_senior_collector_proposes_a_plan(desk):
    """Clause: AUTH-2, PLAN-3 — 201 with the plan: 4 instalments of 256.86 (the last 256.85) on 1,027.43,
    awaiting approval; one Plan row and one audit event."""
    events = AuditEvent.objects.count()
    response = post(
        signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/plans", {**MEANS, "instalments": 4, "note": "月底发薪"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get()
    assert body["id"] == plan.pk
    assert (body["status"], body["case_id"], body["contracts"]) == ("proposed", desk.case.pk, plan.contracts)
    assert (body["amount"], body["payment"], body["instalment_count"]) == ("1027.43", "256.86", 4)
    assert [(i["n"], i["due_on"], i["amount"], i["cumulative"]) for i in body["instalments"]] == [
        (1, "2026-04-20", "256.86", "256.86"),
        (2, "2026-05-20", "256.86", "513.72"),
        (3, "2026-06-20", "256.86", "770.58"),
        (4, "2026-07-20", "256.85", "1027.43"),
    ]
    assert (body["proposed_by"], body["note"], body["decided_by"]) == (desk.senior.username, "月底发薪", None)
    assert AuditEvent.objects.count() == events + 1


def test_a_junior_collector_cannot_propose_and_nothing_changes(desk):
    """Clause: AUTH-1, AUTH-2 — 403 with the permission named; no plan, no audit event."""
    events = AuditEvent.objects.count()
    response = post(signed_in(desk.junior), f"/api/v1/cases/{desk.case.pk}/plans", {**MEANS, "instalments": 4})
    assert response.status_code == 403
    assert "arrangements.propose_plan" in response.json()["error"]["message"]
    assert not Plan.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_plan_that_does_not_fit_is_refused_422_with_the_figures(desk):
    """Clause: PLAN-2 — income 4,300 allows 1,290.00 a month. In plan month 1 the loan's own instalment of
    1,023.72 (due 2026-03-28) falls due too: 3 × 342.48 costs 1,366.20 that month, too much; the refusal names
    the feasible counts; nothing is written."""
    means = {"income": "4300", "expenses": "0", "debts": "0", "instalments": 3}
    response = post(signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/plans", means)
    assert response.status_code == 422
    assert response.json() == error(
        422,
        "3 instalments: month 1: plan 342.48 + own instalments 1,023.72 = 1,366.20 > 1,290.00 allowed. "
        "Choose one of 4, 5, 6.",
    )
    assert not Plan.objects.exists()


def test_the_quote_counts_the_loans_own_instalments_month_by_month(desk):
    """Clause: PLAN-2 — the quote lists, per plan month, the loan's own instalments falling due (1,023.72 on the
    28th of each month) and, per option, each month's plan + own = total and whether it fits: at 1,290.00 a
    month three instalments do not fit, four do (256.86 + 1,023.72 = 1,280.58)."""
    response = post(
        signed_in(desk.senior),
        f"/api/v1/cases/{desk.case.pk}/plans/quote",
        {"income": "4300", "expenses": "0", "debts": "0"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["max_monthly_payment"] == "1290.00"
    assert body["own_instalments"] == ["1023.72"] * 6
    three, four = body["options"][0], body["options"][1]
    assert (three["feasible"], three["reason"]) == (
        False,
        "month 1: plan 342.48 + own instalments 1,023.72 = 1,366.20 > 1,290.00 allowed",
    )
    assert three["months"][0] == {
        "month": 1,
        "due_on": "2026-04-20",
        "plan": "342.48",
        "own_instalments": "1023.72",
        "total": "1366.20",
        "fits": False,
    }
    assert (four["feasible"], four["reason"]) == (True, "")
    assert [m["total"] for m in four["months"]] == ["1280.58", "1280.58", "1280.58", "1280.57"]


def test_an_anonymous_call_is_401(desk):
    """Clause: AUTH-2 — without a session every endpoint answers 401 and nothing is written."""
    client = Client(headers={"accept-language": "en"})
    assert post(client, f"/api/v1/cases/{desk.case.pk}/plans/quote", MEANS).status_code == 401
    assert post(client, f"/api/v1/cases/{desk.case.pk}/plans", {**MEANS, "instalments": 4}).status_code == 401
    assert client.get("/api/v1/plans/pending").status_code == 401
    assert client.get("/api/v1/waivers/pending").json() == {
        "error": {
            "code": "unauthorized",
            "message": "Sign in, or send a service account's token as Authorization: Bearer <token>.",
        }
    }
    assert not Plan.objects.exists()


def test_a_case_outside_ones_reach_is_404(desk):
    """Clause: AUTH-1, AUTH-2 — H70 is in the senior pool: to a junior collector it does not exist (404, as on
    the web pages, in the user's language), whether quoting, proposing a plan or a waiver, or deciding its plan;
    so is a case id that does not exist."""
    client = signed_in(desk.junior)
    for url, body in [
        (f"/api/v1/cases/{desk.senior_case.pk}/plans/quote", MEANS),
        (f"/api/v1/cases/{desk.senior_case.pk}/plans", {**MEANS, "instalments": 4}),
        (f"/api/v1/cases/{desk.senior_case.pk}/waivers", {"loan": "x", "amount": "1.00"}),
        ("/api/v1/cases/999999/plans/quote", MEANS),
    ]:
        response = post(client, url, body)
        assert response.status_code == 404, url
        assert response.json() == error(404, "No such case, or not one of yours")
    plan = do_propose_plan(desk.senior_case, **MEANS, instalments=4, actor=desk.senior, today=AS_OF)
    assert post(client, f"/api/v1/plans/{plan.pk}/approve").json() == error(404, "No such plan, or not one of yours")
    assert post(signed_in(desk.senior), f"/api/v1/cases/{desk.senior_case.pk}/plans/quote", MEANS).status_code == 200
    chinese = Client()  # the product's default language
    chinese.force_login(desk.junior)
    response = post(chinese, f"/api/v1/cases/{desk.senior_case.pk}/plans/quote", MEANS)
    assert (response.status_code, response.json()) == (404, error(404, "案件不存在，或不属于您"))


def test_csrf_is_enforced_on_posts(desk):
    """Clause: AUTH-2 — the API's users are the workstation's: a signed-in POST without the CSRF token is refused
    (403) and writes nothing; with the csrftoken cookie's value in X-CSRFToken it goes through."""
    client = signed_in(desk.senior, enforce_csrf_checks=True)
    url = f"/api/v1/cases/{desk.case.pk}/plans"
    response = post(client, url, {**MEANS, "instalments": 4})
    assert (response.status_code, response.json()) == (
        403,
        error(403, "The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."),
    )
    assert not Plan.objects.exists()
    client.get("/api/v1/docs")  # a page of the site hands out the token, as to a browser
    token = client.cookies["csrftoken"].value
    assert post(client, url, {**MEANS, "instalments": 4}, headers={"x-csrftoken": token}).status_code == 201
    assert Plan.objects.count() == 1


def test_the_pending_list_is_the_supervisors_in_constant_queries(desk):
    """Clause: AUTH-2 — a supervisor sees the plans awaiting approval, oldest first, in the same number of
    queries for one plan as for two; a senior collector may not (403)."""
    first = propose(desk)
    client = signed_in(desk.boss)
    with CaptureQueriesContext(connection) as one:
        body = client.get("/api/v1/plans/pending").json()
    assert body["count"] == 1
    assert [(p["id"], p["status"], p["payment"], len(p["instalments"])) for p in body["items"]] == [
        (first.pk, "proposed", "256.86", 4)
    ]
    second = do_propose_plan(desk.senior_case, **MEANS, instalments=6, actor=desk.senior, today=AS_OF)
    with CaptureQueriesContext(connection) as two:
        body = client.get("/api/v1/plans/pending").json()
    assert ([p["id"] for p in body["items"]], body["count"]) == ([first.pk, second.pk], 2)
    assert len(two) == len(one)
    assert signed_in(desk.senior).get("/api/v1/plans/pending").status_code == 403


def test_a_supervisor_approves_and_the_agreement_is_stored(desk):
    """Clause: AUTH-2, PLAN-4 — 200 with the plan approved by the supervisor; the agreement PDF is stored with its
    SHA-256, which the answer carries."""
    plan = propose(desk)
    response = post(signed_in(desk.boss), f"/api/v1/plans/{plan.pk}/approve", {"reason": "还款能力已核实"})
    assert response.status_code == 200, response.content
    body = response.json()
    plan.refresh_from_db()
    assert (body["status"], body["decided_by"]) == ("approved", desk.boss.username)
    assert (plan.status, plan.decided_by_id) == ("approved", desk.boss.pk)
    assert bytes(plan.agreement_pdf).startswith(b"%PDF-")
    assert body["agreement_sha256"] == plan.agreement_sha256 == hashlib.sha256(plan.agreement_pdf).hexdigest()


def test_the_proposer_cannot_approve_their_own_plan_and_nothing_changes(desk):
    """Clause: AUTH-2 — a supervisor who proposed the plan approving it: 403 with the action's message; the plan
    still awaits a decision, no audit event."""
    plan = propose(desk, actor=desk.boss)
    events = AuditEvent.objects.count()
    response = post(signed_in(desk.boss), f"/api/v1/plans/{plan.pk}/approve", {"reason": "可以"})
    assert response.status_code == 403
    assert "another supervisor must decide it" in response.json()["error"]["message"]
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id, plan.agreement_pdf) == ("proposed", None, b"")
    assert AuditEvent.objects.count() == events


def test_a_second_decision_is_409_and_changes_nothing(desk):
    """Clause: AUTH-2 — one supervisor approved; another's approval or rejection is a conflict (409) saying who
    decided; the plan stays approved by the first, no new audit event."""
    plan = propose(desk)
    assert post(signed_in(desk.boss), f"/api/v1/plans/{plan.pk}/approve", {"reason": "核实"}).status_code == 200
    events = AuditEvent.objects.count()
    client = signed_in(desk.other_boss)
    response = post(client, f"/api/v1/plans/{plan.pk}/approve")
    assert response.status_code == 409
    assert "was already decided (approved by " + desk.boss.username in response.json()["error"]["message"]
    assert post(client, f"/api/v1/plans/{plan.pk}/reject", {"reason": "收入证明不足"}).status_code == 409
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id) == ("approved", desk.boss.pk)
    assert AuditEvent.objects.count() == events


def test_a_rejection_needs_a_reason(desk):
    """Clause: AUTH-2 — a rejection without a reason is 422: a blank one with the action's message, a missing
    one with the schema's field error; with one, the plan is rejected and the reason kept."""
    plan = propose(desk)
    client = signed_in(desk.boss)
    response = post(client, f"/api/v1/plans/{plan.pk}/reject", {})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "payload", "reason"]
    response = post(client, f"/api/v1/plans/{plan.pk}/reject", {"reason": "  "})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("Say why the plan is rejected")
    plan.refresh_from_db()
    assert plan.status == "proposed"
    body = post(client, f"/api/v1/plans/{plan.pk}/reject", {"reason": "收入证明不足"}).json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "收入证明不足")


def test_a_senior_collector_cannot_approve(desk):
    """Clause: AUTH-2 — approving needs the supervisor's permission: 403 naming it; the plan still awaits."""
    plan = propose(desk)
    response = post(signed_in(desk.senior), f"/api/v1/plans/{plan.pk}/approve")
    assert response.status_code == 403
    assert "arrangements.approve" in response.json()["error"]["message"]
    plan.refresh_from_db()
    assert plan.status == "proposed"


def test_a_waiver_that_fails_wvr_1_is_422_listing_the_reasons(desk):
    """Clause: WVR-1 — H70's loan is 70 days overdue and the borrower never called the bank: both conditions are
    listed, with the figures; no waiver is written."""
    loan = desk.senior_case.borrower.loans.get()
    response = post(
        signed_in(desk.senior),
        f"/api/v1/cases/{desk.senior_case.pk}/waivers",
        {"loan": loan.external_id, "amount": "1.00"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        f"No waiver is possible on loan {loan.external_id}: WVR-1: the borrower did not contact the bank on their "
        "own initiative; WVR-1: DPD 70 exceeds 30."
    )
    assert not Waiver.objects.exists()


def test_a_waiver_on_a_loan_of_another_borrower_is_422(desk):
    """Clause: WVR-1 — the loan must be the case borrower's; another borrower's contract number is refused."""
    other = desk.senior_case.borrower.loans.get()
    response = post(
        signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/waivers", {"loan": other.external_id, "amount": "0.50"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        f"Loan {other.external_id} is not one of this case's borrower's"
    )


def test_a_waiver_is_proposed_listed_and_posted_on_approval(desk):
    """Clause: WVR-1, WVR-2, AUTH-2 — P20 called the bank on the business date, first delinquency, 20 days
    overdue: the cap is 20% of the 3.71 accrued = 0.74; 0.75 is refused, 0.70 is proposed (201), listed for the
    supervisor, and posted when approved."""
    loan = desk.case.borrower.loans.get()
    call = Call.objects.create(
        borrower=desk.case.borrower,
        case=desk.case,
        collector=desk.senior,
        called_at=WORKING_HOURS - timedelta(hours=1),
        called_on=AS_OF,
        inbound=True,
        outcome="promised",
    )
    senior, url = signed_in(desk.senior), f"/api/v1/cases/{desk.case.pk}/waivers"
    too_much = post(senior, url, {"loan": loan.external_id, "amount": "0.75"})
    assert too_much.status_code == 422
    assert too_much.json()["error"]["message"].startswith("0.75 is above the most that may be waived, 0.74")
    response = post(senior, url, {"loan": loan.external_id, "amount": "0.70", "note": "借款人主动来电"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("status", "loan", "amount", "max_amount", "dpd", "first_delinquency")} == {
        "status": "proposed",
        "loan": loan.external_id,
        "amount": "0.70",
        "max_amount": "0.74",
        "dpd": 20,
        "first_delinquency": True,
    }
    assert (body["borrower_call"]["id"], body["penalty_accrued"]) == (call.pk, "3.71")
    boss = signed_in(desk.boss)
    assert [w["id"] for w in boss.get("/api/v1/waivers/pending").json()["items"]] == [body["id"]]
    assert post(senior, f"/api/v1/waivers/{body['id']}/approve").status_code == 403
    approved = post(boss, f"/api/v1/waivers/{body['id']}/approve", {"reason": "符合减免条件"}).json()
    assert (approved["status"], approved["posted_on"], approved["decided_by"]) == (
        "posted",
        "2026-03-20",
        desk.boss.username,
    )
    assert (
        post(signed_in(desk.other_boss), f"/api/v1/waivers/{body['id']}/reject", {"reason": "重复"}).status_code == 409
    )
