"""`GET /api/v1/litigations/{id}`, `POST /api/v1/litigations/{id}/stages` and `POST …/costs` (Clause: LIT-2): the
answer's shape with literal figures, the order's refusals as 409, bad input as 422, the roles (a legal officer's
token records; a supervisor's sees only; a collector's is refused), with nothing changed on a refusal."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from apicalls import bearer, post
from lawsuit import PDF, make_litigation, snapshot

from arrears.accounts.tokens import do_create_token
from arrears.legal import queries_litigation
from arrears.legal.court import Document, do_record_stage
from arrears.legal.models import CourtDocument, LegalCost
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)
COURT = "北京市朝阳区人民法院"


@pytest.fixture(autouse=True)
def _court_today(monkeypatch):
    monkeypatch.setattr(queries_litigation, "court_today", lambda: TODAY)


@pytest.fixture
def tokens():
    admin = make_user("administrator")
    return {
        role: do_create_token(f"svc-{role}", role, actor=admin)[1]
        for role in ("legal_officer", "supervisor", "junior_collector")
    }


@pytest.fixture
def litigation():
    return make_litigation()


def url(litigation, tail: str = "") -> str:
    return f"/api/v1/litigations/{litigation.pk}{tail}"


FILED = {"stage": "filed", "on": "2026-01-20", "court": COURT, "claimed": "65000.00", "court_fee": "712.50"}


def test_a_legal_officer_records_the_path_and_reads_it_back(tokens, litigation):
    """Clause: LIT-2 — filed, accepted, judgment (effective 2026-06-30): the answer gives the facts in yuan, the
    limitation met, the enforcement period running to 2028-06-30 (warned from 2028-05-01), the stages and the
    court fee as a cost."""
    client = bearer(tokens["legal_officer"])
    assert post(client, url(litigation, "/stages"), FILED).status_code == 201
    accepted = {"stage": "accepted", "on": "2026-01-27", "court_case_no": "(2026)京0105民初1234号", "note": "已立案"}
    assert post(client, url(litigation, "/stages"), accepted).status_code == 201
    judgment = {"stage": "judgment", "on": "2026-06-15", "amount": "64200.00", "effective_on": "2026-06-30"}
    response = post(client, url(litigation, "/stages"), judgment)
    assert response.status_code == 201, response.content
    answer = response.json()
    stages = answer.pop("stages")
    assert answer == {
        "id": litigation.pk,
        "case": litigation.case_id,
        "customer": litigation.borrower.external_id,
        "stage": "judgment",
        "as_of": "2026-11-01",
        "opened_on": "2026-01-10",
        "court": COURT,
        "court_case_no": "(2026)京0105民初1234号",
        "filed_on": "2026-01-20",
        "claimed": "65000.00",
        "court_fee": "712.50",
        "accepted_on": "2026-01-27",
        "judgment_on": "2026-06-15",
        "judgment_amount": "64200.00",
        "judgment_effective_on": "2026-06-30",
        "enforcement_applied_on": None,
        "enforcement_case_no": "",
        "recovered": "0.00",
        "closed_on": None,
        "closed_reason": "",
        "next_stages": ["enforcement", "closed"],
        "deadlines": [
            {
                "kind": "limitation",
                "starts_on": "2024-03-20",
                "ends_on": "2027-03-20",
                "warn_from": "2026-12-20",
                "state": "met",
                "met_on": "2026-01-20",
                "clause": "LIT-2",
            },
            {
                "kind": "enforcement",
                "starts_on": "2026-06-30",
                "ends_on": "2028-06-30",
                "warn_from": "2028-05-01",
                "state": "running",
                "met_on": None,
                "clause": "LIT-2",
            },
        ],
        "next_deadline": {
            "kind": "enforcement",
            "starts_on": "2026-06-30",
            "ends_on": "2028-06-30",
            "warn_from": "2028-05-01",
            "state": "running",
            "met_on": None,
            "clause": "LIT-2",
        },
        "costs": {
            "items": [
                {
                    "id": LegalCost.objects.get().pk,
                    "kind": "court_fee",
                    "amount": "712.50",
                    "amount_fen": 71_250,
                    "incurred_on": "2026-01-20",
                    "note": COURT,
                }
            ],
            "count": 1,
            "total": "712.50",
            "total_fen": 71_250,
        },
    }
    assert [(s["stage"], s["on"], s["details"], s["note"]) for s in stages] == [
        (
            "filed",
            "2026-01-20",
            {"court": COURT, "court_case_no": "", "claimed_fen": 6_500_000, "court_fee_fen": 71_250},
            "",
        ),
        ("accepted", "2026-01-27", {"court_case_no": "(2026)京0105民初1234号"}, "已立案"),
        ("judgment", "2026-06-15", {"judgment_fen": 6_420_000, "effective_on": "2026-06-30"}, ""),
    ]
    assert {s["recorded_by"] for s in stages} == {"svc-legal_officer"}
    assert bearer(tokens["supervisor"]).get(url(litigation)).json()["stage"] == "judgment"


def test_documents_are_listed_with_their_sha256(tokens, litigation):
    officer = make_user("legal_officer")
    do_record_stage(
        litigation, "filed", on=date(2026, 1, 20), today=TODAY, actor=officer, court=COURT, claimed="1.00",
        court_fee="0", documents=[Document("回执.pdf", PDF)],
    )  # fmt: skip
    stages = bearer(tokens["supervisor"]).get(url(litigation)).json()["stages"]
    assert stages[0]["documents"] == [
        {
            "id": CourtDocument.objects.get().pk,
            "filename": "回执.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        }
    ]


def test_out_of_order_is_409_saying_what_comes_first_and_changes_nothing(tokens, litigation):
    """Clause: LIT-2 — a judgment on a lawsuit not filed: 409; a date before the decision: 409."""
    client = bearer(tokens["legal_officer"])
    before = snapshot(litigation)
    judgment = {"stage": "judgment", "on": "2026-06-15", "amount": "64200.00", "effective_on": "2026-06-30"}
    response = post(client, url(litigation, "/stages"), judgment)
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "Record “filed with the court” first: “judgment” can only come after it.",
        }
    }
    early = post(client, url(litigation, "/stages"), {**FILED, "on": "2026-01-09"})
    assert early.status_code == 409
    assert "before the decision to sue (2026-01-10)" in early.json()["error"]["message"]
    assert snapshot(litigation) == before


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"claimed": 65000}, 422),  # a JSON number: money is a string
        ({"claimed": "65000.001"}, 422),
        ({"claimed": "６５０００"}, 422),
        ({"court": ""}, 422),
        ({"on": "2026-02-30"}, 422),
        ({"on": "２０２６-01-20"}, 422),
        ({"stage": "appeal"}, 422),
        ({"on": "2026-11-02"}, 409),  # in the future
    ],
)
def test_bad_input_is_refused_in_the_error_shape_with_nothing_changed(tokens, litigation, change, status):
    before = snapshot(litigation)
    response = post(bearer(tokens["legal_officer"]), url(litigation, "/stages"), {**FILED, **change})
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"code", "message"}
    assert snapshot(litigation) == before


def test_a_cost_is_recorded_with_the_new_total(tokens, litigation):
    """Clause: LIT-2, KPI-2 — a lawyer's fee of 3,000.00: 201 with the cost and the total."""
    response = post(
        bearer(tokens["legal_officer"]),
        url(litigation, "/costs"),
        {"kind": "lawyer", "amount": "3000.00", "incurred_on": "2026-02-01", "note": "律师费"},
    )
    assert response.status_code == 201
    cost = LegalCost.objects.get()
    assert response.json() == {
        "id": cost.pk,
        "kind": "lawyer",
        "amount": "3000.00",
        "amount_fen": 300_000,
        "incurred_on": "2026-02-01",
        "note": "律师费",
        "total": "3000.00",
        "total_fen": 300_000,
    }
    zero = post(
        bearer(tokens["legal_officer"]),
        url(litigation, "/costs"),
        {"kind": "lawyer", "amount": "0", "incurred_on": "2026-02-01"},
    )
    assert zero.status_code == 422
    assert LegalCost.objects.count() == 1


def test_a_supervisor_sees_but_does_not_record_and_a_collector_neither(tokens, litigation):
    """Clause: LIT-2, AUTH-3 — a supervisor's token: GET 200, POSTs 403; a collector's: 403 everywhere; an id of
    no lawsuit 404; nothing changed but the calls' own records."""
    before = snapshot(litigation)
    boss, junior = bearer(tokens["supervisor"]), bearer(tokens["junior_collector"])
    assert boss.get(url(litigation)).status_code == 200
    assert post(boss, url(litigation, "/stages"), FILED).status_code == 403
    cost = {"kind": "lawyer", "amount": "1.00", "incurred_on": "2026-02-01"}
    assert post(boss, url(litigation, "/costs"), cost).status_code == 403
    assert junior.get(url(litigation)).status_code == 403
    assert post(junior, url(litigation, "/stages"), FILED).status_code == 403
    assert boss.get("/api/v1/litigations/999999").status_code == 404
    assert boss.get("/api/v1/litigations/abc").status_code == 422
    assert snapshot(litigation) == before


def test_the_schema_documents_the_endpoints(tokens):
    from django.test import Client

    client = Client()
    client.force_login(make_user("legal_officer"))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/litigations/{litigation_id}"]) == {"get"}
    assert set(paths["/api/v1/litigations/{litigation_id}/stages"]) == {"post"}
    assert set(paths["/api/v1/litigations/{litigation_id}/costs"]) == {"post"}
    assert {"403", "409", "422"} <= set(paths["/api/v1/litigations/{litigation_id}/stages"]["post"]["responses"])
