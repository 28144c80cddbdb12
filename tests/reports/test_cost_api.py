"""The month's collection cost through the API (Clause: KPI-2, AUTH-1): `GET /api/v1/costs?month=` for readers of
reports (an analyst's token), `POST /api/v1/costs` for those who enter costs; refusals change nothing."""

from __future__ import annotations

import pytest
from apicalls import bearer, post
from cost_book import cost_book
from costs_state import costs_state
from django.test import Client

from arrears.accounts.tokens import do_create_token
from arrears.reports.models import CostEntry
from factories import make_user

pytestmark = pytest.mark.django_db


def session(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def book():
    return cost_book()


def test_an_administrator_enters_and_corrects_a_cost_and_an_analyst_reads_the_month(book):
    """Clause: KPI-2 — POST staff 80,000.00 for 催收一组 in March: 201 with the entry and the month's costs
    (83,158.31); again with 78,500.00: 201, replacing it; the same again: 200, nothing stored. An analyst's token
    reads the month: every source in yuan and fen, the notices sent, the live entry with who entered it."""
    admin = session(book.admin)
    body = {"month": "2026-03", "team": "催收一组", "kind": "staff", "amount": "80000.00", "note": "三月"}
    first = post(admin, "/api/v1/costs", body)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert (answer["changed"], answer["replaced"], answer["costs"]["total"]) == (True, None, "83158.31")
    assert (answer["entry"]["team"], answer["entry"]["amount"], answer["entry"]["entered_by"]) == (
        "催收一组",
        "80000.00",
        "admin-costs",
    )
    second = post(admin, "/api/v1/costs", body | {"amount": "78500"})
    assert second.status_code == 201
    assert (second.json()["replaced"]["amount"], second.json()["entry"]["replaces"]) == (
        "80000.00",
        first.json()["entry"]["id"],
    )
    same = post(admin, "/api/v1/costs", body | {"amount": "78500.00"})
    assert (same.status_code, same.json()["changed"]) == (200, False)
    assert CostEntry.objects.count() == 2
    token = do_create_token("svc-analyst", "analyst", actor=book.admin)[1]
    read = bearer(token).get("/api/v1/costs?month=2026-03")
    assert read.status_code == 200, read.content
    month = read.json()
    assert (month["month"], month["total"], month["total_fen"]) == ("2026-03", "81658.31", 8_165_831)
    assert month["by_source"] == {
        "sms": "61.70",
        "email": "0.00",
        "letters": "102.00",
        "commissions": "494.61",
        "legal": "2500.00",
        "staff": "78500.00",
        "telephony": "0.00",
        "other": "0.00",
    }
    assert month["notices_sent"] == {"sms": 1234, "email": 0, "letters": 17}
    (entry,) = month["entries"]
    assert (entry["team"], entry["kind"], entry["amount_fen"], entry["note"]) == (
        "催收一组",
        "staff",
        7_850_000,
        "三月",
    )


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"amount": "80,000.00"}, 422, "no separators"),
        ({"amount": "-1"}, 422, "cannot be negative"),
        ({"amount": "１"}, 422, "digits 0–9 only"),
        ({"month": "2026-05"}, 422, "after the business date's month (2026-04)"),
        ({"month": "2026-13"}, 422, "Write the month as YYYY-MM"),
        ({"team": "催收九组"}, 422, "No team is named “催收九组”"),
        ({"kind": "lunch"}, 422, "does not match the schema"),
        ({"amount": 80000}, 422, "does not match the schema"),
    ],
)
def test_a_bad_cost_is_422_saying_what_to_write_and_nothing_changes(book, change, status, message):
    """Clause: KPI-2 — separators, a sign, other digits, a month ahead or no month, an unknown team or kind, an
    amount as a JSON number: 422 in the error shape; nothing stored, nothing recorded."""
    before = costs_state()
    body = {"month": "2026-03", "team": "催收一组", "kind": "staff", "amount": "1.00"} | change
    response = post(session(book.admin), "/api/v1/costs", body)
    assert response.status_code == status, response.content
    assert message in response.json()["error"]["message"]
    assert costs_state() == before


@pytest.mark.parametrize("role", ["junior_collector", "analyst", "supervisor"])
def test_those_who_do_not_enter_costs_are_refused_and_nothing_changes(book, role):
    """Clause: AUTH-1 — a collector's, an analyst's, a supervisor's token: POST 403 naming the permission, nothing
    stored; a collector may not read the month either (403)."""
    token = do_create_token(f"svc-{role}", role, actor=book.admin)[1]
    before = costs_state()
    refused = post(bearer(token), "/api/v1/costs", {"month": "2026-03", "kind": "staff", "amount": "1.00"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert "reports.enter_costs" in refused.json()["error"]["message"]
    assert costs_state() == before
    read = bearer(token).get("/api/v1/costs?month=2026-03")
    assert read.status_code == (403 if role == "junior_collector" else 200)


def test_the_month_defaults_to_the_business_dates_and_a_bad_one_is_422(book):
    """GET without a month: the business date's (2026-04: the legal fee of 1 April, 900.00); 2026-13 or full-width
    digits: 422."""
    client = session(make_user("analyst"))
    april = client.get("/api/v1/costs").json()
    assert (april["month"], april["by_source"]["legal"]) == ("2026-04", "900.00")
    for month in ("2026-13", "２０２６-03", "abc"):
        assert client.get(f"/api/v1/costs?month={month}").status_code == 422
