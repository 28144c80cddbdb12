"""`POST /api/v1/complaints` and `GET /api/v1/complaints/{id}`: the answer's exact shape, the permission (a
compliance officer's token, a supervisor's session with CSRF; a collector's token refused with nothing
changed), and bad input answered in the API's error shape."""

from __future__ import annotations

import pytest
from apicalls import bearer, post
from django.test import Client

from arrears.accounts.tokens import do_create_token
from arrears.complaints.models import Complaint
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints"
BODY = {"channel": "regulator", "received_at": "2026-09-30T16:00:00+08:00", "contract_no": "HT-9", "text": "骚扰亲友"}


@pytest.fixture
def tokens():
    admin = make_user("administrator")
    return {
        role: do_create_token(f"svc-{role}", role, actor=admin)[1]
        for role in ("compliance_officer", "junior_collector")
    }


@pytest.fixture
def borrower():
    found = make_borrower(external_id="C0000042", mobile="13812345678")
    make_loan(found, external_id="HT-9")
    return found


def test_filed_with_a_token_answers_201_with_the_clocks_and_the_hold(tokens, borrower):
    """Clause: CMP-1, CMP-2, CMP-3 — received 30 September 16:00 in Beijing: response due 1 October 08:00 UTC,
    investigation due 10 October (the make-up Saturday); matched by the contract number, hold placed; flagged as
    forwarded by the regulator."""
    response = post(bearer(tokens["compliance_officer"]), URL, BODY)
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert response.json() == {
        "id": complaint.pk,
        "borrower": "C0000042",
        "response_due": "2026-10-01T08:00:00+00:00",
        "investigation_due": "2026-10-10",
        "hold": True,
    }
    assert complaint.regulator is True
    status = bearer(tokens["compliance_officer"]).get(f"{URL}/{complaint.pk}")
    assert status.status_code == 200
    assert (status.json()["status"], status.json()["marker"], status.json()["regulator"]) == ("open", "催收投诉", True)


def test_unmatched_answers_a_null_borrower_and_no_hold(tokens, borrower):
    """Clause: CMP-1 — an unknown mobile: filed for triage."""
    body = {**BODY, "channel": "phone", "contract_no": "", "mobile": "13000000000"}
    answer = post(bearer(tokens["compliance_officer"]), URL, body).json()
    assert (answer["borrower"], answer["hold"]) == (None, False)


def test_a_supervisors_session_with_csrf_files(borrower):
    """Clause: CMP-1 — the web session path, CSRF enforced."""
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(make_user("supervisor"))
    assert post(client, URL, BODY).status_code == 403  # no CSRF token
    client.get("/")
    token = client.cookies["csrftoken"].value
    assert post(client, URL, BODY, headers={"x-csrftoken": token}).status_code == 201


def test_a_collectors_token_is_refused_with_nothing_changed(tokens, borrower):
    """Clause: CMP-1, AUTH-4 — 403 in the error shape; no complaint, no hold, only the api.call record."""
    response = post(bearer(tokens["junior_collector"]), URL, BODY)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert (Complaint.objects.count(), Hold.objects.count()) == (0, 0)
    assert list(AuditEvent.objects.exclude(action="api.call").values_list("action", flat=True)) == [
        "accounts.create_token",
        "accounts.create_token",
    ]
    assert bearer(tokens["junior_collector"]).get(f"{URL}/1").status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"contract_no": ""}, 422, "mobile, ID number or contract number"),
        ({"received_at": "2026-09-30T16:00:00"}, 422, "offset"),
        ({"received_at": "yesterday"}, 422, "offset"),
        ({"text": "x" * 20_001}, 422, "schema"),
        ({"text": ""}, 422, "empty"),
        ({"channel": "fax"}, 422, "schema"),
    ],
)
def test_bad_input_is_refused_in_the_error_shape(tokens, borrower, change, status, words):
    response = post(bearer(tokens["compliance_officer"]), URL, {**BODY, **change})
    assert response.status_code == status, response.content
    assert words in response.json()["error"]["message"]
    assert Complaint.objects.count() == 0


def test_a_nul_or_an_unknown_complaint(tokens):
    client = bearer(tokens["compliance_officer"])
    assert post(client, URL, {**BODY, "text": "a\u0000b"}).status_code == 400
    missing = client.get(f"{URL}/999")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
